// The server's life on the embedded database in a real folder: the login rate limit, a graceful
// stop that finishes the request in flight and releases PGlite's folder lock so a second server
// opens the same folder, and `onboard serve` as a child process stopped by SIGTERM (and on
// PostgreSQL through DATABASE_URL, printing the first admin's generated password).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { parseConfig } from "../../src/api/config.ts";
import { startServer } from "../../src/api/server.ts";
import { LOCK_FILE } from "../../src/store/folder-lock.ts";
import { POSTGRES_ADMIN_URL } from "../store/support/backends.ts";
import { ADMIN_PASSWORD, Caller, cookieHeader, testBackends } from "./support/http.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BACKENDS = await testBackends();
const postgres = BACKENDS.find((b) => b.name === "postgres");

const dir = mkdtempSync(join(tmpdir(), "onboard-serve-"));
const lock = join(dir, LOCK_FILE);
const children = new Set<ChildProcess>();
after(() => {
  // A failed assertion must not leave a server running (the test process would never end).
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function folderConfig(env: Record<string, string> = {}) {
  return parseConfig({
    DATA_DIR: dir,
    PORT: "0",
    LOG_LEVEL: "silent",
    ONBOARD_ADMIN_EMAIL: "admin@example.com",
    ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ONBOARD_DEMO_PROJECTS: "0",
    ...env,
  });
}

/** `onboard serve` in a child process; resolves with its URL once it listens. */
async function serve(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !["DATABASE_URL", "DATA_DIR", "PORT", "ONBOARD_ADMIN_PASSWORD"].includes(key)),
  );
  const child = spawn(process.execPath, [join(ROOT, "src/cli/main.ts"), "serve"], {
    cwd: ROOT,
    env: { ...clean, PORT: "0", LOG_LEVEL: "warn", ONBOARD_DEMO_PROJECTS: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    out += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onboard serve did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      // The banner is written at once; its last line says how to sign in.
      const match = /listening on (http:\/\/\S+)[\s\S]*sign in[^\n]*\n/i.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => reject(new Error(`onboard serve exited with ${code}:\n${out}`)));
  });
  return { child, url, out: () => out };
}

