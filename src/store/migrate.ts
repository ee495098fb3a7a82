// Numbered plain SQL migrations (migrations/0001_initial.sql, ...), applied at open. All of them run
// in one transaction that first takes a transaction-scoped advisory lock, so two processes starting
// at once queue: the second sees the first's work when it gets the lock and applies nothing.
// A process that must not change the schema (MIGRATIONS=off) only reads where the database stands
// (schemaStatus) and refuses to run when it is behind or ahead (requireCurrentSchema).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { type Kysely, sql, type Transaction } from "kysely";
import { AppError } from "./errors.ts";
import type { Schema } from "./schema.ts";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
/** "Onbo" as an int: the key of the advisory lock every migrating process takes. */
const MIGRATION_LOCK = 0x4f6e626f;

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) continue;
    const text = await readFile(new URL(file, dir), "utf8");
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: text,
      checksum: createHash("sha256").update(text).digest("hex"),
    });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${migrationFile(m)} is out of sequence: expected number ${i + 1}`);
  });
  return migrations;
}

/** The file name of a migration, for messages and listings (0022_session_authentication.sql). */
export function migrationFile(m: Pick<Migration, "version" | "name">): string {
  return `${String(m.version).padStart(4, "0")}_${m.name}.sql`;
}

/**
 * Split a script into statements for drivers that run one statement per query (PGlite's extended
 * protocol). Semicolons inside quotes, dollar-quoted bodies and comments do not split.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, "").trim() !== "") statements.push(text);
  };
  while (i < script.length) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      i = end < 0 ? script.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end < 0 ? script.length : end + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < script.length && !(script[j] === c && script[j + 1] !== c)) j += script[j] === c ? 2 : 1;
      i = j + 1;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0];
      if (tag) {
        const end = script.indexOf(tag, i + tag.length);
        i = end < 0 ? script.length : end + tag.length;
      } else i++;
    } else if (c === ";") {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(script.length);
  return statements;
}

async function appliedVersions(trx: Transaction<Schema> | Kysely<Schema>): Promise<Map<number, string>> {
  const rows = await trx.selectFrom("schema_migrations").select(["version", "checksum"]).execute();
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

/** Where a database stands against the migrations this Onboard knows (`onboard db status`, MIGRATIONS=off). */
export interface SchemaStatus {
  /** The highest migration the database has applied; 0: none (an empty database). */
  readonly applied: number;
  /** The highest migration this Onboard knows: what it needs. */
  readonly needed: number;
  readonly pending: readonly Migration[];
  /** Migrations the database has and this Onboard does not know: a newer Onboard applied them. */
  readonly unknown: readonly number[];
  /** Migrations whose file changed after the database applied it. */
  readonly changed: readonly Migration[];
}

function statusOf(migrations: readonly Migration[], applied: ReadonlyMap<number, string>): SchemaStatus {
  const unknown = [...applied.keys()].filter((version) => !migrations.some((m) => m.version === version)).sort((a, b) => a - b);
  return {
    applied: Math.max(0, ...applied.keys()),
    needed: Math.max(0, ...migrations.map((m) => m.version)),
    pending: migrations.filter((m) => !applied.has(m.version)),
    unknown,
    changed: migrations.filter((m) => applied.has(m.version) && applied.get(m.version) !== m.checksum),
  };
}

/** Why this Onboard cannot use the database as it is, whether or not it may migrate; undefined: it can. */
function incompatibility(status: SchemaStatus): string | undefined {
  if (status.unknown.length > 0) {
    return `the database is at migration ${status.applied}, which this Onboard does not know (it knows migrations up to ${status.needed}; unknown: ${status.unknown.join(", ")}): upgrade Onboard`;
  }
  const [changed] = status.changed;
  if (changed) return `migration ${migrationFile(changed)} was changed after it was applied: add a new migration instead`;
  return undefined;
}

function check(migrations: readonly Migration[], applied: ReadonlyMap<number, string>): void {
  const status = statusOf(migrations, applied);
  const refusal = incompatibility(status);
  if (refusal !== undefined) {
    throw new AppError("illegal_state", refusal, { applied: status.applied, needed: status.needed, unknown: status.unknown });
  }
}

/** Apply every pending migration; returns the versions applied by this call. */
export async function migrate(db: Kysely<Schema>, migrations?: readonly Migration[]): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    // Created only when missing: a least-privileged application role (db grant-app-role) may not
    // create tables, yet opens an up-to-date database through here.
    const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`.execute(trx);
    if (!rows[0]?.exists)
      await sql`CREATE TABLE schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.execute(trx);
    const applied = await appliedVersions(trx);
    check(all, applied);
    const done: number[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await sql.raw(statement).execute(trx);
      await trx
        .insertInto("schema_migrations")
        .values({ version: migration.version, name: migration.name, checksum: migration.checksum })
        .execute();
      done.push(migration.version);
    }
    return done;
  });
}

/** Migrations not yet applied, without changing anything (for read-only tools such as `audit verify`). */
export async function pendingMigrations(db: Kysely<Schema>, migrations?: readonly Migration[]): Promise<Migration[]> {
  const all = migrations ?? (await loadMigrations());
  const applied = await appliedOrNone(db);
  check(all, applied);
  return all.filter((m) => !applied.has(m.version));
}

async function appliedOrNone(db: Kysely<Schema>): Promise<Map<number, string>> {
  const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`.execute(db);
  return rows[0]?.exists ? appliedVersions(db) : new Map();
}

/** Where the database stands, changing nothing and refusing nothing (`onboard db status`). */
export async function schemaStatus(db: Kysely<Schema>, migrations?: readonly Migration[]): Promise<SchemaStatus> {
  return statusOf(migrations ?? (await loadMigrations()), await appliedOrNone(db));
}

/**
 * For a process that must not change the schema (MIGRATIONS=off): refuses a database that is
 * behind (pending migrations) or ahead (unknown ones), saying which versions and what to do.
 */
export async function requireCurrentSchema(db: Kysely<Schema>, migrations?: readonly Migration[]): Promise<SchemaStatus> {
  const status = await schemaStatus(db, migrations);
  const refusal =
    incompatibility(status) ??
    (status.pending.length > 0
      ? `the database is at migration ${status.applied}, this Onboard needs ${status.needed}: run \`onboard db migrate\` or start one process with MIGRATIONS=auto`
      : undefined);
  if (refusal !== undefined) {
    throw new AppError("illegal_state", refusal, { applied: status.applied, needed: status.needed, unknown: status.unknown });
  }
  return status;
}
