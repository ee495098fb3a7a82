// The KPI totals of a set of projects, read either from the portfolio rows (project_summaries and
// project_step_stats, filtered by anything) or from the daily rollups (by playbook, segment and
// whole UTC days of start). Both use the definitions of rollup.ts, so they give the same totals;
// `kpiTotals` takes the whole days of a period from the rollups and its partial days from the rows.
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import { COUNT_COLUMNS, type CountColumn, type DurationMetric, KpiTotals } from "./kpi-totals.ts";
import type { MetricsDb } from "./tables.ts";

export interface RowFilter {
  readonly playbook?: string;
  readonly csm?: string;
  readonly segment?: string;
  /** Projects that started at or after. */
  readonly from?: Instant;
  /** Projects that started before. */
  readonly to?: Instant;
}

/** Each count of the rollup as an aggregate over summary rows (rollup.ts `counts` says the same). */
const ROW_AGGREGATES: Record<CountColumn, RawBuilder<number>> = {
  projects: sql`count(*)`,
  active: sql`count(*) FILTER (WHERE status = 'active')`,
  on_hold: sql`count(*) FILTER (WHERE status = 'on_hold')`,
  closed: sql`count(*) FILTER (WHERE status = 'closed')`,
  cancelled: sql`count(*) FILTER (WHERE status = 'cancelled')`,
  live: sql`count(go_live_at)`,
  first_value_count: sql`count(first_value_at)`,
  steps_due: sql`coalesce(sum(steps_due), 0)`,
  steps_on_time: sql`coalesce(sum(steps_on_time), 0)`,
  milestones_due: sql`coalesce(sum(milestones_due), 0)`,
  milestones_on_time: sql`coalesce(sum(milestones_on_time), 0)`,
  uat_decided: sql`count(uat_first_pass)`,
  uat_passed: sql`count(*) FILTER (WHERE uat_first_pass)`,
  training_tracks: sql`coalesce(sum(training_records) FILTER (WHERE go_live_at IS NOT NULL), 0)`,
  training_passed: sql`coalesce(sum(training_passed) FILTER (WHERE go_live_at IS NOT NULL), 0)`,
  nps_answers: sql`count(nps)`,
  promoters: sql`count(*) FILTER (WHERE nps >= 9)`,
  detractors: sql`count(*) FILTER (WHERE nps <= 6)`,
  csat_answers: sql`count(csat)`,
  csat_sum: sql`coalesce(sum(csat), 0)`,
  adoption_reviews: sql`count(adoption_rate)`,
  adoption_sum: sql`coalesce(sum(adoption_rate), 0)`,
};

const MS_SINCE_START = (column: string) => sql`(round(extract(epoch FROM (${sql.ref(column)} - started_at)) * 1000)::bigint - held_ms)`;

function rowWhere(filter: RowFilter): Expression<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (filter.playbook !== undefined) parts.push(sql<SqlBool>`playbook_id = ${filter.playbook}`);
  if (filter.csm !== undefined) parts.push(sql<SqlBool>`csm = ${filter.csm}`);
  if (filter.segment !== undefined) parts.push(sql<SqlBool>`segment = ${filter.segment}`);
  if (filter.from !== undefined) parts.push(sql<SqlBool>`started_at >= ${filter.from}::timestamptz`);
  if (filter.to !== undefined) parts.push(sql<SqlBool>`started_at < ${filter.to}::timestamptz`);
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

type NumberLike = number | string | null;
/** Rows as both sources return them (numbers may come back as strings). */
type CountsRow = Record<CountColumn, NumberLike> & { playbook_id: string };
type DurationsRow = { playbook_id: string; metric: DurationMetric; key: string; bin: number; count: NumberLike; total_ms: NumberLike };
type StepsRow = {
  playbook_id: string;
  kind: "step" | "phase" | "kpi";
  key: string;
  settled: NumberLike;
  breached: NumberLike;
  total_ms: NumberLike;
  timed: NumberLike;
};

