// `npm run bench -- scale-out [seconds]`: how commands per second grow with the number of API
// processes on one PostgreSQL database. A scratch database on 127.0.0.1:5432; for N = 1, 2, 3,
// N `onboard serve` processes (SCHEDULER=off OUTBOX=off MIGRATIONS=off, each its own port) and
// autocannon spreading its connections round-robin over their URLs, running a command-heavy mix:
// half the requests complete or reopen a step (If-Match tracked per project), half add a comment,
// on many projects. Reports writes/s and latency per N as a table and JSON, with the load average.
// Stops by itself; the processes and the database go in every case.
import { loadavg } from "node:os";
import autocannon from "autocannon";
import pg from "pg";
import { openDatabase } from "../src/store/database.ts";
import { upsertPerson } from "../src/store/people.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { type ServeProcess, startServe } from "../test/cli/support/serve-process.ts";
import { MINIMAL_PLAYBOOK } from "./fixture.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "scale-out bench admin password";
const EMAIL = "bench@example.com";
/** Projects whose steps are completed and reopened; as many again receive comments. */
const COMMAND_PROJECTS = 150;
const CONNECTIONS = 30;
const WARM_UP_SECONDS = 3;

export interface ScaleOutRow {
  readonly processes: number;
  /** Commands and comments answered 2xx, per second. */
  readonly writesPerSecond: number;
  /** Of which project commands (complete or reopen a step). */
  readonly commandsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly completed: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly loadAverageBefore: number;
  readonly loadAverageAfter: number;
}

type Phase = "complete" | "reopen";

/** Projects handed to one request at a time, each with its version and its next command. */
class ProjectPool {
  readonly #free: string[];
  readonly #state = new Map<string, { version: number; next: Phase }>();

  constructor(ids: readonly string[], version: number) {
    this.#free = [...ids];
    for (const id of ids) this.#state.set(id, { version, next: "complete" });
  }

  take(): { id: string; version: number; next: Phase } {
    const id = this.#free.shift();
    const state = id === undefined ? undefined : this.#state.get(id);
    if (id === undefined || !state) throw new Error("the project pool ran dry: more connections than projects");
    return { id, ...state };
  }

  give(id: string, version: number | undefined): void {
    const state = this.#state.get(id);
    if (state && version !== undefined) {
      state.version = version;
      state.next = state.next === "complete" ? "reopen" : "complete";
    }
    this.#free.push(id);
  }
}

/** The request sequence each connection repeats, and a count of the commands it got a 200 for. */
function mix(pool: ProjectPool, commented: readonly string[]): { requests: autocannon.Request[]; commandsDone: () => number } {
  let nextComment = 0;
  let commandsDone = 0;
  const command: autocannon.Request = {
    method: "POST",
    setupRequest: (req, context) => {
      const project = pool.take();
      (context as { project?: string }).project = project.id;
      const body =
        project.next === "complete"
          ? { type: "complete_step", step: "handoff" }
          : { type: "reopen_step", step: "handoff", reason: "bench" };
      return {
        ...req,
        path: `/projects/${project.id}/commands`,
        headers: { ...req.headers, "content-type": "application/json", "if-match": `"${project.version}"` },
        body: JSON.stringify(body),
      };
    },
    onResponse: (status, _body, context, headers) => {
      if (status === 200) commandsDone++;
      const etag = (headers as Record<string, string> | undefined)?.etag;
      pool.give(String((context as { project?: string }).project), status === 200 && etag ? Number(etag.replaceAll('"', "")) : undefined);
    },
  };
  const comment: autocannon.Request = {
    method: "POST",
    setupRequest: (req) => {
      const id = commented[nextComment++ % commented.length];
      return {
        ...req,
        path: `/projects/${id}/comments`,
        headers: { ...req.headers, "content-type": "application/json" },
        body: JSON.stringify({ body: `scale-out comment ${nextComment}` }),
      };
    },
  };
  return { requests: [command, comment], commandsDone: () => commandsDone };
}

async function run(urls: readonly string[], seconds: number, requests: autocannon.Request[], token: string) {
  return autocannon({
    // autocannon spreads its connections over several URLs (connection i to URL i mod N); its types say one string.
    url: [...urls] as unknown as string,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests,
  });
}

