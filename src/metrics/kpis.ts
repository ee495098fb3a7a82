// KPIs over a set of projects: SQL aggregates over the portfolio read model (so they stay fast on a
// hundred thousand projects) and pure functions for what is computed on the results (targets with
// red/amber/green). The set is the projects matching the filters that started in [from, to).
//
// Definitions (edge rules of the built-in playbooks):
// - time to go-live: days from the start to go-live, minus the days on hold; same day counts as 0.
// - time to first value: to the completion of the playbook's first-value step (its id or title says
//   "first value" or "value review"), else to go-live.
// - time to onboard: to the project's completion.
// - SLA compliance: steps with a deadline that are done or past it; on time when done by it.
// - on-time milestones: the same for gates, go-live steps and `kind: milestone` steps.
// - first-pass UAT: projects whose UAT decision passed on its first attempt, of those decided.
// - training completion: tracks passed of the tracks the project delivers, for projects that went live.
// - NPS: % promoters (9-10) − % detractors (0-6) of each project's latest answer; CSAT: the mean of
//   each project's latest answer (1-5); adoption: the mean of the latest 30/60/90-day review figure.
import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import type { Playbook } from "../playbook/schema.ts";
import type { Schema } from "../store/schema.ts";
import { parseTarget } from "./summary.ts";
import { metricsDb } from "./tables.ts";

export interface KpiFilter {
  readonly playbook?: string;
  readonly csm?: string;
  readonly segment?: string;
  /** Projects that started at or after. */
  readonly from?: Instant;
  /** Projects that started before. */
  readonly to?: Instant;
}

export interface Distribution {
  readonly count: number;
  readonly medianDays: number | null;
  readonly p90Days: number | null;
  readonly buckets: readonly { readonly label: string; readonly from: number; readonly to: number | null; readonly count: number }[];
}

export interface Rate {
  readonly due: number;
  readonly met: number;
  /** Percent, null without data. */
  readonly rate: number | null;
}

export type Rag = "green" | "amber" | "red";

export interface TargetResult {
  readonly playbook: string;
  readonly kpi: string;
  readonly title: string;
  readonly metric: string;
  readonly target: string | null;
  readonly value: number | null;
  readonly unit: string;
  readonly status: Rag | null;
  readonly note: string | null;
}

export interface Aggregates {
  readonly projects: number;
  readonly active: number;
  readonly onHold: number;
  readonly closed: number;
  readonly cancelled: number;
  readonly live: number;
  readonly goLiveMedian: number | null;
  readonly goLiveP90: number | null;
  readonly firstValueCount: number;
  readonly firstValueMedian: number | null;
  readonly firstValueP90: number | null;
  readonly onboardMedian: number | null;
  readonly stepsDue: number;
  readonly stepsOnTime: number;
  readonly milestonesDue: number;
  readonly milestonesOnTime: number;
  readonly uatDecided: number;
  readonly uatPassed: number;
  readonly trainingTracks: number;
  readonly trainingPassed: number;
  readonly npsAnswers: number;
  readonly promoters: number;
  readonly detractors: number;
  readonly csatAnswers: number;
  readonly csatAverage: number | null;
  readonly adoptionReviews: number;
  readonly adoptionAverage: number | null;
}

export interface KpiReport {
  readonly projects: {
    readonly total: number;
    readonly active: number;
    readonly onHold: number;
    readonly live: number;
    readonly closed: number;
    readonly cancelled: number;
  };
  readonly timeToGoLive: Distribution;
  readonly timeToFirstValue: Distribution;
  readonly slaCompliance: Rate;
  readonly onTimeMilestones: Rate;
  readonly firstPassUat: Rate;
  readonly trainingCompletion: Rate;
  readonly nps: {
    readonly answers: number;
    readonly promoters: number;
    readonly passives: number;
    readonly detractors: number;
    readonly score: number | null;
  };
  readonly csat: { readonly answers: number; readonly average: number | null };
  readonly adoption: { readonly reviews: number; readonly average: number | null };
  readonly targets: readonly TargetResult[];
  readonly series: {
    readonly timeToGoLiveByMonth: readonly { readonly month: string; readonly count: number; readonly medianDays: number | null }[];
    readonly daysPerPhase: readonly {
      readonly playbook: string;
      readonly phase: string;
      readonly title: string;
      readonly projects: number;
      readonly medianDays: number | null;
      readonly averageDays: number | null;
    }[];
    readonly slaBreachesByStep: readonly {
      readonly playbook: string;
      readonly step: string;
      readonly title: string;
      readonly due: number;
      readonly breached: number;
      readonly compliance: number | null;
    }[];
  };
}

