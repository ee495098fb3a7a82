// The process-mining rollups (migrations 0027-0028): one row per project with what its events add
// to the insights and the forecast (project_traces), their sums per playbook version, segment and
// month of start and over all months (process_monthly), and over all months per CSM
// (process_by_csm); and the onboardings still running, narrow (process_running: their open visits
// and forecast anchors). Reading the insights of a playbook adds up the all-months rows (or, for a
// period, its whole months and the months it cuts into), and the visits still open as of now.
//
// They are kept up to date when read: a project whose portfolio row changed (its events, segment,
// CSM, status or plan) is marked in process_dirty by a trigger in that same transaction (migration
// 0028), and a read replays the marked projects of its playbook (the only projects whose log is
// read), takes their old tallies away from their months and adds the new ones, in one transaction.
// Refreshes take a transaction-level advisory lock, so two readers never apply the same change
// twice; commands never wait for them (a refresh clears the marks it replayed only as it commits).
// The background refresh also compares every portfolio row with its rollup row, as a safety net.
import { type ColumnType, type Insertable, type Kysely, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import { metricsDb } from "../metrics/tables.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Schema } from "../store/schema.ts";
import { type Anchor, anchorsOf } from "./forecast.ts";
import { casesFor, type LogFilter, versionModels } from "./source.ts";
import {
  addOpenVisit,
  type OpenVisitMs,
  openVisitMs,
  openVisits,
  type StoredTally,
  settledTally,
  storedTally,
  Tally,
  tallyOf,
} from "./tally.ts";
import { type Deviation, type Trace, traceOf } from "./trace.ts";

type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Day = ColumnType<Date | string, string, string>;

export type ProgressJson = Pick<Trace, "startedAt" | "completions">;

interface ProjectTracesTable {
  project_id: string;
  playbook_id: string;
  playbook_version: string;
  segment: string;
  csm: string | null;
  status: string;
  started_at: Timestamp;
  start_month: Day;
  events_seq: number;
  fitness: number;
  deviation_count: number;
  deviations: Json<Deviation[]>;
  tally: Json<StoredTally["tally"]>;
  residuals: Json<StoredTally["residuals"]>;
  milestones: Json<StoredTally["milestones"]>;
  progress: Json<ProgressJson | null>;
  live: boolean;
  running: boolean;
  target_go_live_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  client_name: string;
}

/** The onboardings still running, narrow: what every read adds up as of now and forecasts. */
interface ProcessRunningTable {
  project_id: string;
  playbook_id: string;
  playbook_version: string;
  segment: string;
  csm: string | null;
  client_name: string;
  started_at: Timestamp;
  /** Active and not live yet: a go-live forecast is made for it. */
  forecast: boolean;
  target_go_live_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** JSON of OpenVisitMs[] (text: read whole, never queried into). */
  open_visits: string;
  /** JSON of what a go-live forecast reckons from (forecast.ts anchorsOf), in epoch ms; null once live. */
  anchors: string | null;
  /** The capacity forecast's last median go-live (epoch ms), its model's stamp, and until when it holds. */
  go_live_p50: number | null;
  forecast_model: string | null;
  forecast_until: number | null;
}

interface ProcessDirtyTable {
  project_id: string;
  playbook_id: string;
  marked: ColumnType<string, never, never>;
}

interface ProcessMonthlyTable {
  playbook_id: string;
  playbook_version: string;
  segment: string;
  start_month: Day;
  projects: number;
  tally: Json<StoredTally["tally"]>;
  residuals: Json<StoredTally["residuals"]>;
  milestones: Json<StoredTally["milestones"]>;
}

/** The same sums by CSM, over all months only (the Process page filtered by one CSM reads them). */
interface ProcessByCsmTable extends Omit<ProcessMonthlyTable, "segment"> {
  csm: string;
}

type ProcessTables = {
  project_traces: ProjectTracesTable;
  process_running: ProcessRunningTable;
  process_monthly: ProcessMonthlyTable;
  process_by_csm: ProcessByCsmTable;
  process_dirty: ProcessDirtyTable;
};

export const processDb = (db: Kysely<Schema>) => metricsDb(db).withTables<ProcessTables>();

/**
 * The start_month of the rows that hold the sum of all months (of a playbook version and segment):
 * what a page without a period reads, a few rows instead of one per month.
 */
const ALL_MONTHS = "0001-01-01";

/** The advisory lock refreshes serialise on (a constant: "onboard process rollups"). */
const REFRESH_LOCK = 0x0b0a_2d20;
const BATCH = 200;

const monthOf = (at: Date | string): string => `${new Date(at).toISOString().slice(0, 7)}-01`;

/** Which projects a refresh looks at: some projects, a playbook's, or all. */
type Scope = { readonly playbook?: string; readonly ids?: readonly string[] };

const inScope = (scope: Scope, alias: string) =>
  scope.ids !== undefined
    ? sql`${sql.ref(`${alias}.project_id`)} IN (${sql.join(scope.ids.length > 0 ? scope.ids : [""])})`
    : scope.playbook === undefined
      ? sql`true`
      : sql`${sql.ref(`${alias}.playbook_id`)} = ${scope.playbook}`;

/** The marked projects in scope (at most `limit`), with their marks. */
async function marked(db: Kysely<Schema>, scope: Scope, limit: number): Promise<{ id: string; mark: string }[]> {
  const { rows } = await sql<{ id: string; mark: string }>`
    SELECT d.project_id AS id, d.marked::text AS mark FROM process_dirty d WHERE ${inScope(scope, "d")} LIMIT ${limit}`.execute(db);
  return rows;
}

/**
 * Mark the projects in scope whose rollup row is missing or behind their portfolio row, and rows
 * whose project no longer has one: what the marks cover, checked the long way (the background
 * refresh's safety net, and databases restored without their marks).
 */
async function markStale(db: Kysely<Schema>, scope: Scope): Promise<void> {
  await sql`
    INSERT INTO process_dirty (project_id, playbook_id)
    SELECT s.project_id, s.playbook_id
      FROM project_summaries s LEFT JOIN project_traces t ON t.project_id = s.project_id
     WHERE ${inScope(scope, "s")}
       AND (t.project_id IS NULL OR t.events_seq <> s.version OR t.status <> s.status
            OR t.segment <> coalesce(s.segment, '') OR t.csm IS DISTINCT FROM s.csm
            OR t.playbook_version <> s.playbook_version OR t.client_name <> s.client_name
            OR t.target_go_live_at IS DISTINCT FROM s.target_go_live_at)
    UNION ALL
    SELECT t.project_id, t.playbook_id
      FROM project_traces t LEFT JOIN project_summaries s ON s.project_id = t.project_id
     WHERE ${inScope(scope, "t")} AND s.project_id IS NULL
    ON CONFLICT (project_id) DO NOTHING`.execute(db);
}

type TraceRow = Insertable<ProjectTracesTable>;
type RunningRow = Insertable<ProcessRunningTable>;

const stringified = (t: StoredTally) => ({
  tally: JSON.stringify(t.tally),
  residuals: JSON.stringify(t.residuals),
  milestones: JSON.stringify(t.milestones),
});

/**
 * A project's rows: its settled tally, progress and conformance; and while it runs, what is still
 * open and what its forecast reckons from.
 */
function projectRows(
  info: {
    projectId: string;
    clientName: string;
    playbookId: string;
    playbookVersion: string;
    segment: string | null;
    csm: string | null;
    status: string;
    startedAt: string;
    plannedGoLiveAt?: string;
  },
  seq: number,
  trace: Trace,
  model: PlaybookModel | undefined,
): { trace: TraceRow; running: RunningRow | undefined } {
  const segment = info.segment ?? "";
  const target = info.plannedGoLiveAt ?? null;
  const open = openVisits(trace).map(openVisitMs);
  const live = trace.goLiveAt !== undefined;
  const running = trace.endedAt === undefined;
  return {
    trace: {
      project_id: info.projectId,
      playbook_id: info.playbookId,
      playbook_version: info.playbookVersion,
      segment,
      csm: info.csm,
      status: info.status,
      client_name: info.clientName,
      // The portfolio row's start: the one every filter by period reads.
      started_at: info.startedAt,
      start_month: monthOf(info.startedAt),
      events_seq: seq,
      fitness: trace.fitness,
      deviation_count: trace.deviations.length,
      deviations: JSON.stringify(trace.deviations),
      ...stringified(storedTally(settledTally(trace, model))),
      progress: JSON.stringify(live ? null : { startedAt: trace.startedAt, completions: trace.completions }),
      live,
      running,
      target_go_live_at: target,
    },
    running: running
      ? {
          project_id: info.projectId,
          playbook_id: info.playbookId,
          playbook_version: info.playbookVersion,
          segment,
          csm: info.csm,
          client_name: info.clientName,
          started_at: info.startedAt,
          forecast: info.status === "active" && !live,
          target_go_live_at: target,
          open_visits: JSON.stringify(open),
          anchors: live ? null : JSON.stringify(anchorsOf(trace)),
        }
      : undefined,
  };
}

/**
 * Bring the rows of a playbook's projects (every playbook's when undefined; only `ids` when given)
 * up to date with their events, and the monthly rollups with them: the marked projects, at most
 * `limit` of them when given (the background refresh, which with `full` first marks every row
 * found behind the long way). Returns how many projects were replayed or removed.
 */
export async function refreshRollups(
  db: Kysely<Schema>,
  playbook: string | undefined,
  now: Instant,
  options: { readonly limit?: number; readonly ids?: readonly string[]; readonly full?: boolean } = {},
): Promise<number> {
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  const scope: Scope = options.ids !== undefined ? { ids: options.ids } : playbook !== undefined ? { playbook } : {};
  if (options.full) await markStale(db, scope);
  if ((await marked(db, scope, 1)).length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(trx);
    // Through the transaction: on PGlite it holds the only connection.
    const modelOf = versionModels(trx);
    // Another reader may have replayed them while this one waited for the lock.
    const marks = await marked(trx, scope, limit);
    // What the replayed projects change in each cell, written once at the end: a batch of projects
    // from many months would otherwise rewrite the all-months cells batch after batch.
    const deltas = new Map<string, Delta>();
    for (let i = 0; i < marks.length; i += BATCH) {
      const ids = marks.slice(i, i + BATCH).map((m) => m.id);
      // A marked project without a portfolio row is gone: its rows are only taken away.
      const cases = await casesFor(trx, ids, modelOf);
      const rows = cases.map((c) => projectRows(c.info, c.events.at(-1)?.seq ?? 0, traceOf(c, now), c.model));
      await replaceRows(trx, ids, rows, deltas);
    }
    for (const table of ["process_monthly", "process_by_csm"] as const) {
      const changed = [...deltas.values()].filter((d) => d.cell.table === table);
      for (let i = 0; i < changed.length; i += CELL_BATCH) await applyDeltas(trx, table, changed.slice(i, i + CELL_BATCH));
    }
    // A project marked again since it was read keeps its newer mark, for the next refresh.
    await sql`
      DELETE FROM process_dirty d
       USING unnest(${marks.map((m) => m.id)}::text[], ${marks.map((m) => m.mark)}::bigint[]) AS r(id, mark)
       WHERE d.project_id = r.id AND d.marked <= r.mark`.execute(trx);
    return marks.length;
  });
}

