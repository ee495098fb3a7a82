// `onboard restore`: a backup file (backup.ts) into an empty database. The database is migrated to
// the backup's level, loaded in one transaction that commits only when every table's count and
// digest, the file count and the audit trail match the trailer, and then migrated to this
// Onboard's level (a backup from an older Onboard restores into a newer one; one from a newer
// Onboard is refused).
import { type AuditReport, verifyAudit } from "../audit.ts";
import { assertEmpty } from "../copy.ts";
import type { Database } from "../database.ts";
import { AppError } from "../errors.ts";
import { loadMigrations, type Migration, migrate } from "../migrate.ts";
import { type Loader, loadInto } from "../transfer/load.ts";
import { digestRows, type MigrationStep, migrationLevel, type TableInfo, transferTables } from "../transfer/tables.ts";
import { BACKUP_FORMAT, BACKUP_VERSION, type BackupHeader, type BackupTrailer } from "./backup.ts";
import { BackupReader, type RecordHead } from "./format.ts";

export interface RestoreReport {
  readonly header: BackupHeader;
  readonly trailer: BackupTrailer;
  /** Migrations of this Onboard applied after the load. */
  readonly migrated: readonly number[];
  readonly audit: AuditReport;
}

export interface RestoreOptions {
  readonly progress?: (table: string, done: number, total: number) => void;
}

function invalid(reader: BackupReader, why: string): AppError {
  return new AppError(
    "invalid",
    `the backup file ${reader.path} is damaged or incomplete (${why}): it cannot be restored; use another backup`,
  );
}

/** The migrations this Onboard has for a level, or why the level is not one of its own. */
export function migrationsFor(level: readonly MigrationStep[], known: readonly Migration[]): Migration[] {
  const newest = known.at(-1)?.version ?? 0;
  for (const [i, step] of level.entries()) {
    const mine = known[i];
    if (step.version > newest || mine === undefined) {
      throw new AppError(
        "conflict",
        `it was made by a newer Onboard (migration ${step.version}; this one knows ${newest}): upgrade Onboard`,
      );
    }
    if (mine.version !== step.version || mine.checksum !== step.checksum) {
      throw new AppError("conflict", `its migration ${step.version} differs from this Onboard's: restore it with the Onboard that made it`);
    }
  }
  return known.slice(0, level.length);
}

/** Read only the header: what the file is and which Onboard made it. */
export async function readBackupHeader(path: string): Promise<BackupHeader> {
  const reader = await BackupReader.open(path);
  try {
    return headerOf(reader, (await reader.next())?.head);
  } finally {
    reader.close();
  }
}

function headerOf(reader: BackupReader, head: RecordHead | undefined): BackupHeader {
  if (head?.kind !== "header" || head.format !== BACKUP_FORMAT) throw invalid(reader, "no Onboard backup header");
  if (head.version !== BACKUP_VERSION)
    throw new AppError("conflict", `the backup's format version ${String(head.version)} is not one this Onboard reads: upgrade Onboard`);
  return head as unknown as BackupHeader;
}

export async function restoreBackup(path: string, target: Database, options: RestoreOptions = {}): Promise<RestoreReport> {
  const reader = await BackupReader.open(path);
  try {
    const header = headerOf(reader, (await reader.next())?.head);
    const known = await loadMigrations();
    const level = migrationsFor(header.level, known);
    await assertEmpty(target);
    const present = await migrationLevel(target.db);
    if (present.length > level.length || present.some((m, i) => level[i]?.checksum !== m.checksum)) {
      throw new AppError(
        "conflict",
        `the target database is at a different migration level (${present.length}) than the backup (${level.length}): restore into a new database`,
      );
    }
    await migrate(target.db, level);
    const byName = new Map((await transferTables(target.db)).map((t) => [t.name, t]));
    const trailer = await loadInto(target, (loader) => load(reader, loader, byName, options)).catch(async (error: unknown) => {
      throw (await reader.damage()) ?? error;
    });
    const migrated = await migrate(target.db, known);
    return { header, trailer, migrated, audit: await verifyAudit(target) };
  } finally {
    reader.close();
  }
}

