// Migrations (idempotent, safe when two processes start at once), the PGlite adapter's serialized
// connection and its data-folder lock.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { openDatabase, parseDatabaseTarget } from "../../src/store/database.ts";
import { isAppError } from "../../src/store/errors.ts";
import { LOCK_FILE } from "../../src/store/folder-lock.ts";
import {
  loadMigrations,
  migrate,
  pendingMigrations,
  requireCurrentSchema,
  schemaStatus,
  splitStatements,
} from "../../src/store/migrate.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";

const BACKENDS = await testBackends({ embedded: true });

for (const backend of BACKENDS) {
  describe(`migrations on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    before(async () => {
      fresh = await backend.fresh({ migrate: false });
    });
    after(() => fresh?.dispose());

    test("two migrations started at once apply each file exactly once", async () => {
      const all = await loadMigrations();
      const other = fresh.openAnother ? await fresh.openAnother({ migrate: false }) : fresh.database;
      const results = await Promise.all([migrate(fresh.database.db), migrate(other.db), migrate(fresh.database.db)]);
      assert.deepEqual(results.flat().sort(), all.map((m) => m.version).sort(), "every version applied once, by one of them");
      const rows = await fresh.database.db.selectFrom("schema_migrations").select("version").orderBy("version").execute();
      assert.deepEqual(
        rows.map((r) => r.version),
        all.map((m) => m.version),
      );
    });

    test("running them again applies nothing", async () => {
      assert.deepEqual(await migrate(fresh.database.db), []);
      assert.deepEqual(await pendingMigrations(fresh.database.db), []);
    });

    test("the schema has the scheduler's and the outbox's partial indexes", async () => {
      const { rows } = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()`.execute(
        fresh.database.db,
      );
      const names = rows.map((r) => r.indexname);
      for (const index of [
        "projects_due",
        "outbox_due",
        "project_roles_person",
        "events_pkey",
        "idempotency_keys_pkey",
        "outbox_delivery_key_key",
      ]) {
        assert.ok(names.includes(index), `${index} in ${names.join(", ")}`);
      }
    });

    test("a migration edited after it was applied is refused", async () => {
      const all = await loadMigrations();
      const edited = all.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
      await assert.rejects(
        migrate(fresh.database.db, edited),
        (e) => isAppError(e, "illegal_state") && /was changed after it was applied/.test(e.message),
      );
    });

    test("a database newer than the code is refused", async () => {
      await assert.rejects(migrate(fresh.database.db, []), (e) => isAppError(e, "illegal_state") && /does not know/.test(e.message));
    });
  });
}

