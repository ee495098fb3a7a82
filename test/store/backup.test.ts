// The backup file and restore at the store's level: a backup taken from PostgreSQL (files in
// file_chunks) at an older migration level restores into a database of this Onboard (PGlite, files
// in its folder) and is migrated after the load; the file's bytes arrive intact; the written file
// is named only once complete. db copy from that older database into one this Onboard migrated is
// refused: the levels differ.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { writeBackup } from "../../src/store/backup/backup.ts";
import { restoreBackup } from "../../src/store/backup/restore.ts";
import { openDatabase } from "../../src/store/database.ts";
import { loadMigrations, migrate } from "../../src/store/migrate.ts";
import { POSTGRES_ADMIN_URL, testBackends } from "./support/backends.ts";
import { OPS, startInput, T0, withMinimal } from "./support/world.ts";

const postgres = (await testBackends()).find((b) => b.name === "postgres");
const CLI = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

describe("a backup from an older Onboard on PostgreSQL, restored into this one", { skip: postgres?.skip ?? "no PostgreSQL" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-backup-store-"));
  const name = `onboard_t_bk_${randomBytes(5).toString("hex")}`;
  const url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  after(async () => {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  });

  test("is loaded at its own level, verified, then migrated; its files come out of file_chunks into a folder", async () => {
    await admin(`CREATE DATABASE ${name}`);
    const all = await loadMigrations();
    const older = all.slice(0, -1);
    const source = await openDatabase({ kind: "postgres", url }, { migrate: false });
    const body = randomBytes(600_000);
    const file = join(dir, "older.obk");
    try {
      // The level an Onboard one migration older than this one leaves.
      await migrate(source.db, older);
      const { service, playbook } = await withMinimal(source);
      await service.startProject({ playbook, input: startInput("bk-1"), now: T0 });
      await service.runCommand("bk-1", { command: { type: "open_issue", severity: "low", title: "x" }, actor: OPS, now: T0 });
      await source.files.put(
        (async function* () {
          yield body;
        })(),
        (stored) =>
          sql`INSERT INTO attachments (id, project_id, file_name, content_type, size, sha256, content, blob_store, blob_key,
                visibility, uploaded_by_kind, uploaded_by, created_at)
              VALUES ('f1', 'bk-1', 'f1.bin', 'application/octet-stream', ${stored.size}, ${stored.sha256}, NULL, ${stored.store}, ${stored.key},
                'internal', 'user', 'ops-1', ${T0})`.execute(source.db),
      );
      const trailer = await writeBackup(source, file);
      assert.equal(trailer.files, 1);
      assert.equal(existsSync(`${file}.partial`), false, "the partial file was renamed");
      assert.equal(existsSync(file), true);
    } finally {
      await source.close();
    }
    const target = await openDatabase({ kind: "pglite", dataDir: join(dir, "restored") }, { migrate: false });
    try {
      const report = await restoreBackup(file, target);
      assert.deepEqual(report.migrated, [all.at(-1)?.version], "this Onboard's newer migration ran after the load");
      assert.equal(report.header.level.length, older.length);
      assert.equal(report.audit.intact, true);
      const row = await sql<{ blob_store: string; blob_key: string }>`SELECT blob_store, blob_key FROM attachments`.execute(target.db);
      assert.equal(row.rows[0]?.blob_store, "folder");
      assert.equal(row.rows[0]?.blob_key, createHash("sha256").update(body).digest("hex"));
      assert.deepEqual(await buffer(await target.files.open(row.rows[0]?.blob_key ?? "")), body);
    } finally {
      await target.close();
    }
  });

  test("db copy from that older database into an empty one this Onboard migrated is refused: the levels differ", async () => {
    const newer = `${name}_newer`;
    await admin(`CREATE DATABASE ${newer}`);
    try {
      const newerUrl = url.replace(/\/[^/]*$/, `/${newer}`);
      await (await openDatabase({ kind: "postgres", url: newerUrl })).close();
      const copy = spawnSync(process.execPath, [CLI, "db", "copy", "--from", url, "--to", newerUrl], {
        encoding: "utf8",
        timeout: 120_000,
      });
      assert.equal(copy.status, 1, copy.stdout);
      assert.match(copy.stderr, /different migration levels \(source \d+, target \d+\): copy into a new database/);
    } finally {
      await admin(`DROP DATABASE IF EXISTS ${newer} WITH (FORCE)`);
    }
  });
});
