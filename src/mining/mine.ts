// The insights of one playbook's projects, read from the event log a batch of projects at a time
// (source.ts) and added up as they come (insights.ts): memory holds the totals, never the log.
// Each project is replayed against its own playbook version; titles, phases and the order of the
// report come from the latest version.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { latestPlaybook } from "../metrics/projection.ts";
import type { Schema } from "../store/schema.ts";
import { GoLiveModel } from "./forecast.ts";
import { type Insights, InsightsBuilder } from "./insights.ts";
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
  /** Active onboardings not live yet, and how many of them have no forecast (nothing comparable). */
  readonly waiting: { readonly total: number; readonly unforecast: number };
}

const FORECASTS = 100;

/** Undefined when the playbook is unknown. */
export async function mineInsights(
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
    builder.add(trace);
    model.add(trace);
    if (c.info.status === "active" && !trace.goLiveAt) active.push({ trace, plannedGoLiveAt: c.info.plannedGoLiveAt ?? null });
  }
  const forecasts: ForecastRow[] = [];
  for (const { trace, plannedGoLiveAt } of active) {
    const f = model.predict(trace, now);
    if (f) forecasts.push({ projectId: trace.projectId, clientName: trace.clientName, plannedGoLiveAt, ...f });
  }
  forecasts.sort((a, b) => (a.p50 < b.p50 ? -1 : a.p50 > b.p50 ? 1 : a.projectId < b.projectId ? -1 : 1));
  return {
    ...builder.result(),
    forecasts: forecasts.slice(0, FORECASTS),
    waiting: { total: active.length, unforecast: active.length - forecasts.length },
  };
}