/** A rollup cell: the sum of a playbook version's projects of a segment or CSM that started in a month. */
interface Cell {
  readonly table: "process_monthly" | "process_by_csm";
  readonly playbook_id: string;
  readonly playbook_version: string;
  /** The segment ('' for none) or the CSM, by table. */
  readonly cut: string;
  readonly start_month: string;
}
const CUT = { process_monthly: "segment", process_by_csm: "csm" } as const;
const cellKey = (c: Cell) => [c.table, c.playbook_id, c.start_month, c.playbook_version, c.cut].join("\u0000");

/** The cells a project counts in: its month and all months by its segment, and all months by its CSM. */
function cellsOf(row: {
  playbook_id: string;
  playbook_version: string;
  segment: string;
  csm: string | null;
  start_month: Date | string;
}): Cell[] {
  const month = dayString(row.start_month);
  const cells: Cell[] = [];
  for (const start_month of [month, ALL_MONTHS]) {
    const base = { playbook_id: row.playbook_id, playbook_version: row.playbook_version, start_month };
    cells.push({ table: "process_monthly", ...base, cut: row.segment });
    if (row.csm !== null && start_month === ALL_MONTHS) cells.push({ table: "process_by_csm", ...base, cut: row.csm });
  }
  return cells;
}
const dayString = (d: Date | string): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

