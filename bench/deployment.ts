// `npm run bench -- deployment` (issue #18, part 1): the deployment the issue names, measured as it
// would run: `onboard serve` as `npm start` starts it on a data folder holding BENCH_DEPLOY_PROJECTS
// active onboardings (default 5,000, the demo portfolio played out by the engine) handed to 50 CSM
// accounts with API tokens, plus 100 command projects; then the deployment mix (my tasks 60%,
// project page 15%, portfolio 10%, KPIs 5%, commands 10%, each CSM with its own token) with autocannon,
// and each read route alone at the same connection count. Every figure comes from this run; nothing
// is asserted, the targets are printed next to the figures:
//   - the embedded PostgreSQL server, 50 connections for 60 s: >= 500 requests/s, p99 < 100 ms, 0 errors;
//   - PGlite (EMBEDDED_DATABASE=pglite), 10 connections: >= 100 requests/s, p99 < 250 ms.
//
// BENCH_BASE=<git rev> measures that revision side by side in the same run: a temporary
// `git worktree` of it (node_modules symlinked from this tree's, removed at the end, also on failure)
// whose own server runs on its own data folder, seeded by its own code (bench/support/seed-deployment.ts
// imports the src/ modules of the tree it is given, in a child process: a folder written by newer
// code is refused by older code, and each version's read models are written as that version writes
// them); old and new runs alternate (old first in odd rounds, new first in even ones).
//
// BENCH_ENGINES                  postgres,pglite (either or both, in that order)
// BENCH_DEPLOY_PROJECTS          5000  active onboardings (PostgreSQL; PGlite too unless set below)
// BENCH_DEPLOY_PGLITE_PROJECTS   = BENCH_DEPLOY_PROJECTS
// BENCH_DEPLOY_CONNECTIONS       50    connections on PostgreSQL
// BENCH_DEPLOY_PGLITE_CONNECTIONS 10   connections on PGlite
// BENCH_DEPLOY_SECONDS           60    each measured run of the mix
// BENCH_DEPLOY_WARMUP_SECONDS    10    of the mix before each measured mix run (3 s before a route alone)
// BENCH_DEPLOY_ROUNDS            2     measured mix runs per version (alternated)
// BENCH_DEPLOY_ROUTE_SECONDS     10    each read route alone (0 skips)
// BENCH_BASE                     -     a git revision to measure side by side (e.g. 900b863)
// BENCH_KEEP=1                   keeps the data folders (the servers' logs are always kept)
//
// A full run (both engines, 5,000 onboardings, BENCH_BASE set) took about 30 minutes on a busy 2-core
// machine: each of the four folders seeds in 2.5-3.5 minutes, each engine measures for about
// 7 minutes (2 rounds x 2 versions x 70 s of mix, then 4 routes x 2 versions x 13 s). Without
// BENCH_BASE, about half. The table goes to stdout, the JSON (every figure, the load average at
// start and end and at the start and end of every run) to stdout and to a file in the temporary
// folder, rewritten after each engine.
import { execFileSync } from "node:child_process";
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import {
  COMMAND_PROJECTS,
  CSM_ACCOUNTS,
  type DeploySeed,
  type Kind,
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
  type Engine,
  enginesOf,
  env,
  LABEL,
  load,
  log,
  onCleanUp,
  ROOT,
  Server,
  stopLog,
} from "./support/servers.ts";

const ENGINES = enginesOf("postgres,pglite");
const PROJECTS: Record<Engine, number> = {
  postgres: env("BENCH_DEPLOY_PROJECTS", 5000),
  pglite: env("BENCH_DEPLOY_PGLITE_PROJECTS", env("BENCH_DEPLOY_PROJECTS", 5000)),
};
const CONNECTIONS: Record<Engine, number> = {
  postgres: env("BENCH_DEPLOY_CONNECTIONS", 50),
  pglite: env("BENCH_DEPLOY_PGLITE_CONNECTIONS", 10),
};
const TARGETS: Record<Engine, { requestsPerSecond: number; p99Ms: number }> = {
  postgres: { requestsPerSecond: 500, p99Ms: 100 },
  pglite: { requestsPerSecond: 100, p99Ms: 250 },
};
const SECONDS = env("BENCH_DEPLOY_SECONDS", 60);
const WARMUP_SECONDS = env("BENCH_DEPLOY_WARMUP_SECONDS", 10);
const ROUNDS = Math.max(1, env("BENCH_DEPLOY_ROUNDS", 2));
const ROUTE_SECONDS = env("BENCH_DEPLOY_ROUTE_SECONDS", 10);
const ROUTE_WARMUP_SECONDS = 3;
const ROUTES: readonly Kind[] = ["tasks", "project", "portfolio", "kpis"];
const BASE = process.env.BENCH_BASE?.trim() || undefined;

