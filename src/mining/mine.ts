// The insights, forecasts and capacity of the Process page, read from the rollups (rollups.ts):
// every figure is a sum over the projects' tallies (tally.ts), each project replayed against its
// own playbook version once per change of its events; titles, phases and the order of the report
// come from the latest version. `replayInsights` computes the same by replaying the whole log.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { latestPlaybook } from "../metrics/projection.ts";
import { listPeople } from "../store/people.ts";
import type { Schema } from "../store/schema.ts";
import { type CsmLoad, csmLoads, type Running, weekStarts } from "./capacity.ts";
import { GoLiveModel, MIN_BASIS } from "./forecast.ts";
import { type Insights, InsightsBuilder, insightsOf, WORST } from "./insights.ts";
import { rolledUp, runningByCsm } from "./rollups.ts";
import { casesOf, type LogFilter } from "./source.ts";
import { type Trace, traceOf } from "./trace.ts";

export interface ForecastRow {
  readonly projectId: string;
  readonly clientName: string;
  readonly plannedGoLiveAt: Instant | null;
  readonly p10: Instant;
  readonly p50: Instant;
  readonly p90: Instant;
  readonly anchor: string;
  readonly basis: number;
}

export interface Mined extends Insights {
  /** Active onboardings not live yet, soonest forecast first (at most FORECASTS of them). */
  readonly forecasts: readonly ForecastRow[];
  /**
   * Active onboardings not live yet, how many of them have no forecast, how many onboardings went
   * live to learn from, and how many comparable ones a forecast needs.
   */
  readonly waiting: { readonly total: number; readonly unforecast: number; readonly wentLive: number; readonly needed: number };
}

const FORECASTS = 100;

/**
 * The insights, forecasts and conformance of a playbook's onboardings, from the rollups (rollups.ts).
 * Undefined when the playbook is unknown.
 */
export async function mineInsights(
  db: Kysely<Schema>,
  filter: LogFilter & { readonly playbook: string },
  now: Instant,
): Promise<Mined | undefined> {
  const latest = await latestPlaybook(db, filter.playbook);
  if (!latest) return undefined;
  const { tally, worst, running } = await rolledUp(db, filter, now, WORST);
  const model = new GoLiveModel(tally);
  const forecasts: ForecastRow[] = [];
  for (const r of running) {
    const f = model.predict(r.progress, now);
    if (f) forecasts.push({ projectId: r.projectId, clientName: r.clientName, plannedGoLiveAt: r.plannedGoLiveAt, ...f });
  }
  return finish(insightsOf(latest, tally, worst), forecasts, running.length, model.learnt);
}

/**
 * The same figures by replaying every project's events (the rollups must always equal it; tests
 * and `npm run bench -- process` compare the two).
 */
export async function replayInsights(
  db: Kysely<Schema>,
  filter: LogFilter & { readonly playbook: string },
  now: Instant,
): Promise<Mined | undefined> {
  const latest = await latestPlaybook(db, filter.playbook);
  if (!latest) return undefined;
  const builder = new InsightsBuilder(latest);
  const model = new GoLiveModel();
  const active: { trace: Trace; plannedGoLiveAt: Instant | null }[] = [];
  for await (const c of casesOf(db, filter)) {
    const trace = traceOf(c, now);
    builder.add(trace, c.model ?? latest);
    model.add(trace);
    if (c.info.status === "active" && !trace.goLiveAt && !trace.endedAt)
      active.push({ trace, plannedGoLiveAt: c.info.plannedGoLiveAt ?? null });
  }
  const forecasts: ForecastRow[] = [];
  for (const { trace, plannedGoLiveAt } of active) {
    const f = model.predict(trace, now);
    if (f) forecasts.push({ projectId: trace.projectId, clientName: trace.clientName, plannedGoLiveAt, ...f });
  }
  return finish(builder.result(), forecasts, active.length, model.learnt);
}

function finish(insights: Insights, forecasts: ForecastRow[], running: number, wentLive: number): Mined {
  forecasts.sort((a, b) => (a.p50 < b.p50 ? -1 : a.p50 > b.p50 ? 1 : a.projectId < b.projectId ? -1 : 1));
  return {
    ...insights,
    forecasts: forecasts.slice(0, FORECASTS),
    waiting: { total: running, unforecast: running - forecasts.length, wentLive, needed: MIN_BASIS },
  };
}

/**
 * Every CSM's load by week from the go-live forecasts of all active onboardings (each playbook's
 * own model, learnt from its onboardings that went live), in one pass over the log.
 */
export async function mineCapacity(db: Kysely<Schema>, now: Instant, weeks = 8): Promise<{ weeks: Instant[]; people: CsmLoad[] }> {
  const { models, running: active } = await runningByCsm(db, now);
  const goLive = new Map([...models].map(([playbook, tally]) => [playbook, new GoLiveModel(tally)]));
  const running: Running[] = active.map(({ playbook, csm, progress }) => {
    const f = goLive.get(playbook)?.predict(progress, now);
    return f ? { csm, p50: f.p50 } : { csm };
  });
  // Who could take a client: the CSMs of running onboardings, and people who share a directory role
  // with them (a CSM with nothing running yet has all their room).
  const directory = (await listPeople(db)).filter((p) => p.active);
  const csms = new Set(running.map((r) => r.csm));
  const csmRoles = new Set(directory.filter((p) => csms.has(p.id)).flatMap((p) => p.roles));
  const people = directory
    .filter((p) => csms.has(p.id) || (p.capacity !== undefined && p.roles.some((r) => csmRoles.has(r))))
    .map((p) => ({ id: p.id, name: p.name, capacity: p.capacity ?? null }));
  return { weeks: weekStarts(now, weeks), people: csmLoads(running, people, now, weeks) };
}
