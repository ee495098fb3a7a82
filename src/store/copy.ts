// Copy every row of one Onboard database into another, empty one at the same migration level, and
// prove the copy: per table, the row count and a digest of every row's text must match on both
// sides, and the audit trail must verify on both. Rows travel as JSON and are rebuilt by the
// target with json_populate_recordset, so every type (bytea, jsonb, timestamps, arrays) comes back
// exactly as PostgreSQL wrote it, whichever engine (PGlite or a server) is on either side.
import { type Kysely, sql } from "kysely";
import { verifyAudit } from "./audit.ts";
import type { Database } from "./database.ts";
import { AppError } from "./errors.ts";
import type { Schema } from "./schema.ts";

/** Rows per round trip. */
const PAGE_ROWS = 2_000;
/** Our own bookkeeping, written by migrate() on both sides. */
const NOT_COPIED = new Set(["schema_migrations"]);

export interface TableCopy {
  readonly table: string;
  readonly rows: number;
}

export interface CopyReport {
  readonly tables: readonly TableCopy[];
  readonly rows: number;
  readonly events: number;
}

export interface CopyOptions {
  /** Told after each page: the table and how many of its rows are copied so far. */
  readonly progress?: (table: string, copied: number, total: number) => void;
}

interface TableInfo {
  readonly name: string;
  /** Columns the target may be given (not generated ones). */
  readonly columns: readonly string[];
  readonly key: readonly string[];
  readonly identity: readonly string[];
  /** Tables this one's foreign keys point at. */
  readonly references: readonly string[];
}

/** Row text must not depend on the session: timestamps are written in UTC on both sides. */
async function inUtc<T>(db: Kysely<Schema>, run: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  return await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
    return await run(trx);
  });
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function tables(db: Kysely<Schema>): Promise<TableInfo[]> {
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
    if (NOT_COPIED.has(c.table_name)) continue;
    const entry = byName.get(c.table_name) ?? { columns: [], key: [], identity: [], references: [] };
    if (c.is_generated !== "ALWAYS") entry.columns.push(c.column_name);
    if (c.is_identity === "YES") entry.identity.push(c.column_name);
    byName.set(c.table_name, entry);
  }
  for (const k of keys) byName.get(k.table_name)?.key.push(k.column_name);
  for (const r of references) if (r.referenced !== r.table_name) byName.get(r.table_name)?.references.push(r.referenced);
  return [...byName].map(([name, t]) => ({ name, ...t }));
}