async function load(
  reader: BackupReader,
  loader: Loader,
  byName: ReadonlyMap<string, TableInfo>,
  options: RestoreOptions,
): Promise<BackupTrailer> {
  const loaded = new Map<string, number>();
  let table: TableInfo | undefined;
  let total = 0;
  let files = 0;
  let finished = false;
  for (;;) {
    const record = await reader.next();
    if (record === undefined) throw invalid(reader, "it ends before its trailer");
    const { head, payload } = record;
    if (head.kind === "table") {
      table = byName.get(String(head.name));
      if (table === undefined) throw invalid(reader, `table ${String(head.name)}, which its migration level does not have`);
      total = Number(head.rows);
      loaded.set(table.name, 0);
      if (total === 0) options.progress?.(table.name, 0, 0);
    } else if (head.kind === "page") {
      if (table === undefined || head.table !== table.name || payload === undefined) throw invalid(reader, "a page outside its table");
      const done = (loaded.get(table.name) ?? 0) + (await loader.insertPage(table, payload.toString("utf8")));
      loaded.set(table.name, done);
      options.progress?.(table.name, done, total);
    } else if (head.kind === "file" || head.kind === "trailer") {
      if (!finished) for (const t of byName.values()) await loader.finishTable(t);
      finished = true;
      if (head.kind === "trailer") {
        if ((await reader.next()) !== undefined) throw invalid(reader, "records after its trailer");
        const trailer = head as unknown as BackupTrailer;
        await verify(reader, trailer, byName, loaded, files, loader);
        return trailer;
      }
      const file = {
        store: head.store === "table" ? "table" : "folder",
        key: String(head.key),
        sha256: String(head.sha256),
        size: Number(head.size),
      } as const;
      await loader.putFile(file, chunksOf(reader));
      files++;
      options.progress?.("files", files, files);
    } else throw invalid(reader, `a record of unknown kind ${head.kind}`);
  }
}

/** A file's bytes: its chunk records up to its file-end. */
async function* chunksOf(reader: BackupReader): AsyncGenerator<Uint8Array> {
  for (;;) {
    const record = await reader.next();
    if (record === undefined) throw invalid(reader, "it ends inside a file");
    if (record.head.kind === "file-end") return;
    if (record.head.kind !== "chunk" || record.payload === undefined) throw invalid(reader, "a file interrupted");
    yield record.payload;
  }
}

async function verify(
  reader: BackupReader,
  trailer: BackupTrailer,
  tables: ReadonlyMap<string, TableInfo>,
  loaded: ReadonlyMap<string, number>,
  files: number,
  loader: Loader,
): Promise<void> {
  if (!Array.isArray(trailer.tables)) throw invalid(reader, "a trailer without tables");
  if (trailer.tables.length !== loaded.size)
    throw invalid(reader, `${loaded.size} tables where the trailer names ${trailer.tables.length}`);
  for (const summary of trailer.tables) {
    const table = tables.get(summary.name);
    if (table === undefined || !loaded.has(summary.name)) throw invalid(reader, `table ${summary.name} is missing`);
    if (loaded.get(summary.name) !== summary.rows)
      throw invalid(reader, `${loaded.get(summary.name)} rows of ${summary.name} where the trailer counts ${summary.rows}`);
    if ((await digestRows(loader.db, table)) !== summary.digest)
      throw invalid(reader, `the rows of ${summary.name} differ from its digest`);
  }
  if (files !== trailer.files) throw invalid(reader, `${files} files where the trailer counts ${trailer.files}`);
  const audit = await loader.audit();
  if (trailer.auditIntact && !audit.intact) throw invalid(reader, "the audit trail verified when backed up, and does not now");
  if (audit.events !== trailer.auditEvents)
    throw invalid(reader, `${audit.events} events verified where the trailer counts ${trailer.auditEvents}`);
}
