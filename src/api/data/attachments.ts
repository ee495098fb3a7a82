// Files attached to projects: the row holds the name, type, size, SHA-256 and where the bytes are;
// the bytes stream from the request into the database's file store (store/files.ts: a folder
// of the embedded database, chunk rows on PostgreSQL) and back out to downloads, never whole
// in memory. Only the types a client onboarding exchanges are accepted, and a file must look like
// what its type says (PDF, PNG, JPEG, ZIP-based Office files are checked by signature, on the
// first bytes as they arrive). Each client has a quota of stored bytes, taken with one conditional
// UPDATE in the transaction that records the file, so concurrent uploads never pass it together.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import { AppError } from "../../store/errors.ts";
import { type FileStoreKind, openStoredFile, type StoredFile } from "../../store/files.ts";
import type { Database } from "../../store/index.ts";
import { fieldProblem, HttpProblem } from "../problems.ts";
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

const VIEW_COLUMNS = [
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
] as const;

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

/** The type without parameters, checked against the list (400 otherwise). */
export function attachmentType(contentType: string | undefined): string {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!(type in ATTACHMENT_TYPES)) {
    throw fieldProblem(
      "/headers/content-type",
      `${type || "no type"} is not accepted; send one of ${Object.keys(ATTACHMENT_TYPES).join(", ")}`,
    );
  }
  return type;
}

function tooLarge(): HttpProblem {
  return new HttpProblem("payload_too_large", `a file may have at most ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB`, {
    extensions: { limitBytes: MAX_ATTACHMENT_BYTES },
  });
}

/**
 * The request body, passed through as it arrives, refused as soon as it is wrong: past the size
 * limit (413), first bytes that do not match the type (400), nothing at all (400).
 */
export async function* checkedBytes(source: AsyncIterable<Uint8Array>, type: string): AsyncGenerator<Uint8Array> {
  const signature = ATTACHMENT_TYPES[type] ?? [];
  const head: number[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > MAX_ATTACHMENT_BYTES) throw tooLarge();
    for (let i = 0; head.length < signature.length && i < chunk.length; i++) head.push(chunk[i] as number);
    if (head.length > 0 && !head.every((byte, i) => signature[i] === byte)) {
      throw fieldProblem("/body", `the file does not look like ${type}: its first bytes say otherwise`);
    }
    yield chunk;
  }
  if (size === 0) throw fieldProblem("/body", "the file is empty");
  if (head.length < signature.length) throw fieldProblem("/body", `the file does not look like ${type}: it is too short`);
}

const MB = 1024 * 1024;
function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes % MB === 0 ? 0 : 1)} MB`;
}

function quotaExceeded(quotaBytes: number, usedBytes: number, fileBytes: number): HttpProblem {
  return new HttpProblem(
    "quota_exceeded",
    `this file (${mb(fileBytes)}) would take the client's files past their quota of ${mb(quotaBytes)}: ${mb(usedBytes)} are used`,
    { extensions: { quotaBytes, usedBytes, fileBytes } },
  );
}

/** Bytes of files the client's projects hold. */
export async function clientFileUsage(db: ApiDb, clientId: string): Promise<number> {
  const row = await db.selectFrom("client_file_usage").select("used_bytes").where("client_id", "=", clientId).executeTakeFirst();
  return Number(row?.used_bytes ?? 0);
}

export interface Upload {
  readonly projectId: string;
  readonly clientId: string;
  readonly stepId: string | undefined;
  readonly fileName: string;
  /** The request's Content-Type. */
  readonly contentType: string | undefined;
  /** The request's Content-Length, when it sent one: refused before any byte is read if too large. */
  readonly declaredBytes: number | undefined;
  readonly body: AsyncIterable<Uint8Array>;
  readonly visibility: "internal" | "client";
  readonly by: { readonly kind: "user" | "contact"; readonly id: string };
  /** More to write in the transaction that records the file (the team's notices of a client's file). */
  readonly alsoWrite?: (trx: ApiDb, attachmentId: string) => Promise<void>;
}

/**
 * Store an upload: stream it into the file store, then, in one transaction, take its size from the
 * client's quota (one conditional UPDATE: concurrent uploads queue on the client's usage row and
 * each sees the others' bytes) and record the row. Refused uploads leave nothing stored.
 */
export async function saveAttachment(
  files: Database["files"],
  db: ApiDb,
  quotaBytes: number,
  upload: Upload,
  now: Instant,
): Promise<AttachmentView> {
  const type = attachmentType(upload.contentType);
  if (upload.declaredBytes !== undefined) {
    if (upload.declaredBytes > MAX_ATTACHMENT_BYTES) throw tooLarge();
    // Saves the client sending a file that cannot be kept; the transaction below decides.
    const used = await clientFileUsage(db, upload.clientId);
    if (used + upload.declaredBytes > quotaBytes) throw quotaExceeded(quotaBytes, used, upload.declaredBytes);
  }
  const row = await files.put(checkedBytes(upload.body, type), (file: StoredFile) =>
    db.transaction().execute(async (trx) => {
      await trx
        .insertInto("client_file_usage")
        .values({ client_id: upload.clientId, used_bytes: 0 })
        .onConflict((oc) => oc.doNothing())
        .execute();
      const taken = await trx
        .updateTable("client_file_usage")
        .set({ used_bytes: sql`used_bytes + ${file.size}` })
        .where("client_id", "=", upload.clientId)
        .where(sql<boolean>`used_bytes + ${file.size} <= ${quotaBytes}`)
        .returning("used_bytes")
        .executeTakeFirst();
      if (!taken) throw quotaExceeded(quotaBytes, await clientFileUsage(trx, upload.clientId), file.size);
      const saved = await trx
        .insertInto("attachments")
        .values({
          id: randomUUID(),
          project_id: upload.projectId,
          step_id: upload.stepId ?? null,
          file_name: upload.fileName,
          content_type: type,
          size: file.size,
          sha256: file.sha256,
          content: null,
          blob_store: file.store,
          blob_key: file.key,
          visibility: upload.visibility,
          uploaded_by_kind: upload.by.kind,
          uploaded_by: upload.by.id,
          created_at: now,
        })
        .returning(VIEW_COLUMNS)
        .executeTakeFirstOrThrow();
      if (upload.alsoWrite) await upload.alsoWrite(trx, saved.id);
      return saved;
    }),
  );
  return viewOf(row);
}

