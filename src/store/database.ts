// The database port: one Kysely instance over the embedded database of a data folder (the default:
// a PostgreSQL server started with Onboard, see embedded-server/; or PGlite, which also serves
// memory for tests) or a PostgreSQL server of the operator's, and the store for files' bytes that goes with it
// (files.ts). Everything above talks SQL through Kysely and asks the capabilities object, never
// "is this PGlite?".
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { defaultEmbeddedEngine, type EmbeddedEngine } from "./embedded-server/binaries.ts";
import { existingBackup, isPgliteFolder, moveFromPglite } from "./embedded-server/from-pglite.ts";
import { type EmbeddedServer, hasCluster, runningServerUrl, startEmbeddedServer } from "./embedded-server/server.ts";
import { AppError, isAppError } from "./errors.ts";
import { defaultFilesDir, type FileStore, folderFileStore, tableFileStore } from "./files.ts";
import { FolderLock } from "./folder-lock.ts";
import { migrate } from "./migrate.ts";
import type { Schema } from "./schema.ts";

export type DatabaseTarget =
  /**
   * The data folder's own PostgreSQL server (`postgres/` in it), started and stopped with the
   * database handle. A folder PGlite used is moved into it on first open (a backup is kept).
   * Files' bytes go to `filesDir` (default: `files/` in the data folder).
   */
  | { readonly kind: "embedded"; readonly dataDir: string; readonly filesDir?: string; readonly maxConnections?: number }
  /**
   * Embedded PostgreSQL; without a folder the database lives in memory and dies with the process.
   * Files' bytes go to `filesDir` (default: `files/` in the data folder; in memory: a temporary folder).
   */
  | { readonly kind: "pglite"; readonly dataDir?: string; readonly filesDir?: string }
  | { readonly kind: "postgres"; readonly url: string; readonly maxConnections?: number };

export interface Capabilities {
  readonly backend: "pglite" | "postgres";
  /**
   * One connection: transactions queue behind each other in the process (Kysely's connection
   * mutex, because PGliteAdapter reports no multiple connections). Never hold a transaction open
   * across I/O such as delivering an effect, and running several workers in one process buys nothing.
   */
  readonly singleConnection: boolean;
  /** Several processes (app servers, workers) may share the database: claims use SKIP LOCKED. */
  readonly sharedByProcesses: boolean;
  /** The data folder must be locked against a second process (PGlite does not do it itself). */
  readonly needsFolderLock: boolean;
  /** LISTEN/NOTIFY can wake pollers early (PGlite only notifies inside its own process). */
  readonly crossProcessNotify: boolean;
  /** A commit survives a power loss (PGlite's fsync is weak). */
  readonly durableCommit: boolean;
}

export const BACKEND_PROFILES: Readonly<Record<Capabilities["backend"], Capabilities>> = {
  pglite: {
    backend: "pglite",
    singleConnection: true,
    sharedByProcesses: false,
    needsFolderLock: true,
    crossProcessNotify: false,
    durableCommit: false,
  },
  postgres: {
    backend: "postgres",
    singleConnection: false,
    sharedByProcesses: true,
    needsFolderLock: false,
    crossProcessNotify: true,
    durableCommit: true,
  },
};

/** The data folder's server: PostgreSQL, but one process owns it (the folder lock). */
export const EMBEDDED_SERVER_PROFILE: Capabilities = {
  ...BACKEND_PROFILES.postgres,
  sharedByProcesses: false,
  needsFolderLock: true,
};

export function capabilitiesOf(target: DatabaseTarget): Capabilities {
  return target.kind === "embedded" ? EMBEDDED_SERVER_PROFILE : BACKEND_PROFILES[target.kind];
}

/** The data folder a target keeps its database (and key, files, journal) in, if it has one. */
export function dataFolderOf(target: DatabaseTarget): string | undefined {
  return target.kind === "postgres" ? undefined : target.dataDir;
}

/** The folder holds an Onboard database of either engine (opening anything else would create an empty one). */
export function isDatabaseFolder(dataDir: string): boolean {
  return hasCluster(dataDir) || isPgliteFolder(dataDir);
}

/** How a database handle's connections are used right now (for metrics). */
export interface ConnectionUse {
  /** The most connections it opens: the pool size, or 1 (PGlite's one connection). */
  readonly max: number;
  /** Checked out by a query or transaction; undefined where the driver does not say (PGlite). */
  readonly inUse: number | undefined;
  readonly idle: number | undefined;
  /** Queries waiting for a connection; undefined where the driver does not say (PGlite). */
  readonly waiting: number | undefined;
}

