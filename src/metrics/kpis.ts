// KPIs over a set of projects: totals from the daily rollups and the portfolio rows (kpi-queries.ts,
// so they stay fast on a hundred thousand projects) and pure functions for everything computed from
// them (percentiles from duration histograms, targets with red/amber/green). The set is the projects
// matching the filters that started in [from, to). Medians and p90 are read from histograms with
// bins a tenth of a day wide: exact when durations are whole days, within 0.1 day otherwise.
//
// Definitions (edge rules of the built-in playbooks):
// - time to go-live: days from the start to go-live, minus the days on hold; same day counts as 0.
// - time to first value: to the moment its KPI names (`first_value: { step: x }`: that step's
//   completion; `{ fact: go_live_date }`: that date); where it names none, to the completion of a step
//   whose id or title says "first value" or "value review", else to go-live.
// - time to a step (time_to_step): days from `from` (the start) to the completion of the step `to`,
//   calendar or business days, time on hold included; projects where either step was skipped or
//   does not apply are left out (summary.ts kpiDays).
// - manual KPIs: the latest value a person recorded (kpi-values.ts).
// - time to onboard: to the project's completion.
// - SLA compliance: steps with a deadline that are done or past it; on time when done by it.
// - on-time milestones: the same for gates, go-live steps and `kind: milestone` steps.
// - first-pass UAT: projects whose UAT decision passed on its first attempt, of those decided.
// - training completion: tracks passed of the tracks the project delivers, for projects that went live.
// - NPS: % promoters (9-10) − % detractors (0-6) of each project's latest answer; CSAT: the mean of
//   each project's latest answer (1-5); adoption: the mean of the latest 30/60/90-day review figure.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { isRecordedKpi } from "../playbook/kpi-metrics.ts";
import type { Kpi, Playbook } from "../playbook/schema.ts";
import type { Schema } from "../store/schema.ts";
import type { Histogram } from "./histogram.ts";
import { kpiTotals } from "./kpi-queries.ts";
import type { KpiTotals } from "./kpi-totals.ts";
import { manualFigures, manualKey } from "./kpi-values.ts";
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
  /** A value a person records (kpi-values.ts), not one measured from the log. */
  readonly manual: boolean;
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

const DAY_MS = 86_400_000;

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

/** The aggregates of one playbook's projects (or all of them) from the totals. */
export function aggregatesOf(totals: KpiTotals, playbook?: string): Aggregates {
  const c = totals.totalCounts(playbook);
  const goLive = totals.histogram("go_live", { playbook });
  const firstValue = totals.histogram("first_value", { playbook });
  const onboard = totals.histogram("onboard", { playbook });
  return {
    projects: c.projects,
    active: c.active,
    onHold: c.on_hold,
    closed: c.closed,
    cancelled: c.cancelled,
    live: c.live,
    goLiveMedian: goLive.percentileDays(0.5),
    goLiveP90: goLive.percentileDays(0.9),
    firstValueCount: c.first_value_count,
    firstValueMedian: firstValue.percentileDays(0.5),
    firstValueP90: firstValue.percentileDays(0.9),
    onboardMedian: onboard.percentileDays(0.5),
    stepsDue: c.steps_due,
    stepsOnTime: c.steps_on_time,
    milestonesDue: c.milestones_due,
    milestonesOnTime: c.milestones_on_time,
    uatDecided: c.uat_decided,
    uatPassed: c.uat_passed,
    trainingTracks: c.training_tracks,
    trainingPassed: c.training_passed,
    npsAnswers: c.nps_answers,
    promoters: c.promoters,
    detractors: c.detractors,
    csatAnswers: c.csat_answers,
    csatAverage: c.csat_answers === 0 ? null : c.csat_sum / c.csat_answers,
    adoptionReviews: c.adoption_reviews,
    adoptionAverage: c.adoption_reviews === 0 ? null : c.adoption_sum / c.adoption_reviews,
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
    case "onboarding_completion_rate": {
      const ended = a.closed + a.cancelled;
      return { value: rate(a.closed, ended).rate, unit: "%", note: "onboardings completed of those ended (cancelled ones are lost)" };
    }
    default:
      return { value: null, unit: "", note: "not computed from the event log (manual or not measured yet)" };
  }
}

/**
 * A time_to_step KPI: the median of the projects' figures (days from its `from` to its step's
 * completion); projects that skipped the step, or where it does not apply, are left out.
 */
export function stepKpiValue(totals: KpiTotals, playbook: string, kpi: Kpi): { value: number | null; unit: string; note: string | null } {
  const h = totals.histogram("kpi", { playbook, keyOk: (k) => k === kpi.id });
  const days = kpi.days === "business" ? "business days" : "days";
  return {
    value: round1(h.percentileDays(0.5)),
    unit: `${days} (median)`,
    note: `${h.count} project${h.count === 1 ? "" : "s"} measured; projects where the step was skipped or does not apply are left out`,
  };
}

function distribution(count: number, median: number | null, p90: number | null, histogram: Histogram): Distribution {
  return {
    count,
    medianDays: round1(median),
    p90Days: round1(p90),
    buckets: BUCKETS.map(([from, to]) => ({
      label: to === null ? `${from}+ days` : `${from}-${to} days`,
      from,
      to,
      count: histogram.countBetween(from, to),
    })),
  };
}