describe("the server on a PGlite folder", () => {
  test("the login rate limit answers 429 problem+json", async () => {
    const server = await startServer(folderConfig({ LOGIN_RATE_LIMIT: "3", SCHEDULER: "off", OUTBOX: "off" }));
    try {
      const caller = new Caller(await server.listen());
      const attempt = () => caller.post("/auth/login", { email: "admin@example.com", password: "wrong password!" });
      for (let i = 0; i < 3; i++) assert.equal((await attempt()).status, 401);
      const limited = await attempt();
      assert.equal(limited.status, 429);
      assert.match(limited.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.equal(limited.body.type, "urn:onboard:problem:rate-limited");
      assert.ok(limited.headers.get("retry-after"));
    } finally {
      await server.close();
    }
  });

  test("a graceful stop finishes the request in flight, then releases the folder for a second server", async () => {
    const server = await startServer(folderConfig({ SCHEDULER: "on", OUTBOX: "on" }));
    const url = await server.listen();
    assert.equal(readFileSync(lock, "utf8").trim(), String(process.pid), "the folder is locked while the server runs");
    assert.equal(server.background.scheduler?.running, true, "the scheduler runs in the server by default");
    assert.equal(server.background.outbox?.running, true, "so does the outbox dispatcher");
    assert.equal(server.background.healthReview?.running, true, "and the review of health that changes with time");
    assert.equal(server.background.processRollups?.running, true, "and the process rollups following the events");
    assert.equal(server.background.checkpoints?.running, true, "and the audit checkpoints, signed with a key made in the folder");
    assert.equal(server.audit.kind, "generated");
    if (server.audit.kind === "generated") assert.equal(statSync(server.audit.file).mode & 0o777, 0o600);
    const anonymous = new Caller(url);
    const login = await anonymous.post("/auth/login", { email: "admin@example.com", password: ADMIN_PASSWORD });
    const admin = new Caller(url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken });
    const { token } = (await admin.post("/tokens", { name: "shutdown test", scope: "write" })).body;

    // A request whose headers have arrived but whose body has not: it is in flight.
    const body = JSON.stringify({ id: "in-flight", name: "In Flight Ltd", timeZone: "UTC" });
    const target = new URL(url);
    const arrived = once(server.app.server, "request");
    let stopped = false;
    const response = new Promise<{ status: number; text: string; stoppedBefore: boolean }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: "/clients",
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text, stoppedBefore: stopped }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      arrived.then(() => {
        // The stop begins while the body is still on its way.
        const stopping = server.close().then(() => {
          stopped = true;
        }, reject);
        setImmediate(() => req.end(body.slice(10)));
        void stopping;
      }, reject);
    });
    const finished = await response;
    assert.equal(finished.status, 201, finished.text);
    assert.equal(finished.stoppedBefore, false, "the stop waited for the request");
    await server.close();
    assert.equal(server.background.scheduler?.running, false, "the scheduler stopped");
    assert.equal(server.background.outbox?.running, false, "the outbox dispatcher stopped");
    assert.equal(server.background.checkpoints?.running, false, "the checkpointer stopped");
    assert.equal(server.background.retention?.running, false, "the retention erasure stopped");
    assert.equal(server.background.processRollups?.running, false, "the process rollups stopped");
    assert.equal(existsSync(lock), false, "the folder lock is released");
    await assert.rejects(fetch(`${url}/health/live`), "nothing listens any more");

    const second = await startServer(folderConfig({ SCHEDULER: "off", OUTBOX: "off" }));
    try {
      assert.equal(second.admin.created, false, "the first admin is created once");
      assert.deepEqual(
        second.background,
        {
          scheduler: undefined,
          healthReview: undefined,
          processRollups: undefined,
          outbox: undefined,
          webhooks: undefined,
          checkpoints: undefined,
          retention: undefined,
        },
        "API-only: SCHEDULER=off, OUTBOX=off",
      );
      const again = new Caller(await second.listen(), { token });
      const client = await again.get("/clients/in-flight");
      assert.equal(client.status, 200, "the request in flight was committed before the database closed");
      assert.equal(second.builtIn.published.length, 8, "publishing the built-in playbooks again is a no-op");
    } finally {
      await second.close();
    }
    assert.equal(existsSync(lock), false);
  });

  test("onboard serve stops on SIGTERM with exit code 0, stops its database server cleanly and releases the folder", async () => {
    const { child, url, out } = await serve({ DATA_DIR: dir });
    assert.match(out(), /sign in/i);
    assert.match(out(), /Database: .* \(embedded PostgreSQL 1\d\.\d+ server\)/, "the default is the folder's own PostgreSQL server");
    assert.equal((await fetch(`${url}/health/ready`)).status, 200);
    assert.ok(existsSync(lock));
    const postmaster = Number.parseInt(readFileSync(join(dir, "postgres", "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    assert.equal(code, 0, out());
    assert.equal(existsSync(lock), false, out());
    assert.throws(() => process.kill(postmaster, 0), "the database server stopped with Onboard");
    assert.match(readFileSync(join(dir, "postgres.log"), "utf8"), /database system is shut down\s*$/, "a clean shutdown, not a crash");
  });
});

describe("onboard serve on PostgreSQL", { skip: postgres?.skip ?? "no PostgreSQL" }, () => {
  test("DATABASE_URL selects the server; the first admin's generated password is printed once and works", async () => {
    const name = `onboard_t_serve_${process.pid}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const { child, url, out } = await serve({ DATABASE_URL: POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`), SCHEDULER: "off" });
      try {
        assert.match(out(), /Database: .*\(postgres\)/);
        const password = /with the password (\S+)/.exec(out())?.[1];
        assert.ok(password, out());
        const login = await new Caller(url).post("/auth/login", { email: "admin@onboard.local", password });
        assert.equal(login.status, 200);
        assert.deepEqual(login.body.user.roles, ["admin"]);
      } finally {
        child.kill("SIGINT");
        const [code] = await once(child, "exit");
        assert.equal(code, 0, out());
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
