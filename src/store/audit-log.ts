// The global audit log: every project's events as the leaves of one RFC 9162 Merkle tree, and
// signed checkpoints (tree heads) of it. Commands never touch it: the checkpointer (scheduled in
// the server, or `onboard audit checkpoint`) appends the events not yet logged, in a deterministic
// order, under an advisory lock, then signs the head over positions 0..N-1. A PostgreSQL sequence
// on the command path would not do: values are taken at insert but committed in another order, so a
// checkpoint could miss a lower position that commits later. Here positions are assigned only to
// committed events, by one writer at a time.
import { type Kysely, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import type { Database } from "./database.ts";
import { AppError, notFound } from "./errors.ts";
import {
  Frontier,
  leafHash,
  rangeHash,
  type StoredNode,
  type SubtreeSource,
  consistencyProof as treeConsistency,
  inclusionProof as treeInclusion,
} from "./merkle.ts";
import type { Schema } from "./schema.ts";
import { type Checkpoint, type SigningKey, signCheckpoint } from "./signed-note.ts";
import { fromDb, instant } from "./time.ts";

/** "Audt": the advisory lock that lets one checkpointer at a time extend the log, across processes. */
export const AUDIT_LOG_LOCK = 0x41756474;
/**
 * Events appended per transaction (each ends with a signed checkpoint). Smaller on PGlite, whose one
 * connection every command waits for while a batch is written.
 */
const BATCH = { pglite: 1_000, postgres: 5_000 } as const;
/** Rows per INSERT (PostgreSQL allows 65535 parameters per statement). */
const CHUNK = 2_000;

/** What a leaf commits to: the project, the seq and the event's chain hash (which covers the rest). */
export function leafData(projectId: string, seq: number, eventHash: string): Buffer {
  return Buffer.from(JSON.stringify([projectId, seq, eventHash]), "utf8");
}

export function eventLeafHash(projectId: string, seq: number, eventHash: string): Buffer {
  return leafHash(leafData(projectId, seq, eventHash));
}

export interface StoredCheckpoint extends Checkpoint {
  /** The signed note (C2SP tlog-checkpoint): what is published. */
  readonly note: string;
  readonly createdAt: Instant;
}

export interface CheckpointResult {
  readonly checkpoint: StoredCheckpoint;
  /** Events appended to the log by this call. */
  readonly appended: number;
  /** False when nothing was new: `checkpoint` is the latest one already stored. */
  readonly written: boolean;
}

function stored(row: { tree_size: string | number; origin: string; root_hash: string; note: string; created_at: Date }): StoredCheckpoint {
  return {
    origin: row.origin,
    treeSize: Number(row.tree_size),
    rootHash: Buffer.from(row.root_hash, "hex"),
    note: row.note,
    createdAt: fromDb(row.created_at),
  };
}

async function latestRow(db: Kysely<Schema>) {
  return db.selectFrom("audit_checkpoints").selectAll().orderBy("tree_size", "desc").limit(1).executeTakeFirst();
}

/** The newest checkpoint stored, if any. */
export async function latestCheckpoint(db: Kysely<Schema>): Promise<StoredCheckpoint | undefined> {
  const row = await latestRow(db);
  return row ? stored(row) : undefined;
}

async function insertChunks<T extends "audit_leaves" | "audit_nodes">(
  trx: Kysely<Schema>,
  table: T,
  rows: readonly Parameters<ReturnType<Kysely<Schema>["insertInto"]>["values"]>[0][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}

/**
 * Append every event not yet in the log and sign the new tree head with `key` (whose name is the
 * log's origin). One writer at a time across processes (an advisory lock); a call with nothing new
 * returns the latest checkpoint as it is. Large backlogs go in batches, each ending with its own
 * checkpoint, so no transaction grows without bound.
 */
export async function writeCheckpoint(
  database: Database,
  key: SigningKey,
  now: Instant | Date,
  options: { readonly batch?: number } = {},
): Promise<CheckpointResult> {
  const at = instant(now);
  const batch = Math.max(1, options.batch ?? BATCH[database.capabilities.backend]);
  let appended = 0;
  let written = false;
  for (;;) {
    const round = await database.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOG_LOCK})`.execute(trx);
      const latest = await latestRow(trx);
      if (latest && latest.origin !== key.name) {
        throw new AppError(
          "illegal_state",
          `this log's checkpoints are for origin "${latest.origin}", not "${key.name}": this is not the key that signed them (a database restored or copied without its key?). Use that key (AUDIT_SIGNING_KEY=<its PEM file>, e.g. the audit-signing-key.pem of the folder the database came from; --key on the CLI). Only to move the log to a new key on purpose, set AUDIT_LOG_ORIGIN (or --origin) to "${latest.origin}": verifiers then need the new vkey`,
          { origin: latest.origin },
        );
      }
      const size = latest ? Number(latest.tree_size) : 0;
      const beyond = await trx.selectFrom("audit_leaves").select("position").where("position", ">=", size).limit(1).executeTakeFirst();
      if (beyond) {
        throw new AppError("illegal_state", `the log has leaves beyond its last checkpoint (${size}): run "onboard audit verify"`, {
          treeSize: size,
        });
      }
      // The projects whose version is ahead of the log, then their new events by the primary key:
      // O(projects + new events), not O(events). One statement, so one snapshot: a command's
      // version and events are both seen or neither.
      const { rows } = await sql<{ project_id: string; seq: number; hash: string }>`
        SELECT e.project_id, e.seq, e.hash
          FROM (SELECT p.id, COALESCE(h.seq, 0) AS logged
                  FROM projects p LEFT JOIN audit_log_heads h ON h.project_id = p.id
                 WHERE p.version > COALESCE(h.seq, 0)) AS d
          CROSS JOIN LATERAL (SELECT project_id, seq, hash FROM events WHERE project_id = d.id AND seq > d.logged) AS e
         ORDER BY e.project_id, e.seq
         LIMIT ${batch}`.execute(trx);
      if (rows.length === 0 && latest) return { checkpoint: stored(latest), appended: 0, written: false };
      const frontier = new Frontier(size, latest ? latest.frontier.map((h) => Buffer.from(h, "hex")) : []);
      const leaves: { position: number; project_id: string; seq: number; event_hash: string }[] = [];
      const nodes: StoredNode[] = [];
      const heads = new Map<string, number>();
      for (const row of rows) {
        leaves.push({ position: frontier.size, project_id: row.project_id, seq: row.seq, event_hash: row.hash });
        nodes.push(...frontier.append(eventLeafHash(row.project_id, row.seq, row.hash)));
        heads.set(row.project_id, row.seq);
      }
      await insertChunks(trx, "audit_leaves", leaves);
      await insertChunks(
        trx,
        "audit_nodes",
        nodes.map((n) => ({ level: n.level, node_index: n.index, hash: n.hash.toString("hex") })),
      );
      const headRows = [...heads].map(([project_id, seq]) => ({ project_id, seq }));
      for (let i = 0; i < headRows.length; i += CHUNK) {
        await trx
          .insertInto("audit_log_heads")
          .values(headRows.slice(i, i + CHUNK))
          .onConflict((oc) => oc.column("project_id").doUpdateSet((eb) => ({ seq: eb.ref("excluded.seq") })))
          .execute();
      }
      const checkpoint: Checkpoint = { origin: key.name, treeSize: frontier.size, rootHash: frontier.root() };
      const note = signCheckpoint(checkpoint, key);
      const row = await trx
        .insertInto("audit_checkpoints")
        .values({
          tree_size: checkpoint.treeSize,
          origin: checkpoint.origin,
          root_hash: checkpoint.rootHash.toString("hex"),
          frontier: JSON.stringify(frontier.hashes.map((h) => h.toString("hex"))),
          note,
          created_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { checkpoint: stored(row), appended: rows.length, written: true };
    });
    appended += round.appended;
    written ||= round.written;
    if (round.appended < batch) return { checkpoint: round.checkpoint, appended, written };
  }
}

