// Undo and sharing for a project's comments and files: their author deletes them within a grace
// period; a team member shares one with the client or makes it internal again. Each change is
// recorded in item_changes (append-only) in the transaction that makes it. Deleted rows stay for
// history and leave every list and download; a deleted file's bytes stop counting against the
// client's quota.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import { AppError, notFound } from "../../store/errors.ts";
import type { ApiDb } from "./tables.ts";

/** How long after posting a comment or uploading a file its author may still delete it. */
export const GRACE_MINUTES = 15;
const GRACE_MS = GRACE_MINUTES * 60_000;

export type ItemKind = "comment" | "attachment";
export interface Author {
  readonly kind: "user" | "contact";
  readonly id: string;
}

/** Until when its author may delete an item made at `createdAt`. */
export function deletableUntil(createdAt: Instant): Instant {
  return new Date(Date.parse(createdAt) + GRACE_MS).toISOString();
}

async function record(
  db: ApiDb,
  projectId: string,
  kind: ItemKind,
  itemId: string,
  action: "deleted" | "shared" | "unshared",
  by: Author,
  now: Instant,
) {
  await db
    .insertInto("item_changes")
    .values({ id: randomUUID(), project_id: projectId, item_kind: kind, item_id: itemId, action, actor: `${by.kind}:${by.id}`, at: now })
    .execute();
}

async function row(trx: ApiDb, kind: ItemKind, projectId: string, id: string) {
  const found =
    kind === "comment"
      ? await trx
          .selectFrom("comments")
          .select(["id", "author_kind as byKind", "author_id as byId", "created_at as createdAt", "visibility", "deleted_at as deletedAt"])
          .where("id", "=", id)
          .where("project_id", "=", projectId)
          .forUpdate()
          .executeTakeFirst()
      : await trx
          .selectFrom("attachments")
          .select([
            "id",
            "uploaded_by_kind as byKind",
            "uploaded_by as byId",
            "created_at as createdAt",
            "visibility",
            "deleted_at as deletedAt",
            "size",
          ])
          .where("id", "=", id)
          .where("project_id", "=", projectId)
          .forUpdate()
          .executeTakeFirst();
  if (!found || found.deletedAt !== null) throw notFound(`${kind} ${id} of project ${projectId}`, { [kind]: id });
  return found;
}

/** Delete one's own comment or file within the grace period. */
export async function deleteItem(
  db: ApiDb,
  kind: ItemKind,
  ids: { readonly projectId: string; readonly itemId: string; readonly clientId: string },
  by: Author,
  now: Instant,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const found = await row(trx, kind, ids.projectId, ids.itemId);
    const what = kind === "comment" ? "comment" : "file";
    if (found.byKind !== by.kind || found.byId !== by.id)
      throw new AppError("forbidden", `only the person who added this ${what} can delete it`, { [kind]: ids.itemId });
    if (Date.parse(now) > Date.parse(deletableUntil(found.createdAt.toISOString())))
      throw new AppError("illegal_state", `a ${what} can be deleted within ${GRACE_MINUTES} minutes of adding it; this one is older`, {
        [kind]: ids.itemId,
        deletableUntil: deletableUntil(found.createdAt.toISOString()),
      });
    await trx
      .updateTable(kind === "comment" ? "comments" : "attachments")
      .set({ deleted_at: now, deleted_by: `${by.kind}:${by.id}` })
      .where("id", "=", ids.itemId)
      .execute();
    if (kind === "attachment" && "size" in found)
      await trx
        .updateTable("client_file_usage")
        .set({ used_bytes: sql`greatest(used_bytes - ${found.size}, 0)` })
        .where("client_id", "=", ids.clientId)
        .execute();
    await record(trx, ids.projectId, kind, ids.itemId, "deleted", by, now);
  });
}

/** Share a team comment or file with the client, or make it internal again; no change, no record. */
export async function setItemVisibility(
  db: ApiDb,
  kind: ItemKind,
  ids: { readonly projectId: string; readonly itemId: string },
  visibility: "internal" | "client",
  by: Author,
  now: Instant,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const found = await row(trx, kind, ids.projectId, ids.itemId);
    if (found.byKind === "contact")
      throw new AppError("illegal_state", `the client sent this ${kind === "comment" ? "message" : "file"}: it is always shared`, {
        field: "visibility",
      });
    if (found.visibility === visibility) return;
    await trx
      .updateTable(kind === "comment" ? "comments" : "attachments")
      .set({ visibility })
      .where("id", "=", ids.itemId)
      .execute();
    await record(trx, ids.projectId, kind, ids.itemId, visibility === "client" ? "shared" : "unshared", by, now);
  });
}
