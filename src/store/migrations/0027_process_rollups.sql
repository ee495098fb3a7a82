-- Process-mining rollups (issue #20): what each project's event log adds to the insights and the
-- go-live forecast, kept so that the Process page adds up rollups instead of replaying every
-- project's events on request. src/mining/rollups.ts keeps both tables: a project whose events,
-- segment, CSM or status changed since its row was written is replayed again, its old contribution
-- taken away from its month's rollup and its new one added, in one transaction.

-- One row per project: its settled contribution (a tally: src/mining/tally.ts), the visits still
-- open (added up as of the moment of reading, since they grow with the clock), its progress for the
-- forecast while it is not live yet, and its conformance.
CREATE TABLE project_traces (
  project_id text PRIMARY KEY,
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  segment text NOT NULL,
  csm text,
  status text NOT NULL,
  started_at timestamptz NOT NULL,
  start_month date NOT NULL,
  -- the project's version (its last event's seq) the row was replayed from
  events_seq integer NOT NULL,
  fitness double precision NOT NULL,
  deviation_count integer NOT NULL,
  deviations jsonb NOT NULL,
  -- its tally in three parts (src/mining/tally.ts StoredTally): what the insights read, the go-live
  -- residuals, the milestones' residuals
  tally jsonb NOT NULL,
  residuals jsonb NOT NULL,
  milestones jsonb NOT NULL,
  open_visits jsonb NOT NULL,
  -- start and completions of an onboarding not live yet (null once live)
  progress jsonb,
  -- the same in few words: the steps a go-live forecast reckons from (src/mining/forecast.ts)
  anchors jsonb,
  live boolean NOT NULL,
  -- not completed, closed or cancelled: its open visits grow with the clock
  running boolean NOT NULL,
  target_go_live_at timestamptz
);
CREATE INDEX project_traces_playbook_started ON project_traces (playbook_id, started_at);
CREATE INDEX project_traces_fitness ON project_traces (playbook_id, fitness, deviation_count DESC, project_id) WHERE deviation_count > 0;
CREATE INDEX project_traces_running ON project_traces (playbook_id) WHERE running;

-- The sum of the settled tallies of the projects of a playbook version and segment ('' when none)
-- that started in a UTC month; start_month '0001-01-01' holds the sum over all months (what a page
-- without a period reads).
CREATE TABLE process_monthly (
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  segment text NOT NULL,
  start_month date NOT NULL,
  projects integer NOT NULL,
  tally jsonb NOT NULL,
  residuals jsonb NOT NULL,
  milestones jsonb NOT NULL,
  PRIMARY KEY (playbook_id, start_month, playbook_version, segment)
);
