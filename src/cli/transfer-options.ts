// What db copy, backup and restore share on the command line: opening the database read from (the
// running server's, when Onboard runs on the folder), opening an empty one to write into, progress
// on stderr, and the summary of what was verified.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { AUDIT_KEY_FILE } from "../store/data-folder.ts";
import type { Database, DatabaseTarget } from "../store/index.ts";
import { type Io, UsageError } from "./args.ts";

type Store = typeof import("../store/index.ts");

export function parseLocation(store: Store, location: string, what: string): DatabaseTarget {
  try {
    return store.parseDatabaseTarget(location);
  } catch (error) {
    if (store.isAppError(error, "invalid")) throw new UsageError(`${what}: ${error.message}`);
    throw error;
  }
}

function reachable(store: Store, error: unknown): unknown {
  if (store.isAppError(error, "unavailable") && /cannot use the database/.test(error.message))
    return new store.AppError("unavailable", `${error.message}: check the URL (host, port, user, database name) and that the server runs`);
  return error;
}

/** The database to read, never migrated; Onboard may be running on it (then its server is used). */
export async function openSource(store: Store, location: string, io: Io): Promise<Database> {
  const target = parseLocation(store, location, "the source");
  const folder = store.dataFolderOf(target);
  if (folder !== undefined && !store.isDatabaseFolder(folder)) throw new UsageError(`${location} is not an Onboard database folder`);
  let database: Database;
  try {
    database = await store.openDatabase(target, { migrate: false, shareRunning: true, log: (message) => io.err(`onboard: ${message}`) });
  } catch (error) {
    if (target.kind === "pglite" && store.isAppError(error, "unavailable")) {
      throw new store.AppError(
        "unavailable",
        `${error.message}. PGlite's folder cannot be read while Onboard runs on it: stop Onboard first, or run Onboard on the embedded PostgreSQL server or a PostgreSQL of yours, which can be copied and backed up while running`,
      );
    }
    throw reachable(store, error);
  }
  try {
    // A database a newer Onboard migrated is refused here ("upgrade Onboard").
    await store.pendingMigrations(database.db);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** The database to write into: postgres://..., or a folder that is new, empty or holds an (empty) Onboard database. */
export async function openTarget(store: Store, location: string): Promise<{ database: Database; target: DatabaseTarget }> {
  const target = parseLocation(store, location, "the target");
  const folder = store.dataFolderOf(target);
  if (folder !== undefined && existsSync(folder) && !store.isDatabaseFolder(folder) && readdirSync(folder).length > 0) {
    throw new store.AppError("conflict", `the folder ${folder} is not empty and holds no Onboard database: name a new or empty folder`);
  }
  try {
    return { database: await store.openDatabase(target, { migrate: false }), target };
  } catch (error) {
    throw reachable(store, error);
  }
}

/** Progress on stderr: a line per table when it is done, and per page of a large one. */
export function progressOn(io: Io, verb: string): (table: string, done: number, total: number) => void {
  return (table, done, total) => {
    const unit = table === "files" ? "files" : "rows";
    if (done === total || total >= 20_000) io.err(`onboard: ${verb} ${table}: ${done}/${total} ${unit}`);
  };
}

/** "rows per table" as a few aligned lines, the empty tables named together. */
export function tableSummary(tables: readonly { name: string; rows: number }[]): string[] {
  const full = tables.filter((t) => t.rows > 0);
  const empty = tables.filter((t) => t.rows === 0).map((t) => t.name);
  const width = Math.max(0, ...full.map((t) => t.name.length));
  return [...full.map((t) => `  ${t.name.padEnd(width)}  ${t.rows}`), ...(empty.length > 0 ? [`  (empty: ${empty.join(", ")})`] : [])];
}

/** How to start Onboard on the database just written, and what of the old folder it still needs. */
export function nextStep(target: DatabaseTarget, description: string, from: string | undefined): string {
  // Absolute: the line is copied into a unit file or another shell, not run from here.
  const folder = from !== undefined ? resolve(from) : undefined;
  const keep =
    folder !== undefined
      ? ` Keep the audit signing key and the erasure journal: AUDIT_SIGNING_KEY=${join(folder, AUDIT_KEY_FILE)} ERASURE_JOURNAL=${join(folder, "erasure-journal.jsonl")} (or copy both beside the new database).`
      : ` Start it with the audit signing key and the erasure journal of the database this one came from (AUDIT_SIGNING_KEY=<its ${AUDIT_KEY_FILE}> ERASURE_JOURNAL=<its erasure-journal.jsonl>): a new key would sign checkpoints no verifier knows, and erasures it lacks are re-applied from the journal.`;
  if (target.kind === "postgres") return `next: start Onboard with DATABASE_URL=${description}.${keep}`;
  return `next: start Onboard with DATA_DIR=${target.dataDir}.${keep}`;
}
