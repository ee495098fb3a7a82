// The portfolio: onboardings with their summary, filtered, sorted and paged by keyset over the
// summary table's indexes, and the counts per health and per phase the dashboard links to.
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import type { Schema } from "../store/schema.ts";
import { type MetricsSchema, metricsDb } from "./tables.ts";

export const PORTFOLIO_SORTS = ["health", "next_due", "started", "client", "target_go_live", "overdue"] as const;
export type PortfolioSort = (typeof PORTFOLIO_SORTS)[number];
export const OPEN_STATUSES = ["active", "on_hold"] as const;

export interface PortfolioFilter {
  /** Default: the onboardings in progress (active and on hold). */
  readonly status?: readonly ("active" | "on_hold" | "cancelled" | "closed")[];
  readonly csm?: string;
  readonly segment?: string;
  readonly playbook?: string;
  readonly health?: "green" | "amber" | "red";
  readonly phase?: string;
  /** Only onboardings that deviate from their playbook (project_traces, kept by src/mining/rollups.ts). */
  readonly deviates?: boolean;
}

export interface PortfolioItem {
  readonly projectId: string;
  readonly client: { readonly id: string; readonly name: string; readonly country: string | null };
  readonly playbook: { readonly id: string; readonly version: string };
  readonly status: string;
  readonly phase: { readonly id: string; readonly title: string; readonly index: number } | null;
  readonly csm: { readonly id: string; readonly name: string } | null;
  readonly segment: string | null;
  readonly startedAt: Instant;
  readonly targetGoLiveAt: Instant | null;
  readonly goLiveAt: Instant | null;
  readonly nextMilestone: { readonly step: string; readonly title: string; readonly dueAt: Instant | null } | null;
  readonly overdueSteps: number;
  readonly blockedGates: number;
  readonly missedMilestones: number;
  readonly openIssues: number;
  readonly nps: number | null;
  readonly csat: number | null;
  readonly health: "green" | "amber" | "red";
  readonly healthReasons: readonly string[];
  readonly version: number;
  readonly updatedAt: Instant;
}

export type SortKey = readonly [string | number, string];

export interface PortfolioCounts {
  readonly total: number;
  readonly health: { readonly red: number; readonly amber: number; readonly green: number };
  readonly status: Readonly<Record<string, number>>;
  readonly phases: readonly { readonly phase: string; readonly title: string; readonly index: number; readonly count: number }[];
}

type Eb = ExpressionBuilder<MetricsSchema, "project_summaries">;

const INFINITY = sql<Date>`'infinity'::timestamptz`;

/** The sort expression of each order, never null (keyset pagination compares it). */
function sortExpression(sort: PortfolioSort): Expression<unknown> {
  switch (sort) {
    case "health":
      return sql`health_rank`;
    case "next_due":
      return sql`coalesce(next_milestone_due_at, ${INFINITY})`;
    case "started":
      return sql`started_at`;
    case "client":
      return sql`client_name`;
    case "target_go_live":
      return sql`coalesce(target_go_live_at, ${INFINITY})`;
    case "overdue":
      return sql`overdue_steps`;
  }
}

function keyOf(
  sort: PortfolioSort,
  row: {
    health_rank: number;
    next_milestone_due_at: Date | null;
    started_at: Date;
    client_name: string;
    target_go_live_at: Date | null;
    overdue_steps: number;
  },
): string | number {
  switch (sort) {
    case "health":
      return row.health_rank;
    case "next_due":
      return row.next_milestone_due_at?.toISOString() ?? "infinity";
    case "started":
      return row.started_at.toISOString();
    case "client":
      return row.client_name;
    case "target_go_live":
      return row.target_go_live_at?.toISOString() ?? "infinity";
    case "overdue":
      return row.overdue_steps;
  }
}

function keyValue(sort: PortfolioSort, value: string | number): Expression<unknown> {
  if (sort === "health" || sort === "overdue") return sql`${Number(value)}::int`;
  if (sort === "client") return sql`${String(value)}::text`;
  return sql`${String(value)}::timestamptz`;
}

function where(filter: PortfolioFilter, options: { readonly withHealth: boolean; readonly withPhase: boolean }) {
  return (eb: Eb): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [];
    const statuses = filter.status ?? OPEN_STATUSES;
    // Literal statuses, so the planner can match the partial indexes on open onboardings.
    parts.push(sql<SqlBool>`status IN (${sql.join(statuses.map((s) => sql.lit(s)))})`);
    if (filter.csm !== undefined) parts.push(eb("csm", "=", filter.csm));
    if (filter.segment !== undefined) parts.push(eb("segment", "=", filter.segment));
    if (filter.playbook !== undefined) parts.push(eb("playbook_id", "=", filter.playbook));
    if (options.withHealth && filter.health !== undefined) parts.push(eb("health", "=", filter.health));
    if (options.withPhase && filter.phase !== undefined) parts.push(eb("phase", "=", filter.phase));
    // The process-mining rollups' conformance (the caller brings them up to date first).
    if (filter.deviates === true) parts.push(sql<SqlBool>`project_id IN (SELECT project_id FROM project_traces WHERE deviation_count > 0)`);
    if (filter.deviates === false)
      parts.push(sql<SqlBool>`project_id NOT IN (SELECT project_id FROM project_traces WHERE deviation_count > 0)`);
    return eb.and(parts);
  };
}

