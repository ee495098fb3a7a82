// The embedded default: a real PostgreSQL server kept in the data folder. Nobody else reaches it
// (loopback, no socket, a generated password), it is durable (fsync and synchronous commit on), a
// second Onboard on the folder is refused by name, a server orphaned by a killed Onboard is stopped
// at the next start, and a folder PGlite used is moved into it once: backed up, copied, verified,
// and redone from the untouched PGlite files when a move was interrupted.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { verifyAudit } from "../../src/store/audit.ts";
import { copyDatabase } from "../../src/store/copy.ts";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { embeddedServerAvailable } from "../../src/store/embedded-server/binaries.ts";
import { BACKUP_PREFIX, MOVE_MARKER, MOVED_MARKER } from "../../src/store/embedded-server/from-pglite.ts";
import { CLUSTER_DIR, PASSWORD_FILE } from "../../src/store/embedded-server/server.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { CRASH_PROJECT, crashPlaybook, crashScript, crashStart } from "./support/crash-script.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const skip =
  embeddedServerAvailable() || process.env.CI === "true" ? false : "no embedded PostgreSQL server binaries for this platform: skipped";

const folders: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), "onboard-embedded-test-"));
  folders.push(made);
  return made;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
}

function postmaster(dataDir: string): number {
  return Number.parseInt(readFileSync(join(dataDir, CLUSTER_DIR, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
}

function port(dataDir: string): number {
  return Number.parseInt(readFileSync(join(dataDir, CLUSTER_DIR, "postmaster.pid"), "utf8").split("\n")[3] ?? "", 10);
}

/** A project with some history: the crash script's first commands. */
async function someHistory(database: Database, commands = 12): Promise<void> {
  const service = new ProjectService(database);
  const playbook = await service.publishPlaybook(crashPlaybook(), { file: "crash.yaml", now: crashStart().now });
  await service.startProject({ playbook, input: crashStart().input, idempotencyKey: "start", now: crashStart().now });
  for (const [n, step] of crashScript().slice(0, commands).entries()) {
    await service.runCommand(CRASH_PROJECT, { command: step.command, actor: step.actor, idempotencyKey: `cmd-${n}`, now: step.now });
  }
  // An identity column too: after a move its sequence must go on from the copied rows.
  await sql`INSERT INTO access_changes (at, actor, subject_user, change) VALUES (now(), 'system', 'admin', 'account_created')`.execute(
    database.db,
  );
}

async function counts(database: Database): Promise<Record<string, number>> {
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`.execute(
    database.db,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of rows) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table_name)}`.execute(database.db);
    out[table_name] = result.rows[0]?.n ?? 0;
  }
  return out;
}

// Each test has its own data folder and server (on a port chosen at its start), so two run side
// by side: most of their time is initdb, server starts and stops, and the processes they spawn
// (more at once on two cores only queue, and a start's 2-second login probe can run out).
describe("the embedded PostgreSQL server", { skip, concurrency: 2 }, () => {
  test("is reachable only with its generated password, on loopback, and commits durably", async () => {
    const dataDir = folder();
    const database = await openDatabase({ kind: "embedded", dataDir });
    try {
      assert.match(database.description, /embedded PostgreSQL 1\d\.\d+ server/);
      const passwordFile = join(dataDir, PASSWORD_FILE);
      assert.equal(statSync(passwordFile).mode & 0o777, 0o600, "the password file is private");
      const settings = await sql<{ name: string; setting: string }>`
        SELECT name, setting FROM pg_settings
        WHERE name IN ('listen_addresses', 'unix_socket_directories', 'fsync', 'synchronous_commit', 'full_page_writes')`.execute(
        database.db,
      );
      assert.deepEqual(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])), {
        full_page_writes: "on",
        fsync: "on",
        listen_addresses: "127.0.0.1",
        synchronous_commit: "on",
        unix_socket_directories: "",
      });
      const at = port(dataDir);
      for (const password of [undefined, "guess"]) {
        const client = new pg.Client({
          host: "127.0.0.1",
          port: at,
          user: "onboard",
          database: "onboard",
          ...(password ? { password } : {}),
        });
        await assert.rejects(client.connect(), /password/i, "no login without the kept password");
        await client.end().catch(() => {});
      }
      const other = new pg.Client({ host: "127.0.0.1", port: at, user: "postgres", database: "postgres", password: "postgres" });
      await assert.rejects(other.connect(), /password|role/i);
      await other.end().catch(() => {});
    } finally {
      await database.close();
    }
    const log = readFileSync(join(dataDir, "postgres.log"), "utf8");
    assert.match(log, /database system is shut down/, "close shuts the server down cleanly");
  });

  test("while Onboard runs on the folder, a second server is refused by name and the CLI's checks use the running server", async () => {
    const dataDir = folder();
    const database = await openDatabase({ kind: "embedded", dataDir });
    try {
      await someHistory(database, 3);
      const serve = spawnSync(process.execPath, [join(ROOT, "src/cli/main.ts"), "serve"], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, DATA_DIR: dataDir, PORT: "0", DATABASE_URL: "", EMBEDDED_DATABASE: "postgres" },
      });
      assert.notEqual(serve.status, 0);
      assert.match(serve.stderr, new RegExp(`the database folder ${dataDir} is in use by process ${process.pid}`));
      assert.doesNotMatch(serve.stderr, /\n\s+at /, "no stack trace");

      const verify = spawnSync(process.execPath, [join(ROOT, "src/cli/main.ts"), "audit", "verify", "--database", dataDir], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(verify.status, 0, verify.stderr + verify.stdout);
      assert.match(verify.stdout, new RegExp(`${CRASH_PROJECT}: version \\d+, \\d+ events: intact`));
      // The running server is untouched by the command's visit.
      assert.equal((await new ProjectService(database).getProject(CRASH_PROJECT)).id, CRASH_PROJECT);
    } finally {
      await database.close();
    }
  });

  test("a server left running by an Onboard killed with SIGKILL is stopped at the next start, and nothing committed is lost", async () => {
    const dataDir = folder();
    const script = join(dataDir, "..", `${dataDir.split("/").pop()}-child.ts`);
    folders.push(script);
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(join(ROOT, "src/store/database.ts"))};
import { ProjectService } from ${JSON.stringify(join(ROOT, "src/store/project-service.ts"))};
import { crashPlaybook, crashStart } from ${JSON.stringify(join(ROOT, "test/store/support/crash-script.ts"))};
const database = await openDatabase({ kind: "embedded", dataDir: ${JSON.stringify(dataDir)} });
const service = new ProjectService(database);
const playbook = await service.publishPlaybook(crashPlaybook(), { file: "crash.yaml", now: crashStart().now });
await service.startProject({ playbook, input: crashStart().input, idempotencyKey: "start", now: crashStart().now });
process.stdout.write("COMMITTED\\n");
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    while (!out.includes("COMMITTED")) {
      if (child.exitCode !== null) assert.fail(`the child exited ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const orphan = postmaster(dataDir);
    child.kill("SIGKILL");
    await once(child, "exit");
    assert.ok(alive(orphan), "kill -9 of Onboard leaves its server running");

    // The next start is a CLI command in its own process: nothing else keeps it alive while it waits.
    const cli = spawnSync(process.execPath, [join(ROOT, "src/cli/main.ts"), "audit", "verify", "--database", dataDir], {
      encoding: "utf8",
      timeout: 90_000,
    });
    assert.equal(cli.status, 0, cli.stderr + cli.stdout);
    assert.match(
      cli.stderr,
      new RegExp(`stopping the database server \\(pid ${orphan}\\) left running by an Onboard that did not stop cleanly`),
    );
    assert.match(cli.stdout, /the audit trail is intact/);
    assert.equal(alive(orphan), false);
    const database = await openDatabase({ kind: "embedded", dataDir });
    try {
      assert.notEqual(postmaster(dataDir), orphan);
      const project = await new ProjectService(database).getProject(CRASH_PROJECT);
      assert.equal(project.id, CRASH_PROJECT, "the committed project is there");
    } finally {
      await database.close();
    }
  });

  test("a PGlite folder is moved into the server once: backed up first, every row copied and verified, PGlite's files gone from the top", async () => {
    const dataDir = folder();
    const pglite = await openDatabase({ kind: "pglite", dataDir });
    let before: Record<string, number>;
    let state: unknown;
    try {
      await someHistory(pglite);
      // An uploaded file, as the server records one: bytes in files/, the row says so.
      await pglite.files.put(
        (async function* () {
          yield Buffer.from("the kickoff deck");
        })(),
        (file) =>
          sql`INSERT INTO attachments (id, project_id, file_name, content_type, size, sha256, content, blob_store, blob_key,
                visibility, uploaded_by_kind, uploaded_by, created_at)
              VALUES ('deck', ${CRASH_PROJECT}, 'deck.txt', 'text/plain', ${file.size}, ${file.sha256}, NULL, ${file.store}, ${file.key},
                'internal', 'user', 'ops-1', now())`.execute(pglite.db),
      );
      before = await counts(pglite);
      state = (await new ProjectService(pglite).getProject(CRASH_PROJECT)).state;
    } finally {
      await pglite.close();
    }
    writeFileSync(join(dataDir, "audit-signing-key.pem"), "kept as it is\n");
    const untouched = mkdtempSync(join(tmpdir(), "onboard-pglite-copy-"));
    folders.push(untouched);
    cpSync(dataDir, untouched, { recursive: true });

    const said: string[] = [];
    const moved = await openDatabase({ kind: "embedded", dataDir }, { log: (message) => said.push(message) });
    try {
      assert.match(said.join("\n"), /holds a PGlite database: moving it/);
      assert.match(said.join("\n"), /audit trail verified on both sides/);
      assert.deepEqual(await counts(moved), before);
      assert.deepEqual(
        JSON.parse(JSON.stringify((await new ProjectService(moved).getProject(CRASH_PROJECT)).state)),
        JSON.parse(JSON.stringify(state)),
      );
      assert.ok((await verifyAudit(moved)).intact);
      // Both engines keep files in the folder's files/: the row still points there, nothing went into file_chunks.
      const deck = await sql<{ blob_store: string; chunks: number }>`
        SELECT blob_store, (SELECT count(*)::int FROM file_chunks) AS chunks FROM attachments WHERE id = 'deck'`.execute(moved.db);
      assert.deepEqual(deck.rows, [{ blob_store: "folder", chunks: 0 }]);
      assert.equal(await text(await moved.files.open(createHash("sha256").update("the kickoff deck").digest("hex"))), "the kickoff deck");
      // The identity sequence goes on after the copied rows.
      await sql`INSERT INTO access_changes (at, actor, subject_user, change) VALUES (now(), 'system', 'admin', 'password_changed')`.execute(
        moved.db,
      );
      // Commands go on where PGlite left them.
      const service = new ProjectService(moved);
      const next = crashScript()[12];
      assert.ok(next);
      await service.runCommand(CRASH_PROJECT, { command: next.command, actor: next.actor, idempotencyKey: "cmd-12", now: next.now });
    } finally {
      await moved.close();
    }
    const top = readdirSync(dataDir);
    assert.equal(top.includes("PG_VERSION") || top.includes("base") || top.includes("pg_wal"), false, top.join(" "));
    const backup = top.find((name) => name.startsWith(BACKUP_PREFIX));
    assert.ok(backup, "a backup of PGlite's files is kept");
    assert.ok(existsSync(join(dataDir, backup, "PG_VERSION")));
    assert.equal(readFileSync(join(dataDir, "audit-signing-key.pem"), "utf8"), "kept as it is\n");
    assert.equal(existsSync(join(dataDir, MOVE_MARKER)), false);

    // Opened again: nothing to move, the data is where the move left it, the backup is mentioned.
    const again = await openDatabase({ kind: "embedded", dataDir }, { log: (message) => said.push(`again: ${message}`) });
    try {
      assert.equal(said.filter((line) => line.startsWith("again:") && /moving/.test(line)).length, 0);
      assert.ok(said.some((line) => line.startsWith("again:") && line.includes(`still backed up in ${join(dataDir, backup)}`)));
      assert.ok(((await counts(again)).events ?? 0) > (before.events ?? 0), "the command after the move is kept");
    } finally {
      await again.close();
    }

    // An interrupted move (the marker still there, a half cluster beside PGlite's untouched files) is redone.
    cpSync(join(dataDir, CLUSTER_DIR), join(untouched, CLUSTER_DIR), { recursive: true });
    writeFileSync(join(untouched, MOVE_MARKER), "copy from PGlite started earlier\n");
    const redone = await openDatabase({ kind: "embedded", dataDir: untouched });
    try {
      assert.deepEqual(await counts(redone), before, "the half copy was dropped and the move done again");
      assert.ok((await verifyAudit(redone)).intact);
    } finally {
      await redone.close();
    }
    assert.equal(existsSync(join(untouched, MOVE_MARKER)), false);
    assert.equal(existsSync(join(untouched, "PG_VERSION")), false);
  });

  test("PGlite files beside the server's database are never deleted unasked: PGlite is refused on the folder, two databases are named", async () => {
    const dataDir = folder();
    const pglite = await openDatabase({ kind: "pglite", dataDir });
    try {
      await someHistory(pglite, 2);
    } finally {
      await pglite.close();
    }
    const first = await openDatabase({ kind: "embedded", dataDir });
    await first.close();
    const backup = readdirSync(dataDir).find((name) => name.startsWith(BACKUP_PREFIX));
    assert.ok(backup);

    // EMBEDDED_DATABASE=pglite on the moved folder would start an empty database beside the real one.
    await assert.rejects(openDatabase({ kind: "pglite", dataDir }), /holds the embedded PostgreSQL server's database/);
    assert.equal(existsSync(join(dataDir, "PG_VERSION")), false, "and it made none");

    // PGlite files at the top without the move's markers (an older Onboard started on the folder):
    // two databases, and Onboard deletes neither.
    cpSync(join(dataDir, backup), dataDir, { recursive: true });
    await assert.rejects(openDatabase({ kind: "embedded", dataDir }), /holds two databases/);
    assert.ok(existsSync(join(dataDir, "PG_VERSION")), "PGlite's files are still there");
    assert.ok(existsSync(join(dataDir, CLUSTER_DIR, "PG_VERSION")), "the server's too");

    // With the marker of a verified move whose clean-up was cut short, they are the move's and go.
    writeFileSync(join(dataDir, MOVED_MARKER), "");
    const database = await openDatabase({ kind: "embedded", dataDir });
    try {
      assert.equal((await counts(database)).projects, 1);
    } finally {
      await database.close();
    }
    assert.equal(existsSync(join(dataDir, "PG_VERSION")), false);
    assert.equal(existsSync(join(dataDir, MOVED_MARKER)), false);
  });

  test("a copy takes every row of tables larger than a page, and goes only into an empty database", async () => {
    const source = await openDatabase({ kind: "pglite" });
    const target = await openDatabase({ kind: "pglite" });
    try {
      await someHistory(source, 2);
      // More rows than a page: the copy pages by the table's key and still takes each row once.
      await sql`INSERT INTO access_changes (at, actor, subject_user, change)
        SELECT now() + make_interval(secs => i), 'system', 'u' || i, 'account_created' FROM generate_series(1, 4500) i`.execute(source.db);
      const report = await copyDatabase(source, target);
      assert.equal(report.tables.find((t) => t.table === "access_changes")?.rows, 4501);
      assert.deepEqual(await counts(target), await counts(source));
      await assert.rejects(copyDatabase(source, target), /not empty/);
    } finally {
      await source.close();
      await target.close();
    }
  });
});