/** What some projects change in a cell: how many more (or fewer) projects, and their tally. */
interface Delta {
  readonly cell: Cell;
  projects: number;
  readonly tally: Tally;
}

/** Cells read and written a statement at a time. */
const CELL_BATCH = 500;

/** Replace the rows of `ids` by `rows`, adding what that changes in their cells to `deltas`. */
async function replaceRows(
  trx: Kysely<Schema>,
  ids: readonly string[],
  rows: readonly { trace: TraceRow; running: RunningRow | undefined }[],
  deltas: Map<string, Delta>,
): Promise<void> {
  const pdb = processDb(trx);
  const old = await pdb
    .selectFrom("project_traces")
    .select(["playbook_id", "playbook_version", "segment", "csm", "start_month", "tally", "residuals", "milestones"])
    .where("project_id", "in", ids)
    .execute();
  const add = (row: Parameters<typeof cellsOf>[0], tally: Tally, sign: 1 | -1) => {
    for (const cell of cellsOf(row)) {
      const k = cellKey(cell);
      const d = deltas.get(k) ?? { cell, projects: 0, tally: new Tally() };
      deltas.set(k, d);
      d.projects += sign;
      d.tally.merge(tally, sign);
    }
  };
  for (const row of old) add(row, tallyOf(row), -1);
  for (const { trace: row } of rows)
    add(
      { ...row, csm: row.csm ?? null, start_month: row.start_month },
      tallyOf({ tally: JSON.parse(row.tally), residuals: JSON.parse(row.residuals), milestones: JSON.parse(row.milestones) }),
      1,
    );
  await pdb.deleteFrom("project_traces").where("project_id", "in", ids).execute();
  await pdb.deleteFrom("process_running").where("project_id", "in", ids).execute();
  if (rows.length > 0)
    await pdb
      .insertInto("project_traces")
      .values(rows.map((r) => r.trace))
      .execute();
  const running = rows.flatMap((r) => (r.running ? [r.running] : []));
  if (running.length > 0) await pdb.insertInto("process_running").values(running).execute();
}

