// The portfolio projection: after every command, start and tick, the project's summary row and its
// step statistics are rewritten from the new state, inside the transaction that wrote the events
// (registered with the store's projection hook). `rebuildSummaries` re-derives rows that are missing
// or behind (a database from before migration 0007) and rows whose health is due for review.
import { type Insertable, type Kysely, sql } from "kysely";
import type { Instant, ProjectEvent, ProjectState } from "../engine/types.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { Playbook } from "../playbook/schema.ts";
import { eventOf } from "../store/event-log.ts";
import { PlaybookCache } from "../store/playbooks.ts";
import { type ProjectionChange, registerProjection } from "../store/projections.ts";
import type { Schema } from "../store/schema.ts";
import { RollupDelta, type SummaryFacts } from "./rollup.ts";
import { type EventFigures, figuresOf, NO_FIGURES, type ProjectSummary, type StepStat, stepStats, summarize } from "./summary.ts";
import { type MetricsDb, metricsDb, type ProjectStepStatsTable, type ProjectSummariesTable } from "./tables.ts";

// Parsed models by content hash: the same text is the same model whichever database it came from.
const models = new PlaybookCache();

export async function modelFor(db: Kysely<Schema>, ref: { readonly id: string; readonly version: string }): Promise<PlaybookModel> {
  const version = db.selectFrom("playbook_versions").where("playbook_id", "=", ref.id).where("version", "=", ref.version);
  const row = await version.select("content_hash").executeTakeFirstOrThrow();
  const cached = models.cached(row.content_hash);
  if (cached) return cached;
  const full = await version.select("source").executeTakeFirstOrThrow();
  return models.model(row.content_hash, full.source, `${ref.id}@${ref.version}`);
}

type SummaryRow = Insertable<ProjectSummariesTable>;

export function summaryRow(s: ProjectSummary, updatedAt: Instant): SummaryRow {
  return {
    project_id: s.projectId,
    client_id: s.clientId,
    client_name: s.clientName,
    playbook_id: s.playbookId,
    playbook_version: s.playbookVersion,
    status: s.status,
    phase: s.phase,
    phase_title: s.phaseTitle,
    phase_index: s.phaseIndex,
    csm: s.csm,
    segment: s.segment,
    country: s.country,
    started_at: s.startedAt,
    target_go_live_at: s.targetGoLiveAt,
    go_live_at: s.goLiveAt,
    first_value_at: s.firstValueAt,
    completed_at: s.completedAt,
    closed_at: s.closedAt,
    held_since: s.heldSince,
    next_milestone: s.nextMilestone?.step ?? null,
    next_milestone_title: s.nextMilestone?.title ?? null,
    next_milestone_due_at: s.nextMilestone?.dueAt ?? null,
    overdue_steps: s.overdueSteps,
    blocked_gates: s.blockedGates,
    missed_milestones: s.missedMilestones,
    open_issues: s.openIssues,
    milestones_due: s.milestonesDue,
    milestones_on_time: s.milestonesOnTime,
    steps_due: s.stepsDue,
    steps_on_time: s.stepsOnTime,
    uat_first_pass: s.uatFirstPass,
    training_records: s.trainingRecords,
    training_passed: s.trainingPassed,
    adoption_rate: s.adoptionRate,
    nps: s.nps,
    csat: s.csat,
    held_ms: s.heldMs,
    health: s.health,
    health_rank: s.healthRank,
    health_reasons: JSON.stringify(s.healthReasons),
    review_at: s.reviewAt,
    version: s.version,
    updated_at: updatedAt,
  };
}

export function statRows(s: ProjectSummary, stats: readonly StepStat[]): Insertable<ProjectStepStatsTable>[] {
  return stats.map((st) => ({
    project_id: s.projectId,
    kind: st.kind,
    key: st.key,
    playbook_id: s.playbookId,
    phase: st.phase,
    csm: s.csm,
    segment: s.segment,
    started_at: s.startedAt,
    breached: st.breached,
    days: st.days,
  }));
}

const UPDATABLE = (row: SummaryRow) => {
  const { project_id: _id, ...rest } = row;
  return rest;
};

const KPI_COLUMNS = [
  "project_id",
  "playbook_id",
  "segment",
  "started_at",
  "status",
  "go_live_at",
  "first_value_at",
  "completed_at",
  "held_ms",
  "steps_due",
  "steps_on_time",
  "milestones_due",
  "milestones_on_time",
  "uat_first_pass",
  "training_records",
  "training_passed",
  "nps",
  "csat",
  "adoption_rate",
] as const;