export async function portfolioPage(
  store: Kysely<Schema>,
  request: {
    readonly filter: PortfolioFilter;
    readonly sort: PortfolioSort;
    readonly order: "asc" | "desc";
    readonly after: SortKey | undefined;
    readonly limit: number;
  },
): Promise<{ items: PortfolioItem[]; last: SortKey | undefined; more: boolean }> {
  const db = metricsDb(store);
  const { sort, order, after, limit } = request;
  const expr = sortExpression(sort);
  const dir = order === "asc" ? sql`ASC` : sql`DESC`;
  let query = db
    .selectFrom("project_summaries as s")
    .leftJoin("people as p", "p.id", "s.csm")
    .selectAll("s")
    .select("p.name as csm_name")
    .where(where(request.filter, { withHealth: true, withPhase: true }) as never)
    .orderBy(sql`${expr} ${dir}`)
    .orderBy(sql`s.project_id ${dir}`)
    .limit(limit + 1);
  if (after !== undefined) {
    const cmp = order === "asc" ? sql`>` : sql`<`;
    query = query.where(sql<SqlBool>`(${expr}, s.project_id) ${cmp} (${keyValue(sort, after[0])}, ${after[1]})`);
  }
  const rows = await query.execute();
  const kept = rows.slice(0, limit);
  const items = kept.map(
    (r): PortfolioItem => ({
      projectId: r.project_id,
      client: { id: r.client_id, name: r.client_name, country: r.country },
      playbook: { id: r.playbook_id, version: r.playbook_version },
      status: r.status,
      phase: r.phase === null ? null : { id: r.phase, title: r.phase_title ?? r.phase, index: r.phase_index ?? 0 },
      csm: r.csm === null ? null : { id: r.csm, name: r.csm_name ?? r.csm },
      segment: r.segment,
      startedAt: r.started_at.toISOString(),
      targetGoLiveAt: r.target_go_live_at?.toISOString() ?? null,
      goLiveAt: r.go_live_at?.toISOString() ?? null,
      nextMilestone:
        r.next_milestone === null
          ? null
          : {
              step: r.next_milestone,
              title: r.next_milestone_title ?? r.next_milestone,
              dueAt: r.next_milestone_due_at?.toISOString() ?? null,
            },
      overdueSteps: r.overdue_steps,
      blockedGates: r.blocked_gates,
      missedMilestones: r.missed_milestones,
      openIssues: r.open_issues,
      nps: r.nps,
      csat: r.csat,
      health: r.health,
      healthReasons: r.health_reasons,
      version: r.version,
      updatedAt: r.updated_at.toISOString(),
    }),
  );
  const lastRow = kept.at(-1);
  return { items, last: lastRow ? [keyOf(sort, lastRow), lastRow.project_id] : undefined, more: rows.length > limit };
}

/** Counts for the filter without its health and phase (the chips the UI links to show every value). */
export async function portfolioCounts(store: Kysely<Schema>, filter: PortfolioFilter): Promise<PortfolioCounts> {
  const db = metricsDb(store);
  const base = db.selectFrom("project_summaries").where(where(filter, { withHealth: false, withPhase: false }) as never);
  const [byHealthStatus, byPhase] = await Promise.all([
    base
      .select(["health", "status", sql<number>`count(*)::int`.as("n")])
      .groupBy(["health", "status"])
      .execute(),
    base
      .select([
        "phase",
        sql<string>`min(phase_title)`.as("title"),
        sql<number>`min(phase_index)::int`.as("idx"),
        sql<number>`count(*)::int`.as("n"),
      ])
      .groupBy("phase")
      .execute(),
  ]);
  const health = { red: 0, amber: 0, green: 0 };
  const status: Record<string, number> = {};
  let total = 0;
  for (const r of byHealthStatus) {
    health[r.health] += r.n;
    status[r.status] = (status[r.status] ?? 0) + r.n;
    total += r.n;
  }
  const phases = byPhase
    .filter((r) => r.phase !== null)
    .map((r) => ({ phase: r.phase as string, title: r.title ?? (r.phase as string), index: r.idx ?? 0, count: r.n }))
    .sort((a, b) => a.index - b.index || b.count - a.count || a.phase.localeCompare(b.phase));
  return { total, health, status, phases };
}

/**
 * One project's health as the portfolio shows it: the same row of the read model, so the project's
 * page, the API and the dashboard never disagree. Undefined when the project has no summary yet.
 */
export async function projectHealth(
  store: Kysely<Schema>,
  projectId: string,
): Promise<{ health: "green" | "amber" | "red"; reasons: string[]; asOf: Instant } | undefined> {
  const row = await metricsDb(store)
    .selectFrom("project_summaries")
    .select(["health", "health_reasons", "updated_at"])
    .where("project_id", "=", projectId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return { health: row.health, reasons: [...row.health_reasons], asOf: row.updated_at.toISOString() };
}