/**
 * Add the deltas to their cells of one table: read the cells in one statement, write the sums in
 * another, delete the cells left with no project (refreshes are serialised by the advisory lock).
 */
async function applyDeltas(trx: Kysely<Schema>, table: Cell["table"], deltas: readonly Delta[]): Promise<void> {
  const cut = sql.ref(CUT[table]);
  const keys = deltas.map(({ cell: c }) => sql`(${c.playbook_id}, ${c.start_month}::date, ${c.playbook_version}, ${c.cut})`);
  const { rows: cells } = await sql<{
    playbook_id: string;
    playbook_version: string;
    cut: string;
    start_month: string;
    projects: number;
    tally: StoredTally["tally"];
    residuals: StoredTally["residuals"];
    milestones: StoredTally["milestones"];
  }>`SELECT playbook_id, playbook_version, ${cut} AS cut, start_month::text AS start_month, projects, tally, residuals, milestones
       FROM ${sql.table(table)} WHERE (playbook_id, start_month, playbook_version, ${cut}) IN (${sql.join(keys)})`.execute(trx);
  const stored = new Map(cells.map((c) => [cellKey({ ...c, table }), c]));
  const empty: Cell[] = [];
  const sums: { cell: Cell; projects: number; tally: Tally }[] = [];
  for (const d of deltas) {
    const cell = stored.get(cellKey(d.cell));
    const projects = (cell?.projects ?? 0) + d.projects;
    if (projects <= 0) empty.push(d.cell);
    else sums.push({ cell: d.cell, projects, tally: cell ? tallyOf(cell).merge(d.tally) : d.tally });
  }
  if (empty.length > 0)
    await sql`DELETE FROM ${sql.table(table)} WHERE (playbook_id, start_month, playbook_version, ${cut}) IN (${sql.join(
      empty.map((c) => sql`(${c.playbook_id}, ${c.start_month}::date, ${c.playbook_version}, ${c.cut})`),
    )})`.execute(trx);
  if (sums.length > 0) {
    const values = sums.map(({ cell: c, projects, tally }) => {
      const t = stringified(storedTally(tally));
      return sql`(${c.playbook_id}, ${c.playbook_version}, ${c.cut}, ${c.start_month}::date, ${projects}, ${t.tally}::jsonb, ${t.residuals}::jsonb, ${t.milestones}::jsonb)`;
    });
    await sql`INSERT INTO ${sql.table(table)} (playbook_id, playbook_version, ${cut}, start_month, projects, tally, residuals, milestones)
      VALUES ${sql.join(values)}
      ON CONFLICT (playbook_id, start_month, playbook_version, ${cut}) DO UPDATE
        SET projects = excluded.projects, tally = excluded.tally, residuals = excluded.residuals, milestones = excluded.milestones`.execute(
      trx,
    );
  }
}

