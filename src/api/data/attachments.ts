// Files attached to projects, kept in the database (one backup holds everything) with their size,
// type and SHA-256. Only the types a client onboarding exchanges are accepted, and a file must
// look like what its type says (PDF, PNG, JPEG, ZIP-based Office files are checked by signature).
import { createHash, randomUUID } from "node:crypto";
import type { FastifyReply } from "fastify";
import type { Instant } from "../../engine/types.ts";
import { fieldProblem } from "../problems.ts";
import type { ApiDb } from "./tables.ts";

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** Accepted types and the leading bytes a file of that type starts with (none: text, not checked). */
export const ATTACHMENT_TYPES: Readonly<Record<string, readonly number[] | null>> = {
  "application/pdf": [0x25, 0x50, 0x44, 0x46],
  "image/png": [0x89, 0x50, 0x4e, 0x47],
  "image/jpeg": [0xff, 0xd8, 0xff],
  "image/gif": [0x47, 0x49, 0x46, 0x38],
  "image/webp": [0x52, 0x49, 0x46, 0x46],
  "text/plain": null,
  "text/csv": null,
  "application/zip": ZIP,
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ZIP,
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ZIP,
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": ZIP,
};

export interface AttachmentView {
  readonly id: string;
  readonly stepId: string | null;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly visibility: "internal" | "client";
  readonly uploadedBy: { readonly kind: "user" | "contact"; readonly id: string };
  readonly createdAt: Instant;
}

function viewOf(row: {
  id: string;
  step_id: string | null;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  visibility: "internal" | "client";
  uploaded_by_kind: "user" | "contact";
  uploaded_by: string;
  created_at: Date;
}): AttachmentView {
  return {
    id: row.id,
    stepId: row.step_id,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    visibility: row.visibility,
    uploadedBy: { kind: row.uploaded_by_kind, id: row.uploaded_by },
    createdAt: row.created_at.toISOString(),
  };
}

/** The type without parameters, checked against the list and the file's first bytes. */
export function checkAttachment(contentType: string | undefined, bytes: Uint8Array): string {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!(type in ATTACHMENT_TYPES)) {
    throw fieldProblem(
      "/headers/content-type",
      `${type || "no type"} is not accepted; send one of ${Object.keys(ATTACHMENT_TYPES).join(", ")}`,
    );
  }
  if (bytes.length === 0) throw fieldProblem("/body", "the file is empty");
  const signature = ATTACHMENT_TYPES[type];
  if (signature && !signature.every((byte, i) => bytes[i] === byte)) {
    throw fieldProblem("/body", `the file does not look like ${type}: its first bytes say otherwise`);
  }
  return type;
}

export async function saveAttachment(
  db: ApiDb,
  file: {
    projectId: string;
    stepId: string | undefined;
    fileName: string;
    contentType: string;
    bytes: Uint8Array;
    visibility: "internal" | "client";
    by: { kind: "user" | "contact"; id: string };
  },
  now: Instant,
): Promise<AttachmentView> {
  const row = await db
    .insertInto("attachments")
    .values({
      id: randomUUID(),
      project_id: file.projectId,
      step_id: file.stepId ?? null,
      file_name: file.fileName,
      content_type: file.contentType,
      size: file.bytes.length,
      sha256: createHash("sha256").update(file.bytes).digest("hex"),
      content: file.bytes,
      visibility: file.visibility,
      uploaded_by_kind: file.by.kind,
      uploaded_by: file.by.id,
      created_at: now,
    })
    .returning([
      "id",
      "step_id",
      "file_name",
      "content_type",
      "size",
      "sha256",
      "visibility",
      "uploaded_by_kind",
      "uploaded_by",
      "created_at",
    ])
    .executeTakeFirstOrThrow();
  return viewOf(row);
}

export async function listAttachments(db: ApiDb, projectId: string, clientOnly: boolean): Promise<AttachmentView[]> {
  let query = db
    .selectFrom("attachments")
    .select(["id", "step_id", "file_name", "content_type", "size", "sha256", "visibility", "uploaded_by_kind", "uploaded_by", "created_at"])
    .where("project_id", "=", projectId);
  if (clientOnly) query = query.where("visibility", "=", "client");
  return (await query.orderBy("created_at").orderBy("id").execute()).map(viewOf);
}

export async function attachmentContent(db: ApiDb, id: string) {
  return db.selectFrom("attachments").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Content-Disposition for a download: always an attachment, the name in RFC 5987 form too. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Send a stored file: always as an attachment (never rendered inline in our origin), nosniff, not cached. */
export function sendAttachment(reply: FastifyReply, row: { content_type: string; file_name: string; content: Uint8Array }): FastifyReply {
  return reply
    .header("content-type", row.content_type)
    .header("content-disposition", contentDisposition(row.file_name))
    .header("x-content-type-options", "nosniff")
    .header("cache-control", "private, no-store")
    .send(Buffer.from(row.content));
}
