// Benchmark (d): the demo portfolio's generation rate, and the latency (p50/p95) of the dashboard
// and KPI queries over it, on PostgreSQL and PGlite. N projects (BENCH_KPI_PROJECTS, default
// 100,000; BENCH_KPI_PGLITE_PROJECTS for PGlite, the same by default) are generated in a fresh
// database; each query shape is run BENCH_KPI_ROUNDS times (default 40) after a warm-up. Target: p95 < 100 ms on
// PostgreSQL. BENCH_KPI_DATABASE=postgres://... measures the queries on an existing demo database instead.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { generateDemo } from "../src/demo/generate.ts";
import { computeKpis, type KpiFilter } from "../src/metrics/kpis.ts";
import { type PortfolioFilter, type PortfolioSort, portfolioCounts, portfolioPage } from "../src/metrics/portfolio.ts";
import { latestPlaybookDocuments, rebuildSummaries } from "../src/metrics/projection.ts";
import { type Database, type DatabaseTarget, openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const PLAYBOOKS = new URL("../playbooks/", import.meta.url);

export interface KpiBenchResult {
  readonly backend: string;
  readonly projects: number;
  readonly events: number;
  readonly generationSeconds: number;
  readonly projectsPerSecond: number;
  readonly eventsPerSecond: number;
  readonly queries: readonly { readonly name: string; readonly p50: number; readonly p95: number }[];
  readonly worstP95: number;
  readonly target: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function timed(rounds: number, run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: Math.round(quantile(times, 0.5) * 10) / 10, p95: Math.round(quantile(times, 0.95) * 10) / 10 };
}

async function measure(
  database: Database,
  backend: string,
  projects: number,
  rounds: number,
  log: (s: string) => void,
  generate = true,
): Promise<KpiBenchResult> {
  const service = new ProjectService(database);
  for (const name of readdirSync(PLAYBOOKS).filter((n) => n.endsWith(".yaml")))
    await service.publishPlaybook(readFileSync(new URL(name, PLAYBOOKS), "utf8"), { file: name, now: new Date().toISOString() });
  let shown = 0;
  const existing = async () => {
    const count = async (table: "events" | "projects") =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    return {
      projects: await count("projects"),
      events: await count("events"),
      ms: Number.NaN,
      projectsPerSecond: Number.NaN,
      eventsPerSecond: Number.NaN,
    };
  };
  const report = !generate
    ? await existing()
    : await generateDemo(database, {
        projects,
        now: new Date().toISOString(),
        distinct: Number(process.env.BENCH_KPI_DISTINCT ?? 500),
        onProgress: ({ done, total, events }) => {
          if (performance.now() - shown > 5000 || done === total) {
            shown = performance.now();
            log(`  ${backend}: ${done}/${total} projects, ${events} events`);
          }
        },
      });
  const db = database.db;
  // Health reviews that came due since generation, as the server's background review does them.
  await rebuildSummaries(db, new Date().toISOString());
  // Fresh statistics and visibility map, as autovacuum would have them some time after a bulk load.
  await sql`VACUUM ANALYZE`.execute(db);
  const people = await db.selectFrom("people").select("id").where("id", "like", "%csm%").execute();
  const csms = people.map((p) => p.id);
  const playbooks = ["sop_cs_001", "onb_001", "ops_sop_020", "customer_onboarding_gdpr", "ops_client_onboarding_template"];
  // As GET /kpis asks: every playbook in the report in one query, models cached by content hash.
  const playbookOf = (ids: readonly string[]) => latestPlaybookDocuments(db, ids);
  // What GET /portfolio and GET /kpis do: catch up health reviews due, then query.
  const review = () => rebuildSummaries(db, new Date().toISOString(), { limit: 200, reviewOnly: true });
  const page = (filter: PortfolioFilter, sort: PortfolioSort) => async () => {
    await review();
    return Promise.all([portfolioPage(db, { filter, sort, order: "asc", after: undefined, limit: 50 }), portfolioCounts(db, filter)]);
  };
  const kpis = (filter: KpiFilter) => async () => {
    await review();
    return computeKpis(db, filter, playbookOf);
  };
  const shapes: [string, (i: number) => Promise<unknown>][] = [
    ["portfolio: first page + counts, by health", page({}, "health")],
    ["portfolio: by next due", page({}, "next_due")],
    ["portfolio: a CSM's red onboardings", (i) => page({ csm: csms[i % csms.length], health: "red" }, "health")()],
    ["portfolio: a playbook, by client", (i) => page({ playbook: playbooks[i % playbooks.length] }, "client")()],
    ["portfolio: segment enterprise, by target go-live", page({ segment: "enterprise" }, "target_go_live")],
    ["kpis: whole portfolio", kpis({})],
    ["kpis: one playbook", (i) => kpis({ playbook: playbooks[i % playbooks.length] })()],
    [
      "kpis: a CSM, last 90 days",
      (i) => kpis({ csm: csms[i % csms.length], from: new Date(Date.now() - 90 * 86_400_000).toISOString() })(),
    ],
    ["kpis: a segment", kpis({ segment: "mid_market" })],
  ];
  const queries: { name: string; p50: number; p95: number }[] = [];
  for (const [name, run] of shapes) {
    const r = await timed(rounds, run);
    queries.push({ name, ...r });
    log(`  ${backend}: ${name}: p50 ${r.p50} ms, p95 ${r.p95} ms`);
  }
  return {
    backend,
    projects: report.projects,
    events: report.events,
    generationSeconds: Math.round(report.ms / 100) / 10,
    projectsPerSecond: Math.round(report.projectsPerSecond),
    eventsPerSecond: Math.round(report.eventsPerSecond),
    queries,
    worstP95: Math.max(...queries.map((q) => q.p95)),
    target: 100,
  };
}

async function withPostgres<T>(run: (target: DatabaseTarget) => Promise<T>): Promise<T | undefined> {
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `onboard_kpi_${Date.now()}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    return await run({ kind: "postgres", url: ADMIN_URL.replace(/\/postgres$/, `/${name}`) });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

export async function kpiBench(
  options: {
    readonly projects?: number;
    readonly pgliteProjects?: number;
    readonly rounds?: number;
    readonly log?: (s: string) => void;
  } = {},
): Promise<KpiBenchResult[]> {
  const projects = options.projects ?? Number(process.env.BENCH_KPI_PROJECTS ?? 100_000);
  const pgliteProjects = options.pgliteProjects ?? Number(process.env.BENCH_KPI_PGLITE_PROJECTS ?? projects);
  const rounds = options.rounds ?? Number(process.env.BENCH_KPI_ROUNDS ?? 40);
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const results: KpiBenchResult[] = [];
  // BENCH_KPI_DATABASE: measure the queries on an existing demo database (postgres://...), no generation.
  const reuse = process.env.BENCH_KPI_DATABASE;
  if (reuse) {
    const database = await openDatabase({ kind: "postgres", url: reuse });
    try {
      return [await measure(database, "postgres", 0, rounds, log, false)];
    } finally {
      await database.close();
    }
  }
  const onPostgres = await withPostgres(async (target) => {
    const database = await openDatabase(target);
    try {
      return await measure(database, "postgres", projects, rounds, log);
    } finally {
      await database.close();
    }
  });
  if (onPostgres) results.push(onPostgres);
  else log("  postgres: not reachable at 127.0.0.1:5432, skipped");
  if (pgliteProjects > 0) {
    const dir = mkdtempSync(join(tmpdir(), "onboard-kpi-"));
    const database = await openDatabase({ kind: "pglite", dataDir: join(dir, "db") });
    try {
      results.push(await measure(database, "pglite", pgliteProjects, Math.max(10, Math.round(rounds / 2)), log));
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await kpiBench({ projects: Number(process.argv[2] ?? process.env.BENCH_KPI_PROJECTS ?? 100_000) });
  console.log(JSON.stringify(results, null, 2));
}