/**
 * The KPI report of the projects matching the filter. Totals come from the daily rollups and the
 * rows (kpi-queries.ts); everything else is computed here from them.
 */
export async function computeKpis(
  store: Kysely<Schema>,
  filter: KpiFilter,
  playbooksOf: (ids: readonly string[]) => Promise<ReadonlyMap<string, Playbook | undefined>>,
  options: { readonly source?: "auto" | "rows" } = {},
): Promise<KpiReport> {
  const totals = await kpiTotals(metricsDb(store), filter, options);
  const playbookIds = new Set([
    ...totals.counts.keys(),
    ...[...totals.steps.values()].map((s) => s.playbook_id),
    ...[...totals.durations.values()].map((d) => d.playbook),
  ]);
  const playbooks = await playbooksOf([...playbookIds].sort());
  const report = kpiReport(totals, playbooks);
  // Manual KPIs show what people recorded (the same query whichever source the totals came from).
  const manual = report.targets.filter((t) => {
    const kpi = playbooks.get(t.playbook)?.kpis.find((k) => k.id === t.kpi);
    return kpi !== undefined && isManual(kpi);
  });
  const figures = await manualFigures(store, manual, filter);
  const targets = report.targets.map((t): TargetResult => {
    const kpi = playbooks.get(t.playbook)?.kpis.find((k) => k.id === t.kpi);
    const figure = figures.get(manualKey(t));
    if (!kpi || !figure) return t;
    const unit = kpi.target?.replace(/^(<=|>=|<|>|=)\s*(\d+(\.\d+)?|\{\{[^}]*\}\})\s*/, "").trim() ?? "";
    return { ...t, value: figure.value, unit, status: kpi.target ? rag(kpi.target, figure.value) : null, note: figure.note };
  });
  return { ...report, targets };
}

/** A KPI whose values a person records. */
export function isManual(kpi: Kpi): boolean {
  return isRecordedKpi(kpi);
}

/** The report from the totals and the playbooks they name (for titles, phase order and targets). */
export function kpiReport(totals: KpiTotals, playbooks: ReadonlyMap<string, Playbook | undefined>): KpiReport {
  const a = aggregatesOf(totals);
  const stepTitle = (pb: string, step: string) => {
    for (const phase of playbooks.get(pb)?.phases ?? []) for (const s of phase.steps) if (s.id === step) return s.title;
    return step;
  };
  const phaseOrder = (pb: string, phase: string) => playbooks.get(pb)?.phases.findIndex((p) => p.id === phase) ?? 0;
  const targets: TargetResult[] = [];
  for (const id of [...totals.counts.keys()].sort((x, y) => x.localeCompare(y))) {
    const agg = aggregatesOf(totals, id);
    for (const kpi of playbooks.get(id)?.kpis ?? []) {
      const { value, unit, note } = isManual(kpi)
        ? metricValue("manual", agg)
        : kpi.metric === "time_to_step"
          ? stepKpiValue(totals, id, kpi)
          : metricValue(kpi.metric, agg);
      targets.push({
        playbook: id,
        kpi: kpi.id,
        title: kpi.title,
        metric: kpi.metric,
        target: kpi.target ?? null,
        value,
        unit,
        status: kpi.target ? rag(kpi.target, value) : null,
        note,
        manual: isManual(kpi),
      });
    }
  }
  const goLive = totals.histogram("go_live");
  const months = [...new Set([...totals.durations.values()].filter((d) => d.metric === "go_live").map((d) => d.key))].sort();
  const stepRows = [...totals.steps.values()];
  return {
    projects: { total: a.projects, active: a.active, onHold: a.onHold, live: a.live, closed: a.closed, cancelled: a.cancelled },
    timeToGoLive: distribution(a.live, a.goLiveMedian, a.goLiveP90, goLive),
    timeToFirstValue: distribution(a.firstValueCount, a.firstValueMedian, a.firstValueP90, totals.histogram("first_value")),
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
      timeToGoLiveByMonth: months.map((month) => {
        const h = totals.histogram("go_live", { keyOk: (k) => k === month });
        return { month, count: h.count, medianDays: round1(h.percentileDays(0.5)) };
      }),
      daysPerPhase: stepRows
        .filter((p) => p.kind === "phase" && p.settled > 0)
        .map((p) => ({
          playbook: p.playbook_id,
          phase: p.key,
          title: playbooks.get(p.playbook_id)?.phases.find((x) => x.id === p.key)?.title ?? p.key,
          projects: p.settled,
          medianDays: round1(totals.histogram("phase", { playbook: p.playbook_id, keyOk: (k) => k === p.key }).percentileDays(0.5)),
          averageDays: p.timed === 0 ? null : round1(p.totalMs / p.timed / DAY_MS),
        }))
        .sort((x, y) => x.playbook.localeCompare(y.playbook) || phaseOrder(x.playbook, x.phase) - phaseOrder(y.playbook, y.phase)),
      slaBreachesByStep: stepRows
        .filter((s) => s.kind === "step" && s.settled > 0)
        .map((s) => ({
          playbook: s.playbook_id,
          step: s.key,
          title: stepTitle(s.playbook_id, s.key),
          due: s.settled,
          breached: s.breached,
          compliance: rate(s.settled - s.breached, s.settled).rate,
        }))
        .sort((x, y) => y.breached - x.breached || x.playbook.localeCompare(y.playbook) || x.step.localeCompare(y.step)),
    },
  };
}
