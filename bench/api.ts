// Benchmark (d): the HTTP API under load, side by side with a bare Fastify route doing the same
// database work in the same process and run. 50 connections (autocannon, loopback) for
// "complete a step" (complete_step / reopen_step alternating on a pool of projects, with If-Match
// tracked per project) and "list my tasks" (a CSM holding 100 projects). The bare routes call the
// same store and data functions with no authentication, validation, OpenAPI serialization or
// problem+json: the ratio is what the API layer costs.
import autocannon from "autocannon";
import Fastify from "fastify";
import pg from "pg";
import { parseConfig } from "../src/api/config.ts";
import { apiDb } from "../src/api/data/tables.ts";
import { myTasks } from "../src/api/data/tasks.ts";
import type { ApiDeps } from "../src/api/deps.ts";
import { startServer } from "../src/api/server.ts";
import type { Command } from "../src/engine/types.ts";
import { type DatabaseTarget, openDatabase } from "../src/store/database.ts";
import { upsertPerson } from "../src/store/people.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { MINIMAL_PLAYBOOK } from "./fixture.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "bench admin password";
const PROJECTS = 100;
const CONNECTIONS = 50;

export interface ApiScenario {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
}

export interface ApiBenchResult {
  readonly backend: string;
  readonly complete: { readonly api: ApiScenario; readonly bare: ApiScenario; readonly ratio: number };
  readonly listTasks: { readonly api: ApiScenario; readonly bare: ApiScenario; readonly ratio: number };
}

type Phase = "complete" | "reopen";

/** Projects handed out to one request at a time, each with its version and what to do next. */
class ProjectPool {
  readonly #free: string[];
  readonly #state = new Map<string, { version: number; next: Phase }>();

  constructor(ids: readonly string[], version: number) {
    this.#free = [...ids];
    for (const id of ids) this.#state.set(id, { version, next: "complete" });
  }

  take(): { id: string; version: number; next: Phase } | undefined {
    const id = this.#free.shift();
    const state = id === undefined ? undefined : this.#state.get(id);
    return id === undefined || !state ? undefined : { id, ...state };
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

function commandFor(next: Phase): Command {
  return next === "complete" ? { type: "complete_step", step: "handoff" } : { type: "reopen_step", step: "handoff", reason: "bench" };
}

async function load(url: string, seconds: number, request: autocannon.Request, headers: Record<string, string>): Promise<ApiScenario> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, requests: [request] });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
  };
}

function commandRequest(pool: ProjectPool, path: (id: string) => string): autocannon.Request {
  return {
    method: "POST",
    setupRequest: (req, context) => {
      const project = pool.take();
      if (!project) throw new Error("the project pool ran dry: more connections than projects");
      (context as { project?: string }).project = project.id;
      return {
        ...req,
        path: path(project.id),
        headers: { ...req.headers, "content-type": "application/json", "if-match": `"${project.version}"` },
        body: JSON.stringify(commandFor(project.next)),
      };
    },
    onResponse: (status, _body, context, headers) => {
      const etag = (headers as Record<string, string> | undefined)?.etag;
      pool.give(String((context as { project?: string }).project), status === 200 && etag ? Number(etag.replaceAll('"', "")) : undefined);
    },
  };
}