/** Totals from the portfolio rows matching the filter. */
export async function totalsFromRows(db: MetricsDb, filter: RowFilter): Promise<KpiTotals> {
  const where = rowWhere(filter);
  const [counts, durations, steps] = await Promise.all([
    sql<CountsRow>`
      SELECT playbook_id, ${sql.join(COUNT_COLUMNS.map((c) => sql`(${ROW_AGGREGATES[c]})::float8 AS ${sql.ref(c)}`))}
        FROM project_summaries WHERE ${where} GROUP BY playbook_id`.execute(db),
    sql<DurationsRow>`
      SELECT playbook_id, metric, key, floor(ms::numeric / 8640000)::int AS bin, count(*)::int AS count, sum(ms)::float8 AS total_ms
        FROM (
          SELECT playbook_id, 'go_live' AS metric, to_char(go_live_at AT TIME ZONE 'UTC', 'YYYY-MM') AS key, ${MS_SINCE_START("go_live_at")} AS ms
            FROM project_summaries WHERE ${where} AND go_live_at IS NOT NULL
          UNION ALL
          SELECT playbook_id, 'first_value', '', greatest(0, ${MS_SINCE_START("first_value_at")})
            FROM project_summaries WHERE ${where} AND first_value_at IS NOT NULL
          UNION ALL
          SELECT playbook_id, 'onboard', '', ${MS_SINCE_START("completed_at")}
            FROM project_summaries WHERE ${where} AND completed_at IS NOT NULL
          UNION ALL
          SELECT playbook_id, kind, key, round(days * 86400000)::bigint
            FROM project_step_stats WHERE ${where} AND kind IN ('phase', 'kpi') AND days IS NOT NULL
        ) durations
       GROUP BY 1, 2, 3, 4`.execute(db),
    sql<StepsRow>`
      SELECT playbook_id, kind, key, count(*)::int AS settled, (count(*) FILTER (WHERE breached))::int AS breached,
             coalesce(sum(round(days * 86400000)::bigint), 0)::float8 AS total_ms, count(days)::int AS timed
        FROM project_step_stats WHERE ${where} GROUP BY 1, 2, 3`.execute(db),
  ]);
  return collect(counts.rows, durations.rows, steps.rows);
}

export interface DayRange {
  readonly playbook?: string;
  readonly segment?: string;
  /** First UTC day (YYYY-MM-DD) included. */
  readonly fromDay?: string;
  /** First UTC day no longer included. */
  readonly toDay?: string;
}

function dayWhere(range: DayRange): Expression<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (range.playbook !== undefined) parts.push(sql<SqlBool>`playbook_id = ${range.playbook}`);
  if (range.segment !== undefined) parts.push(sql<SqlBool>`segment = ${range.segment}`);
  if (range.fromDay !== undefined) parts.push(sql<SqlBool>`start_day >= ${range.fromDay}::date`);
  if (range.toDay !== undefined) parts.push(sql<SqlBool>`start_day < ${range.toDay}::date`);
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/** Totals from the daily rollups of whole days. */
export async function totalsFromRollups(db: MetricsDb, range: DayRange): Promise<KpiTotals> {
  const where = dayWhere(range);
  const [counts, durations, steps] = await Promise.all([
    sql<CountsRow>`
      SELECT playbook_id, ${sql.join(COUNT_COLUMNS.map((c) => sql`sum(${sql.ref(c)})::float8 AS ${sql.ref(c)}`))}
        FROM kpi_daily_projects WHERE ${where} GROUP BY playbook_id`.execute(db),
    sql<DurationsRow>`
      SELECT playbook_id, metric, key, bin, sum(count)::int AS count, sum(total_ms)::float8 AS total_ms
        FROM kpi_daily_durations WHERE ${where} GROUP BY 1, 2, 3, 4 HAVING sum(count) <> 0`.execute(db),
    sql<StepsRow>`
      SELECT playbook_id, kind, key, sum(settled)::int AS settled, sum(breached)::int AS breached,
             sum(total_ms)::float8 AS total_ms, sum(timed)::int AS timed
        FROM kpi_daily_steps WHERE ${where} GROUP BY 1, 2, 3 HAVING sum(settled) <> 0`.execute(db),
  ]);
  return collect(
    counts.rows.filter((r) => Number(r.projects) !== 0),
    durations.rows,
    steps.rows,
  );
}