type VersionKey = "base" | "head";
interface Version {
  readonly key: VersionKey;
  /** The short commit id (and "+ changes" for a work tree with uncommitted changes). */
  readonly rev: string;
  readonly root: string;
}

interface Failure {
  readonly what: string;
  readonly error: string;
}
const failures: Failure[] = [];
function failed(what: string, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  failures.push({ what, error: text.slice(0, 2000) });
  log(`  ${what} FAILED: ${text.slice(0, 500)}`);
}

const git = (args: readonly string[], cwd = ROOT) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

function headVersion(): Version {
  const rev = git(["rev-parse", "--short", "HEAD"]);
  // Only the code the server runs counts (this benchmark itself may be uncommitted).
  const dirty = git(["status", "--porcelain", "--untracked-files=no", "--", "src"]) !== "";
  return { key: "head", rev: dirty ? `${rev} + changes` : rev, root: ROOT };
}

/** A detached worktree of BENCH_BASE in the work folder, node_modules linked; removed at the end. */
function baseVersion(run: string, rev: string): Version {
  const commit = git(["rev-parse", "--verify", `${rev}^{commit}`]);
  const root = join(run, "base-tree");
  log(`base: git worktree of ${rev} (${commit.slice(0, 9)}) in ${root} ...`);
  git(["worktree", "add", "--detach", "--quiet", root, commit]);
  onCleanUp(() => removeWorktree(root));
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(root, "node_modules"));
  return { key: "base", rev: git(["rev-parse", "--short", commit]), root };
}

