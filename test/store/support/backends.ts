// The same suite on every backend (Kysely's DIALECTS loop): an in-memory PGlite per test file, and
// a fresh database on the PostgreSQL server at 127.0.0.1:5432 per test file, dropped afterwards.
// Without that server the PostgreSQL variant is skipped, except under CI=true where it must fail.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, type DatabaseTarget, type OpenOptions, openDatabase } from "../../../src/store/database.ts";

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
  readonly name: "pglite" | "postgres";
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

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
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

function postgres(skip: string | false): TestBackend {
  return {
    name: "postgres",
    skip,
    async fresh(options) {
      const name = `onboard_t_${randomBytes(6).toString("hex")}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
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
          await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        },
      };
    },
  };
}

/** The backends to run a test file on. */
export async function testBackends(): Promise<TestBackend[]> {
  const up = await reachable(POSTGRES_ADMIN_URL);
  const skip = up || process.env.CI === "true" ? false : "PostgreSQL at 127.0.0.1:5432 not reachable: skipped";
  return [pglite, postgres(skip)];
}
