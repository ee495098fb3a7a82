// `npm run bench -- process` (issue #20): process mining measured, nothing asserted.
//
// 1. The go-live forecast's calibration on simulated history with drift (test/support/
//    simulated-history.ts): BENCH_PROCESS_HISTORY onboardings (default 1,200) start a day apart and
//    every step gets slower the later one starts (up to BENCH_PROCESS_DRIFT, default 1.3x). Each of
//    the last 30% is forecast at a random moment of its life from what was known then: its own events
//    so far and the onboardings that had gone live by then. Reported: how often the 80% interval held
//    the real go-live (target 75-85%), and the mean absolute error of the median against the plan's
//    own date (engine/forecast.ts).
// 2. What the Process page and the export cost on a demo portfolio of BENCH_PROCESS_PROJECTS
//    (default 10,000) on the PostgreSQL server at 127.0.0.1:5432 and on PGlite
//    (BENCH_PROCESS_PGLITE_PROJECTS, the same by default): GET /process-insights' work for the
//    playbook with the most onboardings, whole and filtered by segment, CSM and a period (p50/p95 of
//    BENCH_PROCESS_ROUNDS, default 5), the capacity forecast, the first read after 50 onboardings
//    moved on, the same insights by replaying the log (what the rollups save), the one-off build of
//    the rollups of a database from before them, and the XES export of everything (time and size).
//    The target is p95 < 100 ms at 100,000 projects on PostgreSQL and < 300 ms at 10,000 on
//    PGlite. The demo spreads starts over BENCH_PROCESS_MONTHS (default 36): what costs most is the
//    onboardings still running (their open steps and forecasts are reckoned as of now), so the
//    report says how many of the playbook's were.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { generateDemo } from "../src/demo/generate.ts";
import { forecast as planForecast } from "../src/engine/forecast.ts";
import { replay } from "../src/engine/index.ts";
import { GoLiveModel } from "../src/mining/forecast.ts";
import { forecastsFor, mineCapacity, mineInsights, processOfProjects, replayInsights } from "../src/mining/mine.ts";
import { refreshRollups } from "../src/mining/rollups.ts";
import { casesOf } from "../src/mining/source.ts";
import { traceOf } from "../src/mining/trace.ts";
import { xesLog } from "../src/mining/xes.ts";
import { type Database, openDatabase } from "../src/store/database.ts";
import { ProjectService } from "../src/store/project-service.ts";
import { caseOf, generator, HISTORY_MODEL, simulateOnboarding } from "../test/support/simulated-history.ts";

const DAY = 86_400_000;
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const log = (s: string) => process.stderr.write(`${s}\n`);
const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const PLAYBOOKS = new URL("../playbooks/", import.meta.url);
const BENCH_ACTOR = { id: "bench-ops", kind: "user" as const, roles: [], manager: true };

