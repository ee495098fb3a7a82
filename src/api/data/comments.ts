// Comments on projects. The team's are internal unless shared with the client; a contact's are
// always visible to both sides. The portal reads only the shared ones.
import { randomUUID } from "node:crypto";
import type { Instant } from "../../engine/types.ts";
import type { ApiDb } from "./tables.ts";

export interface CommentView {
  readonly id: string;
  readonly stepId: string | null;
  readonly author: string;
  readonly fromClient: boolean;
  /** The team member who wrote it (null: a client contact). */
  readonly authorId: string | null;
  readonly visibility: "internal" | "client";
  readonly body: string;
  readonly createdAt: Instant;
}

export async function listComments(db: ApiDb, projectId: string, clientOnly: boolean): Promise<CommentView[]> {
  let query = db.selectFrom("comments").selectAll().where("project_id", "=", projectId).where("deleted_at", "is", null);
  if (clientOnly) query = query.where("visibility", "=", "client");
  const rows = await query.orderBy("created_at").orderBy("id").limit(1000).execute();
  return rows.map((r) => ({
    id: r.id,
    stepId: r.step_id,
    author: r.author_name,
    fromClient: r.author_kind === "contact",
    authorId: r.author_kind === "user" ? r.author_id : null,
    visibility: r.visibility,
    body: r.body,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function addComment(
  db: ApiDb,
  comment: {
    projectId: string;
    stepId: string | undefined;
    author: { kind: "user" | "contact"; id: string; name: string };
    body: string;
    visibility: "internal" | "client";
  },
  now: Instant,
): Promise<CommentView> {
  const id = randomUUID();
  await db
    .insertInto("comments")
    .values({
      id,
      project_id: comment.projectId,
      step_id: comment.stepId ?? null,
      author_kind: comment.author.kind,
      author_id: comment.author.id,
      author_name: comment.author.name,
      body: comment.body,
      visibility: comment.visibility,
      created_at: now,
    })
    .execute();
  return {
    id,
    stepId: comment.stepId ?? null,
    author: comment.author.name,
    fromClient: comment.author.kind === "contact",
    authorId: comment.author.kind === "user" ? comment.author.id : null,
    visibility: comment.visibility,
    body: comment.body,
    createdAt: now,
  };
}
