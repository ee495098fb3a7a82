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
/** The chain links of new events after `prevHash`: pure, so the caller can write the head first. */
export function chainEvents(
  projectId: string,
  afterSeq: number,
  prevHash: string,
  events: readonly ProjectEvent[],
  recordedAt: string,
): { rows: NewEventRow[]; stored: StoredEvent[]; head: string } {
  const rows: NewEventRow[] = [];
  const stored: StoredEvent[] = [];
  let head = prevHash;
  events.forEach((event, i) => {
    const seq = afterSeq + i + 1;
    const payload = payloadOf(event);
    const pHash = payloadHash(payload);
    // The chain hashes the instant as it reads back from timestamptz: canonical ISO with milliseconds.
    const at = instant(event.at, "event.at");
    const hash = eventHash({ prevHash: head, projectId, seq, type: event.type, at, actor: event.actor, payloadHash: pHash });
    rows.push({
      project_id: projectId,
      seq,
      type: event.type,
      at,
      actor: event.actor,
      payload: JSON.stringify(payload),
      payload_hash: pHash,
      prev_hash: head,
      hash,
      recorded_at: recordedAt,
    });
    stored.push({ projectId, seq, hash, event, redacted: false });
    head = hash;
  });
  return { rows, stored, head };
}

/** The hash of event `seq` of a project (the genesis hash before the first). */
export async function headHash(trx: Kysely<Schema>, projectId: string, seq: number): Promise<string> {
  if (seq === 0) return GENESIS_HASH;
  const last = await trx.selectFrom("events").select("hash").where("project_id", "=", projectId).where("seq", "=", seq).executeTakeFirst();
  if (!last) {
    throw new AppError("illegal_state", `the audit trail of project ${projectId} has no event ${seq}: run "onboard audit verify"`, {
      projectId,
      seq,
    });
  }
  return last.hash;
}

export async function insertEvents(trx: Kysely<Schema>, rows: readonly NewEventRow[]): Promise<void> {
  if (rows.length > 0)
    await trx
      .insertInto("events")
      .values([...rows])
      .execute();
}

/** Append events after `afterSeq`, reading the previous hash from the log. */
export async function appendEvents(
  trx: Kysely<Schema>,
  projectId: string,
  afterSeq: number,
  events: readonly ProjectEvent[],
  recordedAt: string,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const { rows, stored } = chainEvents(projectId, afterSeq, await headHash(trx, projectId, afterSeq), events, recordedAt);
  await insertEvents(trx, rows);
  return stored;
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
