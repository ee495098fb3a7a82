-- Process-mining reads that stay fast at 100,000 projects (issue #20). Before, every read of the
-- Process page compared all of a playbook's portfolio rows with their rollup rows to find the
-- changed ones, and read the running onboardings from the wide per-project rows.

-- The projects whose rollup rows are behind their portfolio row: marked in the transaction that
-- changes the portfolio row (the trigger below, whoever writes it), cleared by the refresh that
-- replays them (src/mining/rollups.ts). A read asks only for the marks of its playbook. `marked`
-- grows with every mark, so a refresh clears only the marks it replayed, never one made meanwhile.
CREATE SEQUENCE process_dirty_marks;
CREATE TABLE process_dirty (
  project_id text PRIMARY KEY,
  playbook_id text NOT NULL,
  marked bigint NOT NULL DEFAULT nextval('process_dirty_marks')
);
CREATE INDEX process_dirty_playbook ON process_dirty (playbook_id);

CREATE FUNCTION onboard_process_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO process_dirty (project_id, playbook_id) VALUES (OLD.project_id, OLD.playbook_id)
      ON CONFLICT (project_id) DO UPDATE SET marked = EXCLUDED.marked, playbook_id = EXCLUDED.playbook_id;
  ELSE
    INSERT INTO process_dirty (project_id, playbook_id) VALUES (NEW.project_id, NEW.playbook_id)
      ON CONFLICT (project_id) DO UPDATE SET marked = EXCLUDED.marked, playbook_id = EXCLUDED.playbook_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER project_summaries_process_added AFTER INSERT OR DELETE ON project_summaries
  FOR EACH ROW EXECUTE FUNCTION onboard_process_dirty();
-- Only what a rollup row is replayed from: a health review rewriting the row changes none of it.
CREATE TRIGGER project_summaries_process_changed AFTER UPDATE ON project_summaries
  FOR EACH ROW WHEN (
    OLD.version IS DISTINCT FROM NEW.version OR OLD.status IS DISTINCT FROM NEW.status
    OR OLD.segment IS DISTINCT FROM NEW.segment OR OLD.csm IS DISTINCT FROM NEW.csm
    OR OLD.playbook_version IS DISTINCT FROM NEW.playbook_version
    OR OLD.target_go_live_at IS DISTINCT FROM NEW.target_go_live_at
    OR OLD.client_name IS DISTINCT FROM NEW.client_name OR OLD.started_at IS DISTINCT FROM NEW.started_at
  ) EXECUTE FUNCTION onboard_process_dirty();

-- The onboardings still running, narrow: what every read adds up as of now (their open visits) and
-- forecasts (their anchors), without touching the per-project tallies.
CREATE TABLE process_running (
  project_id text PRIMARY KEY,
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  segment text NOT NULL,
  csm text,
  client_name text NOT NULL,
  started_at timestamptz NOT NULL,
  -- active and not live yet: the onboardings a go-live forecast is made for
  forecast boolean NOT NULL,
  target_go_live_at timestamptz,
  -- JSON kept as text, not jsonb: read whole on every page and never queried into, and text is sent
  -- as stored (a quarter faster for the tens of thousands of rows the capacity forecast reads).
  -- Its open steps, their instants in epoch ms (src/mining/tally.ts OpenVisitMs):
  open_visits text NOT NULL,
  -- the steps a go-live forecast reckons from, in epoch ms (src/mining/forecast.ts anchorsOf); null once live
  anchors text,
  -- Its median go-live forecast as the capacity forecast last made it (epoch ms; null: none), the
  -- model it was made with (src/mining/forecast.ts GoLiveModel.stamp), and until when it holds
  -- (epoch ms; null: as long as the model does). Rows whose forecast no longer holds are forecast
  -- again on the next read; the others are not read in full.
  go_live_p50 double precision,
  forecast_model text,
  forecast_until double precision
);
CREATE INDEX process_running_playbook ON process_running (playbook_id, started_at);
CREATE INDEX process_running_csm ON process_running (csm) WHERE forecast;

-- The same sums as process_monthly by CSM instead of segment, over all months only (start_month is
-- always 0001-01-01): what the Process page filtered by one CSM reads. One CSM's onboardings in a
-- period are few enough to add up from their own rows.
CREATE TABLE process_by_csm (
  playbook_id text NOT NULL,
  playbook_version text NOT NULL,
  csm text NOT NULL,
  start_month date NOT NULL,
  projects integer NOT NULL,
  tally jsonb NOT NULL,
  residuals jsonb NOT NULL,
  milestones jsonb NOT NULL,
  PRIMARY KEY (playbook_id, start_month, playbook_version, csm)
);

-- The worst list names its clients without joining the portfolio; open visits and anchors moved
-- to process_running. The rollups are derived data: they are emptied and every project is marked,
-- so the background refresh (and the first read of each playbook) rebuilds them in the new shape.
ALTER TABLE project_traces ADD COLUMN client_name text NOT NULL DEFAULT '';
ALTER TABLE project_traces DROP COLUMN open_visits;
ALTER TABLE project_traces DROP COLUMN anchors;
DROP INDEX project_traces_running;
-- Who deviates most among the onboardings started in a period: the deviating ones of the period,
-- not every one of the period looked at (70 ms for a quarter of the busiest playbook at 100k).
CREATE INDEX project_traces_deviating_started ON project_traces (playbook_id, started_at) WHERE deviation_count > 0;
DELETE FROM project_traces;
DELETE FROM process_monthly;
INSERT INTO process_dirty (project_id, playbook_id) SELECT project_id, playbook_id FROM project_summaries;
