// Verifying the audit trail, and the one sanctioned rewrite of it: erasing personal data (a GDPR
// redaction).
//
// Each project's events form a hash chain; the chain covers each payload by its hash, so an erased
// payload no longer matches payload_hash. The erasure is therefore itself an event in the chain
// (`audit.redacted`: who, when, why, which fields of which event, the hash of the payload as
// redacted, and a seal: the log key's signature over all of that), written through one database
// function together with the payload rewrite (migration 0012). A payload that does not match its
// hash is accepted only when a later record in the same chain names it, its hash is the payload's
// now, and every field it names reads "[redacted]" (an erasure erases; it does not change values).
//
// The chain alone cannot show what was removed from its end, a deleted project or a chain
// recomputed from an edited event: verifyAgainstCheckpoints compares the database with signed
// checkpoints of the global log (audit-log.ts), which the operator publishes outside the database.
//
// Redactions recorded before migration 0012 (the `events.redaction` column, outside the chain)
// prove nothing and are reported as edits: if one was genuine, redact the same fields again so the
// erasure is recorded in the chain.
import { sign, verify } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { recordRedaction } from "../engine/index.ts";
import type { EventOf, Instant, ProjectState } from "../engine/types.ts";
import { eventLeafHash } from "./audit-log.ts";
import { lockProject, recordOutcome, runEngine } from "./command-path.ts";
import type { Database } from "./database.ts";
import { AppError, ConflictError, notFound } from "./errors.ts";
import { chainEvents, headHash, type StoredEvent } from "./event-log.ts";
import { canonicalJson, eventHash, GENESIS_HASH, payloadHash } from "./hashing.ts";
import { consistencyProof, MemoryTree, verifyConsistency } from "./merkle.ts";
import type { EventRow, Schema } from "./schema.ts";
import { keyIdOf, openCheckpoint, type SigningKey, type VerifierKey } from "./signed-note.ts";
import { fromDb, instant } from "./time.ts";

export type AuditProblemKind =
  /** The payload no longer matches its hash and no redaction recorded in the chain covers it. */
  | "edited"
  /** An event is missing: a gap in seq, fewer events than the project's version, or one a checkpoint covers. */
  | "deleted"
  /** The row's own hash does not match its fields (seq, type, at, actor, payload_hash or prev_hash changed). */
  | "forged"
  /** prev_hash does not match the hash of the event before it: rows moved or inserted. */
  | "reordered"
  /** An event beyond the project's version. */
  | "extra"
  /** The event's hash is not the one the signed log recorded: it or an earlier one was rewritten and the chain recomputed. */
  | "rewritten";

export const AUDIT_PROBLEM_KINDS: readonly AuditProblemKind[] = ["edited", "deleted", "forged", "reordered", "extra", "rewritten"];

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

export type LogProblemKind =
  /** A checkpoint's signature does not verify with the key given. */
  | "signature"
  /** The checkpoints name different logs. */
  | "origin"
  /** The log holds fewer leaves than a checkpoint covers (or has a gap). */
  | "truncated"
  /** The log's first N leaves do not hash to the checkpoint's root: leaves were changed, removed, inserted or reordered. */
  | "root"
  /** A newer checkpoint does not extend an older one (no consistency proof). */
  | "inconsistent";

export interface LogProblem {
  readonly kind: LogProblemKind;
  readonly message: string;
}

export interface LogAudit {
  readonly checkpoints: readonly {
    readonly origin: string;
    readonly treeSize: number;
    readonly rootHash: string;
    readonly signed: boolean;
  }[];
  /** Leaves of the log in the database (covered by the newest checkpoint or not). */
  readonly leaves: number;
  readonly intact: boolean;
  readonly problems: readonly LogProblem[];
}

export interface AuditReport {
  readonly intact: boolean;
  readonly events: number;
  readonly projects: readonly ProjectAudit[];
  /** Present when verified against checkpoints. */
  readonly log?: LogAudit;
}

export const REDACTED = "[redacted]";

type Seal = NonNullable<EventOf<"audit.redacted">["seal"]>;