export async function listAttachments(db: ApiDb, projectId: string, clientOnly: boolean): Promise<AttachmentView[]> {
  let query = db.selectFrom("attachments").select(VIEW_COLUMNS).where("project_id", "=", projectId).where("deleted_at", "is", null);
  if (clientOnly) query = query.where("visibility", "=", "client");
  return (await query.orderBy("created_at").orderBy("id").execute()).map(viewOf);
}

export interface AttachmentFile {
  readonly id: string;
  readonly projectId: string;
  readonly visibility: "internal" | "client";
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  /** Where its bytes are: a file store, or (not yet moved at start) the row itself. */
  readonly bytes: { readonly store: FileStoreKind; readonly key: string } | { readonly inRow: Uint8Array };
}

export async function attachmentFile(db: ApiDb, id: string): Promise<AttachmentFile | undefined> {
  const row = await db.selectFrom("attachments").selectAll().where("id", "=", id).where("deleted_at", "is", null).executeTakeFirst();
  if (!row) return undefined;
  const bytes =
    row.blob_store !== null && row.blob_key !== null
      ? { store: row.blob_store, key: row.blob_key }
      : row.content !== null
        ? { inRow: row.content }
        : undefined;
  if (!bytes) throw new AppError("illegal_state", `attachment ${id} has no bytes`, { id });
  return {
    id: row.id,
    projectId: row.project_id,
    visibility: row.visibility,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    bytes,
  };
}

/** Content-Disposition for a download: always an attachment, the name in RFC 5987 form too. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Send a stored file, streamed from its store: always as an attachment (never rendered inline in
 * our origin), nosniff, not cached, with its length and digest.
 */
export async function sendAttachment(reply: FastifyReply, database: Database, file: AttachmentFile): Promise<FastifyReply> {
  const body: Readable | Buffer =
    "inRow" in file.bytes ? Buffer.from(file.bytes.inRow) : await openStoredFile(database.files, database.db, file.bytes);
  return reply
    .header("content-type", file.contentType)
    .header("content-length", String(file.size))
    .header("content-disposition", contentDisposition(file.fileName))
    .header("x-content-type-options", "nosniff")
    .header("cache-control", "private, no-store")
    .header("repr-digest", `sha-256=:${Buffer.from(file.sha256, "hex").toString("base64")}:`)
    .send(body);
}

export interface MoveReport {
  readonly moved: number;
  readonly failed: readonly { readonly id: string; readonly message: string }[];
}

/**
 * Files uploaded before migration 0011 kept their bytes in their row: move each to the file store
 * (checked against the SHA-256 recorded at upload), then clear the row's copy in the same UPDATE
 * that records where the bytes went. Idempotent and safe to interrupt: a row is changed only once
 * its bytes are stored, a row another process moved first is left alone (and this copy removed),
 * and a row whose bytes do not match their digest keeps them. Downloads read unmoved rows directly.
 */
export async function moveStoredFiles(database: Database, db: ApiDb, signal?: AbortSignal): Promise<MoveReport> {
  let moved = 0;
  const failed: { id: string; message: string }[] = [];
  let after = "";
  while (!signal?.aborted) {
    const row = await db
      .selectFrom("attachments")
      .select(["id", "content", "sha256", "size"])
      .where("content", "is not", null)
      .where("id", ">", after)
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    if (!row?.content) break;
    after = row.id;
    const bytes = row.content;
    try {
      await database.files.put(
        (async function* () {
          yield bytes;
        })(),
        async (file) => {
          if (file.sha256 !== row.sha256 || file.size !== row.size) {
            throw new AppError("illegal_state", `its bytes do not match the SHA-256 and size recorded at upload; left in the row`);
          }
          const updated = await db
            .updateTable("attachments")
            .set({ blob_store: file.store, blob_key: file.key, content: null })
            .where("id", "=", row.id)
            .where("content", "is not", null)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) throw new AppError("conflict", "moved by another process");
        },
      );
      moved++;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "conflict") failed.push({ id: row.id, message: (error as Error).message });
    }
  }
  return { moved, failed };
}

/**
 * Chunks no attachment refers to, a day old: what a crash in the middle of an upload to the chunk
 * table left (a refused or failed upload removes its own at once). A day, so that no upload still
 * under way is touched, on this process or another.
 */
export async function removeOrphanChunks(db: ApiDb): Promise<number> {
  const result = await sql`
    DELETE FROM file_chunks
     WHERE blob_key IN (
       SELECT c.blob_key FROM file_chunks c
        WHERE c.seq = 0
          AND c.created_at < now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_store = 'table' AND a.blob_key = c.blob_key))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