export const BUCKETS: readonly [number, number | null][] = [
  [0, 30],
  [30, 45],
  [45, 60],
  [60, 90],
  [90, 120],
  [120, null],
];

/** Percent with one decimal; null for 0 of 0. */
export function rate(met: number, due: number): Rate {
  return { due, met, rate: due === 0 ? null : Math.round((1000 * met) / due) / 10 };
}

export function npsScore(promoters: number, detractors: number, answers: number): number | null {
  return answers === 0 ? null : Math.round((100 * (promoters - detractors)) / answers);
}

const round1 = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(Number(n)) ? null : Math.round(Number(n) * 10) / 10;

/**
 * Red, amber or green for a value against a target: green when it meets it, amber when it misses by
 * at most 10% of the target (or 5 points for NPS), red beyond.
 */
export function rag(targetText: string, value: number | null, params: Readonly<Record<string, string | number>> = {}): Rag | null {
  const target = parseTarget(targetText, params);
  if (!target || value === null) return null;
  const t = target.value;
  const meets =
    target.op === "<"
      ? value < t
      : target.op === "<="
        ? value <= t
        : target.op === ">"
          ? value > t
          : target.op === ">="
            ? value >= t
            : value === t;
  if (meets) return "green";
  const slack = target.unit === "point" || t === 0 ? 5 : Math.abs(t) * 0.1;
  return Math.abs(value - t) <= slack ? "amber" : "red";
}

const DAYS_TO_GO_LIVE = sql<number>`(extract(epoch from (go_live_at - started_at)) * 1000 - held_ms) / 86400000.0`;
const DAYS_TO_FIRST_VALUE = sql<number>`greatest(0, (extract(epoch from (first_value_at - started_at)) * 1000 - held_ms) / 86400000.0)`;
const DAYS_TO_ONBOARD = sql<number>`(extract(epoch from (completed_at - started_at)) * 1000 - held_ms) / 86400000.0`;

function whereOf(filter: KpiFilter) {
  return (eb: { and: (parts: Expression<SqlBool>[]) => Expression<SqlBool> }) => {
    const parts: Expression<SqlBool>[] = [sql<SqlBool>`true`];
    if (filter.playbook !== undefined) parts.push(sql<SqlBool>`playbook_id = ${filter.playbook}`);
    if (filter.csm !== undefined) parts.push(sql<SqlBool>`csm = ${filter.csm}`);
    if (filter.segment !== undefined) parts.push(sql<SqlBool>`segment = ${filter.segment}`);
    if (filter.from !== undefined) parts.push(sql<SqlBool>`started_at >= ${filter.from}::timestamptz`);
    if (filter.to !== undefined) parts.push(sql<SqlBool>`started_at < ${filter.to}::timestamptz`);
    return eb.and(parts);
  };
}

