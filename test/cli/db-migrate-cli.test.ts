// Upgrading with several processes: a process with MIGRATIONS=off never changes the schema and
// refuses a database that is behind or ahead, saying which versions and what to run; `onboard db
// migrate` brings it up to date and `onboard db status` says where it stands. Real child processes
// on a scratch database of the PostgreSQL server at 127.0.0.1:5432, and on a data folder (the
// embedded server, the default).
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { embeddedServerAvailable } from "../../src/store/embedded-server/binaries.ts";
import { loadMigrations, migrate, migrationFile } from "../../src/store/migrate.ts";
import { type FreshDatabase, testBackends } from "../store/support/backends.ts";
import { runCli, startServe } from "./support/serve-process.ts";

const ALL = await loadMigrations();
const NEEDED = ALL.length;
const postgres = (await testBackends()).find((b) => b.name === "postgres");
if (postgres === undefined) throw new Error("testBackends() lists no PostgreSQL backend");

const BEHIND = new RegExp(
  `the database is at migration 21, this Onboard needs ${NEEDED}: run \`onboard db migrate\` or start one process with MIGRATIONS=auto`,
);
const AHEAD = new RegExp(
  `the database is at migration ${NEEDED + 1}, which this Onboard does not know \\(it knows migrations up to ${NEEDED}; unknown: ${NEEDED + 1}\\): upgrade Onboard`,
);

/** A folder for what a served process writes besides the database (mail, the erasure journal). */
function scratchFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(dir, 0o755);
  return dir;
}

async function addUnknownMigration(database: Database): Promise<void> {
  await sql`INSERT INTO schema_migrations (version, name, checksum) VALUES (${NEEDED + 1}, 'from_a_newer_onboard', 'x')`.execute(
    database.db,
  );
}

