// What the server benchmarks share (bench/embedded-default.ts, bench/deployment.ts): `onboard serve`
// started as `npm start` runs it (this process's Node 24 binary with src/cli/main.ts serve of a given
// source tree, PORT and HOST set to loopback), in its own process group; what it starts (the
// PostgreSQL server and its backends) is found through /proc, and everything is killed at the end,
// also on failure (`cleanUpOnExit`).
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type Engine = "pglite" | "postgres";
export const LABEL: Record<Engine, string> = { pglite: "PGlite", postgres: "PostgreSQL (embedded)" };
/** This source tree (the code under test unless a server is given another tree). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const EMAIL = "bench@example.com";
export const PASSWORD = "bench admin password";
export const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const log = (s: string) => process.stderr.write(`${s}\n`);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The engines of BENCH_ENGINES (comma-separated), in that order; `fallback` when unset. */
export function enginesOf(fallback: string): Engine[] {
  return (process.env.BENCH_ENGINES ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter((s): s is Engine => s === "pglite" || s === "postgres");
}

/** This run's work folder (data folders; removed at the end unless BENCH_KEEP=1) and log folder (kept). */
export interface Folders {
  readonly run: string;
  readonly logs: string;
}
const folders: Folders[] = [];

export function benchFolders(prefix: string): Folders {
  const run = mkdtempSync(join(tmpdir(), `${prefix}-`));
  // mkdtemp makes it 0700: as root the embedded server runs as "postgres", which must reach the data folders.
  chmodSync(run, 0o755);
  const made = { run, logs: mkdtempSync(join(tmpdir(), `${prefix}-logs-`)) };
  folders.push(made);
  return made;
}

function currentFolders(): Folders {
  const last = folders.at(-1);
  if (!last) throw new Error("benchFolders() first");
  return last;
}

// ---------------------------------------------------------------------------------------------
// Processes: the tree under a server, found in /proc (a PostgreSQL server detached into its own
// process group is still the node process's child; after a kill -9 it is found by its data folder).

export interface ProcStat {
  readonly ppid: number;
  readonly start: string;
  readonly comm: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    // After "pid (comm) ": fields[0] is field 3 (state), fields[1] the ppid, fields[19] field 22 (start time).
    return { ppid: Number(fields[1]), start: fields[19] ?? "", comm: text.slice(text.indexOf("(") + 1, close) };
  } catch {
    return undefined;
  }
}

/** Every process this harness started or found under what it started: pid -> start time. */
export const known = new Map<number, string>();

export function alive(pid: number): boolean {
  const start = known.get(pid);
  const stat = procStat(pid);
  return stat !== undefined && (start === undefined || stat.start === start);
}

export function remember(pid: number): void {
  const stat = procStat(pid);
  if (stat && !known.has(pid)) known.set(pid, stat.start);
}

/** `roots` and all their descendants that are alive now. */
export function treeOf(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = procStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = roots.filter((pid) => procStat(pid) !== undefined);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (out.includes(pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  for (const pid of out) remember(pid);
  return out;
}

export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** Processes whose command line names this run's folders (a PostgreSQL server orphaned by a kill -9). */
export function strays(): number[] {
  const out: number[] = [];
  if (folders.length === 0) return out;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (folders.some(({ run }) => cmdline.includes(run))) out.push(Number(name));
    } catch {
      // Gone.
    }
  }
  return out;
}

/** SIGKILL whatever this run started that still lives (process groups, their trees, orphans). */
export function killEverything(): number {
  const roots = [...known.keys()].filter(alive);
  const victims = new Set([...treeOf([...roots, ...strays()])]);
  for (const pid of roots) kill(-pid, "SIGKILL");
  for (const pid of victims) kill(pid, "SIGKILL");
  return victims.size;
}

export interface Memory {
  readonly rssMb: number;
  readonly pssMb: number;
  readonly processes: readonly { readonly pid: number; readonly name: string; readonly rssMb: number }[];
}

