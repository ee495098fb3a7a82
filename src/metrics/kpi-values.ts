// Manual KPIs: values a person records ("executive sponsor satisfaction", "support tickets in the
// first 30 days" counted in another system), for a period of a playbook or for one client's
// project. The table is append-only (migration 0017): a correction is a newer value, and the rows
// are the KPI's history with who recorded each value and when. The KPI report shows, for the
// projects and period asked, the latest value of the latest period overlapping it; without period
// values, the mean of each matching project's latest value.
import { randomUUID } from "node:crypto";
import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import type { Schema } from "../store/schema.ts";

export interface KpiValue {
  readonly id: string;
  readonly playbook: string;
  readonly kpi: string;
  readonly value: number;
  /** A period value: its first and last day (YYYY-MM-DD); null for a project's value. */
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly project: string | null;
  readonly note: string | null;
  readonly recordedBy: string;
  readonly recordedAt: Instant;
}

export interface RecordKpiValue {
  readonly playbook: string;
  readonly kpi: string;
  readonly value: number;
  readonly period?: { readonly from: string; readonly to: string } | undefined;
  readonly project?: string | undefined;
  readonly note?: string | undefined;
  readonly recordedBy: string;
  readonly recordedAt: Instant;
}

interface Row {
  id: string;
  playbook_id: string;
  kpi: string;
  project_id: string | null;
  period_start: Date | string | null;
  period_end: Date | string | null;
  value: number | string;
  note: string | null;
  recorded_by: string;
  recorded_at: Date | string;
}

/** A `date` column as YYYY-MM-DD whichever way the driver returns it. */
function day(value: Date | string): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

