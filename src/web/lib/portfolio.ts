// The portfolio the dashboard shows: one row per onboarding in progress, from GET /portfolio (the
// metrics read model: health with its reasons, phase, CSM, next milestone, days against target),
// read in one go and filtered on the page, so changing a filter is instant.
import { all, api, type Schemas } from "../api/client.ts";
import { daysBetween } from "./format.ts";

export type PortfolioItem = Schemas["PortfolioItem"];

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
  };
}

export async function loadPortfolio(signal: AbortSignal): Promise<PortfolioRow[]> {
  const items = await all(
    (cursor) => api.get("/portfolio", { query: { limit: 200, sort: "health", ...(cursor ? { cursor } : {}) }, signal }),
    5000,
  );
  const now = Date.now();
  return items.map((item) => rowOf(item, now));
}