describe("where a database stands (db status, MIGRATIONS=off)", () => {
  test("empty, behind, current, ahead and edited, each said with its versions", async () => {
    const all = await loadMigrations();
    const needed = all.length;
    const database = await openDatabase({ kind: "pglite" }, { migrate: false });
    try {
      const empty = await schemaStatus(database.db, all);
      assert.deepEqual([empty.applied, empty.needed, empty.pending.length, empty.unknown], [0, needed, needed, []]);
      await assert.rejects(
        requireCurrentSchema(database.db, all),
        (e) =>
          isAppError(e, "illegal_state") &&
          new RegExp(`^the database is at migration 0, this Onboard needs ${needed}: run \`onboard db migrate\``).test(e.message),
      );
      const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`.execute(database.db);
      assert.equal(rows[0]?.exists, false, "checking created nothing");

      await migrate(database.db, all.slice(0, needed - 1));
      const behind = await schemaStatus(database.db, all);
      assert.deepEqual(
        behind.pending.map((m) => m.version),
        [needed],
      );
      await assert.rejects(requireCurrentSchema(database.db, all), new RegExp(`at migration ${needed - 1}, this Onboard needs ${needed}`));

      await migrate(database.db, all);
      assert.equal((await requireCurrentSchema(database.db, all)).applied, needed);

      const edited = all.map((m, i) => (i === 2 ? { ...m, checksum: "0".repeat(64) } : m));
      assert.deepEqual(
        (await schemaStatus(database.db, edited)).changed.map((m) => m.version),
        [3],
      );
      await assert.rejects(requireCurrentSchema(database.db, edited), /migration 0003_.*\.sql was changed after it was applied/);

      const older = all.slice(0, needed - 2);
      const ahead = await schemaStatus(database.db, older);
      assert.deepEqual(ahead.unknown, [needed - 1, needed]);
      for (const check of [requireCurrentSchema(database.db, older), migrate(database.db, older)]) {
        await assert.rejects(
          check,
          new RegExp(
            `the database is at migration ${needed}, which this Onboard does not know \\(it knows migrations up to ${needed - 2}; unknown: ${needed - 1}, ${needed}\\): upgrade Onboard`,
          ),
        );
      }
    } finally {
      await database.close();
    }
  });
});

describe("splitting SQL scripts into statements", () => {
  test("semicolons in quotes, dollar quotes and comments do not split", () => {
    const script = `-- a comment; with a semicolon
CREATE TABLE a (b text DEFAULT 'x;y');
/* block; comment */
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
SELECT "we;ird", 'it''s;';
-- trailing comment only`;
    assert.deepEqual(splitStatements(script), [
      "-- a comment; with a semicolon\nCREATE TABLE a (b text DEFAULT 'x;y')",
      "/* block; comment */\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
      `SELECT "we;ird", 'it''s;'`,
    ]);
  });

  test("every shipped migration splits into statements PGlite accepts", async () => {
    for (const m of await loadMigrations()) {
      const statements = splitStatements(m.sql);
      assert.ok(statements.length > 0, `${m.name} has statements`);
      for (const statement of statements) assert.match(statement, /\S/, `${m.name} has no empty statement`);
    }
  });
});

describe("database targets", () => {
  test("URLs, memory and folders", () => {
    assert.deepEqual(parseDatabaseTarget("postgres://u@h/db"), { kind: "postgres", url: "postgres://u@h/db" });
    assert.deepEqual(parseDatabaseTarget("postgresql://u@h/db"), { kind: "postgres", url: "postgresql://u@h/db" });
    assert.deepEqual(parseDatabaseTarget("memory:"), { kind: "pglite" });
    // A folder is the embedded server's where npm installed its binaries (here), else PGlite's.
    assert.deepEqual(parseDatabaseTarget("./data"), { kind: "embedded", dataDir: "./data" });
    assert.deepEqual(parseDatabaseTarget("./data", "pglite"), { kind: "pglite", dataDir: "./data" });
    assert.deepEqual(parseDatabaseTarget("pglite:./data"), { kind: "pglite", dataDir: "./data" });
    assert.throws(
      () => parseDatabaseTarget("mysql://h/db"),
      (e) => isAppError(e, "invalid"),
    );
  });
});

describe("PGlite: one connection", () => {
  test("concurrent transactions run one after another (no lost update without any lock)", async () => {
    const database = await openDatabase({ kind: "pglite" }, { migrate: false });
    try {
      const db = database.db;
      await sql`CREATE TABLE counter (n int NOT NULL)`.execute(db);
      await sql`INSERT INTO counter VALUES (0)`.execute(db);
      // Read, yield to the event loop, write: on a pool of connections under READ COMMITTED this
      // loses updates; on PGlite the adapter queues whole transactions, so it cannot.
      await Promise.all(
        Array.from({ length: 10 }, () =>
          db.transaction().execute(async (trx) => {
            const { rows } = await sql<{ n: number }>`SELECT n FROM counter`.execute(trx);
            await new Promise((resolve) => setImmediate(resolve));
            await sql`UPDATE counter SET n = ${(rows[0]?.n ?? 0) + 1}`.execute(trx);
          }),
        ),
      );
      const { rows } = await sql<{ n: number }>`SELECT n FROM counter`.execute(db);
      assert.equal(rows[0]?.n, 10);
    } finally {
      await database.close();
    }
  });
});

describe("PGlite: the data folder is locked", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-pglite-"));
  const lock = join(dir, LOCK_FILE);
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the lock holds our pid, refuses a second opener, and goes away on close", async () => {
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      assert.equal(readFileSync(lock, "utf8").trim(), String(process.pid));
      await assert.rejects(
        openDatabase({ kind: "pglite", dataDir: dir }),
        (e) => isAppError(e, "unavailable") && e.message.includes("in use by this process"),
      );
      await sql`CREATE TABLE kept (x int)`.execute(first.db);
      await sql`INSERT INTO kept VALUES (42)`.execute(first.db);
    } finally {
      await first.close();
      await first.close();
    }
    assert.equal(existsSync(lock), false);
    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const { rows } = await sql<{ x: number }>`SELECT x FROM kept`.execute(again.db);
      assert.deepEqual(rows, [{ x: 42 }], "closed cleanly: the data survived");
    } finally {
      await again.close();
    }
  });

  test("a lock left by a dead process is taken over", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    assert.ok(dead);
    writeFileSync(lock, `${dead}\n`);
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      assert.equal(readFileSync(lock, "utf8").trim(), String(process.pid));
    } finally {
      await database.close();
    }
  });

  test("a lock held by another live process is refused, naming it", async () => {
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      assert.ok(other.pid);
      writeFileSync(lock, `${other.pid}\n`);
      await assert.rejects(
        openDatabase({ kind: "pglite", dataDir: dir }),
        (e) => isAppError(e, "unavailable") && e.message.includes(`process ${other.pid}`),
      );
      assert.equal(readFileSync(lock, "utf8").trim(), String(other.pid), "their lock is left alone");
    } finally {
      other.kill();
      rmSync(lock, { force: true });
    }
  });
});
