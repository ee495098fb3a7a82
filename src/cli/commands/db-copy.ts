// `onboard db copy --from <source> --to <target>`: every row and file of one Onboard database into
// a new, empty one (the way from the embedded database to PostgreSQL), read in one snapshot so
// Onboard may keep running on the source, and verified before the target's transaction commits.
import { type Io, UsageError } from "../args.ts";
import { stringOption } from "../database-options.ts";
import { nextStep, openSource, openTarget, progressOn, tableSummary } from "../transfer-options.ts";

export async function dbCopy(values: Record<string, unknown>, io: Io, usage: string): Promise<number> {
  const from = stringOption(values, "from");
  const to = stringOption(values, "to");
  if (from === undefined || to === undefined) throw new UsageError(`db copy needs --from <source> and --to <target>\n\n${usage}`);
  const store = await import("../../store/index.ts");
  const { copyDatabase, assertEmpty } = await import("../../store/copy.ts");
  const { migrationsFor } = await import("../../store/backup/restore.ts");
  const { migrationLevel } = await import("../../store/transfer/tables.ts");
  const source = await openSource(store, from, io);
  try {
    const { database: target, target: where } = await openTarget(store, to);
    try {
      await assertEmpty(target);
      // The target is brought to the source's level, filled, verified, then brought to this Onboard's.
      const known = await store.loadMigrations();
      const level = migrationsFor(await migrationLevel(source.db), known);
      const present = await migrationLevel(target.db);
      if (present.length > level.length || present.some((m, i) => level[i]?.checksum !== m.checksum)) {
        throw new store.AppError(
          "conflict",
          `the two databases are at different migration levels (source ${level.length}, target ${present.length}): copy into a new database, or upgrade the source by starting this Onboard on it once`,
        );
      }
      await store.migrate(target.db, level);
      io.err(`onboard: copying ${source.description} to ${target.description} (one snapshot of the source)`);
      const report = await copyDatabase(source, target, { progress: progressOn(io, "copied") });
      const migrated = await store.migrate(target.db, known);
      io.out(`copied ${report.rows} rows from ${source.description} to ${target.description}, verified (counts and digests per table):`);
      for (const line of tableSummary(report.tables.map((t) => ({ name: t.table, rows: t.rows })))) io.out(line);
      io.out(`events: ${report.events}`);
      io.out(`files: ${report.files} (${report.fileBytes} bytes), each SHA-256 checked on arrival, now in ${target.files.description}`);
      if (report.filesGone > 0)
        io.out(`files gone: ${report.filesGone} (erased while the copy ran; their erasure is in the erasure journal, re-applied at start)`);
      io.out(
        `audit trail: ${report.audit.source.intact ? "intact" : "NOT intact"} on the source, ${report.audit.target.intact ? "intact" : "NOT intact"} on the copy (${report.audit.target.events} events)`,
      );
      if (migrated.length > 0) io.out(`migrations applied to the copy after it: ${migrated.join(", ")}`);
      io.out(nextStep(where, target.description, store.dataFolderOf(store.parseDatabaseTarget(from))));
      return report.audit.target.intact ? 0 : 1;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
