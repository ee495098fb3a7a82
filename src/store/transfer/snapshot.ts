// Reading a whole Onboard database as it was at one instant: one REPEATABLE READ READ ONLY
// transaction, so that a copy or backup taken while Onboard runs on the database is consistent
// (every command committed before it began, none after). Rows come a page at a time as the JSON
// text PostgreSQL writes (every type comes back exactly, on any engine); files' bytes as streams
// from wherever the rows say they live.
import type { Readable } from "node:stream";
import { sql, type Transaction } from "kysely";
import { type AuditReport, REDACTED, verifyAudit } from "../audit.ts";
import type { Database } from "../database.ts";
import { isAppError } from "../errors.ts";
import { type FileStoreKind, tableFileStore } from "../files.ts";
import type { Schema } from "../schema.ts";
import { countRows, digestRows, type MigrationStep, migrationLevel, quote, type TableInfo, transferTables } from "./tables.ts";

/** Rows per round trip. */
const PAGE_ROWS = 2_000;
/** Files listed per round trip. */
const FILE_PAGE = 1_000;

export interface TablePage {
  /** A JSON array of the rows, as row_to_json wrote them. */
  readonly text: string;
  readonly rows: number;
}

/** One stored file the rows refer to (several rows may share one in a folder store). */
export interface SourceFile {
  readonly store: FileStoreKind;
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

export interface Snapshot {
  /** The transaction, for what else must see the same instant. */
  readonly db: Transaction<Schema>;
  readonly level: readonly MigrationStep[];
  readonly tables: readonly TableInfo[];
  count(table: TableInfo): Promise<number>;
  digest(table: TableInfo): Promise<string>;
  pages(table: TableInfo): AsyncGenerator<TablePage>;
  /** Files some row not erased refers to; an erased row's bytes are gone or going. */
  files(): AsyncGenerator<SourceFile>;
  countFiles(): Promise<number>;
  /** The file's bytes, or undefined when they are gone (erased after the snapshot began). */
  openFile(file: SourceFile): Promise<Readable | undefined>;
  audit(): Promise<AuditReport>;
}

export interface SnapshotOptions {
  /**
   * The target shares the source's files folder (the move from PGlite into the same data folder):
   * file_chunks travels as rows and no file's bytes are read; rows keep saying where files are.
   */
  readonly filesStay?: boolean;
}

export async function withSnapshot<T>(
  database: Database,
  run: (snapshot: Snapshot) => Promise<T>,
  options: SnapshotOptions = {},
): Promise<T> {
  const filesStay = options.filesStay === true;
  return await database.db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute(async (trx) => {
      // Row text must not depend on the session: timestamps are written in UTC on both sides.
      await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
      const level = await migrationLevel(trx);
      const tables = await transferTables(trx, { fileChunks: filesStay });
      const chunks = tableFileStore(trx);
      return await run({
        db: trx,
        level,
        tables,
        count: (table) => countRows(trx, table.name),
        digest: (table) => digestRows(trx, table),
        pages: (table) => pagesOf(trx, table),
        files: () => (filesStay ? noFiles() : filesOf(trx)),
        async countFiles() {
          if (filesStay) return 0;
          const { rows } = await sql<{ n: number }>`
            SELECT count(DISTINCT (blob_store, blob_key))::int AS n FROM attachments
            WHERE blob_store IS NOT NULL AND blob_key IS NOT NULL AND file_name <> ${REDACTED}`.execute(trx);
          return rows[0]?.n ?? 0;
        },
        async openFile(file) {
          try {
            if (file.store === "table") return await chunks.open(file.key);
            if (database.files.kind === "folder") return await database.files.open(file.key);
            return undefined;
          } catch (error) {
            if (isAppError(error, "not_found")) return undefined;
            throw error;
          }
        },
        audit: () => verifyAudit({ ...database, db: trx }),
      });
    });
}

/**
 * Keyed tables page by their key (each page starts after the last row of the one before, so a
 * large table costs no more per page than a small one); the few without a key by OFFSET, which
 * the snapshot makes stable.
 */
async function* pagesOf(trx: Transaction<Schema>, table: TableInfo): AsyncGenerator<TablePage> {
  const name = sql.raw(quote(table.name));
  const keyed = table.key.length > 0;
  const key = sql.raw(table.key.map(quote).join(", "));
  const order = sql.raw((keyed ? table.key : table.columns).map(quote).join(", "));
  let after: string | undefined;
  for (let offset = 0; ; offset += PAGE_ROWS) {
    const where =
      keyed && after !== undefined ? sql`WHERE (${key}) > (SELECT ${key} FROM json_populate_record(NULL::${name}, ${after}::json))` : sql``;
    const { rows } = await sql<{ page: string; last: string | null; n: number }>`
      SELECT coalesce(json_agg(row_to_json(t))::text, '[]') AS page, (json_agg(row_to_json(t)) -> -1)::text AS last, count(*)::int AS n
      FROM (SELECT * FROM ${name} ${where} ORDER BY ${order} LIMIT ${PAGE_ROWS} ${keyed ? sql`` : sql`OFFSET ${offset}`}) t`.execute(trx);
    const page = rows[0];
    if (!page || page.n === 0) return;
    yield { text: page.page, rows: page.n };
    if (page.n < PAGE_ROWS) return;
    after = page.last ?? undefined;
  }
}

async function* noFiles(): AsyncGenerator<SourceFile> {}

async function* filesOf(trx: Transaction<Schema>): AsyncGenerator<SourceFile> {
  let after: { store: string; key: string } | undefined;
  for (;;) {
    const { rows } = await sql<{ store: FileStoreKind; key: string; sha256: string; size: number }>`
      SELECT blob_store AS store, blob_key AS key, min(sha256) AS sha256, min(size)::int AS size
      FROM attachments
      WHERE blob_store IS NOT NULL AND blob_key IS NOT NULL AND file_name <> ${REDACTED}
        ${after ? sql`AND (blob_store, blob_key) > (${after.store}, ${after.key})` : sql``}
      GROUP BY blob_store, blob_key ORDER BY blob_store, blob_key LIMIT ${FILE_PAGE}`.execute(trx);
    for (const row of rows) yield row;
    const last = rows.at(-1);
    if (!last || rows.length < FILE_PAGE) return;
    after = { store: last.store, key: last.key };
  }
}