/** Referenced tables first, so that foreign keys hold at every insert. */
function dependencyOrder(all: readonly TableInfo[]): TableInfo[] {
  const byName = new Map(all.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: TableInfo) => {
    if (state.get(t.name) === "done" || state.get(t.name) === "visiting") return;
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

async function count(db: Kysely<Schema>, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.raw(quote(table))}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** A digest of every row's JSON text in key order: the same rows give the same digest on any engine. */
async function digest(db: Kysely<Schema>, table: TableInfo): Promise<string> {
  const order = (table.key.length > 0 ? table.key : table.columns).map(quote).join(", ");
  const { rows } = await inUtc(db, (trx) =>
    sql<{ d: string | null }>`
    SELECT md5(string_agg(row_to_json(t)::text, E'\\n' ORDER BY ${sql.raw(order)})) AS d
    FROM ${sql.raw(quote(table.name))} t`.execute(trx),
  );
  return rows[0]?.d ?? "";
}

async function migrationLevel(db: Kysely<Schema>): Promise<string> {
  const rows = await db.selectFrom("schema_migrations").select(["version", "checksum"]).orderBy("version").execute();
  return rows.map((r) => `${r.version}:${r.checksum}`).join(",");
}

/** Copy everything from `source` into the empty `target`, then verify. Both must be migrated to the same level. */
export async function copyDatabase(source: Database, target: Database, options: CopyOptions = {}): Promise<CopyReport> {
  if ((await migrationLevel(source.db)) !== (await migrationLevel(target.db))) {
    throw new AppError("conflict", "the two databases are at different migration levels: open both with the same Onboard first");
  }
  const all = dependencyOrder(await tables(source.db));
  for (const table of all) {
    if ((await count(target.db, table.name)) > 0) {
      throw new AppError("conflict", `the target database is not empty (table ${table.name} has rows): copy into a new, empty database`, {
        table: table.name,
      });
    }
  }
  const copied: TableCopy[] = [];
  // One transaction: a copy that fails half-way leaves the target as empty as it was.
  await target.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
    for (const table of all) {
      const total = await count(source.db, table.name);
      const columns = table.columns.map(quote).join(", ");
      const order = (table.key.length > 0 ? table.key : table.columns).map(quote).join(", ");
      const overriding = table.identity.length > 0 ? sql.raw("OVERRIDING SYSTEM VALUE") : sql.raw("");
      const name = sql.raw(quote(table.name));
      const keyed = table.key.length > 0;
      const key = sql.raw(table.key.map(quote).join(", "));
      let done = 0;
      // Keyed tables page by their key (each page starts after the last row of the one before, so a
      // large table costs no more per page than a small one); the few without a key by OFFSET. The
      // source is not written meanwhile (its folder is locked, or the operator stopped it).
      let after: string | undefined;
      for (let offset = 0; offset < total; offset += PAGE_ROWS) {
        const where =
          keyed && after !== undefined
            ? sql`WHERE (${key}) > (SELECT ${key} FROM json_populate_record(NULL::${name}, ${after}::json))`
            : sql``;
        const { rows } = await inUtc(source.db, (db) =>
          sql<{ page: string; last: string | null }>`
          SELECT coalesce(json_agg(row_to_json(t))::text, '[]') AS page, (json_agg(row_to_json(t)) -> -1)::text AS last FROM (
            SELECT * FROM ${name} ${where} ORDER BY ${sql.raw(order)} LIMIT ${PAGE_ROWS} ${keyed ? sql`` : sql`OFFSET ${offset}`}
          ) t`.execute(db),
        );
        const page = rows[0]?.page ?? "[]";
        after = rows[0]?.last ?? undefined;
        const result = await sql`
          INSERT INTO ${name} (${sql.raw(columns)}) ${overriding}
          SELECT ${sql.raw(columns)} FROM json_populate_recordset(NULL::${name}, ${page}::json)`.execute(trx);
        done += Number(result.numAffectedRows ?? 0);
        options.progress?.(table.name, done, total);
        if (after === undefined) break;
      }
      for (const column of table.identity) {
        await sql`SELECT setval(pg_get_serial_sequence(${table.name}, ${column}), coalesce(max(${sql.raw(quote(column))}), 0) + 1, false)
          FROM ${sql.raw(quote(table.name))}`.execute(trx);
      }
      copied.push({ table: table.name, rows: done });
    }
  });
  await verifyCopy(source, target, all);
  return { tables: copied, rows: copied.reduce((n, t) => n + t.rows, 0), events: copied.find((t) => t.table === "events")?.rows ?? 0 };
}

async function verifyCopy(source: Database, target: Database, all: readonly TableInfo[]): Promise<void> {
  for (const table of all) {
    const [from, to] = await Promise.all([count(source.db, table.name), count(target.db, table.name)]);
    if (from !== to) throw new AppError("conflict", `the copy of ${table.name} has ${to} rows, the source ${from}`, { table: table.name });
    const [a, b] = await Promise.all([digest(source.db, table), digest(target.db, table)]);
    if (a !== b) throw new AppError("conflict", `the copy of ${table.name} differs from the source`, { table: table.name });
  }
  const [before, after] = [await verifyAudit(source), await verifyAudit(target)];
  if (before.intact && !after.intact) throw new AppError("conflict", "the audit trail verifies on the source but not on the copy");
  if (before.events !== after.events)
    throw new AppError("conflict", `the copy's audit trail has ${after.events} events, the source's ${before.events}`);
}
