// The open-work read model (migration 0026), kept by the store's projection hook in the transaction
// that wrote the events: only rows that changed are written. `rebuildOpenWork` re-derives projects
// whose rows are missing or behind (a database from before the table, or a command written by a
// process without this projection) at start and in the background.
import { type ColumnType, type Kysely, sql } from "kysely";
import type { ProjectState } from "../engine/types.ts";
import { type ProjectionChange, registerProjection } from "../store/projections.ts";
import type { Schema } from "../store/schema.ts";
import { type OpenWorkRow, openWorkChanges, openWorkOf } from "./open-work.ts";
import { modelFor } from "./projection.ts";

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OpenWorkTable {
  project_id: string;
  item_id: string;
  step_id: string | null;
  task_id: string | null;
  client_name: string;
  title: string;
  status: string;
  roles: string[];
  sign_off: string[];
  due_at: NullableTimestamp;
  overdue_at: NullableTimestamp;
}

export interface OpenWorkVersionsTable {
  project_id: string;
  version: number;
}

export type OpenWorkTables = { open_work: OpenWorkTable; open_work_versions: OpenWorkVersionsTable };
export type OpenWorkDb = Kysely<Schema & OpenWorkTables>;

export function openWorkDb(db: Kysely<Schema>): OpenWorkDb {
  return db.withTables<OpenWorkTables>();
}

function tableRow(projectId: string, row: OpenWorkRow) {
  return {
    project_id: projectId,
    item_id: row.itemId,
    step_id: row.stepId,
    task_id: row.taskId,
    client_name: row.clientName,
    title: row.title,
    status: row.status,
    roles: [...row.roles],
    sign_off: [...row.signOff],
    due_at: row.dueAt,
    overdue_at: row.overdueAt,
  };
}

/** Replace every row of a project, and record the version they reflect. */
async function replace(db: OpenWorkDb, projectId: string, version: number, rows: readonly OpenWorkRow[]): Promise<void> {
  await db.deleteFrom("open_work").where("project_id", "=", projectId).execute();
  if (rows.length > 0)
    await db
      .insertInto("open_work")
      .values(rows.map((row) => tableRow(projectId, row)))
      .execute();
  await db
    .insertInto("open_work_versions")
    .values({ project_id: projectId, version })
    .onConflict((oc) => oc.column("project_id").doUpdateSet({ version }))
    .execute();
}

async function applyChange(trx: Kysely<Schema>, change: ProjectionChange): Promise<void> {
  const db = openWorkDb(trx);
  const sameRef = (a: ProjectState["playbook"], b: ProjectState["playbook"]) => a.id === b.id && a.version === b.version;
  const model = change.model ?? (await modelFor(trx, change.state.playbook));
  const rows = openWorkOf(model, change.state);
  if (change.before === undefined) return replace(db, change.projectId, change.state.version, rows);
  // The stored rows are the state before this command only if their version says so: moving that
  // version on is then the one statement most commands need, and only the difference is written
  // (most commands change one step, or none). Otherwise (no rows, or rows behind) all are replaced.
  const current = await db
    .updateTable("open_work_versions")
    .set({ version: change.state.version })
    .where("project_id", "=", change.projectId)
    .where("version", "=", change.before.version)
    .executeTakeFirst();
  if (Number(current.numUpdatedRows) !== 1) return replace(db, change.projectId, change.state.version, rows);
  const beforeModel = sameRef(change.before.playbook, change.state.playbook) ? model : await modelFor(trx, change.before.playbook);
  const { removed, written } = openWorkChanges(openWorkOf(beforeModel, change.before), rows);
  if (removed.length > 0)
    await db.deleteFrom("open_work").where("project_id", "=", change.projectId).where("item_id", "in", removed).execute();
  if (written.length > 0)
    await db
      .insertInto("open_work")
      .values(written.map((row) => tableRow(change.projectId, row)))
      .onConflict((oc) =>
        oc.columns(["project_id", "item_id"]).doUpdateSet((eb) => ({
          step_id: eb.ref("excluded.step_id"),
          task_id: eb.ref("excluded.task_id"),
          client_name: eb.ref("excluded.client_name"),
          title: eb.ref("excluded.title"),
          status: eb.ref("excluded.status"),
          roles: eb.ref("excluded.roles"),
          sign_off: eb.ref("excluded.sign_off"),
          due_at: eb.ref("excluded.due_at"),
          overdue_at: eb.ref("excluded.overdue_at"),
        })),
      )
      .execute();
}

registerProjection({ name: "open_work", apply: applyChange });

/** Write the rows of projects just created outside the command path (the demo generator). */
export async function writeOpenWork(
  db: Kysely<Schema>,
  projects: readonly { readonly id: string; readonly version: number; readonly rows: readonly OpenWorkRow[] }[],
): Promise<void> {
  const odb = openWorkDb(db);
  const rows = projects.flatMap((p) => p.rows.map((row) => tableRow(p.id, row)));
  for (let i = 0; i < rows.length; i += 2000)
    await odb
      .insertInto("open_work")
      .values(rows.slice(i, i + 2000))
      .execute();
  for (let i = 0; i < projects.length; i += 5000)
    await odb
      .insertInto("open_work_versions")
      .values(projects.slice(i, i + 5000).map((p) => ({ project_id: p.id, version: p.version })))
      .onConflict((oc) => oc.column("project_id").doUpdateSet((eb) => ({ version: eb.ref("excluded.version") })))
      .execute();
}

/**
 * Re-derive the open work of projects whose rows are missing or behind their project, at most
 * `limit` per call, 200 per transaction under the project row locks (a command on one of them waits).
 */
export async function rebuildOpenWork(db: Kysely<Schema>, options: { readonly limit?: number } = {}): Promise<number> {
  const odb = openWorkDb(db);
  const { rows } = await sql<{ id: string }>`
    SELECT p.id FROM projects p LEFT JOIN open_work_versions v ON v.project_id = p.id
     WHERE v.project_id IS NULL OR v.version <> p.version
     LIMIT ${options.limit ?? 10_000}`.execute(odb);
  let done = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const ids = rows.slice(i, i + 200).map((r) => r.id);
    await odb.transaction().execute(async (trx) => {
      const projects = await trx.selectFrom("projects").select(["id", "state"]).where("id", "in", ids).forUpdate().execute();
      const store = trx as unknown as Kysely<Schema>;
      for (const p of projects) {
        const state = p.state as ProjectState;
        const model = await modelFor(store, state.playbook);
        await replace(trx, p.id, state.version, openWorkOf(model, state));
      }
      done += projects.length;
    });
  }
  return done;
}