/**
 * Insert or replace summary rows (and replace the step statistics of the projects given), and add
 * the difference they make to the daily KPI rollups. `previous` holds the stored rows when the
 * caller has read them already (undefined: none stored), so they are not read again.
 */
export async function writeSummaries(
  db: MetricsDb,
  rows: readonly { summary: ProjectSummary; stats: readonly StepStat[] | undefined }[],
  updatedAt: Instant,
  options: { readonly previous?: ReadonlyMap<string, SummaryFacts | undefined> } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const summaries = rows.map((r) => summaryRow(r.summary, updatedAt));
  const withStats = rows.filter((r) => r.stats !== undefined);
  const statIds = withStats.map((r) => r.summary.projectId);
  // Take away what the rows about to be replaced contributed to the rollups.
  const delta = new RollupDelta();
  const unread = summaries.map((s) => s.project_id).filter((id) => !options.previous?.has(id));
  for (const id of summaries.map((s) => s.project_id)) {
    const known = options.previous?.get(id);
    if (known) delta.addSummary(known, -1);
  }
  for (let i = 0; i < unread.length; i += 5000) {
    const old = await db
      .selectFrom("project_summaries")
      .select(KPI_COLUMNS)
      .where("project_id", "in", unread.slice(i, i + 5000))
      .execute();
    for (const row of old) delta.addSummary(row, -1);
  }
  // 47 columns: stay far below PostgreSQL's 65535 parameters per statement.
  for (let i = 0; i < summaries.length; i += 1000) {
    const chunk = summaries.slice(i, i + 1000);
    await db
      .insertInto("project_summaries")
      .values(chunk)
      .onConflict((oc) =>
        oc.column("project_id").doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const key of Object.keys(UPDATABLE(chunk[0] as SummaryRow))) set[key] = eb.ref(`excluded.${key}` as never);
          return set as never;
        }),
      )
      .execute();
  }
  for (const s of summaries) delta.addSummary(s as SummaryFacts, 1);
  if (withStats.length > 0) {
    for (let i = 0; i < statIds.length; i += 5000) {
      const old = await db
        .deleteFrom("project_step_stats")
        .where("project_id", "in", statIds.slice(i, i + 5000))
        .returning(["playbook_id", "segment", "started_at", "kind", "key", "breached", "days"])
        .execute();
      for (const row of old) delta.addStats(row, [row], -1);
    }
    const stats = withStats.flatMap((r) => statRows(r.summary, r.stats ?? []));
    for (let i = 0; i < stats.length; i += 5000)
      await db
        .insertInto("project_step_stats")
        .values(stats.slice(i, i + 5000))
        .execute();
    for (const row of stats) delta.addStats(row, [row], 1);
  }
  await delta.apply(db);
}

async function figuresFromLog(db: Kysely<Schema>, model: PlaybookModel, projectId: string): Promise<EventFigures> {
  const rows = await db
    .selectFrom("events")
    .select(["type", "at", "actor", "payload"])
    .where("project_id", "=", projectId)
    .where("type", "in", ["survey.answered", "project.resumed"])
    .orderBy("seq")
    .execute();
  return figuresOf(model.playbook, rows.map(eventOf));
}

async function applyChange(trx: Kysely<Schema>, change: ProjectionChange): Promise<void> {
  const db = metricsDb(trx);
  const model = change.model ?? (await modelFor(trx, change.state.playbook));
  const previous = await db
    .selectFrom("project_summaries")
    .select([...KPI_COLUMNS, "version", "updated_at"])
    .where("project_id", "=", change.projectId)
    .executeTakeFirst();
  const upToDate = previous !== undefined && previous.version === change.state.version - change.events.length;
  const figures = upToDate
    ? figuresOf(model.playbook, change.events, { nps: previous.nps, csat: previous.csat, heldMs: Number(previous.held_ms) })
    : change.before === undefined
      ? figuresOf(model.playbook, change.events, NO_FIGURES)
      : await figuresFromLog(trx, model, change.projectId);
  const summary = summarize(model, change.state, figures, change.now);
  const stats = stepStats(model, change.state, change.now);
  // Most commands settle no step: rewrite the statistics only when they differ from the ones
  // written last time (derived from the state before, at the instant of that write).
  let changed = true;
  if (upToDate && change.before !== undefined) {
    const then = previous.updated_at.toISOString();
    const before = summarize(model, change.before, figures, then);
    changed =
      before.csm !== summary.csm ||
      before.segment !== summary.segment ||
      JSON.stringify(stepStats(model, change.before, then)) !== JSON.stringify(stats);
  }
  await writeSummaries(db, [{ summary, stats: changed ? stats : undefined }], change.now, {
    previous: new Map([[change.projectId, previous]]),
  });
}

