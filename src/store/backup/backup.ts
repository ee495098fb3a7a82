// `onboard backup`: a consistent logical snapshot of an Onboard database in one file, taken while
// Onboard runs (transfer/snapshot.ts: one REPEATABLE READ transaction). Records, in order (see
// format.ts for the framing):
//   header   format, version, created at, the source, its migration level (versions + checksums)
//   table    a table's name, columns and row count; then its pages (JSON rows, dependency order)
//   file     a stored file's store, key, SHA-256 and size; then its chunks; then file-end
//   trailer  per table: rows and the md5 digest of its rows (transfer/tables.ts); files; events
import { createHash } from "node:crypto";
import type { Database } from "../database.ts";
import { AppError } from "../errors.ts";
import { withSnapshot } from "../transfer/snapshot.ts";
import type { MigrationStep } from "../transfer/tables.ts";
import { BackupWriter } from "./format.ts";

export const BACKUP_FORMAT = "onboard-backup";
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  readonly kind: "header";
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly createdAt: string;
  readonly source: string;
  readonly level: readonly MigrationStep[];
}

export interface TableSummary {
  readonly name: string;
  readonly rows: number;
  readonly digest: string;
}

export interface BackupTrailer {
  readonly kind: "trailer";
  readonly tables: readonly TableSummary[];
  readonly files: number;
  readonly fileBytes: number;
  /** Files whose bytes were gone when read: erased after the snapshot began. */
  readonly filesGone: number;
  readonly events: number;
  readonly auditIntact: boolean;
  /** Events the audit trail verified (every project's chain). */
  readonly auditEvents: number;
}

export interface BackupOptions {
  readonly now?: Date;
  readonly progress?: (table: string, done: number, total: number) => void;
}

export async function writeBackup(database: Database, path: string, options: BackupOptions = {}): Promise<BackupTrailer> {
  return await withSnapshot(database, async (snapshot) => {
    const writer = await BackupWriter.create(path);
    try {
      const header: BackupHeader = {
        kind: "header",
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: (options.now ?? new Date()).toISOString(),
        source: database.description,
        level: snapshot.level,
      };
      await writer.record(header);
      const tables: TableSummary[] = [];
      for (const table of snapshot.tables) {
        const total = await snapshot.count(table);
        await writer.record({ kind: "table", name: table.name, columns: table.columns, rows: total });
        let done = 0;
        for await (const page of snapshot.pages(table)) {
          await writer.record({ kind: "page", table: table.name, rows: page.rows }, Buffer.from(page.text, "utf8"));
          done += page.rows;
          options.progress?.(table.name, done, total);
        }
        if (total === 0) options.progress?.(table.name, 0, 0);
        if (done !== total)
          throw new AppError("illegal_state", `read ${done} rows of ${table.name} in the snapshot, which counts ${total}`);
        tables.push({ name: table.name, rows: total, digest: await snapshot.digest(table) });
      }
      const totalFiles = await snapshot.countFiles();
      let files = 0;
      let fileBytes = 0;
      let filesGone = 0;
      for await (const file of snapshot.files()) {
        const bytes = await snapshot.openFile(file);
        if (bytes === undefined) filesGone++;
        else {
          await writer.record({ kind: "file", store: file.store, key: file.key, sha256: file.sha256, size: file.size });
          const hash = createHash("sha256");
          let size = 0;
          for await (const chunk of bytes as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.length;
            await writer.record({ kind: "chunk" }, chunk);
          }
          const sha256 = hash.digest("hex");
          if (sha256 !== file.sha256 || size !== file.size)
            throw new AppError(
              "conflict",
              `the bytes of file ${file.key} no longer match the SHA-256 and size its rows recorded at upload`,
              {
                key: file.key,
              },
            );
          await writer.record({ kind: "file-end", sha256, size });
          files++;
          fileBytes += size;
        }
        options.progress?.("files", files + filesGone, totalFiles);
      }
      const audit = await snapshot.audit();
      const trailer: BackupTrailer = {
        kind: "trailer",
        tables,
        files,
        fileBytes,
        filesGone,
        events: tables.find((t) => t.name === "events")?.rows ?? 0,
        auditIntact: audit.intact,
        auditEvents: audit.events,
      };
      await writer.record(trailer);
      await writer.finish();
      return trailer;
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}