function collect(counts: readonly CountsRow[], durations: readonly DurationsRow[], steps: readonly StepsRow[]): KpiTotals {
  const totals = new KpiTotals();
  for (const row of counts) totals.addCounts(row.playbook_id, row);
  for (const row of durations)
    totals.addDuration({
      playbook_id: row.playbook_id,
      metric: row.metric,
      key: row.key,
      bin: Number(row.bin),
      count: Number(row.count),
      totalMs: Number(row.total_ms),
    });
  for (const row of steps)
    totals.addStep({
      playbook_id: row.playbook_id,
      kind: row.kind,
      key: row.key,
      settled: Number(row.settled),
      breached: Number(row.breached),
      totalMs: Number(row.total_ms),
      timed: Number(row.timed),
    });
  return totals;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The last instant toISOString writes as PostgreSQL reads it: later years come out as +010000-... */
const END_OF_9999 = Date.parse("9999-12-31T23:59:59.999Z");

/**
 * How a period splits: whole UTC days for the rollups, and the partial days at its edges (as
 * instant ranges) for the rows. Without a bound, the rollups reach that way without end.
 */
export function splitPeriod(
  from: Instant | undefined,
  to: Instant | undefined,
): { days: { fromDay?: string; toDay?: string } | null; edges: { from?: Instant; to?: Instant }[] } {
  const f = from === undefined ? undefined : Date.parse(from);
  const t = to === undefined ? undefined : Date.parse(to);
  const firstWhole = f === undefined ? undefined : Math.ceil(f / DAY_MS) * DAY_MS;
  const endWhole = t === undefined ? undefined : Math.floor(t / DAY_MS) * DAY_MS;
  // A period from the last day of the year 9999 has no whole day left to name: only the rows.
  if (f !== undefined && firstWhole !== undefined && firstWhole > END_OF_9999) {
    return { days: null, edges: t === undefined || f < t ? [{ from, ...(to === undefined ? {} : { to }) }] : [] };
  }
  if (firstWhole !== undefined && endWhole !== undefined && firstWhole >= endWhole) {
    return { days: null, edges: f !== undefined && t !== undefined && f < t ? [{ from, to }] : [] };
  }
  const edges: { from?: Instant; to?: Instant }[] = [];
  if (f !== undefined && firstWhole !== undefined && f < firstWhole) edges.push({ from, to: new Date(firstWhole).toISOString() });
  if (t !== undefined && endWhole !== undefined && endWhole < t) edges.push({ from: new Date(endWhole).toISOString(), to });
  return {
    days: {
      ...(firstWhole !== undefined ? { fromDay: dayOf(firstWhole) } : {}),
      ...(endWhole !== undefined ? { toDay: dayOf(endWhole) } : {}),
    },
    edges,
  };
}

/**
 * The totals of the projects matching a filter. A CSM's projects are few and read from the rows
 * (the rollups have no CSM); otherwise whole days come from the rollups and partial days from rows.
 */
export async function kpiTotals(db: MetricsDb, filter: RowFilter, options: { readonly source?: "auto" | "rows" } = {}): Promise<KpiTotals> {
  if (options.source === "rows" || filter.csm !== undefined || filter.segment === "") return totalsFromRows(db, filter);
  const { days, edges } = splitPeriod(filter.from, filter.to);
  const base = {
    ...(filter.playbook !== undefined ? { playbook: filter.playbook } : {}),
    ...(filter.segment !== undefined ? { segment: filter.segment } : {}),
  };
  const parts = await Promise.all([
    ...(days ? [totalsFromRollups(db, { ...base, ...days })] : []),
    ...edges.map((edge) => totalsFromRows(db, { ...base, ...edge })),
  ]);
  return parts.reduce((all, part) => all.merge(part), new KpiTotals());
}
