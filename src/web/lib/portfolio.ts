// The portfolio the dashboard shows: one row per onboarding in progress, from GET /portfolio (the
// metrics read model: health with its reasons, phase, CSM, next milestone, days against target),
// read in one go and filtered on the page, so changing a filter is instant. Each row also carries
// how often the onboarding departed from its playbook and its go-live forecast from comparable
// onboardings of the same playbook (the process rollups, src/mining).
import { all, api, type Schemas } from "../api/client.ts";
import { daysBetween, humanize } from "./format.ts";

export type PortfolioItem = Schemas["PortfolioItem"];
/** An 80% interval (p10 to p90) with its median, from `basis` comparable onboardings. */
export type ForecastBand = Schemas["ForecastBand"];

export interface PortfolioRow {
  readonly projectId: string;
  readonly clientName: string;
  readonly csm: { readonly id: string; readonly name: string } | null;
  readonly segment: string | null;
  readonly playbook: { readonly id: string; readonly version: string };
  readonly status: string;
  readonly health: string;
  readonly reasons: readonly string[];
  readonly phase: string | null;
  readonly startedAt: string;
  readonly daysSinceStart: number;
  readonly targetDays: number | null;
  readonly nextMilestone: { readonly title: string; readonly dueAt: string | null } | null;
  readonly overdueSteps: number;
  readonly targetGoLiveAt: string | null;
  readonly goLiveAt: string | null;
  /** Departures from the playbook (0: it kept to it). */
  readonly deviations: number;
  /** Go-live forecast from history; null once live, when not active, or with too little history. */
  readonly forecast: ForecastBand | null;
}

export function rowOf(item: PortfolioItem, now: number = Date.now()): PortfolioRow {
  return {
    projectId: item.projectId,
    clientName: item.client.name,
    csm: item.csm,
    segment: item.segment,
    playbook: item.playbook,
    status: item.status,
    health: item.health,
    reasons: item.healthReasons,
    phase: item.phase?.title ?? null,
    startedAt: item.startedAt,
    daysSinceStart: daysBetween(item.startedAt, item.goLiveAt ?? now),
    targetDays: item.targetGoLiveAt ? daysBetween(item.startedAt, item.targetGoLiveAt) : null,
    nextMilestone: item.nextMilestone ? { title: item.nextMilestone.title, dueAt: item.nextMilestone.dueAt } : null,
    overdueSteps: item.overdueSteps,
    targetGoLiveAt: item.targetGoLiveAt,
    goLiveAt: item.goLiveAt,
    deviations: item.deviations,
    forecast: item.forecast,
  };
}

/** Every status a project can be in: the onboardings that ended as well as those in progress. */
export const EVERY_STATUS = "active,on_hold,cancelled,closed";

/** The portfolio's rows (default: the onboardings in progress, every playbook). */
export async function loadPortfolio(
  signal: AbortSignal,
  filter: { readonly playbook?: string; readonly status?: string } = {},
): Promise<PortfolioRow[]> {
  const items = await all(
    (cursor) => api.get("/portfolio", { query: { limit: 200, sort: "health", ...filter, ...(cursor ? { cursor } : {}) }, signal }),
    5000,
  );
  const now = Date.now();
  return items.map((item) => rowOf(item, now));
}

/** A filter's choices: [value, label], by label. */
export type Choices = readonly (readonly [string, string])[];

/** The CSMs (by person id, named) and segments of these rows, as filters' choices. */
export function filterChoices(rows: readonly PortfolioRow[]): { readonly csms: Choices; readonly segments: Choices } {
  const csms = new Map(rows.flatMap((r) => (r.csm ? [[r.csm.id, r.csm.name] as const] : [])));
  const segments = new Set(rows.flatMap((r) => (r.segment ? [r.segment] : [])));
  const byLabel = (a: readonly [string, string], b: readonly [string, string]) => a[1].localeCompare(b[1]);
  return { csms: [...csms].sort(byLabel), segments: [...segments].map((s) => [s, humanize(s)] as const).sort(byLabel) };
}