/** Subtree hashes as stored: leaves (level 0) from audit_leaves, complete subtrees from audit_nodes. */
export function storedSubtrees(db: Kysely<Schema>): SubtreeSource {
  return async (level, index) => {
    if (level === 0) {
      const leaf = await db.selectFrom("audit_leaves").selectAll().where("position", "=", index).executeTakeFirst();
      if (!leaf) throw notFound(`leaf ${index} of the audit log`, { position: index });
      return eventLeafHash(leaf.project_id, leaf.seq, leaf.event_hash);
    }
    const node = await db
      .selectFrom("audit_nodes")
      .select("hash")
      .where("level", "=", level)
      .where("node_index", "=", index)
      .executeTakeFirst();
    if (!node) throw notFound(`subtree ${level}/${index} of the audit log`, { level, index });
    return Buffer.from(node.hash, "hex");
  };
}

export interface InclusionProof {
  readonly projectId: string;
  readonly seq: number;
  readonly eventHash: string;
  /** The leaf's position in the log. */
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 audit path, deepest sibling first. */
  readonly proof: readonly Buffer[];
}

/**
 * That event `seq` of a project is in the log's tree of `treeSize` leaves (default: the latest
 * checkpoint's): check it with merkle.ts verifyInclusion(eventLeafHash(...), leafIndex, treeSize,
 * proof, the checkpoint's root).
 */
export async function eventInclusionProof(database: Database, projectId: string, seq: number, treeSize?: number): Promise<InclusionProof> {
  const { db } = database;
  const leaf = await db
    .selectFrom("audit_leaves")
    .selectAll()
    .where("project_id", "=", projectId)
    .where("seq", "=", seq)
    .executeTakeFirst();
  if (!leaf) throw notFound(`event ${seq} of project ${projectId} in the audit log (not checkpointed yet?)`, { projectId, seq });
  const size = treeSize ?? (await latestCheckpoint(db))?.treeSize ?? 0;
  const leafIndex = Number(leaf.position);
  if (leafIndex >= size) {
    throw new AppError("illegal_state", `event ${seq} of project ${projectId} is not covered by a checkpoint of ${size} events yet`, {
      projectId,
      seq,
    });
  }
  const proof = await treeInclusion(storedSubtrees(db), leafIndex, size);
  return { projectId, seq, eventHash: leaf.event_hash, leafIndex, treeSize: size, proof };
}

/** That the log's tree of `size` leaves extends its tree of `oldSize` (merkle.ts verifyConsistency). */
export function logConsistencyProof(database: Database, oldSize: number, size: number): Promise<Buffer[]> {
  return treeConsistency(storedSubtrees(database.db), oldSize, size);
}

/** The root of the log's first `size` leaves, from the stored subtrees. */
export function storedRoot(database: Database, size: number): Promise<Buffer> {
  return rangeHash(storedSubtrees(database.db), 0, size);
}