export interface Database {
  readonly db: Kysely<Schema>;
  /** The use of its connections at this moment. */
  connections(): ConnectionUse;
  readonly capabilities: Capabilities;
  /** Where it is, for messages (a URL without its password, a folder, or "memory"). */
  readonly description: string;
  /**
   * Where files' bytes go: with the embedded database, a folder (`files/` in its data folder;
   * for the in-memory one a temporary folder removed at close: PGlite writes 256 KB of bytea in
   * tens of milliseconds, on the event loop); with PostgreSQL, its file_chunks table (every app
   * server reaches it).
   */
  readonly files: FileStore;
  /**
   * LISTEN on `channel` on a connection of its own (a server's database only: PGlite's
   * notifications never leave its process); undefined where there is nothing to listen to.
   */
  readonly listen?: (channel: string, onMessage: (payload: string) => void) => Promise<Listening>;
  /** Finish in-flight queries, close the connection(s) and release the folder lock. Safe twice. */
  close(): Promise<void>;
}

/** A LISTEN connection: `lost` resolves with the error when the connection ends without close(). */
export interface Listening {
  readonly lost: Promise<Error>;
  close(): Promise<void>;
}

async function listenOn(connectionString: string, channel: string, onMessage: (payload: string) => void): Promise<Listening> {
  const client = new pg.Client({ connectionString });
  let closing = false;
  const lost = new Promise<Error>((resolve) => {
    client.on("error", (error) => resolve(error));
    client.on("end", () => {
      if (!closing) resolve(new Error("the LISTEN connection ended"));
    });
  });
  client.on("notification", (message) => {
    if (message.channel === channel) onMessage(message.payload ?? "");
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  } catch (error) {
    closing = true;
    await client.end().catch(() => {});
    throw error;
  }
  return {
    lost,
    async close() {
      closing = true;
      await client.end().catch(() => {});
    },
  };
}

export interface OpenOptions {
  /** Apply pending migrations before returning (default true). */
  readonly migrate?: boolean;
  /** Called with errors of idle pooled connections (a restarted server); they are not fatal. */
  readonly onPoolError?: (error: Error) => void;
  /**
   * With the embedded server: when another Onboard runs on the folder, use its server as a client
   * instead of refusing (for commands that read or append, such as the CLI's checks and reports).
   */
  readonly shareRunning?: boolean;
  /** The caller already holds the data folder's lock (the move from PGlite opens PGlite under it). */
  readonly folderLockHeld?: boolean;
  /** Told what the embedded server does at start (a cluster created, a PGlite folder moved, an orphan stopped). */
  readonly log?: (message: string) => void;
}

/**
 * `postgres://...` or `postgresql://...` is a server; `memory:` is in-memory PGlite; `pglite:<folder>`
 * a PGlite folder; anything else a data folder, run by `engine` (default: the embedded PostgreSQL
 * server where its binaries are installed, else PGlite).
 */
export function parseDatabaseTarget(text: string, engine: EmbeddedEngine = defaultEmbeddedEngine()): DatabaseTarget {
  const value = text.trim();
  if (value === "") throw new AppError("invalid", "the database location is empty", { field: "database" });
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: "postgres", url: value };
  if (value === "memory:" || value === ":memory:") return { kind: "pglite" };
  if (value.startsWith("pglite:")) {
    const dataDir = value.slice("pglite:".length);
    if (dataDir === "") throw new AppError("invalid", "pglite: needs a folder, e.g. pglite:./data", { field: "database" });
    return { kind: "pglite", dataDir };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new AppError("invalid", `unsupported database URL "${redact(value)}": use postgres://... or a folder`, { field: "database" });
  }
  return engine === "postgres" ? { kind: "embedded", dataDir: value } : { kind: "pglite", dataDir: value };
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

async function openPglite(dataDir: string | undefined, capabilities: Capabilities, lockHeld: boolean): Promise<Opened> {
  if (dataDir !== undefined && hasCluster(dataDir) && !isPgliteFolder(dataDir)) {
    // PGlite would make a new, empty database at the top of the folder, beside the real one.
    throw new AppError(
      "conflict",
      `${dataDir} holds the embedded PostgreSQL server's database (postgres/): PGlite would start an empty one beside it. Start without EMBEDDED_DATABASE=pglite (on the CLI, name the folder without "pglite:"); to go back to PGlite, see "Going back" in the README's Operations`,
      { dataDir },
    );
  }
  const lock = dataDir !== undefined && capabilities.needsFolderLock && !lockHeld ? await FolderLock.acquire(dataDir) : undefined;
  try {
    const pglite = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await pglite.waitReady;
    // Kysely queues every connection use (a transaction holds it from BEGIN to COMMIT) because
    // PGliteAdapter reports no multiple connections: that is the serialization PGlite needs.
    const db = new Kysely<Schema>({ dialect: new PGliteDialect({ pglite }) });
    return {
      db,
      connections: () => PGLITE_CONNECTION,
      release: async () => {
        try {
          await db.destroy();
          if (!pglite.closed) await pglite.close();
        } finally {
          await lock?.release();
        }
      },
    };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

/** PGlite's single connection: Kysely queues its users, and says nothing about the queue. */
const PGLITE_CONNECTION: ConnectionUse = { max: 1, inUse: undefined, idle: undefined, waiting: undefined };

function openPostgres(url: string, maxConnections: number, onPoolError: (error: Error) => void): Opened {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  pool.on("error", onPoolError);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    connections: () => ({
      max: maxConnections,
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    release: () => db.destroy(),
    connectionString: url,
  };
}

interface Opened {
  readonly db: Kysely<Schema>;
  readonly connections: () => ConnectionUse;
  readonly release: () => Promise<void>;
  /** A server's address, for connections of their own (LISTEN). */
  readonly connectionString?: string;
}

/** The folder, and which server runs it (for messages). */
function embeddedDescription(dataDir: string, version: string): string {
  return `${dataDir} (embedded PostgreSQL ${version} server)`;
}

async function openEmbedded(dataDir: string, maxConnections: number, options: OpenOptions): Promise<Opened & { description: string }> {
  let lock: FolderLock;
  try {
    lock = await FolderLock.acquire(dataDir);
  } catch (error) {
    const url = options.shareRunning && isAppError(error, "unavailable") ? runningServerUrl(dataDir) : undefined;
    if (url === undefined) throw error;
    const { db, release, connections } = openPostgres(url, Math.min(maxConnections, 4), options.onPoolError ?? (() => {}));
    try {
      const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(db);
      return { db, release, connections, connectionString: url, description: embeddedDescription(dataDir, rows[0]?.server_version ?? "?") };
    } catch (cause) {
      await release();
      throw cause;
    }
  }
  let server: EmbeddedServer | undefined;
  try {
    const log = options.log ?? (() => {});
    const moved = await moveFromPglite(dataDir, { log, startServer: () => startEmbeddedServer(dataDir, { log }) });
    const backup = moved === undefined ? await existingBackup(dataDir) : undefined;
    if (backup !== undefined)
      log(`the PGlite database the folder held before its move is still backed up in ${backup}: delete that folder once you are satisfied`);
    server = await startEmbeddedServer(dataDir, { log });
    const running = server;
    const { db, release, connections } = openPostgres(server.url, maxConnections, options.onPoolError ?? (() => {}));
    return {
      db,
      connections,
      connectionString: server.url,
      description: embeddedDescription(dataDir, server.version),
      release: async () => {
        try {
          await release();
          await running.stop();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await server?.stop();
    await lock.release();
    throw error;
  }
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const capabilities = capabilitiesOf(target);
  const { db, release, connections, description, connectionString } =
    target.kind === "pglite"
      ? { ...(await openPglite(target.dataDir, capabilities, options.folderLockHeld === true)), description: target.dataDir ?? "memory" }
      : target.kind === "embedded"
        ? await openEmbedded(target.dataDir, target.maxConnections ?? 10, options)
        : { ...openPostgres(target.url, target.maxConnections ?? 10, options.onPoolError ?? (() => {})), description: redact(target.url) };
  // The in-memory database's files live exactly as long as it does.
  const temporaryFiles =
    target.kind === "pglite" && target.dataDir === undefined && target.filesDir === undefined
      ? join(tmpdir(), `onboard-files-${randomUUID()}`)
      : undefined;
  let closing: Promise<void> | undefined;
  const database: Database = {
    db,
    connections,
    capabilities,
    description,
    files:
      target.kind === "postgres"
        ? tableFileStore(db)
        : folderFileStore(temporaryFiles ?? target.filesDir ?? defaultFilesDir(target.dataDir ?? ".")),
    ...(connectionString !== undefined
      ? { listen: (channel: string, onMessage: (payload: string) => void) => listenOn(connectionString, channel, onMessage) }
      : {}),
    close: () => {
      closing ??= (async () => {
        try {
          await release();
        } finally {
          if (temporaryFiles) await rm(temporaryFiles, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
  try {
    await sql`SELECT 1`.execute(db);
    if (options.migrate !== false) await migrate(db);
  } catch (error) {
    await database.close();
    throw unreachable(error, database.description);
  }
  return database;
}

/** Errors of an unreachable server or a refused login, as one coded error saying where. */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET", "28P01", "28000", "3D000"]);

function unreachable(error: unknown, where: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !CONNECTION_ERRORS.has(code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError("unavailable", `cannot use the database at ${where}: ${message}`, { code }, { cause: error });
}
