// Verifying the hash-chained audit trail, and the one sanctioned rewrite of it: redacting personal
// data (a GDPR erasure). The chain covers each payload by its hash, so a redacted payload no longer
// matches payload_hash but the chain still verifies; the redaction is recorded on the event, with
// the hash of the redacted payload so an edit after the redaction is still caught.
import type { Instant } from "../engine/types.ts";
import type { Database } from "./database.ts";
import { AppError, notFound } from "./errors.ts";
import { eventHash, GENESIS_HASH, payloadHash } from "./hashing.ts";
import type { EventRow } from "./schema.ts";
import { fromDb, instant } from "./time.ts";

export type AuditProblemKind =
  /** The payload no longer matches its hash and no redaction is recorded. */
  | "edited"
  /** An event is missing: a gap in seq, or fewer events than the project's version. */
  | "deleted"
  /** The row's own hash does not match its fields (seq, type, at, actor, payload_hash or prev_hash changed). */
  | "forged"
  /** prev_hash does not match the hash of the event before it: rows moved or inserted. */
  | "reordered"
  /** An event beyond the project's version. */
  | "extra";

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  readonly seq: number;
  readonly message: string;
}

export interface ProjectAudit {
  readonly projectId: string;
  readonly version: number;
  readonly events: number;
  readonly redacted: number;
  readonly intact: boolean;
  readonly problems: readonly AuditProblem[];
}

export interface AuditReport {
  readonly intact: boolean;
  readonly events: number;
  readonly projects: readonly ProjectAudit[];
}

interface Redaction {
  readonly by: string;
  readonly reason: string;
  readonly paths: readonly (readonly string[])[];
  /** Hash of the payload as redacted. */
  readonly payloadHash: string;
}

export const REDACTED = "[redacted]";

export function verifyProjectEvents(projectId: string, version: number, rows: readonly EventRow[]): ProjectAudit {
  const problems: AuditProblem[] = [];
  const problem = (kind: AuditProblemKind, seq: number, message: string) => problems.push({ kind, seq, message });
  let expected = 1;
  let previous = GENESIS_HASH;
  let redacted = 0;
  for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
    const gap = row.seq > expected;
    for (let seq = expected; seq < row.seq; seq++) problem("deleted", seq, `event ${seq} is missing`);
    if (row.seq > version) problem("extra", row.seq, `event ${row.seq} is beyond the project's version ${version}`);
    const actual = payloadHash(row.payload);
    const redaction = row.redaction as Redaction | null;
    if (row.redacted_at !== null) redacted++;
    if (actual !== row.payload_hash) {
      if (row.redacted_at === null) problem("edited", row.seq, `the payload of event ${row.seq} (${row.type}) was changed`);
      else if (redaction?.payloadHash !== actual)
        problem("edited", row.seq, `the payload of event ${row.seq} (${row.type}) was changed after its redaction`);
    }
    const hash = eventHash({
      prevHash: row.prev_hash,
      projectId,
      seq: row.seq,
      type: row.type,
      at: fromDb(row.at),
      actor: row.actor,
      payloadHash: row.payload_hash,
    });
    if (hash !== row.hash)
      problem("forged", row.seq, `event ${row.seq} does not match its hash: its seq, type, time, actor or links were changed`);
    // Right after a gap the link is broken by the deletion already reported.
    if (!gap && row.prev_hash !== previous)
      problem("reordered", row.seq, `event ${row.seq} does not follow event ${row.seq - 1} in the chain`);
    previous = row.hash;
    expected = row.seq + 1;
  }
  for (let seq = expected; seq <= version; seq++) problem("deleted", seq, `event ${seq} is missing (the project is at version ${version})`);
  problems.sort((a, b) => a.seq - b.seq);
  return { projectId, version, events: rows.length, redacted, intact: problems.length === 0, problems };
}

/** Check every project's chain (or one project's). Reads one project's events at a time. */
export async function verifyAudit(database: Database, projectId?: string): Promise<AuditReport> {
  const { db } = database;
  let query = db.selectFrom("projects").select(["id", "version"]).orderBy("id");
  if (projectId !== undefined) query = query.where("id", "=", projectId);
  const projects = await query.execute();
  if (projectId !== undefined && projects.length === 0) throw notFound(`project ${projectId}`, { projectId });
  const audits: ProjectAudit[] = [];
  for (const project of projects) {
    const rows = await db.selectFrom("events").selectAll().where("project_id", "=", project.id).orderBy("seq").execute();
    audits.push(verifyProjectEvents(project.id, project.version, rows));
  }
  return { intact: audits.every((a) => a.intact), events: audits.reduce((n, a) => n + a.events, 0), projects: audits };
}

function redactAt(value: unknown, path: readonly string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return REDACTED;
  if (value === null || typeof value !== "object" || !(head in value)) {
    throw new AppError("not_found", `the payload has no field "${path.join(".")}"`, { path });
  }
  if (Array.isArray(value)) return value.map((v, i) => (String(i) === head ? redactAt(v, rest) : v));
  return { ...(value as Record<string, unknown>), [head]: redactAt((value as Record<string, unknown>)[head], rest) };
}

export interface RedactRequest {
  readonly projectId: string;
  readonly seq: number;
  /** Fields of the payload to erase, each as a path (["values", "email"]). */
  readonly paths: readonly (readonly string[])[];
  readonly by: string;
  readonly reason: string;
  readonly now: Instant | Date;
}

/**
 * Erase personal data from one event's payload, recording who did it and why. The chain still
 * verifies. The project's state (a projection) may hold the same data: erase it there as well.
 */
export async function redactEvent(database: Database, request: RedactRequest): Promise<void> {
  const now = instant(request.now);
  if (request.paths.length === 0) throw new AppError("invalid", "name at least one field to redact", { field: "paths" });
  await database.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("events")
      .selectAll()
      .where("project_id", "=", request.projectId)
      .where("seq", "=", request.seq)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound(`event ${request.seq} of project ${request.projectId}`, { projectId: request.projectId, seq: request.seq });
    let payload: unknown = row.payload;
    for (const path of request.paths) payload = redactAt(payload, path);
    const previous = (row.redaction as Redaction | null)?.paths ?? [];
    const redaction: Redaction = {
      by: request.by,
      reason: request.reason,
      paths: [...previous, ...request.paths],
      payloadHash: payloadHash(payload),
    };
    await trx
      .updateTable("events")
      .set({ payload: JSON.stringify(payload), redacted_at: now, redaction: JSON.stringify(redaction) })
      .where("project_id", "=", request.projectId)
      .where("seq", "=", request.seq)
      .execute();
  });
}