/** The parts of a tally the Process page reads: all but the milestones' residuals. */
const INSIGHTS = ["tally", "residuals"] as const;

/** What the insights of a filter are read from: the tally as of now, and the rows to list. */
export interface RolledUp {
  readonly tally: Tally;
  /** The projects that deviate most, worst first (at most `worst`). */
  readonly worst: readonly { projectId: string; clientName: string; fitness: number; deviations: Deviation[] }[];
  /** Active onboardings not live yet, with their target go-live (epoch ms) and forecast anchors. */
  readonly running: readonly { projectId: string; clientName: string; targetMs: number | null; anchors: readonly Anchor[] }[];
}

const startOfMonth = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const nextMonth = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The tally of a playbook's projects as of `now`, from the rollups (brought up to date first): the
 * whole months of the period from the monthly rollups and the projects of the months it cuts into
 * from their rows; one CSM's from their sums over all months, or from their rows when a period or
 * segment narrows them too; and then the visits still open, as of now.
 */
export async function rolledUp(
  db: Kysely<Schema>,
  filter: LogFilter & { readonly playbook: string },
  now: Instant,
  worst: number,
): Promise<RolledUp> {
  await refreshRollups(db, filter.playbook, now);
  const pdb = processDb(db);
  const tally = new Tally();
  const inFilter = <T extends "project_traces" | "process_running">(table: T, inPeriod = true) => {
    let q = pdb.selectFrom(table as "project_traces").where("playbook_id", "=", filter.playbook);
    if (filter.version !== undefined) q = q.where("playbook_version", "=", filter.version);
    if (filter.segment !== undefined) q = q.where("segment", "=", filter.segment);
    if (filter.csm !== undefined) q = q.where("csm", "=", filter.csm);
    if (!inPeriod) return q;
    if (filter.from !== undefined) q = q.where("started_at", ">=", new Date(filter.from));
    if (filter.to !== undefined) q = q.where("started_at", "<", new Date(filter.to));
    return q;
  };
  const traces = inFilter("project_traces");
  const addRows = async (query: typeof traces) => {
    for (const row of await query.select(INSIGHTS).execute()) tally.merge(tallyOf(row));
  };

  const period = filter.from !== undefined || filter.to !== undefined;
  if (filter.csm !== undefined && (filter.segment !== undefined || period)) await addRows(traces);
  else if (filter.csm !== undefined) {
    let q = pdb.selectFrom("process_by_csm").select(INSIGHTS).where("playbook_id", "=", filter.playbook).where("csm", "=", filter.csm);
    if (filter.version !== undefined) q = q.where("playbook_version", "=", filter.version);
    for (const row of await q.execute()) tally.merge(tallyOf(row));
  } else {
    // Whole months come from the monthly rollups, the months the period cuts into mostly from them.
    const cells = () => {
      let q = pdb.selectFrom("process_monthly").select(INSIGHTS).where("playbook_id", "=", filter.playbook);
      if (filter.version !== undefined) q = q.where("playbook_version", "=", filter.version);
      if (filter.segment !== undefined) q = q.where("segment", "=", filter.segment);
      return q;
    };
    const from = filter.from === undefined ? undefined : Date.parse(filter.from);
    const to = filter.to === undefined ? undefined : Date.parse(filter.to);
    if (from === undefined || to === undefined || from < to) {
      if (from === undefined && to === undefined)
        for (const row of await cells().where("start_month", "=", ALL_MONTHS).execute()) tally.merge(tallyOf(row));
      // The whole months of the period.
      const firstWhole = from === undefined ? undefined : startOfMonth(from) === from ? from : nextMonth(from);
      const endWhole = to === undefined ? undefined : startOfMonth(to);
      if ((from !== undefined || to !== undefined) && (firstWhole === undefined || endWhole === undefined || firstWhole < endWhole)) {
        let months = cells().where("start_month", "<>", ALL_MONTHS);
        if (firstWhole !== undefined) months = months.where("start_month", ">=", isoDay(firstWhole));
        if (endWhole !== undefined) months = months.where("start_month", "<", isoDay(endWhole));
        for (const row of await months.execute()) tally.merge(tallyOf(row));
      }
      // The months it cuts into (at most two): the projects inside from their rows, or, when most of
      // the month is inside, the month's sums less the projects outside.
      const cut: { month: number; inside: [number, number] }[] = [];
      if (from !== undefined && startOfMonth(from) !== from)
        cut.push({ month: startOfMonth(from), inside: [from, Math.min(nextMonth(from), to ?? Number.POSITIVE_INFINITY)] });
      if (to !== undefined && startOfMonth(to) !== to && !cut.some((c) => c.month === startOfMonth(to)))
        cut.push({ month: startOfMonth(to), inside: [Math.max(startOfMonth(to), from ?? Number.NEGATIVE_INFINITY), to] });
      for (const { month, inside } of cut) {
        const end = nextMonth(month);
        const startedIn = (a: number, b: number) =>
          inFilter("project_traces", false)
            .where("started_at", ">=", new Date(a))
            .where("started_at", "<", new Date(b))
            .select(INSIGHTS)
            .execute();
        if ((inside[1] - inside[0]) * 2 <= end - month) {
          for (const row of await startedIn(inside[0], inside[1])) tally.merge(tallyOf(row));
          continue;
        }
        const part = new Tally();
        for (const row of await cells().where("start_month", "=", isoDay(month)).execute()) part.merge(tallyOf(row));
        for (const [a, b] of [
          [month, inside[0]],
          [inside[1], end],
        ] as const)
          if (a < b) for (const row of await startedIn(a, b)) part.merge(tallyOf(row), -1);
        // Through its stored form, which leaves out what was all taken away.
        tally.merge(tallyOf(storedTally(part)));
      }
    }
  }

  // What is still open grows with the clock: added as of now, against each project's own version.
  const modelOf = versionModels(db);
  const runningRows = await inFilter("process_running" as "project_traces")
    .select(sql<string>`open_visits`.as("open_visits"))
    .select(sql<string | null>`CASE WHEN forecast THEN anchors END`.as("anchors"))
    .select(sql<number | null>`(extract(epoch from target_go_live_at) * 1000)::float8`.as("target_ms"))
    .select(["project_id", "client_name", "playbook_version"])
    .execute();
  const running: RolledUp["running"][number][] = [];
  const nowMs = Date.parse(now);
  for (const row of runningRows) {
    const open = JSON.parse(row.open_visits) as OpenVisitMs[];
    if (open.length > 0) {
      const model = await modelOf(filter.playbook, row.playbook_version);
      for (const v of open) addOpenVisit(tally, v, nowMs, model);
    }
    if (row.anchors)
      running.push({ projectId: row.project_id, clientName: row.client_name, targetMs: row.target_ms, anchors: JSON.parse(row.anchors) });
  }

  const worstRows = await traces
    .select(["project_id", "client_name", "fitness", "deviations"])
    .where("deviation_count", ">", 0)
    .orderBy("fitness")
    .orderBy("deviation_count", "desc")
    .orderBy(sql`project_id COLLATE "C"`)
    .limit(worst)
    .execute();
  return {
    tally,
    worst: worstRows.map((r) => ({ projectId: r.project_id, clientName: r.client_name, fitness: r.fitness, deviations: r.deviations })),
    running,
  };
}

