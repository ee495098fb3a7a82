// Files uploaded before migration 0011 kept their bytes in their rows. The migration counts them
// into each client's usage, and the server moves them to the file store at start: checked against
// the SHA-256 recorded at upload, idempotent, safe when two processes move at once, and a row whose
// bytes do not match keeps them. Nothing is lost on the way; downloads read either place.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { parseConfig } from "../../src/api/config.ts";
import { moveStoredFiles } from "../../src/api/data/attachments.ts";
import { apiDb } from "../../src/api/data/tables.ts";
import { startServer } from "../../src/api/server.ts";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { openStoredFile } from "../../src/store/files.ts";
import { loadMigrations, migrate } from "../../src/store/migrate.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { type FreshDatabase, testBackends } from "../store/support/backends.ts";
import { MINIMAL } from "../support/fixtures.ts";
import { FACTS, MINIMAL_REF } from "./support/world.ts";

const BACKENDS = await testBackends();
const NOW = "2026-03-02T08:00:00.000Z";

/** A PDF-looking file of `size` random bytes. */
function file(size: number): Buffer {
  return Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(size - 9)]);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Two clients with a project each, on a playbook version row (as any earlier release left them). */
async function seedProjects(database: Database): Promise<void> {
  await sql`INSERT INTO playbook_versions (playbook_id, version, source, content_hash, published_at)
            VALUES ('old', '1', 'onboard: 1', 'h', ${NOW})`.execute(database.db);
  for (const id of ["acme", "globex"]) {
    await sql`INSERT INTO clients (id, name, time_zone, created_at, updated_at) VALUES (${id}, ${id}, 'UTC', ${NOW}, ${NOW})`.execute(
      database.db,
    );
    await sql`INSERT INTO projects (id, client_id, playbook_id, playbook_version, state, version, status, created_at, updated_at)
              VALUES (${`${id}-p`}, ${id}, 'old', '1', '{}', 1, 'active', ${NOW}, ${NOW})`.execute(database.db);
  }
}

/** An attachment row as releases before 0011 wrote it: the bytes in `content`. */
async function oldAttachment(database: Database, id: string, project: string, bytes: Buffer, digest = sha256(bytes)): Promise<void> {
  await sql`INSERT INTO attachments (id, project_id, file_name, content_type, size, sha256, content, visibility, uploaded_by_kind, uploaded_by, created_at)
            VALUES (${id}, ${project}, ${`${id}.pdf`}, 'application/pdf', ${bytes.length}, ${digest}, ${bytes}, 'client', 'user', 'u1', ${NOW})`.execute(
    database.db,
  );
}

