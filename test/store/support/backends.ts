// The same suite on every backend (Kysely's DIALECTS loop): an in-memory PGlite per test file, and
// a fresh database on the PostgreSQL server at 127.0.0.1:5432 per test file, dropped afterwards.
// Without that server the PostgreSQL variant is skipped, except under CI=true where it must fail.
// The store's own suite also runs on the embedded default: the PostgreSQL server npm ships (a
// newer major version than the system's), one per test file in a temporary data folder.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import pg from "pg";
import { type Database, type DatabaseTarget, type OpenOptions, openDatabase } from "../../../src/store/database.ts";
import { embeddedServerAvailable } from "../../../src/store/embedded-server/binaries.ts";
import { type EmbeddedServer, startEmbeddedServer } from "../../../src/store/embedded-server/server.ts";

export const POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

export interface FreshDatabase {
  /** Opened and migrated. */
  readonly database: Database;
  readonly target: DatabaseTarget;
  /** Another handle on the same database: a second "process". Only PostgreSQL has more than one. */
  readonly openAnother: ((options?: OpenOptions) => Promise<Database>) | undefined;
  /** Close every handle and drop the database. */
  dispose(): Promise<void>;
}

export interface TestBackend {
  readonly name: "pglite" | "postgres" | "embedded";
  /** False, or why this backend is skipped. */
  readonly skip: string | false;
  fresh(options?: OpenOptions): Promise<FreshDatabase>;
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function admin<T>(run: (client: pg.Client) => Promise<T>, url = POSTGRES_ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const pglite: TestBackend = {
  name: "pglite",
  skip: false,
  async fresh(options) {
    const database = await openDatabase({ kind: "pglite" }, options);
    return { database, target: { kind: "pglite" }, openAnother: undefined, dispose: () => database.close() };
  },
};

function postgres(
  skip: string | false,
  name: "postgres" | "embedded" = "postgres",
  adminUrl = async () => POSTGRES_ADMIN_URL,
): TestBackend {
  return {
    name,
    skip,
    async fresh(options) {
      const database_ = `onboard_t_${randomBytes(6).toString("hex")}`;
      const adminAt = await adminUrl();
      await admin((c) => c.query(`CREATE DATABASE ${database_}`), adminAt);
      const url = adminAt.replace(/\/[^/]*$/, `/${database_}`);
      const target: DatabaseTarget = { kind: "postgres", url, maxConnections: 30 };
      const handles: Database[] = [];
      const open = async (o?: OpenOptions) => {
        const handle = await openDatabase(target, o);
        handles.push(handle);
        return handle;
      };
      const database = await open(options);
      return {
        database,
        target,
        openAnother: open,
        async dispose() {
          await Promise.all(handles.map((h) => h.close()));
          await admin((c) => c.query(`DROP DATABASE IF EXISTS ${database_} WITH (FORCE)`), adminAt);
        },
      };
    },
  };
}

/** The test file's embedded server: started at first use, stopped (and its folder removed) after the file. */
function embeddedAdminUrl(): () => Promise<string> {
  let started: Promise<{ server: EmbeddedServer; folder: string }> | undefined;
  after(async () => {
    if (!started) return;
    const { server, folder } = await started;
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  return async () => {
    started ??= (async () => {
      const folder = mkdtempSync(join(tmpdir(), "onboard-embedded-"));
      return { server: await startEmbeddedServer(folder), folder };
    })();
    return (await started).server.url;
  };
}

/**
 * The backends to run a test file on; `embedded: true` adds the embedded server (the store's
 * suite). Call it at the top level of the test file: it registers the file's clean-up.
 */
export async function testBackends(options: { readonly embedded?: boolean } = {}): Promise<TestBackend[]> {
  const up = await reachable(POSTGRES_ADMIN_URL);
  const skip = up || process.env.CI === "true" ? false : "PostgreSQL at 127.0.0.1:5432 not reachable: skipped";
  const backends = [pglite, postgres(skip)];
  if (options.embedded) {
    const skipEmbedded =
      embeddedServerAvailable() || process.env.CI === "true" ? false : "no embedded PostgreSQL server binaries for this platform: skipped";
    backends.push(postgres(skipEmbedded, "embedded", embeddedAdminUrl()));
  }
  return backends;
}