/** The playbooks that have onboardings running. */
export async function runningPlaybooks(db: Kysely<Schema>): Promise<string[]> {
  const rows = await processDb(db).selectFrom("process_running").select("playbook_id").distinct().execute();
  return rows.map((r) => r.playbook_id);
}

/** An active onboarding not live yet, by CSM, whose stored forecast no longer holds. */
export interface Unforecast {
  readonly projectId: string;
  readonly playbook: string;
  readonly csm: string;
  /** The anchors as stored (JSON): a forecast is stored back only for the same. */
  readonly anchorsJson: string;
}

/**
 * The active onboardings not live yet that have a CSM (the capacity forecast's): the median go-live
 * of those whose stored forecast was made with their playbook's model (`models`: its stamp) and
 * still holds at `nowMs`, and the others to forecast again.
 */
export async function capacityRows(
  db: Kysely<Schema>,
  models: ReadonlyMap<string, string>,
  nowMs: number,
): Promise<{ held: { csm: string; p50Ms: number | null }[]; stale: Unforecast[] }> {
  const holds =
    models.size === 0
      ? sql<boolean>`false`
      : sql<boolean>`(playbook_id, forecast_model) IN (${sql.join([...models].map(([p, m]) => sql`(${p}, ${m})`))})
          AND (forecast_until IS NULL OR forecast_until >= ${nowMs})`;
  const mine = sql`forecast AND csm IS NOT NULL AND anchors IS NOT NULL`;
  const { rows: held } = await sql<{ csm: string; p50: number | null }>`
    SELECT csm, go_live_p50 AS p50 FROM process_running WHERE ${mine} AND ${holds}`.execute(db);
  const { rows: stale } = await sql<{ project_id: string; playbook_id: string; csm: string; anchors: string }>`
    SELECT project_id, playbook_id, csm, anchors FROM process_running WHERE ${mine} AND NOT coalesce(${holds}, false)`.execute(db);
  return {
    held: held.map((r) => ({ csm: r.csm, p50Ms: r.p50 })),
    stale: stale.map((r) => ({ projectId: r.project_id, playbook: r.playbook_id, csm: r.csm, anchorsJson: r.anchors })),
  };
}