async function bytesOf(database: Database, id: string): Promise<Buffer> {
  const row = await apiDb(database).selectFrom("attachments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  if (row.content) return Buffer.from(row.content);
  assert.ok(row.blob_store && row.blob_key);
  const stream = await openStoredFile(database.files, database.db, { store: row.blob_store, key: row.blob_key });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

for (const backend of BACKENDS) {
  describe(`files kept in rows before 0011 (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    const a = file(700 * 1024);
    const b = file(3 * 1024 * 1024 + 5);
    const corrupted = file(2048);

    before(async () => {
      fresh = await backend.fresh({ migrate: false });
      const migrations = await loadMigrations();
      const filesOutsideRows = migrations.find((m) => m.name === "files_outside_rows")?.version ?? 0;
      await migrate(
        fresh.database.db,
        migrations.filter((m) => m.version < filesOutsideRows),
      );
      await seedProjects(fresh.database);
      await oldAttachment(fresh.database, "a1", "acme-p", a);
      await oldAttachment(fresh.database, "a2", "acme-p", b);
      await oldAttachment(fresh.database, "g1", "globex-p", a);
      await oldAttachment(fresh.database, "bad", "globex-p", corrupted, sha256(Buffer.from("something else")));
      assert.ok((await migrate(fresh.database.db)).includes(filesOutsideRows));
    });
    after(() => fresh?.dispose());

    test("the migration counts what each client already holds", async () => {
      const usage = await apiDb(fresh.database).selectFrom("client_file_usage").selectAll().orderBy("client_id").execute();
      assert.deepEqual(
        usage.map((u) => [u.client_id, Number(u.used_bytes)]),
        [
          ["acme", a.length + b.length],
          ["globex", a.length + corrupted.length],
        ],
      );
    });

    test("two movers at once move every file once, lose none, and leave no stray copy", async () => {
      const other = fresh.openAnother ? await fresh.openAnother({ migrate: false }) : fresh.database;
      const reports = await Promise.all([moveStoredFiles(fresh.database, apiDb(fresh.database)), moveStoredFiles(other, apiDb(other))]);
      assert.equal(reports[0].moved + reports[1].moved, 3);
      for (const report of reports) {
        assert.deepEqual(
          report.failed.map((f) => f.id),
          ["bad"],
        );
        assert.match(report.failed[0]?.message ?? "", /do not match the SHA-256/);
      }
      const rows = await apiDb(fresh.database)
        .selectFrom("attachments")
        .select(["id", "blob_store", sql<boolean>`content IS NULL`.as("moved")])
        .orderBy("id")
        .execute();
      assert.deepEqual(
        rows.map((r) => [r.id, r.moved, r.blob_store]),
        [
          ["a1", true, fresh.database.files.kind],
          ["a2", true, fresh.database.files.kind],
          ["bad", false, null],
          ["g1", true, fresh.database.files.kind],
        ],
      );
      assert.ok((await bytesOf(fresh.database, "a1")).equals(a));
      assert.ok((await bytesOf(fresh.database, "a2")).equals(b));
      assert.ok((await bytesOf(fresh.database, "g1")).equals(a));
      assert.ok((await bytesOf(fresh.database, "bad")).equals(corrupted), "a file that does not match its digest stays where it was");
      if (fresh.database.files.kind === "table") {
        // Chunks: exactly those of the three rows (a loser's copy was removed).
        const { rows: strays } = await sql<{ n: string }>`
          SELECT count(DISTINCT blob_key) AS n FROM file_chunks c
           WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_key = c.blob_key)`.execute(fresh.database.db);
        assert.equal(Number(strays[0]?.n), 0);
      }
    });

    test("moving again changes nothing", async () => {
      const again = await moveStoredFiles(fresh.database, apiDb(fresh.database));
      assert.equal(again.moved, 0);
    });
  });
}

describe("an embedded database's files move to files/ in its folder when the server starts", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "onboard-files-upgrade-"));
    // As root the embedded server runs as another account, which must pass through this folder.
    chmodSync(dir, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("moved at start, downloadable before and after, the folder content-addressed", async () => {
    const bytes = file(1024 * 1024 + 3);
    const dataDir = join(dir, "data");
    const database = await openDatabase({ kind: "pglite", dataDir });
    try {
      assert.equal(database.files.kind, "folder");
      assert.equal(database.files.description, join(dataDir, "files"));
      // A real project (the server derives its summary at start), and a file as an earlier release kept it.
      const service = new ProjectService(database);
      await service.publishPlaybook(MINIMAL, { now: NOW });
      await service.startProject({
        playbook: MINIMAL_REF,
        input: { projectId: "acme-p", client: { id: "acme", name: "Acme", timeZone: "UTC" }, facts: FACTS },
        now: NOW,
      });
      await oldAttachment(database, "old", "acme-p", bytes);
    } finally {
      await database.close();
    }
    const config = parseConfig({
      PORT: "0",
      LOG_LEVEL: "silent",
      SCHEDULER: "off",
      OUTBOX: "off",
      DATA_DIR: dataDir,
      ONBOARD_DEMO_PROJECTS: "0",
      ONBOARD_ADMIN_EMAIL: "admin@example.com",
      ONBOARD_ADMIN_PASSWORD: "admin password for tests",
    });
    const server = await startServer(config);
    try {
      const report = await server.fileMove;
      assert.deepEqual(report, { moved: 1, failed: [] });
      const digest = sha256(bytes);
      assert.ok(existsSync(join(dataDir, "files", digest.slice(0, 2), digest)), "stored under its SHA-256");
      assert.deepEqual(readdirSync(join(dataDir, "files", ".incoming")), [], "no temporary file left");
      const url = await server.listen();
      const login = await fetch(`${url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "admin@example.com", password: "admin password for tests" }),
      });
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const response = await fetch(`${url}/attachments/old`, { headers: { cookie } });
      assert.equal(response.status, 200, await text(response.clone().body ?? new ReadableStream()));
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(bytes));
      assert.equal(
        (await apiDb(server.database).selectFrom("attachments").select("content").where("id", "=", "old").executeTakeFirstOrThrow())
          .content,
        null,
      );
    } finally {
      await server.close();
    }
  });
});
