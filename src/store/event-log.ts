// The event log: each project's events, append-only and hash-chained, written in the same
// transaction as the state they explain. Appends to one project are serialized by the caller's
// lock on the project row, so the chain never forks.
import type { Kysely } from "kysely";
import type { ProjectEvent } from "../engine/types.ts";
import { AppError } from "./errors.ts";
import { eventHash, GENESIS_HASH, payloadHash } from "./hashing.ts";
import type { EventRow, NewEventRow, Schema } from "./schema.ts";
import { fromDb, instant } from "./time.ts";

export interface StoredEvent {
  readonly projectId: string;
  readonly seq: number;
  readonly hash: string;
  readonly event: ProjectEvent;
  /** The payload was rewritten by an erasure; `event` then holds the redacted values. */
  readonly redacted: boolean;
}

/** The payload: the event without the fields that have their own columns. */
export function payloadOf(event: ProjectEvent): Record<string, unknown> {
  const { type: _type, at: _at, actor: _actor, ...payload } = event;
  return payload;
}

export function eventOf(row: Pick<EventRow, "type" | "at" | "actor" | "payload">): ProjectEvent {
  return { ...row.payload, type: row.type, at: fromDb(row.at), actor: row.actor } as ProjectEvent;
}

function stored(row: EventRow): StoredEvent {
  return { projectId: row.project_id, seq: row.seq, hash: row.hash, event: eventOf(row), redacted: row.redacted_at !== null };
}

/**
 * Append `events` after seq `afterSeq` (the project's version before the command). The caller holds
 * the project row lock. Refuses to extend a chain whose last link is missing.
 */
export async function appendEvents(
  trx: Kysely<Schema>,
  projectId: string,
  afterSeq: number,
  events: readonly ProjectEvent[],
  recordedAt: string,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  let prevHash = GENESIS_HASH;
  if (afterSeq > 0) {
    const last = await trx
      .selectFrom("events")
      .select("hash")
      .where("project_id", "=", projectId)
      .where("seq", "=", afterSeq)
      .executeTakeFirst();
    if (!last) {
      throw new AppError("illegal_state", `the audit trail of project ${projectId} has no event ${afterSeq}: run "onboard audit verify"`, {
        projectId,
        seq: afterSeq,
      });
    }
    prevHash = last.hash;
  }
  const rows: NewEventRow[] = [];
  const result: StoredEvent[] = [];
  events.forEach((event, i) => {
    const seq = afterSeq + i + 1;
    const payload = payloadOf(event);
    const pHash = payloadHash(payload);
    // The chain hashes the instant as it reads back from timestamptz: canonical ISO with milliseconds.
    const at = instant(event.at, "event.at");
    const hash = eventHash({ prevHash, projectId, seq, type: event.type, at, actor: event.actor, payloadHash: pHash });
    rows.push({
      project_id: projectId,
      seq,
      type: event.type,
      at,
      actor: event.actor,
      payload: JSON.stringify(payload),
      payload_hash: pHash,
      prev_hash: prevHash,
      hash,
      recorded_at: recordedAt,
    });
    result.push({ projectId, seq, hash, event, redacted: false });
    prevHash = hash;
  });
  await trx.insertInto("events").values(rows).execute();
  return result;
}

export async function loadEvents(db: Kysely<Schema>, projectId: string, options: { afterSeq?: number } = {}): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom("events")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("seq", ">", options.afterSeq ?? 0)
    .orderBy("seq")
    .execute();
  return rows.map(stored);
}
