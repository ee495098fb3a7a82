// The projects an export covers, with their events and playbook versions, read a batch at a time
// in start order (two queries per batch), so an export of a large portfolio streams in constant
// memory. Projects are chosen from the portfolio rows (playbook, version, segment, CSM, period of
// start), which an erasure has already scrubbed of the client's name.
import { type Kysely, NoResultError, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import { modelFor } from "../metrics/projection.ts";
import { metricsDb } from "../metrics/tables.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { eventOf } from "../store/event-log.ts";
import type { Schema } from "../store/schema.ts";
import type { CaseEvents } from "./activities.ts";

export interface LogFilter {
  readonly playbook?: string;
  readonly version?: string;
  readonly segment?: string;
  readonly csm?: string;
  /** Projects that started at or after. */
  readonly from?: Instant;
  /** Projects that started before. */
  readonly to?: Instant;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

type ProjectRow = {
  project_id: string;
  client_id: string;
  client_name: string;
  playbook_id: string;
  playbook_version: string;
  segment: string | null;
  csm: string | null;
  status: string;
  started_at: Date;
  target_go_live_at: Date | null;
};

const PROJECT_COLUMNS = [
  "project_id",
  "client_id",
  "client_name",
  "playbook_id",
  "playbook_version",
  "segment",
  "csm",
  "status",
  "started_at",
  "target_go_live_at",
] as const;

/** Playbook versions looked up once each for a whole read (modelFor asks the database every time). */
export function versionModels(db: Kysely<Schema>): (id: string, version: string) => Promise<PlaybookModel | undefined> {
  const models = new Map<string, Promise<PlaybookModel | undefined>>();
  return (id, version) => {
    const key = `${id}@${version}`;
    let model = models.get(key);
    if (!model) {
      // A version no longer stored (never in practice: versions are kept) only costs the titles.
      model = modelFor(db, { id, version }).catch((error: unknown) => {
        if (error instanceof NoResultError) return undefined;
        throw error;
      });
      models.set(key, model);
    }
    return model;
  };
}

/** The cases of some projects (portfolio rows), their events read in one query. */
async function casesOfRows(
  db: Kysely<Schema>,
  projects: readonly ProjectRow[],
  modelOf: ReturnType<typeof versionModels>,
): Promise<CaseEvents[]> {
  if (projects.length === 0) return [];
  const rows = await db
    .selectFrom("events")
    .select(["project_id", "seq", "type", "at", "actor", "payload"])
    .where(
      "project_id",
      "in",
      projects.map((p) => p.project_id),
    )
    .orderBy("project_id")
    .orderBy("seq")
    .execute();
  const byProject = new Map<string, { seq: number; event: ReturnType<typeof eventOf> }[]>();
  for (const row of rows) {
    const list = byProject.get(row.project_id) ?? [];
    list.push({ seq: row.seq, event: eventOf(row) });
    byProject.set(row.project_id, list);
  }
  const cases: CaseEvents[] = [];
  for (const p of projects) {
    cases.push({
      info: {
        projectId: p.project_id,
        clientId: p.client_id,
        clientName: p.client_name,
        playbookId: p.playbook_id,
        playbookVersion: p.playbook_version,
        segment: p.segment,
        csm: p.csm,
        status: p.status,
        startedAt: iso(p.started_at),
        ...(p.target_go_live_at ? { plannedGoLiveAt: iso(p.target_go_live_at) } : {}),
      },
      model: await modelOf(p.playbook_id, p.playbook_version),
      events: byProject.get(p.project_id) ?? [],
    });
  }
  return cases;
}

/** The cases of the given projects (those with a portfolio row), in no particular order. */
export async function casesFor(
  db: Kysely<Schema>,
  ids: readonly string[],
  modelOf: ReturnType<typeof versionModels> = versionModels(db),
): Promise<CaseEvents[]> {
  if (ids.length === 0) return [];
  const projects = await metricsDb(db).selectFrom("project_summaries").select(PROJECT_COLUMNS).where("project_id", "in", ids).execute();
  return casesOfRows(db, projects, modelOf);
}

export async function* casesOf(
  db: Kysely<Schema>,
  filter: LogFilter,
  options: { readonly batch?: number } = {},
): AsyncGenerator<CaseEvents> {
  const batch = options.batch ?? 200;
  const mdb = metricsDb(db);
  let after: { startedAt: Date; id: string } | undefined;
  const modelOf = versionModels(db);
  for (;;) {
    let query = mdb.selectFrom("project_summaries").select(PROJECT_COLUMNS);
    if (filter.playbook !== undefined) query = query.where("playbook_id", "=", filter.playbook);
    if (filter.version !== undefined) query = query.where("playbook_version", "=", filter.version);
    if (filter.segment !== undefined) query = query.where("segment", "=", filter.segment);
    if (filter.csm !== undefined) query = query.where("csm", "=", filter.csm);
    if (filter.from !== undefined) query = query.where("started_at", ">=", new Date(filter.from));
    if (filter.to !== undefined) query = query.where("started_at", "<", new Date(filter.to));
    if (after) {
      const { startedAt, id } = after;
      query = query.where(sql<boolean>`(started_at, project_id COLLATE "C") > (${startedAt}, ${id} COLLATE "C")`);
    }
    const projects = await query.orderBy("started_at").orderBy(sql`project_id COLLATE "C"`).limit(batch).execute();
    if (projects.length === 0) return;
    yield* await casesOfRows(db, projects, modelOf);
    const last = projects.at(-1);
    if (!last || projects.length < batch) return;
    after = { startedAt: last.started_at, id: last.project_id };
  }
}