function statusKb(pid: number, file: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/${file}`, "utf8"));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function memoryOf(pids: readonly number[]): Memory {
  const processes = pids.map((pid) => ({
    pid,
    name: procStat(pid)?.comm ?? "?",
    rssKb: statusKb(pid, "status", "VmRSS"),
    pssKb: statusKb(pid, "smaps_rollup", "Pss"),
  }));
  const mb = (kb: number) => Math.round(kb / 102.4) / 10;
  return {
    rssMb: mb(processes.reduce((s, p) => s + p.rssKb, 0)),
    pssMb: mb(processes.reduce((s, p) => s + p.pssKb, 0)),
    processes: processes.map((p) => ({ pid: p.pid, name: p.name, rssMb: mb(p.rssKb) })),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

// ---------------------------------------------------------------------------------------------
// A server, as `npm start` runs it.

/** Every graceful stop of the run: how long until every process was gone, or not. */
export const stopLog: { engine: Engine; server: string; ms: number; clean: boolean; loggedStopped: boolean }[] = [];

export class Server {
  readonly engine: Engine;
  readonly dataDir: string;
  readonly port: number;
  readonly logFile: string;
  readonly name: string;
  /** The source tree whose src/cli/main.ts runs. */
  readonly root: string;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined;

  constructor(engine: Engine, dataDir: string, port: number, name: string, extra: Record<string, string>, root = ROOT) {
    const { run, logs } = currentFolders();
    this.engine = engine;
    this.dataDir = dataDir;
    this.port = port;
    this.name = name;
    this.root = root;
    this.logFile = join(logs, `${name}.log`);
    const fd = openSync(this.logFile, "a");
    const base: Record<string, string | undefined> = { ...process.env };
    for (const key of ["DATABASE_URL", "ONBOARD_DATABASE", "FILES_DIR", "DATA_DIR", "ONBOARD_DEMO_PROJECTS"]) delete base[key];
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, [join(root, "src/cli/main.ts"), "serve"], {
      cwd: root,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: {
        ...base,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        EMBEDDED_DATABASE: engine,
        MAIL_DIR: join(run, "mail"),
        ONBOARD_ADMIN_EMAIL: EMAIL,
        ONBOARD_ADMIN_PASSWORD: PASSWORD,
        LOGIN_RATE_LIMIT: "100000",
        CLIENT_FILE_QUOTA_MB: "1000000",
        ...extra,
      },
    });
    closeSync(fd);
    if (this.child.pid) remember(this.child.pid);
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** `root`: the source tree to run (default this one). */
  static async start(engine: Engine, dataDir: string, name: string, extra: Record<string, string> = {}, root = ROOT): Promise<Server> {
    return new Server(engine, dataDir, await freePort(), name, extra, root);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  postmaster(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** The node process and every descendant, the PostgreSQL server included. */
  tree(): number[] {
    const roots: number[] = [];
    if (this.child.pid && this.exitCode === undefined) roots.push(this.child.pid);
    const postmaster = this.postmaster();
    // Only a postmaster that is this server's child or runs on this run's folder (not a stale file).
    if (postmaster !== undefined && (procStat(postmaster)?.ppid === this.child.pid || strays().includes(postmaster)))
      roots.push(postmaster);
    return treeOf(roots);
  }

  tail(): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-15).join("\n");
    } catch {
      return "";
    }
  }

  /** ms from spawn until GET /health/ready answers 200, and the backend it names. */
  async ready(timeoutMs = 300_000): Promise<{ ms: number; database: string }> {
    const end = this.spawnedAt + timeoutMs;
    while (performance.now() < end) {
      if (this.exitCode !== undefined) throw new Error(`server exited (${this.exitCode}) before ready:\n${this.tail()}`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(3000) });
        const ms = performance.now() - this.spawnedAt;
        if (response.status === 200) {
          const body = (await response.json()) as { database: string };
          this.tree();
          if (body.database !== this.engine)
            throw new Error(`EMBEDDED_DATABASE=${this.engine} started ${body.database}: this engine is not available on this branch`);
          return { ms: Math.round(ms), database: body.database };
        }
        await response.arrayBuffer();
      } catch (error) {
        if (error instanceof Error && error.message.includes("EMBEDDED_DATABASE")) throw error;
      }
      await sleep(25);
    }
    throw new Error(`not ready after ${timeoutMs / 1000} s:\n${this.tail()}`);
  }

  /** Waits for a line of the log; ms since spawn. */
  async logLine(pattern: RegExp, timeoutMs: number): Promise<{ ms: number; line: string } | undefined> {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end && this.exitCode === undefined) {
      const text = existsSync(this.logFile) ? readFileSync(this.logFile, "utf8") : "";
      const line = text.split("\n").find((l) => pattern.test(l));
      if (line) return { ms: Math.round(performance.now() - this.spawnedAt), line };
      await sleep(200);
    }
    return undefined;
  }

  /** SIGTERM, then wait for the node process and every descendant to be gone (SIGKILL after the timeout). */
  async stop(timeoutMs = env("BENCH_STOP_SECONDS", 20) * 1000): Promise<{ ms: number; clean: boolean; loggedStopped: boolean }> {
    const pids = this.tree();
    const began = performance.now();
    if (this.child.pid && this.exitCode === undefined) kill(this.child.pid, "SIGTERM");
    const end = began + timeoutMs;
    while (performance.now() < end && pids.some(alive)) await sleep(20);
    const clean = !pids.some(alive);
    // Whether the server said it had stopped (a process still alive after that hangs on exit).
    const loggedStopped = existsSync(this.logFile) && /"msg":"stopped"/.test(readFileSync(this.logFile, "utf8"));
    if (!clean) {
      log(
        `  ${LABEL[this.engine]}: still running ${timeoutMs / 1000} s after SIGTERM (${pids
          .filter(alive)
          .map((pid) => procStat(pid)?.comm ?? pid)
          .join(", ")}${loggedStopped ? '; its log says "stopped"' : ""}): SIGKILL`,
      );
      for (const pid of pids) kill(pid, "SIGKILL");
      if (this.child.pid) kill(-this.child.pid, "SIGKILL");
    }
    await Promise.race([this.exited, sleep(5000)]);
    const ms = Math.round(performance.now() - began);
    stopLog.push({ engine: this.engine, server: this.name, ms, clean, loggedStopped });
    return { ms, clean, loggedStopped };
  }

  /** SIGKILL of the node process and every descendant, all at once; the pids killed. */
  kill9(): { pids: number[]; names: string[] } {
    const pids = this.tree();
    const names = pids.map((pid) => procStat(pid)?.comm ?? "?");
    for (const pid of pids) kill(pid, "SIGKILL");
    return { pids, names };
  }

  /** Waits until `pids` (what kill9 killed) and every process naming this data folder are gone. */
  async gone(pids: readonly number[], timeoutMs = 15_000): Promise<void> {
    const end = performance.now() + timeoutMs;
    const named = () => strays().filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(this.dataDir));
    while (performance.now() < end) {
      let left: number[] = [];
      try {
        left = [...pids.filter(alive), ...named()];
      } catch {
        left = [0];
      }
      if (left.length === 0) break;
      await sleep(20);
    }
    await Promise.race([this.exited, sleep(1000)]);
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function spread(values: readonly number[]): { median: number; min: number; max: number; values: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, values: [...values] };
}

/** The machine's load average (1, 5, 15 min), two decimals. */
export function load(): number[] {
  return loadavg().map((x) => Number(x.toFixed(2)));
}

// ---------------------------------------------------------------------------------------------
// Clean-up

const exitHooks: (() => void)[] = [];
/** Runs (once, synchronously) when the benchmark ends, before the processes are killed. */
export function onCleanUp(hook: () => void): void {
  exitHooks.push(hook);
}

let cleaned = false;
/** Kills whatever the run started that still lives, runs the hooks and removes the work folders. */
export function cleanUp(): void {
  if (cleaned) return;
  cleaned = true;
  const n = killEverything();
  if (n > 0) log(`killed ${n} processes left by the benchmark`);
  for (const hook of exitHooks.splice(0)) {
    try {
      hook();
    } catch (error) {
      log(`clean-up: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (process.env.BENCH_KEEP !== "1") for (const { run } of folders) rmSync(run, { recursive: true, force: true });
}

/** cleanUp() at exit and on SIGINT / SIGTERM. */
export function cleanUpOnExit(): void {
  process.once("exit", cleanUp);
  for (const name of ["SIGINT", "SIGTERM"] as const)
    process.once(name, () => {
      cleanUp();
      process.exit(130);
    });
}