export function calibration(history = env("BENCH_PROCESS_HISTORY", 1200), drift = env("BENCH_PROCESS_DRIFT", 1.3), seed = 1) {
  const random = generator(seed);
  const T0 = Date.parse("2024-01-08T14:00:00.000Z");
  const all = Array.from({ length: history }, (_, i) => simulateOnboarding(`h${i}`, T0 + i * DAY, random, 1 + ((drift - 1) * i) / history));
  const traces = all.map((h) => traceOf(caseOf(h.id, h.events), h.goLiveAt));
  const heldOut = all.slice(Math.floor(history * 0.7));
  let inside = 0;
  let forecasts = 0;
  let error = 0;
  let planError = 0;
  for (const h of heldOut) {
    const live = Date.parse(h.goLiveAt);
    const cut = new Date(h.startAt + Math.floor(random() * (live - h.startAt))).toISOString();
    // Only what was known at the cut: onboardings live by then.
    const model = new GoLiveModel();
    for (const t of traces) if (t.goLiveAt && t.goLiveAt <= cut) model.add(t);
    const seen = h.events.filter((e) => e.at <= cut);
    const f = model.predict(traceOf(caseOf(`${h.id}-cut`, seen), cut), cut);
    if (!f) continue;
    forecasts++;
    if (f.p10 <= h.goLiveAt && h.goLiveAt <= f.p90) inside++;
    error += Math.abs(Date.parse(f.p50) - live) / DAY;
    planError += Math.abs(Date.parse(planForecast(h.run.ctx, replay(HISTORY_MODEL, seen), cut).goLiveAt ?? cut) - live) / DAY;
  }
  return {
    history,
    drift,
    heldOut: heldOut.length,
    forecasts,
    coverage: forecasts === 0 ? null : Math.round((inside / forecasts) * 1000) / 10,
    medianErrorDays: forecasts === 0 ? null : Math.round((error / forecasts) * 100) / 100,
    planErrorDays: forecasts === 0 ? null : Math.round((planError / forecasts) * 100) / 100,
    target: "coverage 75-85%",
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function measure(database: Database, backend: string, projects: number, rounds: number, existing = false) {
  const service = new ProjectService(database);
  if (!existing)
    for (const name of readdirSync(PLAYBOOKS).filter((n) => n.endsWith(".yaml")))
      await service.publishPlaybook(readFileSync(new URL(name, PLAYBOOKS), "utf8"), { file: name, now: new Date().toISOString() });
  let shown = 0;
  const generated = existing
    ? await countExisting(database)
    : await generateDemo(database, {
        projects,
        now: new Date().toISOString(),
        distinct: Math.min(projects, 500),
        // Years of history, as a portfolio of that size has (nine months would leave most of it running).
        months: env("BENCH_PROCESS_MONTHS", 36),
        onProgress: ({ done, total }) => {
          if (performance.now() - shown > 5000 || done === total) {
            shown = performance.now();
            log(`  ${backend}: ${done}/${total} projects`);
          }
        },
      });
  const rows = await database.db
    .selectFrom("projects")
    .select(["playbook_id"])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .groupBy("playbook_id")
    .orderBy("n", "desc")
    .execute();
  const playbook = rows[0]?.playbook_id ?? "";
  const now = new Date().toISOString();
  // What a database from before the rollups costs once, in the background: every project replayed.
  let t = performance.now();
  const built = await refreshRollups(database.db, undefined, now);
  const buildSeconds = (performance.now() - t) / 1000;
  log(`  ${backend}: rollups of ${built} projects built in ${buildSeconds.toFixed(1)} s`);
  const timed = async (label: string, read: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < rounds + 1; i++) {
      const start = performance.now();
      await read();
      if (i > 0) times.push(performance.now() - start); // the first run warms the caches
    }
    times.sort((x, y) => x - y);
    log(`  ${backend}: ${label} p50 ${Math.round(quantile(times, 0.5))} ms, p95 ${Math.round(quantile(times, 0.95))} ms`);
    return { p50: Math.round(quantile(times, 0.5)), p95: Math.round(quantile(times, 0.95)) };
  };
  const mined = await mineInsights(database.db, { playbook }, now);
  const segment = (await database.db
    .selectFrom("project_summaries" as never)
    .select("segment" as never)
    .where("playbook_id" as never, "=", playbook as never)
    .where("segment" as never, "is not", null as never)
    .limit(1)
    .execute()) as { segment: string }[];
  const csm = (await database.db
    .selectFrom("project_summaries" as never)
    .select("csm" as never)
    .where("playbook_id" as never, "=", playbook as never)
    .where("csm" as never, "is not", null as never)
    .limit(1)
    .execute()) as { csm: string }[];
  const periodFrom = new Date(Date.parse(now) - 100 * DAY).toISOString();
  const periodTo = new Date(Date.parse(now) - 10 * DAY).toISOString();
  const whole = await timed("insights of the biggest playbook", () => mineInsights(database.db, { playbook }, now));
  const bySegment = await timed("by segment", () => mineInsights(database.db, { playbook, segment: segment[0]?.segment ?? "" }, now));
  const byCsm = await timed("by CSM", () => mineInsights(database.db, { playbook, csm: csm[0]?.csm ?? "" }, now));
  const byPeriod = await timed("by a period cutting into months", () =>
    mineInsights(database.db, { playbook, from: periodFrom, to: periodTo }, now),
  );
  const capacity = await timed("capacity forecast (every playbook)", () => mineCapacity(database.db, now, 8));
  // The portfolio's page of 50 onboardings (their deviations and forecasts) and one timeline's forecast.
  const page = await database.db.selectFrom("projects").select("id").where("status", "=", "active").orderBy("id").limit(50).execute();
  const portfolio = await timed("portfolio page of 50", () =>
    processOfProjects(
      database.db,
      page.map((p) => p.id),
      now,
    ),
  );
  const timeline = await timed("one timeline's forecast", () => forecastsFor(database.db, [page[0]?.id ?? ""], now));
  // Fifty onboardings move on: the next read replays just those.
  const active = await database.db
    .selectFrom("projects")
    .select(["id", "state"])
    .where("playbook_id", "=", playbook)
    .where("status", "=", "active")
    .limit(50)
    .execute();
  let moved = 0;
  for (const p of active) {
    const state = p.state as { steps: Record<string, { id: string; status: string }> };
    const open = Object.values(state.steps).find((s) => s.status === "open");
    if (!open) continue;
    await service.runCommand(p.id, { command: { type: "start_step", step: open.id }, actor: BENCH_ACTOR, now });
    moved++;
  }
  t = performance.now();
  await mineInsights(database.db, { playbook }, now);
  const afterChangesMs = Math.round(performance.now() - t);
  t = performance.now();
  await replayInsights(database.db, { playbook }, now);
  const replayMs = Math.round(performance.now() - t);
  log(`  ${backend}: after ${moved} changed ${afterChangesMs} ms; replaying the log instead ${replayMs} ms`);
  // BENCH_PROCESS_EXPORT=0 leaves out the XES export of everything (minutes at 100,000 projects).
  t = performance.now();
  let bytes = 0;
  if (env("BENCH_PROCESS_EXPORT", 1) !== 0)
    for await (const chunk of xesLog(casesOf(database.db, {}), { name: "bench", generatedAt: now })) bytes += Buffer.byteLength(chunk);
  const exportMs = performance.now() - t;
  return {
    backend,
    projects: generated.projects,
    events: generated.events,
    playbook,
    playbookProjects: mined?.projects ?? 0,
    playbookRunning: mined?.waiting.total ?? 0,
    rollupBuildSeconds: Math.round(buildSeconds * 10) / 10,
    insightsP50Ms: whole.p50,
    insightsP95Ms: whole.p95,
    segmentP95Ms: bySegment.p95,
    csmP95Ms: byCsm.p95,
    periodP95Ms: byPeriod.p95,
    capacityP95Ms: capacity.p95,
    portfolioPageP95Ms: portfolio.p95,
    timelineP95Ms: timeline.p95,
    [`after${moved}ChangedMs`]: afterChangesMs,
    replayMs,
    xesExportSeconds: Math.round(exportMs / 100) / 10,
    xesMegabytes: Math.round(bytes / 1e5) / 10,
    target: backend === "postgres" ? "p95 < 100 ms at 100,000 projects" : "p95 < 300 ms at 10,000 projects",
  };
}

/** A database already holding a portfolio (BENCH_PROCESS_DATABASE): how much it holds. */
async function countExisting(database: Database): Promise<{ projects: number; events: number }> {
  const projects = await database.db
    .selectFrom("projects")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  const events = await database.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return { projects: Number(projects?.n ?? 0), events: Number(events?.n ?? 0) };
}

export async function main(): Promise<void> {
  // BENCH_PROCESS_DATABASE=<PostgreSQL URL> measures a portfolio kept from an earlier run (BENCH_KEEP=1)
  // instead of generating one: its rollups are brought up to date first, as after an upgrade.
  const existing = process.env.BENCH_PROCESS_DATABASE;
  if (existing) {
    const database = await openDatabase({ kind: "postgres", url: existing });
    try {
      const timings = await measure(database, "postgres", 0, env("BENCH_PROCESS_ROUNDS", 5), true);
      console.table([timings]);
      console.log(JSON.stringify({ timings: [timings] }, null, 2));
    } finally {
      await database.close();
    }
    return;
  }
  log("process: forecast calibration on simulated history with drift ...");
  const calibrated = calibration();
  log(
    `  coverage ${calibrated.coverage}% of ${calibrated.forecasts} forecasts; median's error ${calibrated.medianErrorDays} d, the plan's ${calibrated.planErrorDays} d`,
  );
  const projects = env("BENCH_PROCESS_PROJECTS", 10_000);
  const pgliteProjects = env("BENCH_PROCESS_PGLITE_PROJECTS", projects);
  const rounds = env("BENCH_PROCESS_ROUNDS", 5);
  const timings = [];
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  const reachable = await admin.connect().then(
    () => true,
    () => false,
  );
  if (reachable && projects > 0) {
    const name = `onboard_process_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const database = await openDatabase({ kind: "postgres", url: ADMIN_URL.replace(/\/postgres$/, `/${name}`) });
      try {
        log(`process: ${projects} demo onboardings on PostgreSQL ...`);
        timings.push(await measure(database, "postgres", projects, rounds));
      } finally {
        await database.close();
      }
    } finally {
      // BENCH_KEEP=1 keeps the database to look into (its name is printed).
      if (process.env.BENCH_KEEP === "1") log(`  kept database ${name}`);
      else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    }
  } else if (projects > 0) log("  postgres: not reachable at 127.0.0.1:5432, skipped");
  if (reachable) await admin.end();
  if (pgliteProjects > 0) {
    const dir = mkdtempSync(join(tmpdir(), "onboard-process-"));
    const database = await openDatabase({ kind: "pglite", dataDir: join(dir, "db") });
    try {
      log(`process: ${pgliteProjects} demo onboardings on PGlite ...`);
      timings.push(await measure(database, "pglite", pgliteProjects, rounds));
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.table([{ measure: "forecast calibration", ...calibrated }]);
  console.table(timings);
  console.log(JSON.stringify({ calibration: calibrated, timings }, null, 2));
}
