// What moving an Onboard database row by row needs to know about its tables (copy, backup and
// restore share it): which tables and columns travel, in which order foreign keys allow, how they
// page, and a digest of each table's rows that is the same on any engine, so that what arrived can
// be compared with what left.
import { type Kysely, sql } from "kysely";
import type { Schema } from "../schema.ts";

/**
 * Our own bookkeeping, written on both sides: the migrations applied (by migrate()), and which
 * projects' process rollups to replay (by a trigger as the portfolio rows arrive, so the target
 * marks every project it receives).
 */
const NOT_COPIED = new Set(["schema_migrations", "process_dirty"]);
/**
 * The bytes of files kept in the database: they travel as files (snapshot.ts, load.ts) because the
 * target may keep its files in a folder instead; as rows only when both sides share one files folder.
 */
const FILE_CHUNKS = "file_chunks";

/**
 * Columns that say where a row's file lives: rewritten on arrival (the target's store and key), so
 * left out of digests, which compare what the rows mean.
 */
export const LOCATION_COLUMNS: Readonly<Record<string, readonly string[]>> = { attachments: ["blob_store", "blob_key"] };

export interface TableInfo {
  readonly name: string;
  /** Columns the target may be given (not generated ones). */
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly identity: readonly string[];
  /** Tables this one's foreign keys point at. */
  readonly references: readonly string[];
}

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table that travels, referenced tables first, so that foreign keys hold at every insert. */
export async function transferTables(db: Kysely<Schema>, options: { readonly fileChunks?: boolean } = {}): Promise<TableInfo[]> {
  return dependencyOrder(
    (await publicTables(db)).filter((t) => !NOT_COPIED.has(t.name) && (options.fileChunks === true || t.name !== FILE_CHUNKS)),
  );
}

async function publicTables(db: Kysely<Schema>): Promise<TableInfo[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; is_generated: string; is_identity: string }>`
    SELECT table_name, column_name, is_generated, is_identity FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name IN
      (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
    ORDER BY table_name, ordinal_position`.execute(db);
  const { rows: keys } = await sql<{ table_name: string; column_name: string }>`
    SELECT c.relname AS table_name, a.attname AS column_name
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE i.indisprimary AND n.nspname = 'public' ORDER BY c.relname, k.ord`.execute(db);
  const { rows: references } = await sql<{ table_name: string; referenced: string }>`
    SELECT DISTINCT c.relname AS table_name, r.relname AS referenced
    FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class r ON r.oid = f.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE f.contype = 'f' AND n.nspname = 'public'`.execute(db);
  const byName = new Map<string, { columns: string[]; key: string[]; identity: string[]; references: string[] }>();
  for (const c of columns) {
    const entry = byName.get(c.table_name) ?? { columns: [], key: [], identity: [], references: [] };
    if (c.is_generated !== "ALWAYS") entry.columns.push(c.column_name);
    if (c.is_identity === "YES") entry.identity.push(c.column_name);
    byName.set(c.table_name, entry);
  }
  for (const k of keys) byName.get(k.table_name)?.key.push(k.column_name);
  for (const r of references) if (r.referenced !== r.table_name) byName.get(r.table_name)?.references.push(r.referenced);
  return [...byName].map(([name, t]) => ({ name, ...t }));
}

function dependencyOrder(all: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(all.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: TableInfo) => {
    if (state.has(t.name)) return;
    state.set(t.name, "visiting");
    for (const r of t.references) {
      const referenced = byName.get(r);
      if (referenced) visit(referenced);
    }
    state.set(t.name, "done");
    ordered.push(t);
  };
  for (const t of [...all].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return ordered;
}

export async function countRows(db: Kysely<Schema>, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.raw(quote(table))}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The first table of the database (any in `public`, not only Onboard's) that holds rows, if one does. */
export async function firstTableWithRows(db: Kysely<Schema>): Promise<string | undefined> {
  for (const table of await publicTables(db)) {
    if (table.name === "schema_migrations") continue;
    const { rows } = await sql<{ any: boolean }>`SELECT EXISTS (SELECT 1 FROM ${sql.raw(quote(table.name))}) AS any`.execute(db);
    if (rows[0]?.any) return table.name;
  }
  return undefined;
}

/**
 * A digest of every row's JSON text (timestamps in UTC: the caller's transaction sets it), in the
 * byte order of that text: the same rows give the same digest on any engine and collation.
 */
export async function digestRows(db: Kysely<Schema>, table: TableInfo): Promise<string> {
  const left = new Set(LOCATION_COLUMNS[table.name] ?? []);
  const from =
    left.size === 0
      ? sql.raw(`${quote(table.name)} t`)
      : sql.raw(
          `(SELECT ${table.columns
            .filter((c) => !left.has(c))
            .map(quote)
            .join(", ")} FROM ${quote(table.name)}) t`,
        );
  const { rows } = await sql<{ d: string | null }>`
    SELECT md5(string_agg(r, E'\\n' ORDER BY r COLLATE "C")) AS d
    FROM (SELECT row_to_json(t)::text AS r FROM ${from}) rows`.execute(db);
  return rows[0]?.d ?? "";
}

export interface MigrationStep {
  readonly version: number;
  readonly checksum: string;
}

/** The migrations a database has had, in order. */
export async function migrationLevel(db: Kysely<Schema>): Promise<MigrationStep[]> {
  const { rows: exists } = await sql<{ exists: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`.execute(db);
  if (!exists[0]?.exists) return [];
  const rows = await db.selectFrom("schema_migrations").select(["version", "checksum"]).orderBy("version").execute();
  return rows.map((r) => ({ version: r.version, checksum: r.checksum }));
}
