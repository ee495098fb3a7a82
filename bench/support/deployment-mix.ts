// The deployment mix (bench/embedded-default.ts, bench/deployment.ts): a folder seeded with N active
// onboardings across CSM accounts, then autocannon with each CSM's token on what CSMs do all day:
// my tasks 60%, a project page 15%, the portfolio 10%, KPIs 5%, commands 10% (complete / reopen a
// step on command projects, each sent with If-Match and never two at once on one project).
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import type { SeedAnswer, SeedJob } from "./seed-deployment.ts";
import { type Engine, LABEL, load, PASSWORD, quantile, ROOT, remember, Server } from "./servers.ts";

export const CSM_ACCOUNTS = 50;
export const COMMAND_PROJECTS = 100;

export interface DeploySeed extends SeedAnswer {
  readonly seedSeconds: number;
}

/**
 * Seeds `dataDir` with `projects` active onboardings using the code of `root` (default this tree):
 * that tree's server first makes the folder as `npm start` does (database, migrations, built-in
 * playbooks), then bench/support/seed-deployment.ts writes the portfolio through that tree's store
 * in a child process, the server stopped.
 */
export async function seedDeployment(
  engine: Engine,
  dataDir: string,
  options: { projects: number; root?: string; name?: string; label?: string },
): Promise<DeploySeed> {
  const root = options.root ?? ROOT;
  const name = options.name ?? `deploy-${engine}`;
  const began = performance.now();
  const prep = await Server.start(engine, dataDir, `${name}-prepare`, { ONBOARD_DEMO_PROJECTS: "0" }, root);
  try {
    await prep.ready();
  } finally {
    await prep.stop();
  }
  const job: SeedJob = {
    root,
    engine,
    dataDir,
    projects: options.projects,
    csmAccounts: CSM_ACCOUNTS,
    commandProjects: COMMAND_PROJECTS,
    password: PASSWORD,
    label: options.label ?? LABEL[engine],
    out: `${dataDir}.seed.json`,
  };
  const jobFile = `${dataDir}.seed-job.json`;
  writeFileSync(jobFile, JSON.stringify(job));
  const script = join(ROOT, "bench/support/seed-deployment.ts");
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of ["DATABASE_URL", "ONBOARD_DATABASE", "FILES_DIR", "DATA_DIR"]) delete base[key];
  const child = spawn(process.execPath, [script, jobFile], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: base });
  if (child.pid) remember(child.pid);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`seeding ${dataDir} with ${root} exited ${code}`);
  const answer = JSON.parse(readFileSync(job.out, "utf8")) as SeedAnswer;
  return { ...answer, seedSeconds: Math.round((performance.now() - began) / 100) / 10 };
}

/** The figures of a seed, without its tokens and lists. */
export function seedFigures(seed: DeploySeed): Omit<DeploySeed, "tokens" | "projectsOf" | "commandPool"> {
  const { tokens: _t, projectsOf: _p, commandPool: _c, ...figures } = seed;
  return figures;
}

export type Kind = "tasks" | "project" | "portfolio" | "kpis" | "command";
/** What a CSM does all day, by share of requests. */
export const MIX: readonly (readonly [Kind, number])[] = [
  ["tasks", 0.6],
  ["project", 0.15],
  ["portfolio", 0.1],
  ["kpis", 0.05],
  ["command", 0.1],
];

export interface MixResult {
  readonly connections: number;
  readonly seconds: number;
  /** The kinds sent and their shares. */
  readonly mix: Record<string, number>;
  /** The machine's load average (1/5/15 min) when the run began and when it ended. */
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly byKind: Record<string, { requests: number; p50Ms: number; p99Ms: number; statuses: Record<string, number> }>;
}

