-- Daily KPI rollups (issue #7): per playbook, segment ('' when none) and UTC day of start, what
-- the projects that started that day add up to. src/metrics/rollup.ts keeps them equal to the sum
-- of the portfolio rows, in the transaction that writes those rows; KPIs over many projects add up
-- a few thousand of these rows instead of scanning every project and every step.

CREATE TABLE kpi_daily_projects (
  playbook_id text NOT NULL,
  segment text NOT NULL,
  start_day date NOT NULL,
  projects integer NOT NULL,
  active integer NOT NULL,
  on_hold integer NOT NULL,
  closed integer NOT NULL,
  cancelled integer NOT NULL,
  live integer NOT NULL,
  first_value_count integer NOT NULL,
  steps_due integer NOT NULL,
  steps_on_time integer NOT NULL,
  milestones_due integer NOT NULL,
  milestones_on_time integer NOT NULL,
  uat_decided integer NOT NULL,
  uat_passed integer NOT NULL,
  training_tracks integer NOT NULL,
  training_passed integer NOT NULL,
  nps_answers integer NOT NULL,
  promoters integer NOT NULL,
  detractors integer NOT NULL,
  csat_answers integer NOT NULL,
  csat_sum double precision NOT NULL,
  adoption_reviews integer NOT NULL,
  adoption_sum double precision NOT NULL,
  PRIMARY KEY (playbook_id, segment, start_day)
);
CREATE INDEX kpi_daily_projects_day ON kpi_daily_projects (start_day);

-- SLA outcomes per step and finished phases, with the sum of their known durations.
CREATE TABLE kpi_daily_steps (
  playbook_id text NOT NULL,
  segment text NOT NULL,
  start_day date NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  settled integer NOT NULL,
  breached integer NOT NULL,
  total_ms bigint NOT NULL,
  timed integer NOT NULL,
  PRIMARY KEY (playbook_id, segment, start_day, kind, key)
);
CREATE INDEX kpi_daily_steps_day ON kpi_daily_steps (start_day);

-- Histograms of durations in tenths of a day (bin = floor(ms / 8640000)) with the exact sum of
-- each bin: go_live (key: the month of go-live), first_value, onboard, phase (key: the phase).
CREATE TABLE kpi_daily_durations (
  playbook_id text NOT NULL,
  segment text NOT NULL,
  start_day date NOT NULL,
  metric text NOT NULL,
  key text NOT NULL,
  bin integer NOT NULL,
  count integer NOT NULL,
  total_ms bigint NOT NULL,
  PRIMARY KEY (playbook_id, segment, start_day, metric, key, bin)
);
CREATE INDEX kpi_daily_durations_day ON kpi_daily_durations (start_day);

-- KPIs for one CSM, and the partial days at the edges of a period, are read from the rows.
CREATE INDEX project_summaries_started ON project_summaries (started_at);
CREATE INDEX project_summaries_csm_started ON project_summaries (csm, started_at);
CREATE INDEX project_step_stats_started ON project_step_stats (started_at);
CREATE INDEX project_step_stats_csm ON project_step_stats (csm, started_at);

-- Existing portfolio rows, added up once (the same definitions as src/metrics/rollup.ts).
INSERT INTO kpi_daily_projects
SELECT playbook_id, coalesce(segment, ''), (started_at AT TIME ZONE 'UTC')::date,
       count(*),
       count(*) FILTER (WHERE status = 'active'),
       count(*) FILTER (WHERE status = 'on_hold'),
       count(*) FILTER (WHERE status = 'closed'),
       count(*) FILTER (WHERE status = 'cancelled'),
       count(go_live_at),
       count(first_value_at),
       sum(steps_due), sum(steps_on_time), sum(milestones_due), sum(milestones_on_time),
       count(uat_first_pass),
       count(*) FILTER (WHERE uat_first_pass),
       coalesce(sum(training_records) FILTER (WHERE go_live_at IS NOT NULL), 0),
       coalesce(sum(training_passed) FILTER (WHERE go_live_at IS NOT NULL), 0),
       count(nps),
       count(*) FILTER (WHERE nps >= 9),
       count(*) FILTER (WHERE nps <= 6),
       count(csat), coalesce(sum(csat), 0),
       count(adoption_rate), coalesce(sum(adoption_rate), 0)
  FROM project_summaries
 GROUP BY 1, 2, 3;

INSERT INTO kpi_daily_steps
SELECT playbook_id, coalesce(segment, ''), (started_at AT TIME ZONE 'UTC')::date, kind, key,
       count(*),
       count(*) FILTER (WHERE breached),
       coalesce(sum(round(days * 86400000)::bigint), 0),
       count(days)
  FROM project_step_stats
 GROUP BY 1, 2, 3, 4, 5;

INSERT INTO kpi_daily_durations
SELECT playbook_id, segment, day, metric, key, floor(ms::numeric / 8640000)::integer, count(*), sum(ms)
  FROM (
    SELECT playbook_id, coalesce(segment, '') AS segment, (started_at AT TIME ZONE 'UTC')::date AS day, 'go_live' AS metric,
           to_char(go_live_at AT TIME ZONE 'UTC', 'YYYY-MM') AS key,
           round(extract(epoch FROM (go_live_at - started_at)) * 1000)::bigint - held_ms AS ms
      FROM project_summaries WHERE go_live_at IS NOT NULL
    UNION ALL
    SELECT playbook_id, coalesce(segment, ''), (started_at AT TIME ZONE 'UTC')::date, 'first_value', '',
           greatest(0, round(extract(epoch FROM (first_value_at - started_at)) * 1000)::bigint - held_ms)
      FROM project_summaries WHERE first_value_at IS NOT NULL
    UNION ALL
    SELECT playbook_id, coalesce(segment, ''), (started_at AT TIME ZONE 'UTC')::date, 'onboard', '',
           round(extract(epoch FROM (completed_at - started_at)) * 1000)::bigint - held_ms
      FROM project_summaries WHERE completed_at IS NOT NULL
    UNION ALL
    SELECT playbook_id, coalesce(segment, ''), (started_at AT TIME ZONE 'UTC')::date, 'phase', key,
           round(days * 86400000)::bigint
      FROM project_step_stats WHERE kind = 'phase' AND days IS NOT NULL
  ) durations
 GROUP BY 1, 2, 3, 4, 5, 6;
