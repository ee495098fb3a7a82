// onboard backup and restore as an operator runs them: a real `onboard serve` on the embedded
// PostgreSQL server takes commands over HTTP from several clients at once while `onboard backup`
// runs beside it; the backup restores into a new folder, and every command acknowledged before the
// backup started is there by its event, files included, with an intact audit trail. A restore into
// a database with rows, a cut or altered backup file and a backup from a newer Onboard are refused.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase } from "../../src/store/database.ts";
import { verifyAudit } from "../../src/store/index.ts";
import { ADMIN_PASSWORD, Caller } from "../api/support/http.ts";
import { FACTS, MINIMAL, MINIMAL_REF } from "../api/support/world.ts";
import { POSTGRES_ADMIN_URL } from "../store/support/backends.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "src/cli/main.ts");
const children = new Set<ChildProcess>();

function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !["DATABASE_URL", "DATA_DIR", "PORT", "ONBOARD_DATABASE"].includes(e[0]),
    ),
  );
}

/** A CLI command in a child process, without blocking this one (the server's clients keep going). */
function onboard(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...cleanEnv(), NO_COLOR: "1", EMBEDDED_DATABASE: "postgres" },
    });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "serve"], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      DATA_DIR: dataDir,
      PORT: "0",
      LOG_LEVEL: "warn",
      EMBEDDED_DATABASE: "postgres",
      ONBOARD_DEMO_PROJECTS: "0",
      ONBOARD_ADMIN_EMAIL: "admin@example.com",
      ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SCHEDULER: "off",
      OUTBOX: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout?.on("data", (chunk) => (out += chunk));
  child.stderr?.on("data", (chunk) => (out += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onboard serve did not start within 90 s:\n${out}`)), 90_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)[\s\S]*sign in[^\n]*\n/i.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`onboard serve exited with ${code}:\n${out}`));
    });
  });
  return { child, url };
}

interface Acknowledged {
  readonly project: string;
  /** The project's version after the command: the seq of its last event. */
  readonly version: number;
}

describe("onboard backup while the server runs, and onboard restore", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-backup-"));
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const backupFile = join(dir, "onboard.obk");
  const scratch = `onboard_t_restore_${process.pid}`;
  const scratchUrl = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${scratch}`);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  const before_: Acknowledged[] = [];
  const fileBody = `the kickoff plan ${"x".repeat(70_000)}`;
  let backupOut = "";

  before(async () => {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${scratch}`);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a backup taken under concurrent commands restores every command acknowledged before it began", async () => {
    const { child, url } = await serve(data);
    try {
      const login = await new Caller(url).post("/auth/login", { email: "admin@example.com", password: ADMIN_PASSWORD });
      assert.equal(login.status, 200);
      const session = new Caller(url, {
        cookie: login.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; "),
        csrfToken: login.body.csrfToken,
      });
      const token = (await session.post("/tokens", { name: "backup test", scope: "write" })).body.token as string;
      const api = new Caller(url, { token });
      assert.equal((await api.post("/clients", { id: "acme", name: "Acme", timeZone: "UTC" })).status, 201);
      assert.ok([200, 201].includes((await api.post("/playbooks", { source: MINIMAL, file: "minimal.yaml" })).status));
      const projects = ["b0", "b1", "b2", "b3"];
      const versions = new Map<string, number>();
      for (const id of projects) {
        const created = await api.post("/projects", { id, playbook: MINIMAL_REF, clientId: "acme", facts: FACTS });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        versions.set(id, created.body.project.version);
      }
      const uploaded = await api.request("POST", "/projects/b0/attachments?fileName=plan.txt", {
        raw: fileBody,
        headers: { "content-type": "text/plain" },
      });
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));

      // Clients send commands concurrently, each to its own project, until told to stop.
      const acknowledged: Acknowledged[] = [];
      let stop = false;
      const worker = async (project: string) => {
        for (let i = 0; !stop && i < 400; i++) {
          const response = await api.post(
            `/projects/${project}/commands`,
            { type: "open_issue", severity: "low", title: `issue ${i}` },
            { "if-match": `"${versions.get(project)}"` },
          );
          assert.equal(response.status, 200, JSON.stringify(response.body));
          versions.set(project, response.body.version);
          acknowledged.push({ project, version: response.body.version });
        }
      };
      const workers = projects.map(worker);
      while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 20));
      before_.push(...acknowledged);
      const backup = await onboard("backup", "--database", data, "-o", backupFile);
      const afterBackup = acknowledged.length;
      stop = true;
      await Promise.all(workers);
      assert.equal(backup.code, 0, backup.err + backup.out);
      backupOut = backup.out;
      assert.match(backup.out, /backup written: /);
      assert.match(backup.out, /audit trail: intact/);
      assert.match(backup.err, /backed up events: \d+\/\d+ rows/);
      assert.ok(afterBackup > before_.length, "commands were acknowledged while the backup ran");
    } finally {
      child.kill("SIGINT");
      await once(child, "exit");
    }

    const restored = join(dir, "restored");
    const restore = await onboard("restore", backupFile, "--to", restored);
    assert.equal(restore.code, 0, restore.err + restore.out);
    assert.match(restore.out, /verified against the backup's trailer/);
    assert.match(restore.out, /files: 1 \(\d+ bytes\), each SHA-256 checked/);
    assert.match(restore.out, /audit trail: intact/);
    assert.match(restore.out, /erasure journal: Onboard re-applies the erasures made after the backup/);
    const events = Number(/events: (\d+)/.exec(backupOut)?.[1]);
    const database = await openDatabase({ kind: "embedded", dataDir: restored }, { migrate: false });
    try {
      for (const ack of before_) {
        const found = await database.db
          .selectFrom("events")
          .select("seq")
          .where("project_id", "=", ack.project)
          .where("seq", "=", ack.version)
          .executeTakeFirst();
        assert.ok(found, `the command that made ${ack.project} version ${ack.version} was acknowledged before the backup, and is restored`);
      }
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(database.db);
      assert.equal(rows[0]?.n, events, "as many events as the backup counted");
      const audit = await verifyAudit(database);
      assert.equal(audit.intact, true);
      const file = await sql<{ blob_store: string; blob_key: string }>`SELECT blob_store, blob_key FROM attachments`.execute(database.db);
      assert.equal(file.rows[0]?.blob_store, "folder");
      const key = file.rows[0]?.blob_key ?? "";
      assert.equal(readFileSync(join(restored, "files", key.slice(0, 2), key), "utf8"), fileBody);
    } finally {
      await database.close();
    }

    // A database restored by other means is checked the same way; the journal's erasures it lacks are named.
    const journal = join(dir, "erasure-journal.jsonl");
    writeFileSync(
      journal,
      `${JSON.stringify({ id: "erasure-after-backup", at: new Date().toISOString(), subjectKind: "contact", subjectId: "c-1", projectId: null, requestId: null, by: "user:admin", reason: "request", source: "request" })}\n`,
    );
    const checked = await onboard("restore", "--check", "--database", restored, "--erasure-journal", journal);
    assert.equal(checked.code, 0, checked.err + checked.out);
    assert.match(checked.out, /migration level: this Onboard's/);
    assert.match(checked.out, /audit trail: intact \(\d+ events in 4 projects\)/);
    assert.match(
      checked.out,
      /1 of 1 erasure\(s\) were made after the backup; Onboard re-applies them when it starts with ERASURE_JOURNAL=/,
    );

    // A mistyped journal is an error, not "nothing to re-apply".
    const typo = await onboard("restore", "--check", "--database", restored, "--erasure-journal", join(dir, "no-such-journal.jsonl"));
    assert.equal(typo.code, 2, typo.err + typo.out);
    assert.match(typo.err, /there is no erasure journal at \S+no-such-journal\.jsonl/);

    const again = await onboard("restore", backupFile, "--to", restored);
    assert.equal(again.code, 1);
    assert.match(again.err, /is not empty \(table \w+ has rows\)/);
  });

  test("a cut or altered backup file, and one from a newer Onboard, are refused with what to do", async () => {
    const bytes = readFileSync(backupFile);
    const cut = join(dir, "cut.obk");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const restoreCut = await onboard("restore", cut, "--to", scratchUrl);
    assert.equal(restoreCut.code, 1, restoreCut.out);
    assert.match(restoreCut.err, /the backup file .*cut\.obk is damaged or incomplete \(.*\): it cannot be restored; use another backup/);

    const altered = Buffer.from(bytes);
    const at = Math.floor(altered.length / 2);
    altered[at] = (altered[at] ?? 0) ^ 0xff;
    const alteredFile = join(dir, "altered.obk");
    writeFileSync(alteredFile, altered);
    const restoreAltered = await onboard("restore", alteredFile, "--to", scratchUrl);
    assert.equal(restoreAltered.code, 1, restoreAltered.out);
    assert.match(restoreAltered.err, /is damaged or incomplete/);
    // A load is one transaction: the refused ones left the database without rows.
    const scratchClient = new pg.Client({ connectionString: scratchUrl });
    await scratchClient.connect();
    try {
      assert.equal((await scratchClient.query("SELECT count(*)::int AS n FROM events")).rows[0].n, 0);
    } finally {
      await scratchClient.end();
    }

    // The same rows, an event changed inside a well-formed stream: the trailer's digest refuses it.
    const text = gunzipSync(bytes).toString("latin1");
    const edited = join(dir, "edited.obk");
    writeFileSync(edited, gzipSync(Buffer.from(text.replace('"issue 1"', '"issue 9"'), "latin1")));
    const restoreEdited = await onboard("restore", edited, "--to", scratchUrl);
    assert.equal(restoreEdited.code, 1, restoreEdited.out);
    assert.notEqual(text.indexOf('"issue 1"'), -1);
    assert.match(restoreEdited.err, /the rows of \w+ differ from its digest/);

    const newer = join(dir, "newer.obk");
    const newline = text.indexOf("\n");
    const header = JSON.parse(text.slice(0, newline));
    header.level.push({ version: header.level.length + 1, checksum: "0".repeat(64) });
    writeFileSync(newer, gzipSync(Buffer.from(`${JSON.stringify(header)}${text.slice(newline)}`, "latin1")));
    const restoreNewer = await onboard("restore", newer, "--to", scratchUrl);
    assert.equal(restoreNewer.code, 1, restoreNewer.out);
    assert.match(restoreNewer.err, /made by a newer Onboard .*: upgrade Onboard/);

    const twice = await onboard("backup", "--database", join(dir, "restored"), "-o", backupFile);
    assert.equal(twice.code, 1);
    assert.match(twice.err, /already exists: name another file with -o/);

    const usage = await onboard("restore", backupFile);
    assert.equal(usage.code, 2);
  });

  test("a PGlite folder Onboard runs on is refused: stop it, or run on the embedded server or PostgreSQL", async () => {
    const folder = join(dir, "pglite");
    const running = await openDatabase({ kind: "pglite", dataDir: folder });
    try {
      const refused = await onboard("backup", "--database", `pglite:${folder}`, "-o", join(dir, "never.obk"));
      assert.equal(refused.code, 1, refused.out);
      assert.match(
        refused.err,
        /is in use by .*stop Onboard first, or run Onboard on the embedded PostgreSQL server or a PostgreSQL of yours/,
      );
      assert.equal(existsSync(join(dir, "never.obk.partial")), false);
    } finally {
      await running.close();
    }
  });
});