/** `connections` connections for `seconds` on `url`: the mix (or another, e.g. one route alone). */
export async function runMix(
  url: string,
  seed: SeedAnswer,
  connections: number,
  seconds: number,
  mix: readonly (readonly [Kind, number])[] = MIX,
): Promise<MixResult> {
  const loadAtStart = load();
  const pool = seed.commandPool;
  const free = [...pool.keys()];
  const times = new Map<Kind, number[]>();
  const statuses = new Map<Kind, Record<string, number>>();
  interface Ctx {
    kind?: Kind;
    t0?: number;
    slot?: number;
  }
  const pick = (): Kind => {
    let x = Math.random();
    for (const [kind, weight] of mix) {
      if (x < weight) return kind;
      x -= weight;
    }
    return mix[0]?.[0] ?? "tasks";
  };
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: "GET",
        setupRequest: (req, context) => {
          const ctx = context as Ctx;
          const csm = Math.floor(Math.random() * seed.tokens.length);
          const auth = { authorization: `Bearer ${seed.tokens[csm]}` };
          let kind = pick();
          ctx.slot = undefined;
          // Every command project has a command in flight: the next free one comes after an answer.
          if (kind === "command" && free.length === 0) kind = mix.find(([k]) => k !== "command")?.[0] ?? "tasks";
          ctx.kind = kind;
          ctx.t0 = performance.now();
          const mine = seed.projectsOf[csm] ?? [];
          switch (kind) {
            case "tasks":
              return { ...req, method: "GET", path: "/tasks", headers: auth };
            case "project":
              return {
                ...req,
                method: "GET",
                path: `/projects/${mine[Math.floor(Math.random() * mine.length)] ?? "bench-cmd-000"}`,
                headers: auth,
              };
            case "portfolio":
              return { ...req, method: "GET", path: "/portfolio", headers: auth };
            case "kpis":
              return { ...req, method: "GET", path: "/kpis", headers: auth };
            default: {
              const slot = free.shift() as number;
              const project = pool[slot] as (typeof pool)[number];
              ctx.slot = slot;
              return {
                ...req,
                method: "POST",
                path: `/projects/${project.id}/commands`,
                headers: {
                  authorization: `Bearer ${seed.tokens[project.csm]}`,
                  "content-type": "application/json",
                  "if-match": `"${project.version}"`,
                },
                body: JSON.stringify(
                  project.next === "complete"
                    ? { type: "complete_step", step: "handoff" }
                    : { type: "reopen_step", step: "handoff", reason: "bench" },
                ),
              };
            }
          }
        },
        onResponse: (status, body, context) => {
          const ctx = context as Ctx;
          const kind = ctx.kind ?? "tasks";
          const list = times.get(kind) ?? [];
          list.push(performance.now() - (ctx.t0 ?? performance.now()));
          times.set(kind, list);
          const counts = statuses.get(kind) ?? {};
          counts[String(status)] = (counts[String(status)] ?? 0) + 1;
          statuses.set(kind, counts);
          if (ctx.slot !== undefined) {
            const project = pool[ctx.slot];
            let answer: { version?: number; currentVersion?: number } = {};
            try {
              answer = JSON.parse(body) as typeof answer;
            } catch {
              // Not JSON: nothing to learn.
            }
            if (project && status === 200 && answer.version !== undefined) {
              project.version = answer.version;
              project.next = project.next === "complete" ? "reopen" : "complete";
            } else if (project && status === 412 && answer.currentVersion !== undefined) {
              // A command whose answer a previous run did not wait for moved the project on.
              project.version = answer.currentVersion;
            } else if (project && (status === 409 || status === 422)) project.next = project.next === "complete" ? "reopen" : "complete";
            free.push(ctx.slot);
            ctx.slot = undefined;
          }
        },
      },
    ],
  });
  const byKind: MixResult["byKind"] = {};
  for (const [kind] of mix) {
    const sorted = [...(times.get(kind) ?? [])].sort((a, b) => a - b);
    byKind[kind] = {
      requests: sorted.length,
      p50Ms: Math.round(quantile(sorted, 0.5)),
      p99Ms: Math.round(quantile(sorted, 0.99)),
      statuses: statuses.get(kind) ?? {},
    };
  }
  return {
    connections,
    seconds,
    mix: Object.fromEntries(mix),
    loadAverage: { start: loadAtStart, end: load() },
    requestsPerSecond: Math.round(result.requests.average),
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    byKind,
  };
}