/**
 * Store forecasts made again, each only where the onboarding's anchors are still those it was made
 * from. Only when no refresh is running (they hold the lock): it saves work next time, nothing more.
 */
export async function storeForecasts(
  db: Kysely<Schema>,
  made: readonly { projectId: string; anchorsJson: string; p50Ms: number | null; model: string; until: number | null }[],
): Promise<void> {
  if (made.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${REFRESH_LOCK}) AS locked`.execute(trx);
    if (!rows[0]?.locked) return;
    for (let i = 0; i < made.length; i += 1000) {
      const values = made
        .slice(i, i + 1000)
        .map((m) => sql`(${m.projectId}, ${m.anchorsJson}, ${m.p50Ms}::double precision, ${m.model}, ${m.until}::double precision)`);
      await sql`
        UPDATE process_running r SET go_live_p50 = v.p50, forecast_model = v.model, forecast_until = v.until
          FROM (VALUES ${sql.join(values)}) AS v(project_id, anchors, p50, model, until)
         WHERE r.project_id = v.project_id AND r.anchors = v.anchors`.execute(trx);
    }
  });
}

/**
 * What the forecasts learn from, by playbook: the residual times to go-live
 * and to each milestone of every project, summed from the monthly rollups.
 */
export async function historyModels(db: Kysely<Schema>, playbooks: readonly string[]): Promise<Map<string, Tally>> {
  if (playbooks.length === 0) return new Map();
  const cells = await processDb(db)
    .selectFrom("process_monthly")
    .select(["playbook_id", "residuals", "milestones"])
    .where("start_month", "=", ALL_MONTHS)
    .where("playbook_id", "in", playbooks)
    .execute();
  const models = new Map<string, Tally>();
  for (const cell of cells) models.set(cell.playbook_id, (models.get(cell.playbook_id) ?? new Tally()).merge(tallyOf(cell)));
  return models;
}

/** The progress of onboardings among `ids` that are active and not live yet, fresh from their events. */
export async function progressOf(
  db: Kysely<Schema>,
  ids: readonly string[],
  now: Instant,
): Promise<{ projectId: string; playbook: string; version: string; progress: ProgressJson }[]> {
  if (ids.length === 0) return [];
  await refreshRollups(db, undefined, now, { ids });
  const rows = await processDb(db)
    .selectFrom("project_traces")
    .select(["project_id", "playbook_id", "playbook_version", "progress"])
    .where("project_id", "in", ids)
    .where("running", "=", true)
    .where("status", "=", "active")
    .where("live", "=", false)
    .execute();
  return rows.flatMap((r) =>
    r.progress ? [{ projectId: r.project_id, playbook: r.playbook_id, version: r.playbook_version, progress: r.progress }] : [],
  );
}

/** How many deviations each of some projects has (rows as they stand: refresh first). */
export async function conformanceOf(db: Kysely<Schema>, ids: readonly string[]): Promise<{ projectId: string; deviations: number }[]> {
  if (ids.length === 0) return [];
  const rows = await processDb(db)
    .selectFrom("project_traces")
    .select(["project_id", "deviation_count"])
    .where("project_id", "in", ids)
    .execute();
  return rows.map((r) => ({ projectId: r.project_id, deviations: r.deviation_count }));
}

/**
 * The segments and CSMs (with their names) of a playbook's onboardings: what its figures can be
 * filtered by, from the all-months cells (a few rows per version).
 */
export async function playbookPeople(
  db: Kysely<Schema>,
  playbook: string,
): Promise<{ segments: string[]; csms: { id: string; name: string }[] }> {
  const pdb = processDb(db);
  const segments = await pdb
    .selectFrom("process_monthly")
    .select("segment")
    .distinct()
    .where("playbook_id", "=", playbook)
    .where("start_month", "=", ALL_MONTHS)
    .where("segment", "<>", "")
    .execute();
  const csms = await pdb
    .selectFrom("process_by_csm as c")
    .leftJoin("people as p", "p.id", "c.csm")
    .select(["c.csm", "p.name"])
    .distinct()
    .where("c.playbook_id", "=", playbook)
    .where("c.start_month", "=", ALL_MONTHS)
    .execute();
  return {
    segments: segments.map((r) => r.segment).sort(),
    csms: csms.map((r) => ({ id: r.csm, name: r.name ?? r.csm })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
