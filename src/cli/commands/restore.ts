import { existsSync } from "node:fs";
import { sql } from "kysely";
import { type Command, type Io, UsageError } from "../args.ts";
import { stringOption } from "../database-options.ts";
import { nextStep, openTarget, progressOn, tableSummary } from "../transfer-options.ts";

type Store = typeof import("../../store/index.ts");
type Database = import("../../store/index.ts").Database;

export const restoreCommand: Command = {
  name: "restore",
  summary: "restore a backup into an empty database, or check a database restored by other means",
  usage: `Usage: onboard restore <backup-file> --to <folder|postgres://...> [--erasure-journal <file>]
       onboard restore --check --database <folder|postgres://...> [--erasure-journal <file>]

Restores a file "onboard backup" wrote into an empty database (a new folder, or an empty
PostgreSQL database): the database is migrated to the backup's level, loaded, and verified against
the backup's trailer (every table's count and digest, the files, the audit trail) before anything
is committed; then this Onboard's newer migrations are applied. A backup from a newer Onboard is
refused. A cut or altered backup file is refused.

--check is for a database restored by other means (pg_restore, point-in-time recovery): it checks
the migration level against this Onboard's and verifies the audit trail.

Erasures made after the backup was taken are not in it: Onboard re-applies them from its erasure
journal when it next starts on the restored database (DATA_DIR/erasure-journal.jsonl, or
ERASURE_JOURNAL). Start it with that journal before anyone uses the data. --erasure-journal names
the journal, to list now which of its erasures the restored database lacks.

Options:
  --to <location>            restore: the empty database to restore into
  --check                    check a database instead of restoring a file
  --database <location>      --check: the database to check
  --erasure-journal <file>   the erasure journal to compare with
  -h, --help                 show this help

Exit codes: 0 restored (or checked and sound), 1 refused or not sound, 2 usage error.`,
  options: {
    to: { type: "string" },
    check: { type: "boolean" },
    database: { type: "string" },
    "erasure-journal": { type: "string" },
  },
  async run(values, positionals, io) {
    const store = await import("../../store/index.ts");
    if (values.check) {
      const location = stringOption(values, "database");
      if (location === undefined || positionals.length > 0)
        throw new UsageError(`--check needs --database <location> and no file\n\n${this.usage}`);
      return await check(store, location, stringOption(values, "erasure-journal"), io);
    }
    const [file, ...extra] = positionals;
    const to = stringOption(values, "to");
    if (file === undefined || extra.length > 0 || to === undefined)
      throw new UsageError(`name one backup file and --to <location>\n\n${this.usage}`);
    const { migrationsFor, readBackupHeader, restoreBackup } = await import("../../store/backup/restore.ts");
    // The file is read before anything is created: a file that is not a backup, or one from a newer
    // Onboard, leaves no empty database behind.
    const header = await readBackupHeader(file);
    migrationsFor(header.level, await store.loadMigrations());
    const { database, target } = await openTarget(store, to);
    try {
      io.err(`onboard: restoring ${file} (taken ${header.createdAt} from ${header.source}) into ${database.description}`);
      const report = await restoreBackup(file, database, { progress: progressOn(io, "restored") });
      io.out(`restored ${file} into ${database.description}, verified against the backup's trailer (counts and digests per table):`);
      for (const line of tableSummary(report.trailer.tables)) io.out(line);
      io.out(
        `events: ${report.trailer.events}; files: ${report.trailer.files} (${report.trailer.fileBytes} bytes), each SHA-256 checked, now in ${database.files.description}`,
      );
      if (report.migrated.length > 0) io.out(`migrations of this Onboard applied after the load: ${report.migrated.join(", ")}`);
      io.out(`audit trail: ${report.audit.intact ? "intact" : "NOT intact"} (${report.audit.events} events)`);
      await journal(database, stringOption(values, "erasure-journal"), io);
      io.out(nextStep(target, database.description, undefined));
      return report.audit.intact ? 0 : 1;
    } finally {
      await database.close();
    }
  },
};

async function check(store: Store, location: string, journalFile: string | undefined, io: Io): Promise<number> {
  const target = store.parseDatabaseTarget(location);
  const folder = store.dataFolderOf(target);
  if (folder !== undefined && !store.isDatabaseFolder(folder)) throw new UsageError(`${location} is not an Onboard database folder`);
  const database = await store.openDatabase(target, { migrate: false, shareRunning: true });
  try {
    let sound = true;
    const pending = await store.pendingMigrations(database.db);
    if (pending.length > 0)
      io.out(`migration level: ${pending.length} migration(s) of this Onboard to apply; it applies them when it starts`);
    else io.out("migration level: this Onboard's");
    const audit = await store.verifyAudit(database);
    io.out(`audit trail: ${audit.intact ? "intact" : "NOT intact"} (${audit.events} events in ${audit.projects.length} projects)`);
    for (const project of audit.projects.filter((p) => !p.intact)) io.out(`  ${project.projectId}: not intact`);
    sound &&= audit.intact;
    await journal(
      database,
      journalFile ?? (folder !== undefined ? `${folder}/erasure-journal.jsonl` : undefined),
      io,
      journalFile !== undefined,
    );
    return sound ? 0 : 1;
  } finally {
    await database.close();
  }
}

/** Which erasures of the journal the database lacks: the next start re-applies them. */
async function journal(database: Database, file: string | undefined, io: Io, explicit = true): Promise<void> {
  if (file === undefined) {
    io.out(
      "erasure journal: Onboard re-applies the erasures made after the backup from its erasure journal when it next starts on this database (DATA_DIR/erasure-journal.jsonl or ERASURE_JOURNAL): start it with that journal before anyone uses the data",
    );
    return;
  }
  // A journal named on the command line must exist: a mistyped path would read as "nothing to re-apply".
  if (explicit && !existsSync(file))
    throw new UsageError(
      `there is no erasure journal at ${file}: name the file ERASURE_JOURNAL points at (DATA_DIR/erasure-journal.jsonl by default)`,
    );
  if (!existsSync(file)) {
    io.out(`erasure journal: none at ${file} (no erasure was made on that folder)`);
    return;
  }
  const { readJournal } = await import("../../api/data/data-requests.ts");
  const entries = await readJournal(file);
  const { rows } = await sql<{ id: string }>`SELECT id FROM erasures`.execute(database.db);
  const known = new Set(rows.map((r) => r.id));
  const missing = entries.filter((e) => !known.has(e.id));
  io.out(
    missing.length === 0
      ? `erasure journal ${file}: all ${entries.length} erasure(s) are in the database`
      : `erasure journal ${file}: ${missing.length} of ${entries.length} erasure(s) were made after the backup; Onboard re-applies them when it starts with ERASURE_JOURNAL=${file}: start it before anyone uses the data`,
  );
}