let removed = false;
function removeWorktree(root: string): void {
  if (removed) return;
  removed = true;
  try {
    git(["worktree", "remove", "--force", root]);
  } catch (error) {
    log(`git worktree remove ${root}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    git(["worktree", "prune"]);
  } catch {
    // Nothing to prune.
  }
}

interface EngineResult {
  readonly connections: number;
  readonly projects: number;
  readonly targets: { requestsPerSecond: number; p99Ms: number };
  readonly seeds: Partial<Record<VersionKey, ReturnType<typeof seedFigures>>>;
  /** The measured mix runs, in the order run (alternated between the versions). */
  readonly mix: Partial<Record<VersionKey, MixResult[]>>;
  /** Each read route alone, same connections. */
  readonly routes: Partial<Record<Kind, Partial<Record<VersionKey, MixResult>>>>;
}

async function measureEngine(engine: Engine, versions: readonly Version[], run: string): Promise<EngineResult> {
  const connections = CONNECTIONS[engine];
  const projects = PROJECTS[engine];
  const result: EngineResult = { connections, projects, targets: TARGETS[engine], seeds: {}, mix: {}, routes: {} };
  const live: { version: Version; server: Server; seed: DeploySeed }[] = [];
  try {
    const seeded: { version: Version; dataDir: string; seed: DeploySeed }[] = [];
    for (const version of versions) {
      const dataDir = join(run, `${engine}-${version.key}`, "data");
      mkdirSync(join(run, `${engine}-${version.key}`), { recursive: true });
      const label = `${LABEL[engine]}, ${version.key} ${version.rev}`;
      log(`deployment: seeding ${label} with ${projects} active onboardings (load ${load().join(" ")}) ...`);
      try {
        const seed = await seedDeployment(engine, dataDir, {
          projects,
          root: version.root,
          name: `${engine}-${version.key}`,
          label,
        });
        result.seeds[version.key] = seedFigures(seed);
        seeded.push({ version, dataDir, seed });
        log(`  seeded in ${seed.seedSeconds} s: ${seed.active} active of ${seed.projects}`);
      } catch (error) {
        failed(`${label}: seeding`, error);
      }
    }
    for (const { version, dataDir, seed } of seeded) {
      // The server as deployed (scheduler and outbox on), logging warnings only: request logs would measure the disk.
      const server = await Server.start(engine, dataDir, `${engine}-${version.key}`, { LOG_LEVEL: "warn" }, version.root);
      try {
        await server.ready();
        live.push({ version, server, seed });
      } catch (error) {
        failed(`${LABEL[engine]}, ${version.key}: start`, error);
        await server.stop();
      }
    }
    // Old first in odd rounds, new first in even ones.
    const order = (i: number) => (i % 2 === 0 ? live : [...live].reverse());
    for (let round = 0; round < ROUNDS; round++) {
      for (const { version, server, seed } of order(round)) {
        const what = `${LABEL[engine]}, ${version.key} ${version.rev}: mix, ${connections} connections, ${SECONDS} s (round ${round + 1}/${ROUNDS})`;
        try {
          log(`${what}, after ${WARMUP_SECONDS} s of warm-up (load ${load().join(" ")}) ...`);
          if (WARMUP_SECONDS > 0) await runMix(server.url, seed, connections, WARMUP_SECONDS);
          const measured = await runMix(server.url, seed, connections, SECONDS);
          result.mix[version.key] = [...(result.mix[version.key] ?? []), measured];
          log(
            `  ${measured.requestsPerSecond} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, non-2xx ${measured.non2xx}, errors ${measured.errors + measured.timeouts}`,
          );
        } catch (error) {
          failed(what, error);
        }
      }
    }
    if (ROUTE_SECONDS > 0)
      for (const [i, route] of ROUTES.entries()) {
        for (const { version, server, seed } of order(i)) {
          const what = `${LABEL[engine]}, ${version.key} ${version.rev}: ${route} alone, ${connections} connections, ${ROUTE_SECONDS} s`;
          try {
            log(`${what} (load ${load().join(" ")}) ...`);
            await runMix(server.url, seed, connections, ROUTE_WARMUP_SECONDS, [[route, 1]]);
            const measured = await runMix(server.url, seed, connections, ROUTE_SECONDS, [[route, 1]]);
            result.routes[route] = { ...result.routes[route], [version.key]: measured };
            log(`  ${measured.requestsPerSecond} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, non-2xx ${measured.non2xx}`);
          } catch (error) {
            failed(what, error);
          }
        }
      }
  } finally {
    for (const { server } of live) await server.stop();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Output

/**
 * Errors: connection errors, timeouts and 5xx answers. A command's 409 or 412 is not one: a command
 * still in flight when the previous run stopped moved its project on unseen, and the next command on
 * it is refused once (then the mix follows); they are counted and shown with the kind that got them.
 */
const errorsOf = (r: MixResult) =>
  r.errors +
  r.timeouts +
  Object.values(r.byKind)
    .flatMap((k) => Object.entries(k.statuses))
    .filter(([status]) => status.startsWith("5"))
    .reduce((sum, [, n]) => sum + n, 0);
const loadOf = (r: MixResult) => `load ${r.loadAverage.start[0]}`;
const ratio = (head: number | undefined, base: number | undefined) =>
  head === undefined || base === undefined || base === 0 ? "-" : `${(head / base).toFixed(2)}x`;

function verdict(r: MixResult | undefined, target: { requestsPerSecond: number; p99Ms: number }): string {
  if (!r) return "-";
  const missed = [
    r.requestsPerSecond < target.requestsPerSecond ? "req/s" : "",
    r.p99Ms >= target.p99Ms ? "p99" : "",
    errorsOf(r) > 0 ? "errors" : "",
  ].filter(Boolean);
  return missed.length === 0 ? "meets" : `misses ${missed.join(", ")}`;
}

function table(results: Partial<Record<Engine, EngineResult>>, versions: readonly Version[], start: number[], end: number[]): string {
  const base = versions.find((v) => v.key === "base");
  const head = versions.find((v) => v.key === "head") as Version;
  const rows: string[][] = [["measure", base ? `old (${base.rev})` : "old (BENCH_BASE unset)", `new (${head.rev})`, "new/old", "target"]];
  const cell = (r: MixResult | undefined) =>
    r ? `${r.requestsPerSecond}/s, ${r.p50Ms}/${r.p99Ms} ms, ${r.non2xx} non-2xx, ${errorsOf(r)} errors (${loadOf(r)})` : "-";
  for (const engine of ENGINES) {
    const e = results[engine];
    if (!e) continue;
    const t = e.targets;
    const seedCell = (k: VersionKey) => {
      const s = e.seeds[k];
      return s ? `${s.seedSeconds} s (${s.active} active of ${s.projects})` : "-";
    };
    rows.push([
      `${LABEL[engine]}: ${e.projects} active onboardings, ${CSM_ACCOUNTS} CSMs, +${COMMAND_PROJECTS} command projects, seeded in`,
      seedCell("base"),
      seedCell("head"),
      "",
      "",
    ]);
    for (let round = 0; round < ROUNDS; round++) {
      const b = e.mix.base?.[round];
      const h = e.mix.head?.[round];
      rows.push([
        `  mix, ${e.connections} connections, ${SECONDS} s, round ${round + 1}: req/s, p50/p99, non-2xx, errors (conn./timeout/5xx)`,
        cell(b),
        cell(h),
        b && h ? `${ratio(h.requestsPerSecond, b.requestsPerSecond)} req/s, p99 ${ratio(h.p99Ms, b.p99Ms)}` : "-",
        `>= ${t.requestsPerSecond}/s, p99 < ${t.p99Ms} ms, 0 errors: new ${verdict(h, t)}${b ? `, old ${verdict(b, t)}` : ""}`,
      ]);
    }
    const lastOf = (k: VersionKey) => e.mix[k]?.at(-1);
    for (const [kind] of MIX) {
      const kindCell = (k: VersionKey) => {
        const x = lastOf(k)?.byKind[kind];
        if (!x) return "-";
        const other = Object.entries(x.statuses)
          .filter(([status]) => !status.startsWith("2"))
          .map(([status, n]) => `; ${n}x ${status}`)
          .join("");
        return `${x.p50Ms}/${x.p99Ms} ms (${x.requests}${other})`;
      };
      rows.push([
        `    ${kind} in the mix (last round): p50/p99 (requests)`,
        kindCell("base"),
        kindCell("head"),
        `p99 ${ratio(lastOf("head")?.byKind[kind]?.p99Ms, lastOf("base")?.byKind[kind]?.p99Ms)}`,
        "",
      ]);
    }
    for (const route of ROUTES) {
      const r = e.routes[route];
      if (!r) continue;
      rows.push([
        `  ${route} alone, ${e.connections} connections, ${ROUTE_SECONDS} s`,
        cell(r.base),
        cell(r.head),
        r.base && r.head
          ? `${ratio(r.head.requestsPerSecond, r.base.requestsPerSecond)} req/s, p99 ${ratio(r.head.p99Ms, r.base.p99Ms)}`
          : "-",
        "",
      ]);
    }
  }
  rows.push(["load average at start -> end (1/5/15 min)", `${start.join(" ")} -> ${end.join(" ")}`, "", "", ""]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

// ---------------------------------------------------------------------------------------------

export async function deploymentBench(): Promise<{ table: string; results: Record<string, unknown>; file: string }> {
  const { run, logs } = benchFolders("onboard-bench-deployment");
  const loadAtStart = load();
  const began = performance.now();
  const versions: Version[] = [];
  if (BASE) versions.push(baseVersion(run, BASE));
  versions.push(headVersion());
  const results: Record<string, unknown> = {
    engines: ENGINES,
    versions: Object.fromEntries(versions.map((v) => [v.key, { rev: v.rev, root: v.root }])),
    spawn: `${process.execPath} <tree>/src/cli/main.ts serve (what \`npm start\` runs), PORT and HOST=127.0.0.1, LOG_LEVEL=warn`,
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    loadAverageAtStart: loadAtStart,
    settings: {
      projects: PROJECTS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rounds: ROUNDS,
      routeSeconds: ROUTE_SECONDS,
      csmAccounts: CSM_ACCOUNTS,
      commandProjects: COMMAND_PROJECTS,
      mix: Object.fromEntries(MIX),
    },
    workFolder: run,
    logs,
  };
  const byEngine: Partial<Record<Engine, EngineResult>> = {};
  const file = join(tmpdir(), `onboard-bench-deployment-${new Date().toISOString().replaceAll(":", "-")}.json`);
  log(`JSON goes to ${file} (written after each engine)`);
  try {
    for (const engine of ENGINES) {
      byEngine[engine] = await measureEngine(engine, versions, run);
      writeFileSync(file, `${JSON.stringify({ ...results, byEngine, loadAverageNow: load(), failures, partial: true }, null, 2)}\n`);
    }
  } finally {
    const base = versions.find((v) => v.key === "base");
    if (base) removeWorktree(base.root);
  }
  const loadAtEnd = load();
  Object.assign(results, {
    byEngine,
    loadAverageAtEnd: loadAtEnd,
    seconds: Math.round((performance.now() - began) / 1000),
    failures,
    stops: stopLog,
  });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return { table: table(byEngine, versions, loadAtStart, loadAtEnd), results, file };
}

cleanUpOnExit();

export async function main(): Promise<void> {
  try {
    const { table, results, file } = await deploymentBench();
    console.log(table);
    console.log(JSON.stringify(results, null, 2));
    log(`JSON written to ${file}`);
  } finally {
    cleanUp();
  }
}

if (import.meta.main) await main();
