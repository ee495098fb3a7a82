// When will a client go live, by what comparable onboardings did (issue #20, item 3): an empirical
// forecast with an 80% interval, beside the plan's own date (engine/forecast.ts). For every step, the
// onboardings that went live give how long it took from that step's first completion to go-live.
// An active onboarding is placed at its latest progress (the step it finished last, or its start)
// and has already spent some time there; among the onboardings that got that far, only those that
// took at least as long from there are comparable, and the 10th, 50th and 90th percentiles of their
// remaining time give the interval and the median. With fewer than MIN_BASIS comparable
// onboardings the forecast falls back to an earlier anchor, then to none.
import type { Instant } from "../engine/types.ts";
import type { Histogram } from "../metrics/histogram.ts";
import { isMilestone } from "../metrics/summary.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { addResiduals, edgeKey, START, Tally } from "./tally.ts";
import type { Trace } from "./trace.ts";

/** Below this many comparable onboardings a percentile says too little. */
export const MIN_BASIS = 8;

export interface GoLiveForecast {
  readonly p10: Instant;
  readonly p50: Instant;
  readonly p90: Instant;
  /** The step the forecast reckons from ("(start)" for the start). */
  readonly anchor: string;
  /** How many onboardings it is based on. */
  readonly basis: number;
}

/** What a forecast needs of an onboarding: its start, its completions in order, and its go-live if any. */
export type Progress = Pick<Trace, "startedAt" | "completions" | "goLiveAt">;

/**
 * Past residuals (each at the mean of its histogram bin, a tenth of a day wide) that are at least
 * `elapsed`, ascending, as value and count.
 */
function comparable(h: Histogram | undefined, elapsed: number): { value: number; count: number }[] {
  if (!h) return [];
  return h
    .bins()
    .map((b) => ({ value: b.totalMs / b.count, count: b.count }))
    .filter((b) => b.value >= elapsed);
}

/** The k-th smallest (1-based) of values given with their counts. */
function kth(values: readonly { value: number; count: number }[], k: number): number {
  let seen = 0;
  for (const v of values) {
    seen += v.count;
    if (k <= seen) return v.value;
  }
  return (values.at(-1) as { value: number }).value;
}

/**
 * Prediction-interval ranks: for n past values, the k-th smallest with k = ⌊q·(n+1)⌋ (lower tail)
 * or ⌈q·(n+1)⌉ (upper tail) holds a new value from the same distribution with probability q,
 * whatever the distribution (order statistics); plain sample percentiles cover a little less.
 */
const lowerRank = (n: number, q: number) => Math.min(n, Math.max(1, Math.floor(q * (n + 1))));
const upperRank = (n: number, q: number) => Math.min(n, Math.max(1, Math.ceil(q * (n + 1))));

/**
 * The residual times to go-live of the onboardings that went live, by the step they are reckoned
 * from: the residual histograms of a tally (tally.ts), so the model of many onboardings is kept as
 * a rollup and learns from each go-live when its events arrive.
 */
export class GoLiveModel {
  readonly #tally: Tally;

  constructor(tally: Tally = new Tally()) {
    this.#tally = tally;
  }

  /** How many onboardings that went live it has learnt from. */
  get learnt(): number {
    return this.#tally.learnt;
  }

  /** Learn from an onboarding: only one that went live says how long the rest took. */
  add(trace: Trace): this {
    addResiduals(this.#tally, trace);
    return this;
  }

  /** The forecast of an onboarding not live yet, as of `now`; undefined when nothing comparable is known. */
  predict(progress: Progress, now: Instant): GoLiveForecast | undefined {
    if (progress.goLiveAt) return undefined;
    return reckon(progress, now, (anchor) => this.#tally.residuals.get(anchor));
  }

  /**
   * When each milestone of `model` (a milestone step, a gate, the go-live: what the portfolio calls
   * milestones) the onboarding has not reached yet will be reached, from how
   * long the onboardings that reached it took from the same progress (a milestone with too few of
   * them has no forecast).
   */
  milestones(progress: Progress, model: PlaybookModel, now: Instant): MilestoneForecast[] {
    const reached = new Set(progress.completions.map((c) => c.step));
    return model.order
      .filter((e) => isMilestone(e.step) && !reached.has(e.step.id) && !e.step.on_demand)
      .map((e) => {
        const forecast = reckon(progress, now, (anchor) => this.#tally.milestones.get(edgeKey(e.step.id, anchor)));
        return { step: e.step.id, title: e.step.title, ...(forecast ? { forecast } : {}) };
      });
  }
}

export interface MilestoneForecast {
  readonly step: string;
  readonly title: string;
  /** Absent when too few onboardings reached it from comparable progress. */
  readonly forecast?: GoLiveForecast;
}

/** The forecast from the latest progress that has enough comparable history (`residuals` by anchor). */
function reckon(progress: Pick<Progress, "startedAt" | "completions">, now: Instant, residuals: (anchor: string) => Histogram | undefined) {
  const nowMs = Date.parse(now);
  // Latest progress first: the step finished last (its first completion), then earlier ones, then the start.
  const firstAt = new Map<string, string>();
  for (const c of progress.completions) if (!firstAt.has(c.step)) firstAt.set(c.step, c.at);
  const anchors: { step: string; at: number }[] = [];
  const seen = new Set<string>();
  for (const c of [...progress.completions].reverse()) {
    if (seen.has(c.step)) continue;
    seen.add(c.step);
    anchors.push({ step: c.step, at: Date.parse(firstAt.get(c.step) ?? c.at) });
  }
  anchors.push({ step: START, at: Date.parse(progress.startedAt) });
  for (const anchor of anchors) {
    // Comparable: those that had not got there after as long as this one has already spent.
    const values = comparable(residuals(anchor.step), nowMs - anchor.at);
    const n = values.reduce((sum, v) => sum + v.count, 0);
    if (n < MIN_BASIS) continue;
    const at = (residual: number) => new Date(anchor.at + Math.round(residual)).toISOString();
    return {
      p10: at(kth(values, lowerRank(n, 0.1))),
      p50: at((kth(values, Math.floor((n + 1) / 2)) + kth(values, Math.ceil((n + 1) / 2))) / 2),
      p90: at(kth(values, upperRank(n, 0.9))),
      anchor: anchor.step,
      basis: n,
    };
  }
  return undefined;
}
