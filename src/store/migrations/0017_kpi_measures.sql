-- Issue 15 item 11: KPIs real procedures define.
-- 1. time_to_step KPIs ("days from the start to the first meeting"): each project's figure is a
--    step statistic of kind 'kpi' (key: the KPI's id), rolled up like phase durations.
ALTER TABLE project_step_stats DROP CONSTRAINT project_step_stats_kind_check;
ALTER TABLE project_step_stats ADD CONSTRAINT project_step_stats_kind_check CHECK (kind IN ('step', 'phase', 'kpi'));

-- 2. Manual KPIs: values a person records, for a period of the whole playbook or for one project.
--    Append-only: a correction is a newer value; the rows are the history and its audit trail
--    (who recorded what, when, and why).
CREATE TABLE kpi_values (
  id text PRIMARY KEY,
  playbook_id text NOT NULL,
  kpi text NOT NULL,
  project_id text,
  period_start date,
  period_end date,
  value double precision NOT NULL,
  note text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL,
  CHECK ((project_id IS NULL) = (period_start IS NOT NULL AND period_end IS NOT NULL)),
  CHECK (period_start IS NULL OR period_start <= period_end)
);
CREATE INDEX kpi_values_kpi ON kpi_values (playbook_id, kpi, recorded_at);
CREATE TRIGGER kpi_values_append_only BEFORE UPDATE OR DELETE ON kpi_values FOR EACH ROW EXECUTE FUNCTION onboard_append_only();
CREATE TRIGGER kpi_values_no_truncate BEFORE TRUNCATE ON kpi_values FOR EACH STATEMENT EXECUTE FUNCTION onboard_append_only();
