// `onboard db migrate` and `onboard db status`: the schema as an operator running several
// processes sees it. The processes that serve run with MIGRATIONS=off and never change the schema;
// these apply the pending migrations once (under the same advisory lock every migrating process
// takes) and say where a database stands.

import { type Io, UsageError } from "../args.ts";
import { databaseOption } from "../database-options.ts";

type Store = typeof import("../../store/index.ts");

async function openForSchema(store: Store, values: Record<string, unknown>, usage: string, io: Io) {
  const { target } = databaseOption(store, values, usage);
  // A running server on a data folder is shared rather than refused: the advisory lock orders its work and ours.
  return store.openDatabase(target, { migrate: false, shareRunning: true, log: (message) => io.err(`onboard: ${message}`) });
}

/** Applies the pending migrations and lists them; exit 1 when the database is newer than this Onboard. */
export async function migrateDatabase(values: Record<string, unknown>, io: Io, usage: string): Promise<number> {
  const store = await import("../../store/index.ts");
  const database = await openForSchema(store, values, usage, io);
  try {
    const migrations = await store.loadMigrations();
    const applied = await store.migrate(database.db, migrations);
    for (const version of applied) {
      const migration = migrations.find((m) => m.version === version);
      io.out(`applied ${migration ? store.migrationFile(migration) : version}`);
    }
    const status = await store.schemaStatus(database.db, migrations);
    io.out(
      applied.length === 0
        ? `nothing to apply: ${database.description} is at migration ${status.applied}`
        : `${database.description} is at migration ${status.applied}`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/** Prints the applied level, what is pending and what is unknown; exit 0 up to date, 1 otherwise. */
export async function databaseStatus(values: Record<string, unknown>, io: Io, usage: string): Promise<number> {
  const store = await import("../../store/index.ts");
  const database = await openForSchema(store, values, usage, io);
  try {
    const status = await store.schemaStatus(database.db);
    const files = (list: readonly { version: number; name: string }[]) =>
      list.length === 0 ? "none" : list.map((m) => store.migrationFile(m)).join(", ");
    io.out(`database:     ${database.description}`);
    io.out(`applied:      migration ${status.applied}`);
    io.out(`this Onboard: migration ${status.needed}`);
    io.out(`pending:      ${files(status.pending)}`);
    io.out(`unknown:      ${status.unknown.length === 0 ? "none" : status.unknown.join(", ")}`);
    if (status.changed.length > 0) io.out(`changed:      ${files(status.changed)} (edited after they were applied)`);
    if (status.unknown.length > 0) {
      io.out("A newer Onboard migrated this database: upgrade Onboard before starting it here.");
      return 1;
    }
    if (status.changed.length > 0) {
      io.out("Migrations were edited after they were applied: restore their files, and add a new migration for the change.");
      return 1;
    }
    if (status.pending.length > 0) {
      io.out("Run `onboard db migrate` (or start one process with MIGRATIONS=auto) before processes with MIGRATIONS=off.");
      return 1;
    }
    io.out("Up to date.");
    return 0;
  } finally {
    await database.close();
  }
}

export function assertNoArguments(action: string, extra: readonly string[], usage: string): void {
  if (extra.length > 0) throw new UsageError(`db ${action} takes no arguments (got ${extra.join(" ")})\n\n${usage}`);
}
