// The insights, forecasts and capacity of the Process page, read from the rollups (rollups.ts):
// every figure is a sum over the projects' tallies (tally.ts), each project replayed against its
// own playbook version once per change of its events; titles, phases and the order of the report
// come from the latest version. `replayInsights` computes the same by replaying the whole log.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { latestPlaybook } from "../metrics/projection.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { directory } from "../store/people.ts";
import type { Schema } from "../store/schema.ts";
import { type CsmLoad, csmLoads, type Running, weekStarts } from "./capacity.ts";
import { asInstants, type GoLiveForecast, GoLiveModel, MIN_BASIS, type MilestoneForecast } from "./forecast.ts";
import { type Insights, InsightsBuilder, insightsOf, WORST } from "./insights.ts";
import {
  capacityRows,
  conformanceOf,
  historyModels,
  playbookPeople,
  progressOf,
  refreshRollups,
  rolledUp,
  runningPlaybooks,
  storeForecasts,
} from "./rollups.ts";
import { casesOf, type LogFilter, versionModels } from "./source.ts";
import { Tally } from "./tally.ts";
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
  readonly waiting: {
    readonly total: number;
    readonly unforecast: number;
    readonly wentLive: number;
    readonly needed: number;
    /** Whether the playbook has a go-live step to forecast at all. */
    readonly goLiveStep: boolean;
  };
  /** The segments and CSMs of the playbook's onboardings, whatever the filter: the filters' choices. */
  readonly choices: { readonly segments: readonly string[]; readonly csms: readonly { readonly id: string; readonly name: string }[] };
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
  const nowMs = Date.parse(now);
  // Every running onboarding is forecast; only the soonest shown become instants.
  const predicted = running.flatMap((r) => {
    const f = model.predictFrom(r.anchors, nowMs);
    return f ? [{ r, f }] : [];
  });
  predicted.sort((a, b) => a.f.p50 - b.f.p50 || (a.r.projectId < b.r.projectId ? -1 : 1));
  const forecasts: ForecastRow[] = predicted.slice(0, FORECASTS).map(({ r, f }) => ({
    projectId: r.projectId,
    clientName: r.clientName,
    plannedGoLiveAt: r.targetMs === null ? null : new Date(r.targetMs).toISOString(),
    ...asInstants(f),
  }));
  return {
    ...finish(insightsOf(latest, tally, worst), forecasts, running.length, model.learnt, latest, predicted.length),
    choices: await playbookPeople(db, filter.playbook),
  };
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
  return {
    ...finish(builder.result(), forecasts, active.length, model.learnt, latest, forecasts.length),
    choices: await playbookPeople(db, filter.playbook),
  };
}

function finish(
  insights: Insights,
  forecasts: ForecastRow[],
  running: number,
  wentLive: number,
  latest: PlaybookModel,
  forecast: number,
): Omit<Mined, "choices"> {
  forecasts.sort((a, b) => (a.p50 < b.p50 ? -1 : a.p50 > b.p50 ? 1 : a.projectId < b.projectId ? -1 : 1));
  return {
    ...insights,
    forecasts: forecasts.slice(0, FORECASTS),
    waiting: {
      total: running,
      unforecast: running - forecast,
      wentLive,
      needed: MIN_BASIS,
      goLiveStep: latest.order.some((e) => e.step.go_live === true),
    },
  };
}

/**
 * Every CSM's load by week from the go-live forecasts of all active onboardings (each playbook's
 * own model, learnt from its onboardings that went live, read at most once a minute like the
 * portfolio's).
 */