describe("MIGRATIONS=off, db migrate and db status on PostgreSQL", { skip: postgres.skip, timeout: 300_000 }, () => {
  let fresh: FreshDatabase;
  let url = "";
  const dir = scratchFolder("onboard-db-migrate-");
  const env = () => ({ DATABASE_URL: url, DATA_DIR: join(dir, "data"), MAIL_DIR: join(dir, "mail"), SCHEDULER: "off", OUTBOX: "off" });
  before(async () => {
    fresh = await postgres.fresh({ migrate: false });
    if (fresh.target.kind !== "postgres") throw new Error("expected a PostgreSQL target");
    url = fresh.target.url;
  });
  after(async () => {
    await fresh?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an un-migrated database: MIGRATIONS=off refuses to start and changes nothing", async () => {
    const refused = await runCli(["serve"], { ...env(), MIGRATIONS: "off" });
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, new RegExp(`the database is at migration 0, this Onboard needs ${NEEDED}: run \`onboard db migrate\``));
    const { rows } = await sql<{ exists: boolean }>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`.execute(
      fresh.database.db,
    );
    assert.equal(rows[0]?.exists, false, "not even the migrations table was created");
  });

  test("partially migrated: serve refuses, status lists what is pending (exit 1), migrate applies it, then serve starts", async () => {
    await migrate(fresh.database.db, ALL.slice(0, 21));
    const refused = await runCli(["serve"], { ...env(), MIGRATIONS: "off" });
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, BEHIND);
    const worker = await runCli(["worker"], { ...env(), MIGRATIONS: "off" });
    assert.equal(worker.code, 1, worker.err);
    assert.match(worker.err, BEHIND, "onboard worker refuses the same way");

    const behind = await runCli(["db", "status", "--database", url]);
    assert.equal(behind.code, 1, behind.err);
    assert.match(behind.out, /applied: +migration 21\n/);
    assert.match(behind.out, new RegExp(`this Onboard: migration ${NEEDED}\\n`));
    // Every migration after 21, whatever this Onboard has added since.
    const pendingFiles = ALL.slice(21).map((m) => migrationFile(m));
    assert.match(behind.out, new RegExp(`pending: +${pendingFiles.join(", ").replaceAll(".", "\\.")}\n`));
    assert.match(behind.out, /unknown: +none\n/);

    const migrated = await runCli(["db", "migrate", "--database", url]);
    assert.equal(migrated.code, 0, migrated.err);
    assert.match(migrated.out, new RegExp(`^${pendingFiles.map((f) => `applied ${f.replaceAll(".", "\\.")}\n`).join("")}`));
    assert.match(migrated.out, new RegExp(`is at migration ${NEEDED}\\n$`));

    const current = await runCli(["db", "status"], { ONBOARD_DATABASE: url });
    assert.equal(current.code, 0, current.out + current.err);
    assert.match(current.out, /pending: +none\n[\s\S]*Up to date\./);

    const again = await runCli(["db", "migrate", "--database", url]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, new RegExp(`^nothing to apply: .* is at migration ${NEEDED}\\n$`));

    const server = await startServe({ ...env(), MIGRATIONS: "off" });
    try {
      const health = await fetch(`${server.url}/health/ready`);
      assert.equal(health.status, 200, server.output());
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
  });

  test("a database with a migration this Onboard does not know is refused by serve (off and auto), status and migrate", async () => {
    await addUnknownMigration(fresh.database);
    for (const migrations of ["off", "auto"]) {
      const refused = await runCli(["serve"], { ...env(), MIGRATIONS: migrations });
      assert.equal(refused.code, 1, `MIGRATIONS=${migrations}: ${refused.err}`);
      assert.match(refused.err, AHEAD, `MIGRATIONS=${migrations}`);
    }
    const status = await runCli(["db", "status", "--database", url]);
    assert.equal(status.code, 1, status.err);
    assert.match(status.out, new RegExp(`unknown: +${NEEDED + 1}\\n[\\s\\S]*upgrade Onboard`));
    const migrated = await runCli(["db", "migrate", "--database", url]);
    assert.equal(migrated.code, 1, migrated.out);
    assert.match(migrated.err, AHEAD);
  });

  test("db migrate and status name the database or say how to", async () => {
    const missing = await runCli(["db", "status"], { ONBOARD_DATABASE: "" });
    assert.equal(missing.code, 2);
    assert.match(missing.err, /name the database with --database/);
    const extra = await runCli(["db", "migrate", "now", "--database", url]);
    assert.equal(extra.code, 2);
    assert.match(extra.err, /db migrate takes no arguments/);
  });
});

const skipEmbedded =
  embeddedServerAvailable() || process.env.CI === "true" ? false : "no embedded PostgreSQL server binaries for this platform: skipped";

describe("MIGRATIONS=off, db migrate and db status on the default data folder", { skip: skipEmbedded, timeout: 300_000 }, () => {
  const dir = scratchFolder("onboard-db-migrate-folder-");
  const data = join(dir, "data");
  const env = { DATA_DIR: data, MAIL_DIR: join(dir, "mail"), SCHEDULER: "off", OUTBOX: "off", MIGRATIONS: "off" };
  before(async () => {
    const database = await openDatabase({ kind: "embedded", dataDir: data }, { migrate: false });
    try {
      await migrate(database.db, ALL.slice(0, 21));
    } finally {
      await database.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("behind: serve refuses, status exit 1, migrate applies, serve starts; ahead: both refuse", async () => {
    const refused = await runCli(["serve"], env);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, BEHIND);
    const behind = await runCli(["db", "status", "--database", data]);
    assert.equal(behind.code, 1, behind.err);
    assert.match(behind.out, /applied: +migration 21\n/);
    const migrated = await runCli(["db", "migrate", "--database", data]);
    assert.equal(migrated.code, 0, migrated.err);
    assert.match(migrated.out, /applied 0022_session_authentication\.sql\napplied 0023_access_and_change_control\.sql\n/);
    const server = await startServe(env);
    try {
      assert.equal((await fetch(`${server.url}/health/ready`)).status, 200);
      // While it runs, status shares its embedded server instead of refusing the locked folder.
      const status = await runCli(["db", "status", "--database", data]);
      assert.equal(status.code, 0, status.out + status.err);
      const database = await openDatabase({ kind: "embedded", dataDir: data }, { migrate: false, shareRunning: true });
      try {
        await addUnknownMigration(database);
      } finally {
        await database.close();
      }
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
    const ahead = await runCli(["serve"], env);
    assert.equal(ahead.code, 1, ahead.err);
    assert.match(ahead.err, AHEAD);
    const status = await runCli(["db", "status", "--database", data]);
    assert.equal(status.code, 1);
    assert.match(status.out, new RegExp(`unknown: +${NEEDED + 1}\\n`));
  });
});