registerProjection({ name: "project_summaries", apply: applyChange });

/** Derive a summary from a full event log (what a replay gives); for rebuilds and tests. */
export function summaryFromEvents(model: PlaybookModel, state: ProjectState, events: readonly ProjectEvent[], now: Instant) {
  return { summary: summarize(model, state, figuresOf(model.playbook, events), now), stats: stepStats(model, state, now) };
}

/**
 * Re-derive the summaries whose health review time has come (a deadline passed with no event) and,
 * unless `reviewOnly`, those missing or behind their project (a database from before migration
 * 0007, or written by a process without this projection), at most `limit` per call. Commands keep
 * summaries current in their own transaction, so reads ask only for reviews (an index lookup);
 * finding rows behind compares every project with its summary, for startup and background rounds.
 */
export async function rebuildSummaries(
  db: Kysely<Schema>,
  now: Instant,
  options: { readonly limit?: number; readonly reviewOnly?: boolean } = {},
): Promise<number> {
  const mdb = metricsDb(db);
  const limit = options.limit ?? 10_000;
  const due = sql<{ id: string }>`SELECT project_id AS id FROM project_summaries WHERE review_at IS NOT NULL AND review_at <= ${now}`;
  const { rows } = options.reviewOnly
    ? await sql<{ id: string }>`${due} LIMIT ${limit}`.execute(mdb)
    : await sql<{ id: string }>`
    SELECT p.id FROM projects p LEFT JOIN project_summaries s ON s.project_id = p.id
     WHERE s.project_id IS NULL OR s.version <> p.version
     UNION
    ${due}
     LIMIT ${limit}`.execute(mdb);
  let done = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const ids = rows.slice(i, i + 200).map((r) => r.id);
    await mdb.transaction().execute(async (trx) => {
      // Rows another reader or round is re-deriving are skipped, not waited for (readers under load
      // would otherwise queue behind each other redoing the same rows), and a row done meanwhile is
      // not done again.
      const { rows: projects } = await sql<{ id: string; state: unknown }>`
        SELECT p.id, p.state FROM projects p LEFT JOIN project_summaries s ON s.project_id = p.id
         WHERE p.id IN (${sql.join(ids)})
           AND (s.project_id IS NULL OR s.version <> p.version OR (s.review_at IS NOT NULL AND s.review_at <= ${now}))
           FOR UPDATE OF p SKIP LOCKED`.execute(trx);
      const out: { summary: ProjectSummary; stats: StepStat[] }[] = [];
      for (const p of projects) {
        const state = p.state as ProjectState;
        const store = trx as unknown as Kysely<Schema>;
        const model = await modelFor(store, state.playbook);
        const figures = await figuresFromLog(store, model, p.id);
        out.push({ summary: summarize(model, state, figures, now), stats: stepStats(model, state, now) });
      }
      await writeSummaries(trx, out, now);
      done += out.length;
    });
  }
  return done;
}

/**
 * The latest published version of each playbook named, in one query (a KPI report names every
 * playbook in the portfolio; asking for each in turn cost two round trips apiece). Unknown ids are
 * left out; models come from the cache by content hash, so a source is read only the first time.
 */
export async function latestPlaybooks(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, PlaybookModel>> {
  const found = new Map<string, PlaybookModel>();
  if (ids.length === 0) return found;
  const rows = await sql<{ playbook_id: string; version: string; content_hash: string }>`
    SELECT DISTINCT ON (playbook_id) playbook_id, version, content_hash
      FROM playbook_versions WHERE playbook_id IN (${sql.join([...new Set(ids)])})
     ORDER BY playbook_id, published_at DESC`.execute(db);
  for (const row of rows.rows) {
    const cached = models.cached(row.content_hash);
    found.set(row.playbook_id, cached ?? (await modelFor(db, { id: row.playbook_id, version: row.version })));
  }
  return found;
}

/** The latest published playbook document of each id named (what a KPI report reads), in one query. */
export async function latestPlaybookDocuments(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, Playbook>> {
  return new Map([...(await latestPlaybooks(db, ids))].map(([id, model]) => [id, model.playbook]));
}

/** The latest published version of a playbook (for titles and KPI targets), undefined when unknown. */
export async function latestPlaybook(db: Kysely<Schema>, id: string): Promise<PlaybookModel | undefined> {
  const row = await db
    .selectFrom("playbook_versions")
    .select("version")
    .where("playbook_id", "=", id)
    .orderBy("published_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? modelFor(db, { id, version: row.version }) : undefined;
}