export async function mineCapacity(db: Kysely<Schema>, now: Instant, weeks = 8): Promise<{ weeks: Instant[]; people: CsmLoad[] }> {
  await refreshRollups(db, undefined, now);
  const models = await recentHistories(db, await runningPlaybooks(db), now);
  const nowMs = Date.parse(now);
  // Forecasts stored by an earlier read hold until their model changes or time passes a residual;
  // only the others are made again (and stored for the next read).
  const { held, stale } = await capacityRows(db, new Map([...models].map(([p, m]) => [p, m.stamp])), nowMs);
  const running: Running[] = held.map(({ csm, p50Ms }) => (p50Ms === null ? { csm } : { csm, p50Ms }));
  const made = stale.map((r) => {
    const model = models.get(r.playbook) ?? new GoLiveModel();
    const { forecast, until } = model.predictUntil(JSON.parse(r.anchorsJson), nowMs);
    running.push(forecast ? { csm: r.csm, p50Ms: forecast.p50 } : { csm: r.csm });
    return { projectId: r.projectId, anchorsJson: r.anchorsJson, p50Ms: forecast?.p50 ?? null, model: model.stamp, until };
  });
  await storeForecasts(db, made);
  // Who could take a client: the CSMs of running onboardings, and people who share a directory role
  // with them (a CSM with nothing running yet has all their room).
  const listed = (await directory(db)).filter((p) => p.active);
  const csms = new Set(running.map((r) => r.csm));
  const csmRoles = new Set(listed.filter((p) => csms.has(p.id)).flatMap((p) => p.roles));
  const people = listed
    .filter((p) => csms.has(p.id) || (p.capacity !== undefined && p.roles.some((r) => csmRoles.has(r))))
    .map((p) => ({ id: p.id, name: p.name, capacity: p.capacity ?? null }));
  return { weeks: weekStarts(now, weeks), people: csmLoads(running, people, now, weeks) };
}

/** What the history of comparable onboardings says about one onboarding still to go live. */
export interface ProjectForecast {
  /** Null when too few comparable onboardings went live. */
  readonly goLive: GoLiveForecast | null;
  /** Its milestones not reached yet, in playbook order. */
  readonly milestones: readonly MilestoneForecast[];
  /** How many onboardings of its playbook went live to learn from, and how many comparable a forecast needs. */
  readonly wentLive: number;
  readonly needed: number;
}

/**
 * The forecasts of some onboardings (those active and not live yet; others are absent), each from
 * the history of its own playbook: its rollup row brought up to date first, so the forecast follows
 * every event.
 */
export async function forecastsFor(db: Kysely<Schema>, ids: readonly string[], now: Instant): Promise<Map<string, ProjectForecast>> {
  const running = await progressOf(db, ids, now);
  const histories = await recentHistories(db, [...new Set(running.map((r) => r.playbook))], now);
  const modelOf = versionModels(db);
  const out = new Map<string, ProjectForecast>();
  for (const r of running) {
    const history = histories.get(r.playbook) ?? new GoLiveModel();
    const playbook = await modelOf(r.playbook, r.version);
    out.set(r.projectId, {
      goLive: history.predict(r.progress, now) ?? null,
      milestones: playbook ? history.milestones(r.progress, playbook, now) : [],
      wentLive: history.learnt,
      needed: MIN_BASIS,
    });
  }
  return out;
}

/**
 * The history models of some playbooks, each brought up to date and read from the rollups at most
 * once a minute per process: a forecast rests on hundreds of onboardings, so one more go-live
 * changes it little, while the portfolio asks for it on every page.
 */
const HISTORY_TTL_MS = 60_000;
const histories = new WeakMap<Kysely<Schema>, Map<string, { readAt: number; model: GoLiveModel }>>();
export async function recentHistories(db: Kysely<Schema>, playbooks: readonly string[], now: Instant): Promise<Map<string, GoLiveModel>> {
  const cache = histories.get(db) ?? new Map<string, { readAt: number; model: GoLiveModel }>();
  histories.set(db, cache);
  const wall = Date.now();
  const missing = playbooks.filter((p) => {
    const hit = cache.get(p);
    return !hit || wall - hit.readAt > HISTORY_TTL_MS;
  });
  // Every project of the playbook counts, not only those someone looked at lately.
  for (const playbook of missing) await refreshRollups(db, playbook, now);
  const read = await historyModels(db, missing);
  // The model keeps its sorted residuals between reads.
  for (const p of missing) cache.set(p, { readAt: wall, model: new GoLiveModel(read.get(p) ?? new Tally()) });
  return new Map(playbooks.map((p) => [p, cache.get(p)?.model ?? new GoLiveModel()]));
}

/** For the portfolio: each onboarding's departures from its playbook and its go-live forecast. */
export async function processOfProjects(
  db: Kysely<Schema>,
  ids: readonly string[],
  now: Instant,
): Promise<Map<string, { deviations: number; forecast: GoLiveForecast | null }>> {
  const forecasts = await forecastsFor(db, ids, now);
  const out = new Map<string, { deviations: number; forecast: GoLiveForecast | null }>();
  for (const row of await conformanceOf(db, ids))
    out.set(row.projectId, { deviations: row.deviations, forecast: forecasts.get(row.projectId)?.goLive ?? null });
  return out;
}
