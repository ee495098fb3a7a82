-- The portfolio read model (issue #7): one row per project, derived from its state by
-- src/metrics/summary.ts and written in the same transaction as the events that changed it, so
-- the dashboard and the KPIs are queries over narrow rows, never a scan of every state.

CREATE TABLE project_summaries (
  project_id text PRIMARY KEY REFERENCES projects (id),
  client_id text NOT NULL,
  client_name text NOT NULL,
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  status text NOT NULL,
  -- The phase of the earliest step still open (or the last phase once everything is done).
  phase text,
  phase_title text,
  phase_index integer,
  -- The person holding the playbook's CSM-like role, and the client's segment.
  csm text,
  segment text,
  country text,
  started_at timestamptz NOT NULL,
  target_go_live_at timestamptz,
  go_live_at timestamptz,
  first_value_at timestamptz,
  completed_at timestamptz,
  closed_at timestamptz,
  held_since timestamptz,
  next_milestone text,
  next_milestone_title text,
  next_milestone_due_at timestamptz,
  overdue_steps integer NOT NULL,
  blocked_gates integer NOT NULL,
  missed_milestones integer NOT NULL,
  open_issues integer NOT NULL,
  -- KPI inputs: milestones and steps with a deadline that are settled, and how many on time.
  milestones_due integer NOT NULL,
  milestones_on_time integer NOT NULL,
  steps_due integer NOT NULL,
  steps_on_time integer NOT NULL,
  uat_first_pass boolean,
  training_records integer NOT NULL,
  training_passed integer NOT NULL,
  adoption_rate double precision,
  nps integer,
  csat double precision,
  held_ms bigint NOT NULL,
  health text NOT NULL CHECK (health IN ('green', 'amber', 'red')),
  -- 0 red, 1 amber, 2 green: the worst first when sorting by health.
  health_rank smallint NOT NULL,
  health_reasons jsonb NOT NULL,
  -- When health may change with no event (a deadline passing): re-derived from the state then.
  review_at timestamptz,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL
);
-- The dashboard lists onboardings in progress; the finished ones are the KPIs' business.
CREATE INDEX project_summaries_open_started ON project_summaries (started_at, project_id) WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_open_health ON project_summaries (health_rank, project_id) WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_open_due ON project_summaries ((coalesce(next_milestone_due_at, 'infinity'::timestamptz)), project_id)
  WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_open_target ON project_summaries ((coalesce(target_go_live_at, 'infinity'::timestamptz)), project_id)
  WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_open_client ON project_summaries (client_name, project_id) WHERE status IN ('active', 'on_hold');
-- The counts per health and per phase the dashboard links to, answered from the index alone.
CREATE INDEX project_summaries_open_counts ON project_summaries (health, status, phase, phase_index, phase_title)
  WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_csm ON project_summaries (csm, health_rank, project_id) WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_segment ON project_summaries (segment, health_rank, project_id) WHERE status IN ('active', 'on_hold');
CREATE INDEX project_summaries_playbook ON project_summaries (playbook_id, started_at);
CREATE INDEX project_summaries_go_live ON project_summaries (go_live_at) WHERE go_live_at IS NOT NULL;
CREATE INDEX project_summaries_review ON project_summaries (review_at) WHERE review_at IS NOT NULL;

-- One row per step that has a deadline and has settled (done or breached), and per finished phase
-- of each project: SLA compliance by step and days spent per phase, filtered like the summaries.
CREATE TABLE project_step_stats (
  project_id text NOT NULL REFERENCES projects (id),
  kind text NOT NULL CHECK (kind IN ('step', 'phase')),
  key text NOT NULL,
  playbook_id text NOT NULL,
  phase text NOT NULL,
  csm text,
  segment text,
  started_at timestamptz NOT NULL,
  breached boolean NOT NULL,
  days double precision,
  PRIMARY KEY (project_id, kind, key)
);
CREATE INDEX project_step_stats_playbook ON project_step_stats (playbook_id, kind, key);

-- Success reviews and go-live summaries as edited before sending (issue #7 item 8).
CREATE TABLE project_reports (
  project_id text NOT NULL REFERENCES projects (id),
  kind text NOT NULL,
  content jsonb NOT NULL,
  edited_by text NOT NULL,
  edited_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, kind)
);
