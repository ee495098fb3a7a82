// onboard db copy as an operator runs it: a data folder on the embedded PostgreSQL server, with
// projects, events and uploaded files in its files/ folder, copied into an empty database on the
// system PostgreSQL; the files arrive in file_chunks (read back through the table store), the
// audit trail verifies on the copy, a second copy into the same database is refused, and the copy
// goes back into a new folder, files in its files/ again.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { defaultFilesDir, tableFileStore } from "../../src/store/files.ts";
import { POSTGRES_ADMIN_URL } from "../store/support/backends.ts";
import { hoursAfter, OPS, startInput, T0, withMinimal } from "../store/support/world.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 180_000,
    env: { ...process.env, NO_COLOR: "1", EMBEDDED_DATABASE: "postgres" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
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

/** An uploaded file as the server records one: bytes in the database's store, a row saying where. */
async function upload(database: Database, id: string, projectId: string, body: string): Promise<string> {
  return await database.files.put(
    (async function* () {
      yield Buffer.from(body);
    })(),
    async (file) => {
      await sql`INSERT INTO attachments (id, project_id, file_name, content_type, size, sha256, content, blob_store, blob_key,
                  visibility, uploaded_by_kind, uploaded_by, created_at)
                VALUES (${id}, ${projectId}, ${`${id}.txt`}, 'text/plain', ${file.size}, ${file.sha256}, NULL, ${file.store}, ${file.key},
                  'internal', 'user', 'ops-1', ${T0})`.execute(database.db);
      return file.sha256;
    },
  );
}

describe("onboard db copy from the embedded database to PostgreSQL, and back", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-db-copy-"));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const name = `onboard_t_copy_${randomBytes(5).toString("hex")}`;
  const url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
  const plan = `the plan: ${randomBytes(300_000).toString("base64")}`;
  let events = 0;

  before(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      const { service, playbook } = await withMinimal(database);
      for (const id of ["copy-a", "copy-b"]) {
        await service.startProject({ playbook, input: startInput(id), now: T0 });
        await service.runCommand(id, { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
      }
      await upload(database, "plan-a", "copy-a", plan);
      // The same bytes twice: one file in the folder, a copy per row in file_chunks.
      await upload(database, "plan-b", "copy-b", plan);
      await upload(database, "note-a", "copy-a", "a short note");
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db);
      events = rows[0]?.n ?? 0;
    } finally {
      await database.close();
    }
  });
  after(async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    rmSync(dir, { recursive: true, force: true });
  });

  test("every row and file arrives in PostgreSQL, verified; the copy's audit trail is intact; a second copy is refused", async () => {
    const copied = onboard("db", "copy", "--from", data, "--to", url);
    assert.equal(copied.code, 0, copied.err + copied.out);
    assert.match(copied.out, new RegExp(`events: ${events}\\n`));
    assert.match(copied.out, /files: 2 \(\d+ bytes\), each SHA-256 checked on arrival, now in the database \(file_chunks\)/);
    assert.match(copied.out, /audit trail: intact on the source, intact on the copy/);
    assert.match(copied.out, /next: start Onboard with DATABASE_URL=postgres:\/\//);
    // Absolute paths: the line is pasted into a unit file or another shell.
    assert.match(copied.out, /AUDIT_SIGNING_KEY=\/\S+\/audit-signing-key\.pem ERASURE_JOURNAL=\/\S+\/erasure-journal\.jsonl/);
    assert.match(copied.err, /copied events: \d+\/\d+ rows/, "progress per table on stderr");

    const target = await openDatabase({ kind: "postgres", url }, { migrate: false });
    try {
      const { rows } = await sql<{ id: string; blob_store: string; blob_key: string; sha256: string }>`
        SELECT id, blob_store, blob_key, sha256 FROM attachments ORDER BY id`.execute(target.db);
      assert.deepEqual(
        rows.map((r) => [r.id, r.blob_store]),
        [
          ["note-a", "table"],
          ["plan-a", "table"],
          ["plan-b", "table"],
        ],
      );
      assert.notEqual(rows[1]?.blob_key, rows[2]?.blob_key, "each row has its own chunks: erasing one leaves the other");
      for (const row of rows) {
        const bytes = await text(await tableFileStore(target.db).open(row.blob_key));
        assert.equal(createHash("sha256").update(bytes).digest("hex"), row.sha256);
      }
      assert.equal(await text(await tableFileStore(target.db).open(rows[1]?.blob_key ?? "")), plan);
    } finally {
      await target.close();
    }
    const verify = onboard("audit", "verify", "--database", url);
    assert.equal(verify.code, 0, verify.err + verify.out);
    assert.match(verify.out, /copy-a: version \d+, \d+ events: intact/);

    const again = onboard("db", "copy", "--from", data, "--to", url);
    assert.equal(again.code, 1);
    assert.match(again.err, /is not empty \(table \w+ has rows\): copy or restore into a new, empty database/);
  });

  test("from PostgreSQL back into a new folder: the files return to its files/ folder", () => {
    const back = join(dir, "back");
    const copied = onboard("db", "copy", "--from", url, "--to", back);
    assert.equal(copied.code, 0, copied.err + copied.out);
    // Three rows, three files in file_chunks; the folder keeps the two with the same bytes once.
    assert.match(copied.out, /files: 3 \(\d+ bytes\)/);
    const sha = createHash("sha256").update(plan).digest("hex");
    assert.equal(readFileSync(join(defaultFilesDir(back), sha.slice(0, 2), sha), "utf8"), plan);
    assert.match(copied.out, new RegExp(`next: start Onboard with DATA_DIR=${back}`));
  });

  test("usage errors exit 2; an unreachable server says where and what to check", () => {
    const missing = onboard("db", "copy", "--from", data);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /db copy needs --from <source> and --to <target>/);
    const unreachable = onboard("db", "copy", "--from", data, "--to", "postgres://postgres@127.0.0.1:1/nowhere");
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err, /cannot use the database at .*check the URL/);
    assert.equal(existsSync(join(dir, "nowhere")), false);
  });
});
