import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, UsageError } from "../args.ts";
import { stringOption } from "../database-options.ts";
import { openSource, progressOn, tableSummary } from "../transfer-options.ts";

/** 2026-12-07T08:30:00.123Z -> 20261207-083000Z */
function stamp(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-")}Z`;
}

export const backupCommand: Command = {
  name: "backup",
  summary: "a consistent backup of the database and its files, taken while Onboard runs",
  usage: `Usage: onboard backup [--database <folder|pglite:folder|postgres://...>] [-o <file>]

Writes one file holding every row and every stored file of the database, as they were at one
instant (one REPEATABLE READ snapshot): Onboard may keep running on the embedded server or
PostgreSQL meanwhile (a PGlite folder must be stopped first). The file is gzip-compressed, says
which Onboard migration level it holds, and ends with per-table counts and digests, so that a cut
or altered file is refused by "onboard restore". It is written as <file>.partial and renamed once
complete and synced.

Options:
  --database <location>  default: $DATABASE_URL (the server's), else $DATA_DIR, else ./data
  -o, --output <file>    default: onboard-backup-<UTC time>.obk in the current folder
  -h, --help             show this help

Exit codes: 0 written, 1 the database or the file refused, 2 usage error.`,
  options: { database: { type: "string" }, output: { type: "string", short: "o" } },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`backup takes no arguments\n\n${this.usage}`);
    // The same database `onboard serve` would use in this shell.
    const location = stringOption(values, "database") || process.env.DATABASE_URL || process.env.DATA_DIR || "./data";
    const now = new Date();
    const output = stringOption(values, "output") ?? join(".", `onboard-backup-${stamp(now)}.obk`);
    const store = await import("../../store/index.ts");
    if (existsSync(output))
      throw new store.AppError("conflict", `${output} already exists: name another file with -o (a backup never replaces one)`);
    const { writeBackup } = await import("../../store/backup/backup.ts");
    const database = await openSource(store, location, io);
    try {
      io.err(`onboard: backing up ${database.description} to ${output} (one snapshot)`);
      const trailer = await writeBackup(database, output, { now, progress: progressOn(io, "backed up") });
      io.out(`backup written: ${output}`);
      io.out(`taken at ${now.toISOString()} from ${database.description}; rows per table:`);
      for (const line of tableSummary(trailer.tables)) io.out(line);
      io.out(`events: ${trailer.events}; files: ${trailer.files} (${trailer.fileBytes} bytes, SHA-256 checked as read)`);
      if (trailer.filesGone > 0)
        io.out(`files gone: ${trailer.filesGone} (erased while the backup ran; the erasure journal re-applies them)`);
      io.out(`audit trail: ${trailer.auditIntact ? "intact" : "NOT intact"} (${trailer.auditEvents} events)`);
      io.out(`restore with: onboard restore ${output} --to <new folder or empty postgres://...>`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