async function startAll(n: number, env: Record<string, string>): Promise<ServeProcess[]> {
  const started: ServeProcess[] = [];
  try {
    for (let i = 0; i < n; i++) started.push(await startServe(env));
    return started;
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
}

/** A session, then an API token for the load (a token needs no CSRF token and is the same on every process). */
async function apiToken(url: string): Promise<{ token: string; userId: string }> {
  const login = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const session = (await login.json()) as { csrfToken: string; user: { id: string } };
  const created = await fetch(`${url}/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, "x-csrf-token": session.csrfToken },
    body: JSON.stringify({ name: "scale-out bench", scope: "write" }),
  });
  if (created.status !== 201) throw new Error(`token not created: ${created.status} ${await created.text()}`);
  return { token: ((await created.json()) as { token: string }).token, userId: session.user.id };
}

export async function scaleOut(seconds: number, counts: readonly number[] = [1, 2, 3]): Promise<ScaleOutRow[]> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await admin.connect().catch((error: unknown) => {
    throw new Error(`the scale-out bench needs PostgreSQL at 127.0.0.1:5432: ${error instanceof Error ? error.message : error}`);
  });
  const name = `onboard_bench_scale_${process.pid}`;
  const url = ADMIN_URL.replace(/\/postgres$/, `/${name}`);
  const running: ServeProcess[] = [];
  // Ctrl-C stops the processes and drops the database too, then exits.
  const interrupted = () => {
    process.stderr.write("interrupted: stopping the servers and dropping the database ...\n");
    void Promise.allSettled(running.map((s) => s.stop(5_000)))
      .then(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    // Migrated once here: the servers run with MIGRATIONS=off, as API nodes of a deployment do.
    const database = await openDatabase({ kind: "postgres", url, maxConnections: 4 });
    const env = {
      DATABASE_URL: url,
      SCHEDULER: "off",
      OUTBOX: "off",
      MIGRATIONS: "off",
      ONBOARD_ADMIN_EMAIL: EMAIL,
      ONBOARD_ADMIN_PASSWORD: PASSWORD,
      LOGIN_RATE_LIMIT: "100000",
      LOG_LEVEL: "warn",
      DATABASE_POOL_SIZE: "10",
    };
    let pool: ProjectPool;
    let commented: string[];
    let token: string;
    try {
      process.stderr.write(`scale-out: first start (admin), ${COMMAND_PROJECTS * 2} projects ...\n`);
      const first = await startAll(1, env);
      running.push(...first);
      const session = await apiToken(first[0]?.url ?? "");
      token = session.token;
      await Promise.all(running.splice(0).map((s) => s.stop()));
      const now = new Date().toISOString();
      // The admin is the CSM and AE of every project, so its token may command them all.
      await upsertPerson(database.db, { id: session.userId, name: "Bench CSM", roles: ["csm", "ae"] }, now);
      const service = new ProjectService(database);
      const playbook = await service.publishPlaybook(MINIMAL_PLAYBOOK, { now });
      const ids: string[] = [];
      for (let i = 0; i < COMMAND_PROJECTS * 2; i++) {
        const started = await service.startProject({
          playbook,
          input: {
            projectId: `scale-${i}`,
            client: { id: `scale-client-${i}`, name: `Scale client ${i}`, timeZone: "UTC" },
            facts: { user_count: 10, data_migration: false },
          },
          now,
        });
        ids.push(started.projectId);
      }
      const version = (await service.getProject("scale-0")).version;
      pool = new ProjectPool(ids.slice(0, COMMAND_PROJECTS), version);
      commented = ids.slice(COMMAND_PROJECTS);
    } finally {
      await database.close();
    }

    const rows: ScaleOutRow[] = [];
    for (const n of counts) {
      process.stderr.write(`scale-out: ${n} server(s), ${CONNECTIONS} connections round-robin, ${WARM_UP_SECONDS}+${seconds}s ...\n`);
      running.push(...(await startAll(n, env)));
      const urls = running.map((s) => s.url);
      await run(urls, WARM_UP_SECONDS, mix(pool, commented).requests, token);
      const before = loadavg()[0] ?? 0;
      const measured = mix(pool, commented);
      const result = await run(urls, seconds, measured.requests, token);
      const afterLoad = loadavg()[0] ?? 0;
      await Promise.all(running.splice(0).map((s) => s.stop()));
      const ok = result["2xx"];
      rows.push({
        processes: n,
        writesPerSecond: Math.round(ok / seconds),
        commandsPerSecond: Math.round(measured.commandsDone() / seconds),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        completed: ok,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
        loadAverageBefore: Number(before.toFixed(2)),
        loadAverageAfter: Number(afterLoad.toFixed(2)),
      });
    }
    return rows;
  } finally {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    process.off("SIGINT", interrupted);
  }
}

export async function main(seconds: number): Promise<void> {
  const rows = await scaleOut(seconds);
  const header = [
    "servers",
    "writes/s",
    "of which commands/s",
    "p50 ms",
    "p99 ms",
    "2xx",
    "non-2xx",
    "errors",
    "load avg (1 min) before → after",
  ];
  const table = [
    header,
    ...rows.map((r) => [
      String(r.processes),
      String(r.writesPerSecond),
      String(r.commandsPerSecond),
      String(r.p50Ms),
      String(r.p99Ms),
      String(r.completed),
      String(r.non2xx),
      String(r.errors),
      `${r.loadAverageBefore} → ${r.loadAverageAfter}`,
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]?.length ?? 0)));
  for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
  console.log(
    JSON.stringify(
      { scaleOut: { seconds, connections: CONNECTIONS, mix: "50% complete/reopen a step, 50% add a comment", rows } },
      null,
      2,
    ),
  );
}