interface RecordSeen {
  readonly recordSeq: number;
  /** The event it erased. */
  readonly seq: number;
  readonly actor: string;
  readonly at: Instant;
  readonly reason: string;
  readonly paths: readonly (readonly string[])[];
  readonly payloadHash: string;
  readonly seal: Seal | undefined;
}

/** What verification against checkpoints knows beyond the chain, for one project. */
export interface ChainContext {
  /** The highest seq of this project a verified checkpoint covers (0: none). */
  readonly covered: number;
  /** The log's key: a redaction record no checkpoint covers must carry its valid seal. */
  readonly key: VerifierKey | undefined;
}

/** The message a redaction's seal signs: the erasure and the event it erased, unambiguously. */
function sealMessage(
  projectId: string,
  target: { readonly seq: number; readonly hash: string; readonly payloadHash: string },
  record: Pick<RecordSeen, "actor" | "at" | "reason" | "paths" | "payloadHash">,
): Buffer {
  return Buffer.from(
    `onboard redaction seal v1\n${canonicalJson({
      project: projectId,
      event: target,
      paths: record.paths,
      redactedPayloadHash: record.payloadHash,
      actor: record.actor,
      at: record.at,
      reason: record.reason,
    })}`,
    "utf8",
  );
}

function sealValid(key: VerifierKey, seal: Seal, message: Buffer): boolean {
  try {
    if (key.name !== undefined && key.name !== seal.keyName) return false;
    if (keyIdOf(seal.keyName, key.publicKey).toString("hex") !== seal.keyId) return false;
    return verify(null, message, key.publicKey, Buffer.from(seal.signature, "base64"));
  } catch {
    return false;
  }
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at: unknown = value;
  for (const part of path) {
    if (at === null || typeof at !== "object" || !(part in at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function recordOf(row: EventRow): RecordSeen | undefined {
  const p = row.payload as Partial<EventOf<"audit.redacted">>;
  if (typeof p.seq !== "number" || !Array.isArray(p.paths) || typeof p.payloadHash !== "string") return undefined;
  return {
    recordSeq: row.seq,
    seq: p.seq,
    actor: row.actor,
    at: fromDb(row.at),
    reason: typeof p.reason === "string" ? p.reason : "",
    paths: p.paths,
    payloadHash: p.payloadHash,
    seal: p.seal,
  };
}

/** Why a payload that does not match its hash is not a proven erasure (undefined: it is one). */
function unprovenRedaction(
  projectId: string,
  row: EventRow,
  actual: string,
  records: readonly RecordSeen[],
  context: ChainContext | undefined,
): string | undefined {
  const what = `the payload of event ${row.seq} (${row.type}) was changed`;
  if (row.type === "audit.redacted") return `${what}: a redaction record is never redacted`;
  if (records.length === 0) {
    return row.redacted_at !== null
      ? `${what}; it is marked redacted only outside the chain (the way before migration 0012), which proves nothing: if the erasure was genuine, redact the same fields again to record it in the chain`
      : what;
  }
  const latest = records.at(-1) as RecordSeen;
  if (latest.payloadHash !== actual) return `${what} after its redaction (recorded at seq ${latest.recordSeq})`;
  for (const record of records)
    for (const path of record.paths) {
      if (valueAt(row.payload, path) !== REDACTED) {
        return `${what}: its redaction record (seq ${record.recordSeq}) names ${path.join(".")}, which does not read "${REDACTED}" (an erasure erases, it does not change values)`;
      }
    }
  if (context?.key)
    for (const record of records) {
      if (record.recordSeq <= context.covered) continue;
      const message = sealMessage(projectId, { seq: row.seq, hash: row.hash, payloadHash: row.payload_hash }, record);
      if (!record.seal || !sealValid(context.key, record.seal, message)) {
        return `${what}: its redaction record (seq ${record.recordSeq}) is newer than the checkpoint and carries no valid seal by the log's key, so it may be forged`;
      }
    }
  return undefined;
}

export function verifyProjectEvents(projectId: string, version: number, rows: readonly EventRow[], context?: ChainContext): ProjectAudit {
  const problems: AuditProblem[] = [];
  const problem = (kind: AuditProblemKind, seq: number, message: string) => problems.push({ kind, seq, message });
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  // Erasures recorded in the chain, by the event they erased (only records whose own payload is intact count).
  const records = new Map<number, RecordSeen[]>();
  for (const row of sorted) {
    if (row.type !== "audit.redacted" || payloadHash(row.payload) !== row.payload_hash) continue;
    const record = recordOf(row);
    if (!record || record.seq >= row.seq) {
      problem("forged", row.seq, `redaction record ${row.seq} does not name an earlier event`);
      continue;
    }
    records.set(record.seq, [...(records.get(record.seq) ?? []), record]);
  }
  let expected = 1;
  let previous = GENESIS_HASH;
  let redacted = 0;
  for (const row of sorted) {
    const gap = row.seq > expected;
    for (let seq = expected; seq < row.seq; seq++) problem("deleted", seq, `event ${seq} is missing`);
    if (row.seq > version) problem("extra", row.seq, `event ${row.seq} is beyond the project's version ${version}`);
    const actual = payloadHash(row.payload);
    const covering = records.get(row.seq) ?? [];
    if (covering.length > 0) redacted++;
    if (actual !== row.payload_hash) {
      const why = unprovenRedaction(projectId, row, actual, covering, context);
      if (why !== undefined) problem("edited", row.seq, why);
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

async function projectAudits(
  database: Database,
  projectId: string | undefined,
  contextOf: (projectId: string) => ChainContext | undefined,
): Promise<ProjectAudit[]> {
  const { db } = database;
  let query = db.selectFrom("projects").select(["id", "version"]).orderBy("id");
  if (projectId !== undefined) query = query.where("id", "=", projectId);
  const projects = await query.execute();
  if (projectId !== undefined && projects.length === 0) throw notFound(`project ${projectId}`, { projectId });
  const audits: ProjectAudit[] = [];
  for (const project of projects) {
    const rows = await db.selectFrom("events").selectAll().where("project_id", "=", project.id).orderBy("seq").execute();
    audits.push(verifyProjectEvents(project.id, project.version, rows, contextOf(project.id)));
  }
  return audits;
}

function report(projects: readonly ProjectAudit[], log?: LogAudit): AuditReport {
  return {
    intact: projects.every((a) => a.intact) && (log?.intact ?? true),
    events: projects.reduce((n, a) => n + a.events, 0),
    projects,
    ...(log ? { log } : {}),
  };
}

/**
 * Check every project's chain (or one project's). Reads one project's events at a time. The chain
 * alone cannot see truncation, deleted projects or recomputed chains: use verifyAgainstCheckpoints.
 */
export async function verifyAudit(database: Database, projectId?: string): Promise<AuditReport> {
  return report(await projectAudits(database, projectId, () => undefined));
}

/** Leaves read per query while verifying. */
const LEAF_BATCH = 5_000;

/**
 * Prove that the database still holds exactly what signed checkpoints covered: each note's
 * signature by `key`; the log's first N leaves recomputed from scratch and compared with the
 * newest root (truncation, removed, inserted, reordered or changed leaves); every leaf's event still
 * present with the hash logged (deleted events and projects, lowered versions, recomputed chains);
 * every older checkpoint extended by the newest (an RFC 9162 consistency proof); and every
 * project's chain, where a redaction no checkpoint covers must carry the key's seal.
 */
export async function verifyAgainstCheckpoints(database: Database, notes: readonly string[], key: VerifierKey): Promise<AuditReport> {
  if (notes.length === 0) throw new AppError("invalid", "give at least one checkpoint", { field: "checkpoint" });
  const opened = notes.map((note) => openCheckpoint(note, key)).sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize);
  const logProblems: LogProblem[] = [];
  for (const o of opened)
    if (!o.signed) logProblems.push({ kind: "signature", message: `the checkpoint of ${o.checkpoint.treeSize} events: ${o.why}` });
  const origins = new Set(opened.map((o) => o.checkpoint.origin));
  if (origins.size > 1) logProblems.push({ kind: "origin", message: `the checkpoints name different logs: ${[...origins].join(", ")}` });
  const newest = (opened.at(-1) as (typeof opened)[number]).checkpoint;
  const size = newest.treeSize;

  // Every leaf the newest checkpoint covers, with the event it names as it is now.
  const { db } = database;
  const leafHashes: Buffer[] = [];
  const covered = new Map<string, number>();
  const found = new Map<string, AuditProblem[]>();
  const rewritten = new Set<string>();
  const add = (projectId: string, p: AuditProblem) => found.set(projectId, [...(found.get(projectId) ?? []), p]);
  let gapAt: number | undefined;
  for (let from = 0; from < size && gapAt === undefined; from += LEAF_BATCH) {
    const { rows } = await sql<{ position: string | number; project_id: string; seq: number; event_hash: string; hash: string | null }>`
      SELECT l.position, l.project_id, l.seq, l.event_hash, e.hash
        FROM audit_leaves l LEFT JOIN events e ON e.project_id = l.project_id AND e.seq = l.seq
       WHERE l.position >= ${from} AND l.position < ${Math.min(size, from + LEAF_BATCH)}
       ORDER BY l.position`.execute(db);
    for (const row of rows) {
      if (Number(row.position) !== leafHashes.length) {
        gapAt = leafHashes.length;
        break;
      }
      leafHashes.push(eventLeafHash(row.project_id, row.seq, row.event_hash));
      covered.set(row.project_id, Math.max(covered.get(row.project_id) ?? 0, row.seq));
      if (row.hash === null) {
        add(row.project_id, { kind: "deleted", seq: row.seq, message: `event ${row.seq} is gone, but the checkpoint covers it` });
      } else if (row.hash !== row.event_hash && !rewritten.has(row.project_id)) {
        rewritten.add(row.project_id);
        add(row.project_id, {
          kind: "rewritten",
          seq: row.seq,
          message: `event ${row.seq} no longer has the hash the checkpoint covers: it or an earlier event was rewritten and the chain recomputed`,
        });
      }
    }
    if (rows.length < Math.min(size, from + LEAF_BATCH) - from && gapAt === undefined) gapAt = leafHashes.length;
  }
  const tree = new MemoryTree(leafHashes);
  const leaves = Number(
    (
      await db
        .selectFrom("audit_leaves")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (leafHashes.length < size) {
    logProblems.push({
      kind: "truncated",
      message: `the checkpoint covers ${size} events but the log holds only the first ${leafHashes.length} of them (leaf ${leafHashes.length} is missing): the log was truncated or leaves were deleted`,
    });
  }
  // Each checkpoint against the database's leaves (two of one size are checked alike).
  const matches: (boolean | undefined)[] = [];
  for (const { checkpoint } of opened) {
    if (checkpoint.treeSize > leafHashes.length) {
      matches.push(undefined);
      continue;
    }
    const match = (await tree.root(checkpoint.treeSize)).equals(checkpoint.rootHash);
    matches.push(match);
    if (!match) {
      logProblems.push({
        kind: "root",
        message: `the log's first ${checkpoint.treeSize} events do not hash to the root of the checkpoint of ${checkpoint.treeSize} events: events were changed, removed, inserted or reordered since it was signed`,
      });
    }
  }
  const trusted = matches.at(-1) === true;
  // Leaves rewritten to match rewritten events leave the root wrong but name nothing: the subtree
  // hashes stored when they were logged show where (unless those were rewritten too).
  if (!trusted && leafHashes.length > 0) {
    for (const { projectId, seq, message } of await changedLeaves(database, tree)) add(projectId, { kind: "rewritten", seq, message });
  }
  // The newest extends every older one: two heads of one size must be equal; otherwise a proof from
  // the database's leaves (when they are what the newest covers; if not, the root problem above
  // already says the log changed), checked against both roots.
  for (const { checkpoint } of opened.slice(0, -1)) {
    const extended =
      checkpoint.treeSize === size
        ? checkpoint.rootHash.equals(newest.rootHash)
        : trusted
          ? verifyConsistency(
              checkpoint.treeSize,
              size,
              checkpoint.rootHash,
              newest.rootHash,
              await consistencyProof(tree.source, checkpoint.treeSize, size),
            )
          : undefined;
    if (extended === false) {
      logProblems.push({
        kind: "inconsistent",
        message: `the checkpoint of ${size} events does not extend the one of ${checkpoint.treeSize} events: the log was rewritten between them, or one of them is not this log's`,
      });
    }
  }

  const audits = await projectAudits(database, undefined, (projectId) => ({ covered: trusted ? (covered.get(projectId) ?? 0) : 0, key }));
  const present = new Set(audits.map((a) => a.projectId));
  const merged: ProjectAudit[] = audits.map((audit) => {
    const extra = found.get(audit.projectId) ?? [];
    const logged = covered.get(audit.projectId) ?? 0;
    const lowered: AuditProblem[] =
      audit.version < logged
        ? [
            {
              kind: "deleted",
              seq: audit.version + 1,
              message: `the project's version was lowered to ${audit.version}: the checkpoint covers its events up to ${logged}`,
            },
          ]
        : [];
    const seen = new Set<string>();
    const problems = [...audit.problems, ...lowered, ...extra].filter((p) => {
      const id = `${p.kind}@${p.seq}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    problems.sort((a, b) => a.seq - b.seq);
    return { ...audit, intact: problems.length === 0, problems };
  });
  for (const [projectId, logged] of covered) {
    if (present.has(projectId)) continue;
    merged.push({
      projectId,
      version: 0,
      events: 0,
      redacted: 0,
      intact: false,
      problems: [{ kind: "deleted", seq: 1, message: `the project is gone: the checkpoint covers its events 1 to ${logged}` }],
    });
  }
  merged.sort((a, b) => (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0));
  const log: LogAudit = {
    checkpoints: opened.map((o) => ({
      origin: o.checkpoint.origin,
      treeSize: o.checkpoint.treeSize,
      rootHash: o.checkpoint.rootHash.toString("base64"),
      signed: o.signed,
    })),
    leaves,
    intact: logProblems.length === 0,
    problems: logProblems,
  };
  return report(merged, log);
}

/**
 * Compare the stored subtree hashes with the tree recomputed from the leaves, level by level from
 * the bottom; the leaves under the lowest mismatching subtrees are where the log was changed.
 */
async function changedLeaves(database: Database, tree: MemoryTree): Promise<{ projectId: string; seq: number; message: string }[]> {
  const { db } = database;
  for (let level = 1; level <= tree.height; level++) {
    const count = Math.floor(tree.size / 2 ** level);
    const changed: number[] = [];
    for (let from = 0; from < count; from += LEAF_BATCH) {
      const rows = await db
        .selectFrom("audit_nodes")
        .select(["node_index", "hash"])
        .where("level", "=", level)
        .where("node_index", ">=", from)
        .where("node_index", "<", Math.min(count, from + LEAF_BATCH))
        .execute();
      for (const row of rows)
        if (tree.hashAt(level, Number(row.node_index))?.toString("hex") !== row.hash) changed.push(Number(row.node_index));
    }
    if (changed.length === 0) continue;
    const width = 2 ** level;
    const named = new Map<string, { projectId: string; seq: number; message: string }>();
    for (const index of changed.slice(0, 100)) {
      const leaves = await db
        .selectFrom("audit_leaves")
        .select(["position", "project_id", "seq"])
        .where("position", ">=", index * width)
        .where("position", "<", (index + 1) * width)
        .orderBy("position")
        .execute();
      for (const leaf of leaves) {
        if (named.has(leaf.project_id)) continue;
        named.set(leaf.project_id, {
          projectId: leaf.project_id,
          seq: leaf.seq,
          message: `the log's leaf for event ${leaf.seq} (position ${leaf.position}) sits under a subtree whose hash differs from the one stored when it was logged: this leaf or one beside it was rewritten`,
        });
      }
    }
    return [...named.values()];
  }
  return [];
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

export interface RedactResult {
  /** The redaction record appended to the project's chain. */
  readonly record: StoredEvent;
  /** The project's version after it (the record counts as an event). */
  readonly version: number;
}

/**
 * Erase personal data from one event's payload and append the record of it to the project's chain
 * (one transaction, through the database's onboard_redact_event). With the log's `key` the record
 * is sealed, so it verifies even before a checkpoint covers it. The project's state (a projection)
 * may hold the same data: erase it there as well.
 */
export async function redactEvent(
  database: Database,
  request: RedactRequest,
  options: { readonly key?: SigningKey } = {},
): Promise<RedactResult> {
  return database.db.transaction().execute((trx) => redactEventIn(trx, request, options));
}

/** redactEvent inside the caller's transaction (an erasure redacts many events of a project at once). */
export async function redactEventIn(
  trx: Transaction<Schema>,
  request: RedactRequest,
  options: { readonly key?: SigningKey } = {},
): Promise<RedactResult> {
  const now = instant(request.now);
  if (request.paths.length === 0) throw new AppError("invalid", "name at least one field to redact", { field: "paths" });
  {
    const project = await lockProject(trx, request.projectId);
    if (!project) throw notFound(`project ${request.projectId}`, { projectId: request.projectId });
    const target = await trx
      .selectFrom("events")
      .selectAll()
      .where("project_id", "=", request.projectId)
      .where("seq", "=", request.seq)
      .executeTakeFirst();
    if (!target) throw notFound(`event ${request.seq} of project ${request.projectId}`, { projectId: request.projectId, seq: request.seq });
    if (target.type === "audit.redacted") {
      throw new AppError("invalid", `event ${request.seq} is a redaction record: it holds no personal data`, { field: "seq" });
    }
    let payload: unknown = target.payload;
    for (const path of request.paths) payload = redactAt(payload, path);
    const redactedHash = payloadHash(payload);
    const paths = request.paths.map((p) => [...p]);
    const seal: Seal | undefined = options.key && {
      keyName: options.key.name,
      keyId: options.key.keyId.toString("hex"),
      signature: sign(
        null,
        sealMessage(
          request.projectId,
          { seq: target.seq, hash: target.hash, payloadHash: target.payload_hash },
          { actor: request.by, at: now, reason: request.reason, paths, payloadHash: redactedHash },
        ),
        options.key.privateKey,
      ).toString("base64"),
    };
    const state = project.state as ProjectState;
    const actor = { id: request.by, kind: "user" as const, roles: [] };
    const outcome = runEngine(() =>
      recordRedaction(
        state,
        { seq: request.seq, paths, payloadHash: redactedHash, reason: request.reason, ...(seal ? { seal } : {}) },
        actor,
        now,
      ),
    );
    const chain = chainEvents(
      request.projectId,
      project.version,
      await headHash(trx, request.projectId, project.version),
      outcome.events,
      now,
    );
    const row = chain.rows[0];
    const stored = chain.stored[0];
    if (!row || !stored) throw new AppError("illegal_state", "the redaction produced no record", {});
    const record = { ...row, payload: JSON.parse(row.payload), redacted_at: null, redaction: null };
    await sql`SELECT onboard_redact_event(${request.projectId}, ${request.seq}, ${JSON.stringify(payload)}::jsonb, ${JSON.stringify(record)}::jsonb)`.execute(
      trx,
    );
    const updated = await trx
      .updateTable("projects")
      .set({ state: JSON.stringify(outcome.state), version: outcome.state.version, updated_at: now })
      .where("id", "=", request.projectId)
      .where("version", "=", project.version)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      throw new ConflictError(`project ${request.projectId} changed while it was redacted`, { projectId: request.projectId });
    }
    await recordOutcome(trx, request.projectId, project.version, state, outcome, now, chain.stored);
    return { record: stored, version: outcome.state.version };
  }
}
