// Tampering as the attacker the audit trail must withstand: a database superuser, who can switch
// off the append-only triggers and the foreign keys (session_replication_role = replica) and
// rewrite anything, recomputing hashes as they go. Only the published checkpoints are out of reach.
import assert from "node:assert/strict";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import type { Database } from "../../../src/store/database.ts";
import { eventHash, GENESIS_HASH, payloadHash } from "../../../src/store/hashing.ts";
import type { Schema } from "../../../src/store/schema.ts";

export async function tamper<T>(db: Kysely<T>, ...statements: readonly RawBuilder<unknown>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
  });
}

class RolledBack extends Error {}

/**
 * Tamper inside a transaction, look at the result through `check` (given the database as the
 * tampered transaction sees it), then roll everything back: each kind of tampering on the same
 * history, each on its own.
 */
export async function whileTampered(
  database: Database,
  change: (trx: Transaction<Schema>) => Promise<void>,
  check: (tampered: Database) => Promise<void>,
): Promise<void> {
  await assert.rejects(
    database.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await change(trx);
      await sql`SET LOCAL session_replication_role = origin`.execute(trx);
      await check({ ...database, db: trx });
      throw new RolledBack();
    }),
    (error) => {
      if (error instanceof RolledBack) return true;
      throw error;
    },
  );
}

export interface EventDraft {
  type: string;
  at: string;
  actor: string;
  payload: Record<string, unknown>;
  recorded_at: string;
}

/**
 * Replace a project's whole chain by `edit(events)`, every hash recomputed from the genesis as the
 * store would have, and the project's version set to match: a chain that verifies on its own.
 */
export async function rewriteChain(trx: Kysely<Schema>, projectId: string, edit: (events: EventDraft[]) => EventDraft[]): Promise<void> {
  const rows = await trx.selectFrom("events").selectAll().where("project_id", "=", projectId).orderBy("seq").execute();
  const drafts = edit(
    rows.map((r) => ({
      type: r.type,
      at: r.at.toISOString(),
      actor: r.actor,
      payload: r.payload,
      recorded_at: r.recorded_at.toISOString(),
    })),
  );
  await sql`DELETE FROM events WHERE project_id = ${projectId}`.execute(trx);
  let prev = GENESIS_HASH;
  for (const [i, d] of drafts.entries()) {
    const seq = i + 1;
    const pHash = payloadHash(d.payload);
    const hash = eventHash({ prevHash: prev, projectId, seq, type: d.type, at: d.at, actor: d.actor, payloadHash: pHash });
    await trx
      .insertInto("events")
      .values({
        project_id: projectId,
        seq,
        type: d.type,
        at: d.at,
        actor: d.actor,
        payload: JSON.stringify(d.payload),
        payload_hash: pHash,
        prev_hash: prev,
        hash,
        recorded_at: d.recorded_at,
      })
      .execute();
    prev = hash;
  }
  await sql`UPDATE projects SET version = ${drafts.length} WHERE id = ${projectId}`.execute(trx);
}
