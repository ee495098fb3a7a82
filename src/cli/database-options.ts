// What the commands that work on a database share (audit, evidence, report): --database and its
// default, the refusal of a folder that holds no Onboard database (opening it would make an empty
// one), the audit key a data folder keeps, and opening the database for one command (the running
// server's, if Onboard runs on the folder; never migrating it).
import { join } from "node:path";
import { AUDIT_KEY_FILE } from "../store/data-folder.ts";
import type { Database, DatabaseTarget, SigningKey } from "../store/index.ts";
import { type Io, UsageError } from "./args.ts";

type Store = typeof import("../store/index.ts");

export function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Where a command's database is: --database, else $ONBOARD_DATABASE, else the server's own
 * $DATABASE_URL (an operator's shell for `onboard serve` has it set already).
 */
export function databaseLocation(values: Record<string, unknown>): string | undefined {
  return stringOption(values, "database") ?? (process.env.ONBOARD_DATABASE || undefined) ?? (process.env.DATABASE_URL || undefined);
}

export const NAME_THE_DATABASE = "name the database with --database (or set ONBOARD_DATABASE, or DATABASE_URL)";

/** --database (or its defaults, databaseLocation) parsed; a folder must already hold a database. */
export function databaseOption(
  store: Store,
  values: Record<string, unknown>,
  usage: string,
): { readonly target: DatabaseTarget; readonly folderKey: string | undefined } {
  const location = databaseLocation(values);
  if (!location) throw new UsageError(`${NAME_THE_DATABASE}\n\n${usage}`);
  const target = store.parseDatabaseTarget(location);
  const folder = store.dataFolderOf(target);
  if (target.kind !== "postgres" && (folder === undefined || !store.isDatabaseFolder(folder))) {
    throw new UsageError(`${location} is not an Onboard database folder`);
  }
  return { target, folderKey: folder !== undefined ? join(folder, AUDIT_KEY_FILE) : undefined };
}

/** --key (default: the data folder's own) and --origin as the key that signs; `missing` says what to give. */
export async function signingKeyOption(
  store: Store,
  values: Record<string, unknown>,
  folderKey: string | undefined,
  missing: string,
): Promise<SigningKey> {
  const keyFile = stringOption(values, "key") ?? folderKey;
  if (keyFile === undefined) throw new UsageError(missing);
  try {
    const privateKey = await store.readPrivateKeyFile(keyFile);
    return store.signingKey(stringOption(values, "origin") ?? store.defaultOrigin(privateKey), privateKey);
  } catch (error) {
    if (store.isAppError(error, "invalid")) throw new UsageError(error.message);
    throw error;
  }
}

/** Open the database for `command`, run, close. Exit 1 when it needs migrations the server has not applied. */
export async function withDatabase(
  store: Store,
  target: DatabaseTarget,
  io: Io,
  command: string,
  run: (database: Database) => Promise<number>,
): Promise<number> {
  const database = await store.openDatabase(target, {
    migrate: false,
    shareRunning: true,
    log: (message) => io.err(`onboard: ${message}`),
  });
  try {
    const pending = await store.pendingMigrations(database.db);
    if (pending.length > 0) {
      io.err(
        `onboard ${command}: ${database.description} needs ${pending.length} migration(s) first: run "onboard db migrate" (or start Onboard once) to apply them`,
      );
      return 1;
    }
    return await run(database);
  } finally {
    await database.close();
  }
}
