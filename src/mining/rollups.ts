// The process-mining rollups (migration 0027): one row per project with what its events add to the
// insights and the forecast (project_traces), and their sums per playbook version, segment and
// month of start, and over all months (process_monthly). Reading the insights of a playbook adds up
// the all-months rows (or, for a period, its whole months and the rows of the months it cuts into),
// and the visits still open as of now.
//
// They are kept up to date when read: a project whose events (its version), segment, CSM, status
// or plan changed since its row was written is replayed (the only projects whose log is read), its
// old tally taken away from its month and the new one added, in one transaction. Refreshes take a
// transaction-level advisory lock, so two readers never apply the same change twice; commands never
// wait for them (they do not touch these tables).
import { type ColumnType, type Insertable, type Kysely, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import { metricsDb } from "../metrics/tables.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Schema } from "../store/schema.ts";
import { compactProgress } from "./forecast.ts";
import { casesFor, type LogFilter, versionModels } from "./source.ts";
import { addVisit, openVisits, type StoredTally, settledTally, storedTally, Tally, tallyOf } from "./tally.ts";
import { type Deviation, type OpenVisit, type Trace, traceOf, visitAt } from "./trace.ts";

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
  open_visits: Json<OpenVisit[]>;
  progress: Json<ProgressJson | null>;
  /** The progress in few words (forecast.ts compactProgress): what bulk forecasts read. */
  anchors: Json<ProgressJson | null>;
  live: boolean;
  running: boolean;
  target_go_live_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
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

type ProcessTables = { project_traces: ProjectTracesTable; process_monthly: ProcessMonthlyTable };

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
const dayString = (d: Date | string): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
const cellKey = (c: { playbook_id: string; playbook_version: string; segment: string; start_month: Date | string }) =>
  `${c.playbook_id}\u0000${dayString(c.start_month)}\u0000${c.playbook_version}\u0000${c.segment}`;

/** Which projects a refresh looks at: some projects, a playbook's, or all. */
type Scope = { readonly playbook?: string; readonly ids?: readonly string[] };

/**
 * The projects in scope whose row is missing or behind, and rows whose project no longer has a
 * portfolio row.
 */
async function staleProjects(db: Kysely<Schema>, scope: Scope, limit: number): Promise<{ stale: string[]; gone: string[] }> {
  const onPlaybook = (alias: string) =>
    scope.ids !== undefined
      ? sql`${sql.ref(`${alias}.project_id`)} IN (${sql.join(scope.ids.length > 0 ? scope.ids : [""])})`
      : scope.playbook === undefined
        ? sql`true`
        : sql`${sql.ref(`${alias}.playbook_id`)} = ${scope.playbook}`;
  const { rows } = await sql<{ project_id: string; gone: boolean }>`
    SELECT s.project_id, false AS gone
      FROM project_summaries s LEFT JOIN project_traces t ON t.project_id = s.project_id
     WHERE ${onPlaybook("s")}
       AND (t.project_id IS NULL OR t.events_seq <> s.version OR t.status <> s.status
            OR t.segment <> coalesce(s.segment, '') OR t.csm IS DISTINCT FROM s.csm
            OR t.playbook_version <> s.playbook_version
            OR t.target_go_live_at IS DISTINCT FROM s.target_go_live_at)
    UNION ALL
    SELECT t.project_id, true AS gone
      FROM project_traces t LEFT JOIN project_summaries s ON s.project_id = t.project_id
     WHERE ${onPlaybook("t")} AND s.project_id IS NULL
     LIMIT ${limit}`.execute(db);
  return { stale: rows.filter((r) => !r.gone).map((r) => r.project_id), gone: rows.filter((r) => r.gone).map((r) => r.project_id) };
}

type TraceRow = Insertable<ProjectTracesTable>;

const stringified = (t: StoredTally) => ({
  tally: JSON.stringify(t.tally),
  residuals: JSON.stringify(t.residuals),
  milestones: JSON.stringify(t.milestones),
});

/** A project's row: its settled tally, what is still open, its progress and conformance. */
function traceRow(
  info: {
    projectId: string;
    playbookId: string;
    playbookVersion: string;
    segment: string | null;
    csm: string | null;
    status: string;
    startedAt: string;
  },
  seq: number,
  trace: Trace,
  model: PlaybookModel | undefined,
  plannedGoLiveAt: string | undefined,
): TraceRow {
  const open: OpenVisit[] = openVisits(trace).map((v) => ({
    step: v.step,
    round: v.round,
    openedAt: v.openedAt,
    ...(v.startedAt ? { startedAt: v.startedAt } : {}),
    ...(v.dueAt ? { dueAt: v.dueAt } : {}),
    ...(v.plannedMs !== undefined ? { plannedMs: v.plannedMs } : {}),
  }));
  return {
    project_id: info.projectId,
    playbook_id: info.playbookId,
    playbook_version: info.playbookVersion,
    segment: info.segment ?? "",
    csm: info.csm,
    status: info.status,
    // The portfolio row's start: the one every filter by period reads.
    started_at: info.startedAt,
    start_month: monthOf(info.startedAt),
    events_seq: seq,
    fitness: trace.fitness,
    deviation_count: trace.deviations.length,
    deviations: JSON.stringify(trace.deviations),
    ...stringified(storedTally(settledTally(trace, model))),
    open_visits: JSON.stringify(open),
    progress: JSON.stringify(trace.goLiveAt ? null : { startedAt: trace.startedAt, completions: trace.completions }),
    anchors: JSON.stringify(trace.goLiveAt ? null : compactProgress(trace)),
    live: trace.goLiveAt !== undefined,
    running: trace.endedAt === undefined,
    target_go_live_at: plannedGoLiveAt ?? null,
  };
}

/**
 * Bring the rows of a playbook's projects (every playbook's when undefined; only `ids` when given)
 * up to date with their events, and the monthly rollups with them; at most `limit` projects when
 * given (the background refresh). Returns how many projects were replayed or removed.
 */
export async function refreshRollups(
  db: Kysely<Schema>,
  playbook: string | undefined,
  now: Instant,
  options: { readonly limit?: number; readonly ids?: readonly string[] } = {},
): Promise<number> {
  const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
  const scope: Scope = options.ids !== undefined ? { ids: options.ids } : playbook !== undefined ? { playbook } : {};
  const first = await staleProjects(db, scope, limit);
  if (first.stale.length === 0 && first.gone.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${REFRESH_LOCK})`.execute(trx);
    // Through the transaction: on PGlite it holds the only connection.
    const modelOf = versionModels(trx);
    // Another reader may have refreshed them while this one waited for the lock.
    const { stale, gone } = await staleProjects(trx, scope, limit);
    for (let i = 0; i < stale.length; i += BATCH) {
      const ids = stale.slice(i, i + BATCH);
      const cases = await casesFor(trx, ids, modelOf);
      const rows = cases.map((c) => traceRow(c.info, c.events.at(-1)?.seq ?? 0, traceOf(c, now), c.model, c.info.plannedGoLiveAt));
      await replaceRows(trx, ids, rows);
    }
    for (let i = 0; i < gone.length; i += BATCH) await replaceRows(trx, gone.slice(i, i + BATCH), []);
    return stale.length + gone.length;
  });
}

/** Take the old rows of `ids` out of their months, put `rows` in, and store them. */
async function replaceRows(trx: Kysely<Schema>, ids: readonly string[], rows: readonly TraceRow[]): Promise<void> {
  const pdb = processDb(trx);
  const old = await pdb
    .selectFrom("project_traces")
    .select(["playbook_id", "playbook_version", "segment", "start_month", "tally", "residuals", "milestones"])
    .where("project_id", "in", ids)
    .execute();
  const deltas = new Map<
    string,
    { key: { playbook_id: string; playbook_version: string; segment: string; start_month: string }; projects: number; tally: Tally }
  >();
  const delta = (row: { playbook_id: string; playbook_version: string; segment: string; start_month: Date | string }) => {
    const k = cellKey(row);
    let d = deltas.get(k);
    if (!d) {
      const key = {
        playbook_id: row.playbook_id,
        playbook_version: row.playbook_version,
        segment: row.segment,
        start_month: dayString(row.start_month),
      };
      d = { key, projects: 0, tally: new Tally() };
      deltas.set(k, d);
    }
    return d;
  };
  // Each project counts in its month and in the sum of all months.
  for (const row of old) {
    const t = tallyOf(row);
    for (const d of [delta(row), delta({ ...row, start_month: ALL_MONTHS })]) {
      d.projects--;
      d.tally.merge(t, -1);
    }
  }
  for (const row of rows) {
    const t = tallyOf({ tally: JSON.parse(row.tally), residuals: JSON.parse(row.residuals), milestones: JSON.parse(row.milestones) });
    for (const d of [delta(row), delta({ ...row, start_month: ALL_MONTHS })]) {
      d.projects++;
      d.tally.merge(t);
    }
  }
  // Months in key order, so that two refreshes could never wait on each other in a cycle.
  for (const [, d] of [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const cell = await pdb
      .selectFrom("process_monthly")
      .select(["projects", "tally", "residuals", "milestones"])
      .where("playbook_id", "=", d.key.playbook_id)
      .where("start_month", "=", d.key.start_month)
      .where("playbook_version", "=", d.key.playbook_version)
      .where("segment", "=", d.key.segment)
      .forUpdate()
      .executeTakeFirst();
    const projects = (cell?.projects ?? 0) + d.projects;
    const tally = cell ? tallyOf(cell).merge(d.tally) : d.tally;
    if (projects <= 0)
      await pdb
        .deleteFrom("process_monthly")
        .where("playbook_id", "=", d.key.playbook_id)
        .where("start_month", "=", d.key.start_month)
        .where("playbook_version", "=", d.key.playbook_version)
        .where("segment", "=", d.key.segment)
        .execute();
    else
      await pdb
        .insertInto("process_monthly")
        .values({ ...d.key, projects, ...stringified(storedTally(tally)) })
        .onConflict((oc) =>
          oc.columns(["playbook_id", "start_month", "playbook_version", "segment"]).doUpdateSet((eb) => ({
            projects: eb.ref("excluded.projects"),
            tally: eb.ref("excluded.tally"),
            residuals: eb.ref("excluded.residuals"),
            milestones: eb.ref("excluded.milestones"),
          })),
        )
        .execute();
  }
  await pdb.deleteFrom("project_traces").where("project_id", "in", ids).execute();
  if (rows.length > 0) await pdb.insertInto("project_traces").values(rows).execute();
}

/** The parts of a tally the Process page reads: all but the milestones' residuals. */
const INSIGHTS = ["tally", "residuals"] as const;

/** What the insights of a filter are read from: the tally as of now, and the rows to list. */
export interface RolledUp {
  readonly tally: Tally;
  /** The projects that deviate most, worst first (at most `worst`). */
  readonly worst: readonly { projectId: string; clientName: string; fitness: number; deviations: Deviation[] }[];
  /** Active onboardings not live yet, with their progress. */
  readonly running: readonly { projectId: string; clientName: string; plannedGoLiveAt: string | null; progress: ProgressJson }[];
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
const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * The tally of a playbook's projects as of `now`, from the rollups (brought up to date first): the
 * whole months of the period from process_monthly (unless one CSM's are asked for), the projects
 * of the months it cuts into from their rows, and then the visits still open, as of now.
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
  let rowsQuery = pdb.selectFrom("project_traces").where("playbook_id", "=", filter.playbook);
  if (filter.version !== undefined) rowsQuery = rowsQuery.where("playbook_version", "=", filter.version);
  if (filter.segment !== undefined) rowsQuery = rowsQuery.where("segment", "=", filter.segment);
  if (filter.csm !== undefined) rowsQuery = rowsQuery.where("csm", "=", filter.csm);
  if (filter.from !== undefined) rowsQuery = rowsQuery.where("started_at", ">=", new Date(filter.from));
  if (filter.to !== undefined) rowsQuery = rowsQuery.where("started_at", "<", new Date(filter.to));
  const inFilter = rowsQuery;

  if (filter.csm !== undefined) {
    for (const row of await inFilter.select(INSIGHTS).execute()) tally.merge(tallyOf(row));
  } else {
    // Whole months come from the monthly rollups, the edges of the period from the projects' rows.
    const from = filter.from === undefined ? undefined : Date.parse(filter.from);
    const to = filter.to === undefined ? undefined : Date.parse(filter.to);
    const firstWhole = from === undefined ? undefined : startOfMonth(from) === from ? from : nextMonth(from);
    const endWhole = to === undefined ? undefined : startOfMonth(to);
    const noWholeMonth = firstWhole !== undefined && endWhole !== undefined && firstWhole >= endWhole;
    if (from === undefined && to === undefined) {
      let totals = pdb
        .selectFrom("process_monthly")
        .select(INSIGHTS)
        .where("playbook_id", "=", filter.playbook)
        .where("start_month", "=", ALL_MONTHS);
      if (filter.version !== undefined) totals = totals.where("playbook_version", "=", filter.version);
      if (filter.segment !== undefined) totals = totals.where("segment", "=", filter.segment);
      for (const row of await totals.execute()) tally.merge(tallyOf(row));
    } else if (noWholeMonth) {
      for (const row of await inFilter.select(INSIGHTS).execute()) tally.merge(tallyOf(row));
    } else {
      let cells = pdb
        .selectFrom("process_monthly")
        .select(INSIGHTS)
        .where("playbook_id", "=", filter.playbook)
        .where("start_month", "<>", ALL_MONTHS);
      if (filter.version !== undefined) cells = cells.where("playbook_version", "=", filter.version);
      if (filter.segment !== undefined) cells = cells.where("segment", "=", filter.segment);
      if (firstWhole !== undefined) cells = cells.where("start_month", ">=", isoDay(firstWhole));
      if (endWhole !== undefined) cells = cells.where("start_month", "<", isoDay(endWhole));
      for (const row of await cells.execute()) tally.merge(tallyOf(row));
      if (from !== undefined && firstWhole !== undefined && firstWhole > from)
        for (const row of await inFilter.select(INSIGHTS).where("started_at", "<", new Date(firstWhole)).execute())
          tally.merge(tallyOf(row));
      if (to !== undefined && endWhole !== undefined && endWhole < to)
        for (const row of await inFilter.select(INSIGHTS).where("started_at", ">=", new Date(endWhole)).execute())
          tally.merge(tallyOf(row));
    }
  }

  // What is still open grows with the clock: added as of now, against each project's own version.
  const modelOf = versionModels(db);
  const open = await inFilter.select(["playbook_version", "open_visits"]).where("running", "=", true).execute();
  for (const row of open) {
    if (row.open_visits.length === 0) continue;
    const model = await modelOf(filter.playbook, row.playbook_version);
    for (const v of row.open_visits) addVisit(tally, visitAt(v, now, "open"), model);
  }

  const names = metricsDb(db).selectFrom("project_summaries").select(["project_id", "client_name"]);
  const worstRows = await inFilter
    .innerJoin(names.as("s"), "s.project_id", "project_traces.project_id")
    .select(["project_traces.project_id", "s.client_name", "fitness", "deviations"])
    .where("deviation_count", ">", 0)
    .orderBy("fitness")
    .orderBy("deviation_count", "desc")
    .orderBy(sql`project_traces.project_id COLLATE "C"`)
    .limit(worst)
    .execute();
  const runningRows = await inFilter
    .innerJoin(names.as("s"), "s.project_id", "project_traces.project_id")
    .select(["project_traces.project_id", "s.client_name", "anchors as progress", "target_go_live_at"])
    .where("running", "=", true)
    .where("status", "=", "active")
    .where("live", "=", false)
    .execute();
  return {
    tally,
    worst: worstRows.map((r) => ({ projectId: r.project_id, clientName: r.client_name, fitness: r.fitness, deviations: r.deviations })),
    running: runningRows.flatMap((r) =>
      r.progress
        ? [
            {
              projectId: r.project_id,
              clientName: r.client_name,
              plannedGoLiveAt: r.target_go_live_at ? iso(r.target_go_live_at) : null,
              progress: r.progress,
            },
          ]
        : [],
    ),
  };
}

/**
 * Every playbook's go-live model (the residuals and go-lives of all its projects, from the monthly
 * rollups) and the active onboardings not live yet, with their CSM: the capacity forecast's input.
 */
export async function runningByCsm(
  db: Kysely<Schema>,
  now: Instant,
): Promise<{ models: Map<string, Tally>; running: { playbook: string; csm: string; progress: ProgressJson }[] }> {
  await refreshRollups(db, undefined, now);
  const pdb = processDb(db);
  const models = await historyModels(db, undefined, { milestones: false });
  const rows = await pdb
    .selectFrom("project_traces")
    .select(["playbook_id", "csm", "anchors as progress"])
    .where("running", "=", true)
    .where("status", "=", "active")
    .where("live", "=", false)
    .where("csm", "is not", null)
    .execute();
  return {
    models,
    running: rows.flatMap((r) => (r.progress && r.csm ? [{ playbook: r.playbook_id, csm: r.csm, progress: r.progress }] : [])),
  };
}

/**
 * What the forecasts learn from, by playbook (of `playbooks`, or all): the residual times to go-live
 * and to each milestone of every project, summed from the monthly rollups.
 */
export async function historyModels(
  db: Kysely<Schema>,
  playbooks: readonly string[] | undefined,
  options: { readonly milestones?: boolean } = {},
): Promise<Map<string, Tally>> {
  if (playbooks !== undefined && playbooks.length === 0) return new Map();
  const withMilestones = options.milestones ?? true;
  let cells = processDb(db)
    .selectFrom("process_monthly")
    .select([
      "playbook_id",
      "residuals",
      sql<StoredTally["milestones"] | null>`${withMilestones ? sql.ref("milestones") : sql`NULL`}`.as("milestones"),
    ]);
  cells = cells.where("start_month", "=", ALL_MONTHS);
  if (playbooks !== undefined) cells = cells.where("playbook_id", "in", playbooks);
  const models = new Map<string, Tally>();
  for (const cell of await cells.execute()) {
    const model = models.get(cell.playbook_id) ?? new Tally();
    models.set(
      cell.playbook_id,
      model.merge(tallyOf({ residuals: cell.residuals, ...(cell.milestones ? { milestones: cell.milestones } : {}) })),
    );
  }
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

/** The segments and CSMs (with their names) of a playbook's onboardings: what its figures can be filtered by. */
export async function playbookPeople(
  db: Kysely<Schema>,
  playbook: string,
): Promise<{ segments: string[]; csms: { id: string; name: string }[] }> {
  const pdb = processDb(db);
  const segments = await pdb
    .selectFrom("project_traces")
    .select("segment")
    .distinct()
    .where("playbook_id", "=", playbook)
    .where("segment", "<>", "")
    .execute();
  const csms = await pdb
    .selectFrom("project_traces as t")
    .leftJoin("people as p", "p.id", "t.csm")
    .select(["t.csm", "p.name"])
    .distinct()
    .where("t.playbook_id", "=", playbook)
    .where("t.csm", "is not", null)
    .execute();
  return {
    segments: segments.map((r) => r.segment).sort(),
    csms: csms.flatMap((r) => (r.csm ? [{ id: r.csm, name: r.name ?? r.csm }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