function aggregateSelect() {
  const n = (e: ReturnType<typeof sql>) => sql<number>`(${e})::float8`;
  return [
    sql<number>`count(*)::int`.as("projects"),
    sql<number>`count(*) FILTER (WHERE status = 'active')::int`.as("active"),
    sql<number>`count(*) FILTER (WHERE status = 'on_hold')::int`.as("on_hold"),
    sql<number>`count(*) FILTER (WHERE status = 'closed')::int`.as("closed"),
    sql<number>`count(*) FILTER (WHERE status = 'cancelled')::int`.as("cancelled"),
    sql<number>`count(go_live_at)::int`.as("live"),
    n(sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS_TO_GO_LIVE})`).as("go_live_median"),
    n(sql`percentile_cont(0.9) WITHIN GROUP (ORDER BY ${DAYS_TO_GO_LIVE})`).as("go_live_p90"),
    sql<number>`count(first_value_at)::int`.as("first_value_count"),
    n(sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS_TO_FIRST_VALUE})`).as("first_value_median"),
    n(sql`percentile_cont(0.9) WITHIN GROUP (ORDER BY ${DAYS_TO_FIRST_VALUE})`).as("first_value_p90"),
    n(sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS_TO_ONBOARD})`).as("onboard_median"),
    sql<number>`coalesce(sum(steps_due), 0)::int`.as("steps_due"),
    sql<number>`coalesce(sum(steps_on_time), 0)::int`.as("steps_on_time"),
    sql<number>`coalesce(sum(milestones_due), 0)::int`.as("milestones_due"),
    sql<number>`coalesce(sum(milestones_on_time), 0)::int`.as("milestones_on_time"),
    sql<number>`count(uat_first_pass)::int`.as("uat_decided"),
    sql<number>`count(*) FILTER (WHERE uat_first_pass)::int`.as("uat_passed"),
    sql<number>`coalesce(sum(training_records) FILTER (WHERE go_live_at IS NOT NULL), 0)::int`.as("training_tracks"),
    sql<number>`coalesce(sum(training_passed) FILTER (WHERE go_live_at IS NOT NULL), 0)::int`.as("training_passed"),
    sql<number>`count(nps)::int`.as("nps_answers"),
    sql<number>`count(*) FILTER (WHERE nps >= 9)::int`.as("promoters"),
    sql<number>`count(*) FILTER (WHERE nps <= 6)::int`.as("detractors"),
    sql<number>`count(csat)::int`.as("csat_answers"),
    n(sql`avg(csat)`).as("csat_average"),
    sql<number>`count(adoption_rate)::int`.as("adoption_reviews"),
    n(sql`avg(adoption_rate)`).as("adoption_average"),
  ] as const;
}

type AggregateRow = Record<string, number | null | string>;

function toAggregates(r: AggregateRow): Aggregates {
  const i = (k: string) => Number(r[k] ?? 0);
  const f = (k: string) => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  return {
    projects: i("projects"),
    active: i("active"),
    onHold: i("on_hold"),
    closed: i("closed"),
    cancelled: i("cancelled"),
    live: i("live"),
    goLiveMedian: f("go_live_median"),
    goLiveP90: f("go_live_p90"),
    firstValueCount: i("first_value_count"),
    firstValueMedian: f("first_value_median"),
    firstValueP90: f("first_value_p90"),
    onboardMedian: f("onboard_median"),
    stepsDue: i("steps_due"),
    stepsOnTime: i("steps_on_time"),
    milestonesDue: i("milestones_due"),
    milestonesOnTime: i("milestones_on_time"),
    uatDecided: i("uat_decided"),
    uatPassed: i("uat_passed"),
    trainingTracks: i("training_tracks"),
    trainingPassed: i("training_passed"),
    npsAnswers: i("nps_answers"),
    promoters: i("promoters"),
    detractors: i("detractors"),
    csatAnswers: i("csat_answers"),
    csatAverage: f("csat_average"),
    adoptionReviews: i("adoption_reviews"),
    adoptionAverage: f("adoption_average"),
  };
}

/** The value of a built-in metric from the aggregates (null: not measured from the log). */
export function metricValue(metric: string, a: Aggregates): { value: number | null; unit: string; note: string | null } {
  switch (metric) {
    case "time_to_go_live":
      return { value: round1(a.goLiveMedian), unit: "days (median)", note: null };
    case "time_to_first_value":
      return { value: round1(a.firstValueMedian), unit: "days (median)", note: null };
    case "time_to_onboard":
      return { value: round1(a.onboardMedian), unit: "days (median)", note: null };
    case "training_completion":
      return { value: rate(a.trainingPassed, a.trainingTracks).rate, unit: "%", note: null };
    case "adoption_rate":
      return { value: round1(a.adoptionAverage), unit: "%", note: null };
    case "nps":
      return { value: npsScore(a.promoters, a.detractors, a.npsAnswers), unit: "points", note: null };
    case "csat":
      return { value: round1(a.csatAverage), unit: "/5", note: null };
    case "first_pass_uat_rate":
      return { value: rate(a.uatPassed, a.uatDecided).rate, unit: "%", note: null };
    case "sla_compliance":
      return { value: rate(a.stepsOnTime, a.stepsDue).rate, unit: "%", note: null };
    case "on_time_milestones":
      return { value: rate(a.milestonesOnTime, a.milestonesDue).rate, unit: "%", note: null };
    case "retention_rate": {
      const ended = a.closed + a.cancelled;
      return { value: rate(a.closed, ended).rate, unit: "%", note: "onboardings completed of those ended (cancelled ones are lost)" };
    }
    default:
      return { value: null, unit: "", note: "not computed from the event log (manual or not measured yet)" };
  }
}

function distribution(count: number, median: number | null, p90: number | null, buckets: readonly number[]): Distribution {
  return {
    count,
    medianDays: round1(median),
    p90Days: round1(p90),
    buckets: BUCKETS.map(([from, to], i) => ({
      label: to === null ? `${from}+ days` : `${from}-${to} days`,
      from,
      to,
      count: buckets[i] ?? 0,
    })),
  };
}

function bucketSelect(expr: ReturnType<typeof sql>, prefix: string) {
  return BUCKETS.map(([from, to], i) =>
    sql<number>`count(*) FILTER (WHERE ${expr} >= ${from}${to === null ? sql`` : sql` AND ${expr} < ${to}`})::int`.as(`${prefix}${i}`),
  );
}

export async function computeKpis(
  store: Kysely<Schema>,
  filter: KpiFilter,
  playbookOf: (id: string) => Promise<Playbook | undefined>,
): Promise<KpiReport> {
  const db = metricsDb(store);
  const base = () => db.selectFrom("project_summaries").where(whereOf(filter) as never);
  const statsBase = () => {
    let q = db.selectFrom("project_step_stats");
    if (filter.playbook !== undefined) q = q.where("playbook_id", "=", filter.playbook);
    if (filter.csm !== undefined) q = q.where("csm", "=", filter.csm);
    if (filter.segment !== undefined) q = q.where("segment", "=", filter.segment);
    if (filter.from !== undefined) q = q.where("started_at", ">=", new Date(filter.from));
    if (filter.to !== undefined) q = q.where("started_at", "<", new Date(filter.to));
    return q;
  };
  // One scan of the summaries gives the totals and each playbook's figures (GROUPING SETS), one
  // scan of the step statistics gives the phases and the steps, one the go-live months.
  const [grouped, months, stats] = await Promise.all([
    base()
      .select([
        "playbook_id",
        sql<number>`grouping(playbook_id)::int`.as("total_row"),
        ...aggregateSelect(),
        ...bucketSelect(sql`(${DAYS_TO_GO_LIVE})`, "g"),
        ...bucketSelect(sql`(${DAYS_TO_FIRST_VALUE})`, "f"),
      ])
      .groupBy(sql`GROUPING SETS ((), (playbook_id))`)
      .execute(),
    base()
      .where("go_live_at", "is not", null)
      .select([
        sql<string>`to_char(date_trunc('month', go_live_at AT TIME ZONE 'UTC'), 'YYYY-MM')`.as("month"),
        sql<number>`count(*)::int`.as("count"),
        sql<number>`(percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS_TO_GO_LIVE}))::float8`.as("median"),
      ])
      .groupBy(sql`1`)
      .orderBy(sql`1`)
      .execute(),
    statsBase()
      .select([
        "kind",
        "playbook_id",
        "key",
        sql<number>`count(*)::int`.as("n"),
        sql<number>`count(*) FILTER (WHERE breached)::int`.as("breached"),
        sql<number>`(percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE kind = 'phase'))::float8`.as("median"),
        sql<number>`avg(days)::float8`.as("average"),
      ])
      .groupBy(["kind", "playbook_id", "key"])
      .execute(),
  ]);
  const overall = grouped.find((r) => r.total_row === 1) ?? {};
  const perPlaybook = grouped.filter((r) => r.total_row === 0) as ((typeof grouped)[number] & { playbook_id: string })[];
  const buckets = overall;
  const phases = stats.filter((r) => r.kind === "phase").map((r) => ({ ...r, projects: r.n }));
  const steps = stats.filter((r) => r.kind === "step").map((r) => ({ ...r, due: r.n }));
  const a = toAggregates(overall as unknown as AggregateRow);
  const b = buckets as unknown as Record<string, number>;
  const playbooks = new Map<string, Playbook | undefined>();
  for (const id of new Set([
    ...perPlaybook.map((p) => p.playbook_id),
    ...phases.map((p) => p.playbook_id),
    ...steps.map((s) => s.playbook_id),
  ])) {
    playbooks.set(id, await playbookOf(id));
  }
  const stepTitle = (pb: string, step: string) => {
    for (const phase of playbooks.get(pb)?.phases ?? []) for (const s of phase.steps) if (s.id === step) return s.title;
    return step;
  };
  const phaseOrder = (pb: string, phase: string) => playbooks.get(pb)?.phases.findIndex((p) => p.id === phase) ?? 0;
  const targets: TargetResult[] = [];
  for (const row of perPlaybook.sort((x, y) => x.playbook_id.localeCompare(y.playbook_id))) {
    const playbook = playbooks.get(row.playbook_id);
    const agg = toAggregates(row as unknown as AggregateRow);
    for (const kpi of playbook?.kpis ?? []) {
      const { value, unit, note } = kpi.source === "manual" ? metricValue("manual", agg) : metricValue(kpi.metric, agg);
      targets.push({
        playbook: row.playbook_id,
        kpi: kpi.id,
        title: kpi.title,
        metric: kpi.metric,
        target: kpi.target ?? null,
        value,
        unit,
        status: kpi.target ? rag(kpi.target, value) : null,
        note,
      });
    }
  }
  return {
    projects: { total: a.projects, active: a.active, onHold: a.onHold, live: a.live, closed: a.closed, cancelled: a.cancelled },
    timeToGoLive: distribution(
      a.live,
      a.goLiveMedian,
      a.goLiveP90,
      BUCKETS.map((_, i) => b[`g${i}`] ?? 0),
    ),
    timeToFirstValue: distribution(
      a.firstValueCount,
      a.firstValueMedian,
      a.firstValueP90,
      BUCKETS.map((_, i) => b[`f${i}`] ?? 0),
    ),
    slaCompliance: rate(a.stepsOnTime, a.stepsDue),
    onTimeMilestones: rate(a.milestonesOnTime, a.milestonesDue),
    firstPassUat: rate(a.uatPassed, a.uatDecided),
    trainingCompletion: rate(a.trainingPassed, a.trainingTracks),
    nps: {
      answers: a.npsAnswers,
      promoters: a.promoters,
      passives: a.npsAnswers - a.promoters - a.detractors,
      detractors: a.detractors,
      score: npsScore(a.promoters, a.detractors, a.npsAnswers),
    },
    csat: { answers: a.csatAnswers, average: round1(a.csatAverage) },
    adoption: { reviews: a.adoptionReviews, average: round1(a.adoptionAverage) },
    targets,
    series: {
      timeToGoLiveByMonth: months.map((m) => ({ month: m.month, count: m.count, medianDays: round1(m.median) })),
      daysPerPhase: phases
        .map((p) => ({
          playbook: p.playbook_id,
          phase: p.key,
          title: playbooks.get(p.playbook_id)?.phases.find((x) => x.id === p.key)?.title ?? p.key,
          projects: p.projects,
          medianDays: round1(p.median),
          averageDays: round1(p.average),
        }))
        .sort((x, y) => x.playbook.localeCompare(y.playbook) || phaseOrder(x.playbook, x.phase) - phaseOrder(y.playbook, y.phase)),
      slaBreachesByStep: steps
        .map((s) => ({
          playbook: s.playbook_id,
          step: s.key,
          title: stepTitle(s.playbook_id, s.key),
          due: s.due,
          breached: s.breached,
          compliance: rate(s.due - s.breached, s.due).rate,
        }))
        .sort((x, y) => y.breached - x.breached || x.playbook.localeCompare(y.playbook) || x.step.localeCompare(y.step)),
    },
  };
}
