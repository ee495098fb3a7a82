// Copy every row and every file of one Onboard database into another, empty one at the same
// migration level, and prove the copy. The source is read in one snapshot (transfer/snapshot.ts),
// so Onboard may keep running on it; the target is written in one transaction (transfer/load.ts),
// which commits only once it matches the snapshot: per table the row count and a digest of every
// row's text, every file's SHA-256, and an audit trail that verifies on both sides.
import type { AuditReport } from "./audit.ts";
import type { Database } from "./database.ts";
import { AppError } from "./errors.ts";
import { type Loader, loadInto } from "./transfer/load.ts";
import type { Snapshot } from "./transfer/snapshot.ts";
import { withSnapshot } from "./transfer/snapshot.ts";
import { digestRows, firstTableWithRows, type MigrationStep, migrationLevel } from "./transfer/tables.ts";

export interface TableCopy {
  readonly table: string;
  readonly rows: number;
}

export interface CopyReport {
  readonly tables: readonly TableCopy[];
  readonly rows: number;
  readonly events: number;
  /** Files copied (each SHA-256 checked on arrival) and their bytes. */
  readonly files: number;
  readonly fileBytes: number;
  /** Files whose bytes were gone when read: erased after the snapshot began. */
  readonly filesGone: number;
  /** The audit trail as verified in the snapshot and in the copy. */
  readonly audit: { readonly source: AuditReport; readonly target: AuditReport };
}

export interface CopyOptions {
  /** Told after each page: the table and how many of its rows are copied so far. */
  readonly progress?: (table: string, copied: number, total: number) => void;
  /** Both databases keep files in one folder (the move from PGlite): rows keep pointing at it. */
  readonly filesStay?: boolean;
}

const sameLevel = (a: readonly MigrationStep[], b: readonly MigrationStep[]) =>
  a.length === b.length && a.every((m, i) => m.version === b[i]?.version && m.checksum === b[i]?.checksum);

/** Refuse a target that holds rows, naming a table that has some. */
export async function assertEmpty(target: Database): Promise<void> {
  const table = await firstTableWithRows(target.db);
  if (table !== undefined) {
    throw new AppError(
      "conflict",
      `the target database ${target.description} is not empty (table ${table} has rows): copy or restore into a new, empty database`,
      { table },
    );
  }
}

/** Copy everything from `source` into the empty `target`, then verify. Both must be migrated to the same level. */
export async function copyDatabase(source: Database, target: Database, options: CopyOptions = {}): Promise<CopyReport> {
  await assertEmpty(target);
  const targetLevel = await migrationLevel(target.db);
  const snapshotOptions = { filesStay: options.filesStay === true };
  return await withSnapshot(
    source,
    async (snapshot) => {
      if (!sameLevel(snapshot.level, targetLevel)) {
        throw new AppError(
          "conflict",
          `the two databases are at different migration levels (source ${snapshot.level.length}, target ${targetLevel.length}): open both with the same Onboard first`,
        );
      }
      return await loadInto(target, async (loader) => {
        const tables: TableCopy[] = [];
        for (const table of snapshot.tables) {
          const total = await snapshot.count(table);
          let done = 0;
          for await (const page of snapshot.pages(table)) {
            done += await loader.insertPage(table, page.text);
            options.progress?.(table.name, done, total);
          }
          if (total === 0) options.progress?.(table.name, 0, 0);
          await loader.finishTable(table);
          tables.push({ table: table.name, rows: done });
        }
        const files = await copyFiles(snapshot, loader, options);
        await verifyTables(snapshot, loader);
        const audit = await verifyAuditBoth(snapshot, loader);
        return {
          tables,
          rows: tables.reduce((n, t) => n + t.rows, 0),
          events: tables.find((t) => t.table === "events")?.rows ?? 0,
          ...files,
          audit,
        };
      });
    },
    snapshotOptions,
  );
}

async function copyFiles(snapshot: Snapshot, loader: Loader, options: CopyOptions) {
  const total = await snapshot.countFiles();
  let files = 0;
  let fileBytes = 0;
  let filesGone = 0;
  for await (const file of snapshot.files()) {
    const bytes = await snapshot.openFile(file);
    if (bytes === undefined) filesGone++;
    else {
      await loader.putFile(file, bytes);
      files++;
      fileBytes += file.size;
    }
    options.progress?.("files", files + filesGone, total);
  }
  return { files, fileBytes, filesGone };
}

async function verifyTables(snapshot: Snapshot, loader: Loader): Promise<void> {
  for (const table of snapshot.tables) {
    const [from, to] = [await snapshot.count(table), await loader.count(table)];
    if (from !== to) throw new AppError("conflict", `the copy of ${table.name} has ${to} rows, the source ${from}`, { table: table.name });
    if ((await snapshot.digest(table)) !== (await digestRows(loader.db, table)))
      throw new AppError("conflict", `the copy of ${table.name} differs from the source`, { table: table.name });
  }
}

async function verifyAuditBoth(snapshot: Snapshot, loader: Loader) {
  const source = await snapshot.audit();
  const copied = await loader.audit();
  if (source.intact && !copied.intact) throw new AppError("conflict", "the audit trail verifies on the source but not on the copy");
  if (source.events !== copied.events)
    throw new AppError("conflict", `the copy's audit trail has ${copied.events} events, the source's ${source.events}`);
  return { source, target: copied };
}