async function measure(backend: string, target: DatabaseTarget, seconds: number): Promise<ApiBenchResult> {
  const database = await openDatabase(target);
  const config = parseConfig({
    PORT: "0",
    LOG_LEVEL: "silent",
    SCHEDULER: "off",
    OUTBOX: "off",
    ONBOARD_ADMIN_EMAIL: "bench@example.com",
    ONBOARD_ADMIN_PASSWORD: PASSWORD,
    LOGIN_RATE_LIMIT: "100000",
  });
  const server = await startServer(config, { database, demoProjects: 0 });
  const bare = Fastify({ logger: false });
  try {
    const url = await server.listen();
    const login = await fetch(`${url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const csrf = ((await login.json()) as { csrfToken: string; user: { id: string } }).csrfToken;
    const tokenResponse = await fetch(`${url}/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
      body: JSON.stringify({ name: "bench", scope: "write" }),
    });
    const token = ((await tokenResponse.json()) as { token: string }).token;
    const me = (await (await fetch(`${url}/auth/session`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      user: { id: string };
    };
    const now = new Date().toISOString();
    // The signed-in admin is also the CSM and AE every project is assigned to.
    await upsertPerson(database.db, { id: me.user.id, name: "Bench CSM", roles: ["csm", "ae"] }, now);
    const projects = new ProjectService(database);
    const playbook = await projects.publishPlaybook(MINIMAL_PLAYBOOK, { now });
    const ids: string[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const started = await projects.startProject({
        playbook,
        input: {
          projectId: `bench-${i}`,
          client: { id: `bench-client-${i}`, name: `Bench client ${i}`, timeZone: "UTC" },
          facts: { user_count: 10, data_migration: false },
        },
        now,
      });
      ids.push(started.projectId);
    }
    const version = (await projects.getProject("bench-0")).version;
    const auth = { authorization: `Bearer ${token}` };

    // The bare routes: the same service call and the same data function, nothing else.
    const deps = { ...({} as ApiDeps), db: apiDb(database), service: projects, database };
    const manager = { id: me.user.id, kind: "user" as const, roles: ["ae", "csm"], manager: true };
    bare.post<{ Params: { id: string }; Body: Command; Headers: { "if-match": string } }>(
      "/bare/projects/:id/commands",
      async (request, reply) => {
        const result = await projects.runCommand(request.params.id, {
          command: request.body,
          actor: manager,
          expectedVersion: Number(request.headers["if-match"].replaceAll('"', "")),
          now: new Date().toISOString(),
        });
        reply.header("etag", `"${result.version}"`);
        return { version: result.version };
      },
    );
    bare.get("/bare/tasks", async () => ({
      items: await myTasks(deps.database.db, me.user.id, {}, new Date().toISOString(), { limit: 51 }),
    }));
    const bareUrl = await bare.listen({ port: 0, host: "127.0.0.1" });

    const apiPool = new ProjectPool(ids.slice(0, PROJECTS / 2), version);
    const barePool = new ProjectPool(ids.slice(PROJECTS / 2), version);
    process.stderr.write(`  ${backend}: complete a step, API then bare, ${seconds}s each ...\n`);
    const completeApi = await load(
      url,
      seconds,
      commandRequest(apiPool, (id) => `/projects/${id}/commands`),
      auth,
    );
    const completeBare = await load(
      bareUrl,
      seconds,
      commandRequest(barePool, (id) => `/bare/projects/${id}/commands`),
      {},
    );
    process.stderr.write(`  ${backend}: list my tasks, API then bare, ${seconds}s each ...\n`);
    const listApi = await load(url, seconds, { method: "GET", path: "/tasks?limit=50" }, auth);
    const listBare = await load(bareUrl, seconds, { method: "GET", path: "/bare/tasks" }, {});
    return {
      backend,
      complete: {
        api: completeApi,
        bare: completeBare,
        ratio: Number((completeApi.requestsPerSecond / completeBare.requestsPerSecond).toFixed(2)),
      },
      listTasks: { api: listApi, bare: listBare, ratio: Number((listApi.requestsPerSecond / listBare.requestsPerSecond).toFixed(2)) },
    };
  } finally {
    await bare.close();
    await server.close();
    await database.close();
  }
}

export async function apiRates(seconds: number): Promise<ApiBenchResult[]> {
  const results: ApiBenchResult[] = [];
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write("PostgreSQL at 127.0.0.1:5432 not reachable: the API benchmark runs on PGlite only\n");
    results.push(await measure("PGlite (memory)", { kind: "pglite" }, seconds));
    return results;
  }
  const name = `onboard_bench_api_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    results.push(
      await measure(
        "PostgreSQL 127.0.0.1",
        { kind: "postgres", url: ADMIN_URL.replace(/\/postgres$/, `/${name}`), maxConnections: 10 },
        seconds,
      ),
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  results.push(await measure("PGlite (memory)", { kind: "pglite" }, seconds));
  return results;
}
