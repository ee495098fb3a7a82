// Benchmark (e): does one user's expensive work stall everyone else? The real server
// (`onboard serve`, a child process, so the load generators below do not share its event loop)
// answers light requests (GET /health/live, and an authenticated GET of a project) alone, then
// while uploads of 10 MB files and previews of a pathological template (nested loops that run
// until the render limit stops them) keep arriving. Reported: p50/p99 of each light request alone
// and under that load, and the p99 ratio. It reports; it asserts nothing.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const MAIN = new URL("../src/cli/main.ts", import.meta.url);
const EMAIL = "bench@example.com";
const PASSWORD = "bench admin password";
const UPLOADERS = 2;
const PREVIEWERS = 4;
const UPLOAD_BYTES = 10 * 1024 * 1024;
/** About four million loop turns: far past any render limit. */
const PATHOLOGICAL = "{% for i in (1..2000) %}{% for j in (1..2000) %}{{ client.name }}{% endfor %}{% endfor %}";

export interface Latency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requests: number;
}

export interface LightRequest {
  readonly path: string;
  readonly alone: Latency;
  readonly loaded: Latency;
  /** p99 under load / p99 alone. */
  readonly p99Ratio: number;
}

export interface ResponsivenessResult {
  readonly backend: string;
  readonly light: readonly LightRequest[];
  /** What the load did while the light requests were measured: answers by status. */
  readonly uploads: Readonly<Record<string, number>>;
  readonly previews: Readonly<Record<string, number>>;
}

async function startServe(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [MAIN.pathname, "serve"], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      LOG_LEVEL: "silent",
      SCHEDULER: "off",
      OUTBOX: "off",
      ONBOARD_DEMO_PROJECTS: "0",
      ONBOARD_ADMIN_EMAIL: EMAIL,
      ONBOARD_ADMIN_PASSWORD: PASSWORD,
      LOGIN_RATE_LIMIT: "100000",
      CLIENT_FILE_QUOTA_MB: "1000000",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (text: string) => {
      out += text;
      const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    child.once("exit", (code) => reject(new Error(`onboard serve exited (${code}): ${out}`)));
  });
  return { url, child };
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Two callers asking `path` one request after another for `seconds`: each request's time counts,
 * also one still waiting when the time is up (a stalled server shows as a few very slow requests,
 * not as none).
 */
export async function latency(url: string, path: string, seconds: number, headers: Record<string, string>): Promise<Latency> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    [0, 1].map(async () => {
      while (performance.now() < end) {
        const start = performance.now();
        const response = await fetch(`${url}${path}`, { headers });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${path}: ${response.status}`);
        times.push(performance.now() - start);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) => Number((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1));
  return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Number((times.at(-1) ?? 0).toFixed(1)), requests: times.length };
}

/** Keep `workers` loops of `run` going until stopped; counts answers by status. */
export function keepGoing(workers: number, run: (i: number) => Promise<number>): { stop: () => Promise<Record<string, number>> } {
  const counts: Record<string, number> = {};
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; !stopped; i += workers) {
      const status = await run(i).catch(() => 0);
      counts[String(status || "error")] = (counts[String(status || "error")] ?? 0) + 1;
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return counts;
    },
  };
}

async function measure(backend: string, env: Record<string, string>, seconds: number): Promise<ResponsivenessResult> {
  const { url, child } = await startServe(env);
  try {
    const login = await fetch(`${url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = (await json(login)) as { csrfToken: string };
    const token = (
      (await json(
        await fetch(`${url}/tokens`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
          body: JSON.stringify({ name: "bench", scope: "write" }),
        }),
      )) as { token: string }
    ).token;
    const auth = { authorization: `Bearer ${token}` };
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
    const PROJECTS = 4;
    for (let i = 0; i < PROJECTS; i++) {
      await json(await post("/clients", { id: `bench-${i}`, name: `Bench client ${i}`, timeZone: "Europe/Berlin", country: "DE" }));
      await json(
        await post("/projects", {
          id: `bench-${i}`,
          playbook: { id: "onb_001", version: "1.0.0" },
          clientId: `bench-${i}`,
          facts: { account_type: "smb", project_duration_weeks: 8 },
          params: { company_name: "Bench" },
        }),
      );
    }
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(UPLOAD_BYTES - 16, 0x20), Buffer.from("\n%%EOF\n")]);
    const light = ["/health/live", "/projects/bench-0"];

    process.stderr.write(`  ${backend}: light requests alone, ${seconds}s each ...\n`);
    const alone: Latency[] = [];
    for (const path of light) alone.push(await latency(url, path, seconds, auth));

    process.stderr.write(`  ${backend}: the same while ${UPLOADERS} uploaders (10 MB) and ${PREVIEWERS} previewers run ...\n`);
    const uploads = keepGoing(UPLOADERS, async (i) => {
      const response = await fetch(`${url}/projects/bench-${i % PROJECTS}/attachments?fileName=bench-${i}.pdf`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/pdf" },
        body: pdf,
      });
      await response.arrayBuffer();
      return response.status;
    });
    const previews = keepGoing(PREVIEWERS, async (i) => {
      const response = await post("/templates/ONB-001-WELCOME/preview", { projectId: `bench-${i % PROJECTS}`, body: PATHOLOGICAL });
      await response.arrayBuffer();
      return response.status;
    });
    // Let the load start before measuring.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const loaded: Latency[] = [];
    for (const path of light) loaded.push(await latency(url, path, seconds, auth));
    const [uploadCounts, previewCounts] = await Promise.all([uploads.stop(), previews.stop()]);
    return {
      backend,
      light: light.map((path, i) => {
        const a = alone[i] as Latency;
        const l = loaded[i] as Latency;
        return { path, alone: a, loaded: l, p99Ratio: Number((l.p99Ms / Math.max(a.p99Ms, 0.1)).toFixed(1)) };
      }),
      uploads: uploadCounts,
      previews: previewCounts,
    };
  } finally {
    await stopServe(child);
  }
}

export async function responsiveness(seconds: number): Promise<ResponsivenessResult[]> {
  const results: ResponsivenessResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "onboard-bench-stall-"));
  try {
    // The default a new user gets (the folder's own PostgreSQL server), and PGlite beside it.
    results.push(await measure("embedded PostgreSQL server (folder)", { DATA_DIR: join(dir, "data") }, seconds));
    results.push(await measure("PGlite (folder)", { DATA_DIR: join(dir, "pglite"), EMBEDDED_DATABASE: "pglite" }, seconds));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    process.stderr.write("PostgreSQL at 127.0.0.1:5432 not reachable: the responsiveness benchmark runs on PGlite only\n");
    return results;
  }
  const name = `onboard_bench_stall_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    results.push(await measure("PostgreSQL 127.0.0.1", { DATABASE_URL: ADMIN_URL.replace(/\/postgres$/, `/${name}`) }, seconds));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

// Run alone: `node bench/responsiveness.ts [seconds]`.
if (import.meta.main) {
  const results = await responsiveness(Number(process.argv[2] ?? 3));
  console.log(JSON.stringify(results, null, 2));
}
