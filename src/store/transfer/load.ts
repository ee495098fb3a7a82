// Writing what a snapshot (or a backup of one) holds into an empty Onboard database, in ONE
// transaction: a load that fails half-way leaves the database as empty as it was. Rows arrive as
// pages of JSON text and are rebuilt by json_populate_recordset; files arrive as byte streams and
// go to the target's own store (its folder, or file_chunks on PostgreSQL), each checked against
// the SHA-256 and size its rows recorded at upload, and the rows are told where the file now lives.
import { randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { type AuditReport, verifyAudit } from "../audit.ts";
import type { Database } from "../database.ts";
import { AppError } from "../errors.ts";
import { type FileStore, type StoredFile, tableFileStore } from "../files.ts";
import type { Schema } from "../schema.ts";
import type { SourceFile } from "./snapshot.ts";
import { countRows, quote, type TableInfo } from "./tables.ts";

export interface Loader {
  /** The transaction, to verify what was loaded before it commits. */
  readonly db: Transaction<Schema>;
  /** Insert one page of rows; returns how many. */
  insertPage(table: TableInfo, text: string): Promise<number>;
  /** After a table's last page: its identity sequences continue after the highest value loaded. */
  finishTable(table: TableInfo): Promise<void>;
  /** Store one file's bytes in the target's store and point the rows that refer to it there. */
  putFile(file: SourceFile, bytes: AsyncIterable<Uint8Array>): Promise<void>;
  count(table: TableInfo): Promise<number>;
  /** The audit trail as loaded, before the commit. */
  audit(): Promise<AuditReport>;
}

export async function loadInto<T>(target: Database, run: (loader: Loader) => Promise<T>): Promise<T> {
  return await target.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL timezone = 'UTC'`.execute(trx);
    // Bytes go to file_chunks in this transaction when the target keeps files in its database.
    const store: FileStore = target.files.kind === "table" ? tableFileStore(trx) : target.files;
    return await run({
      db: trx,
      async insertPage(table, text) {
        const columns = sql.raw(table.columns.map(quote).join(", "));
        const name = sql.raw(quote(table.name));
        const overriding = table.identity.length > 0 ? sql.raw("OVERRIDING SYSTEM VALUE") : sql.raw("");
        const result = await sql`
          INSERT INTO ${name} (${columns}) ${overriding}
          SELECT ${columns} FROM json_populate_recordset(NULL::${name}, ${text}::json)`.execute(trx);
        return Number(result.numAffectedRows ?? 0);
      },
      async finishTable(table) {
        for (const column of table.identity) {
          await sql`SELECT setval(pg_get_serial_sequence(${table.name}, ${column}), coalesce(max(${sql.raw(quote(column))}), 0) + 1, false)
            FROM ${sql.raw(quote(table.name))}`.execute(trx);
        }
      },
      putFile: (file, bytes) => putFile(trx, store, file, bytes),
      count: (table) => countRows(trx, table.name),
      audit: () => verifyAudit({ ...target, db: trx }),
    });
  });
}

async function putFile(trx: Transaction<Schema>, store: FileStore, file: SourceFile, bytes: AsyncIterable<Uint8Array>): Promise<void> {
  // Read before any row moves: a row this file's move points elsewhere no longer matches.
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM attachments WHERE blob_store = ${file.store} AND blob_key = ${file.key} ORDER BY id`.execute(trx);
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) throw new AppError("invalid", `file ${file.key} (${file.store}) arrived, but no loaded row refers to it`);
  await store.put(bytes, async (stored: StoredFile) => {
    if (stored.sha256 !== file.sha256 || stored.size !== file.size) {
      throw new AppError(
        "conflict",
        `file ${file.key} arrived with SHA-256 ${stored.sha256} and ${stored.size} bytes; its rows recorded ${file.sha256} and ${file.size} bytes`,
        { key: file.key },
      );
    }
    const [first, ...others] = ids;
    await relocate(trx, first as string, stored);
    for (const id of others) {
      if (stored.store === "folder") {
        // The folder keeps one copy per content, shared by every row with those bytes.
        await relocate(trx, id, stored);
        continue;
      }
      // The chunk table keeps one copy per row: erasing one row's file removes its chunks by key.
      const key = randomUUID();
      await sql`INSERT INTO file_chunks (blob_key, seq, bytes) SELECT ${key}, seq, bytes FROM file_chunks WHERE blob_key = ${stored.key}`.execute(
        trx,
      );
      await relocate(trx, id, { ...stored, key });
    }
  });
}

async function relocate(trx: Transaction<Schema>, id: string, stored: StoredFile): Promise<void> {
  await sql`UPDATE attachments SET blob_store = ${stored.store}, blob_key = ${stored.key} WHERE id = ${id}`.execute(trx);
}