function kpiValueOf(row: Row): KpiValue {
  return {
    id: row.id,
    playbook: row.playbook_id,
    kpi: row.kpi,
    value: Number(row.value),
    period: row.period_start !== null && row.period_end !== null ? { from: day(row.period_start), to: day(row.period_end) } : null,
    project: row.project_id,
    note: row.note,
    recordedBy: row.recorded_by,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

const COLUMNS = sql`id, playbook_id, kpi, project_id, period_start::text AS period_start, period_end::text AS period_end, value, note, recorded_by, recorded_at`;

export async function recordKpiValue(db: Kysely<Schema>, input: RecordKpiValue): Promise<KpiValue> {
  const { rows } = await sql<Row>`
    INSERT INTO kpi_values (id, playbook_id, kpi, project_id, period_start, period_end, value, note, recorded_by, recorded_at)
    VALUES (${randomUUID()}, ${input.playbook}, ${input.kpi}, ${input.project ?? null}, ${input.period?.from ?? null}::date,
            ${input.period?.to ?? null}::date, ${input.value}, ${input.note ?? null}, ${input.recordedBy}, ${input.recordedAt}::timestamptz)
    RETURNING ${COLUMNS}`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("the KPI value was not recorded");
  return kpiValueOf(row);
}

/** A KPI's history, newest first (optionally one project's). */
export async function listKpiValues(db: Kysely<Schema>, playbook: string, kpi: string, project?: string): Promise<KpiValue[]> {
  const { rows } = await sql<Row>`
    SELECT ${COLUMNS} FROM kpi_values
     WHERE playbook_id = ${playbook} AND kpi = ${kpi} ${project === undefined ? sql`` : sql`AND project_id = ${project}`}
     ORDER BY recorded_at DESC, id DESC LIMIT 500`.execute(db);
  return rows.map(kpiValueOf);
}

export interface ManualFilter {
  readonly csm?: string;
  readonly segment?: string;
  readonly from?: Instant;
  readonly to?: Instant;
}

export interface ManualFigure {
  readonly value: number | null;
  readonly note: string;
}

/** The filter on the matching projects' summary rows (alias `s`). */
function projectsWhere(filter: ManualFilter): Expression<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (filter.csm !== undefined) parts.push(sql<SqlBool>`s.csm = ${filter.csm}`);
  if (filter.segment !== undefined) parts.push(sql<SqlBool>`s.segment = ${filter.segment}`);
  if (filter.from !== undefined) parts.push(sql<SqlBool>`s.started_at >= ${filter.from}::timestamptz`);
  if (filter.to !== undefined) parts.push(sql<SqlBool>`s.started_at < ${filter.to}::timestamptz`);
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

export interface ManualKpi {
  readonly playbook: string;
  readonly kpi: string;
}

/** The key of a manual KPI in what manualFigures returns. */
export const manualKey = (k: ManualKpi): string => `${k.playbook}\u0000${k.kpi}`;

/**
 * The figure each manual KPI shows for a filter: the latest value of the latest period overlapping
 * the filter's start period (any period without one); else the mean of the latest value of each
 * matching project; else nothing recorded yet. Two queries for all of them, whatever their number.
 */
export async function manualFigures(
  db: Kysely<Schema>,
  kpis: readonly ManualKpi[],
  filter: ManualFilter,
): Promise<Map<string, ManualFigure>> {
  const figures = new Map<string, ManualFigure>();
  if (kpis.length === 0) return figures;
  const pairs = sql.join(kpis.map((k) => sql`(${k.playbook}, ${k.kpi})`));
  const overlaps: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  // Days are UTC days, as the rollups count them: [period_start 00:00, period_end + 1 day 00:00).
  if (filter.to !== undefined) overlaps.push(sql<SqlBool>`period_start::timestamp < (${filter.to}::timestamptz AT TIME ZONE 'UTC')`);
  if (filter.from !== undefined)
    overlaps.push(sql<SqlBool>`(period_end + 1)::timestamp > (${filter.from}::timestamptz AT TIME ZONE 'UTC')`);
  const periods = await sql<Row>`
    SELECT DISTINCT ON (playbook_id, kpi) ${COLUMNS} FROM kpi_values
     WHERE (playbook_id, kpi) IN (${pairs}) AND project_id IS NULL AND ${sql.join(overlaps, sql` AND `)}
     ORDER BY playbook_id, kpi, period_end DESC, recorded_at DESC, id DESC`.execute(db);
  for (const row of periods.rows) {
    const v = kpiValueOf(row);
    figures.set(manualKey(v), {
      value: v.value,
      note: `recorded by ${v.recordedBy} on ${v.recordedAt.slice(0, 10)} for ${v.period?.from} to ${v.period?.to}`,
    });
  }
  const rest = kpis.filter((k) => !figures.has(manualKey(k)));
  if (rest.length > 0) {
    const latest = await sql<{ playbook_id: string; kpi: string; value: number | string; n: number | string }>`
      SELECT playbook_id, kpi, avg(value)::float8 AS value, count(*)::int AS n FROM (
        SELECT DISTINCT ON (v.playbook_id, v.kpi, v.project_id) v.playbook_id, v.kpi, v.value
          FROM kpi_values v JOIN project_summaries s ON s.project_id = v.project_id AND s.playbook_id = v.playbook_id
         WHERE (v.playbook_id, v.kpi) IN (${sql.join(rest.map((k) => sql`(${k.playbook}, ${k.kpi})`))})
           AND v.project_id IS NOT NULL AND ${projectsWhere(filter)}
         ORDER BY v.playbook_id, v.kpi, v.project_id, v.recorded_at DESC, v.id DESC
      ) latest GROUP BY playbook_id, kpi`.execute(db);
    for (const row of latest.rows) {
      const n = Number(row.n);
      const value = Math.round(Number(row.value) * 10) / 10;
      figures.set(manualKey({ playbook: row.playbook_id, kpi: row.kpi }), {
        value,
        note: `the mean of the latest value recorded for ${n} client${n === 1 ? "" : "s"}`,
      });
    }
  }
  for (const k of kpis)
    if (!figures.has(manualKey(k))) figures.set(manualKey(k), { value: null, note: "recorded by a person: no value recorded yet" });
  return figures;
}
