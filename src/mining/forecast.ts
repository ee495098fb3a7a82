// When will a client go live, by what comparable onboardings did (issue #20, item 3): an empirical
// forecast with an 80% interval, beside the plan's own date (engine/forecast.ts). For every step, the
// onboardings that went live give how long it took from that step's first completion to go-live.
// An active onboarding is placed at its latest progress (the step it finished last, or one of the
// two before it, or its start) and has already spent some time there; among the onboardings that got that far, only those that
// took at least as long from there are comparable, and the 10th, 50th and 90th percentiles of their
// remaining time give the interval and the median. With fewer than MIN_BASIS comparable
// onboardings the forecast falls back to an earlier anchor, then to none.
import { createHash } from "node:crypto";
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
 * Past residuals ascending (each at the mean of its histogram bin), with running counts, so that
 * the ones at least as long as an elapsed time, and the k-th of those, are found by binary search:
 * the portfolio forecasts thousands of onboardings from the same few histograms.
 */
class Residuals {
  readonly values: number[] = [];
  /** cumulative[i]: how many residuals are at most values[i]. */
  readonly cumulative: number[] = [];

  constructor(h: Histogram) {
    let seen = 0;
    for (const b of h.bins()) {
      seen += b.count;
      this.values.push(b.totalMs / b.count);
      this.cumulative.push(seen);
    }
  }

  /** The index of the first value at least `elapsed`. */
  #from(elapsed: number): number {
    let low = 0;
    let high = this.values.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.values[mid] as number) < elapsed) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * The residuals at least `elapsed`: how many, the k-th smallest of them (1-based), and the
   * smallest (the same ones stay comparable while the elapsed time has not passed it).
   */
  comparable(elapsed: number): { n: number; kth: (k: number) => number; least: number } {
    const from = this.#from(elapsed);
    const before = from === 0 ? 0 : (this.cumulative[from - 1] as number);
    const total = this.cumulative.at(-1) ?? 0;
    return {
      n: total - before,
      least: this.values[from] ?? Number.POSITIVE_INFINITY,
      kth: (k) => {
        const target = before + k;
        let low = from;
        let high = this.values.length - 1;
        while (low < high) {
          const mid = (low + high) >> 1;
          if ((this.cumulative[mid] as number) < target) low = mid + 1;
          else high = mid;
        }
        return this.values[low] as number;
      },
    };
  }
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
  /** Sorted residuals by histogram key, built at first use (the tally does not change after). */
  readonly #sorted = new Map<string, Residuals | undefined>();
  #stamp: string | undefined;

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
    this.#sorted.clear();
    this.#stamp = undefined;
    return this;
  }

  #residuals(map: Map<string, Histogram>, key: string): Residuals | undefined {
    const id = `${map === this.#tally.residuals ? "g" : "m"}${key}`;
    if (!this.#sorted.has(id)) {
      const h = map.get(key);
      this.#sorted.set(id, h ? new Residuals(h) : undefined);
    }
    return this.#sorted.get(id);
  }

  /** The forecast of an onboarding not live yet, as of `now`; undefined when nothing comparable is known. */
  predict(progress: Progress, now: Instant): GoLiveForecast | undefined {
    if (progress.goLiveAt) return undefined;
    const f = this.predictFrom(anchorsOf(progress), Date.parse(now));
    return f && asInstants(f);
  }

  /**
   * The same from the anchors (anchorsOf) as of `nowMs`, in epoch ms: what bulk forecasts use, turning
   * only the ones they show into instants.
   */
  predictFrom(anchors: readonly Anchor[], nowMs: number): ForecastMs | undefined {
    return reckon(anchors, nowMs, (anchor) => this.#residuals(this.#tally.residuals, anchor)).forecast;
  }

  /**
   * The same, and until when (epoch ms, inclusive) it stays the same as the clock moves on: the
   * comparable onboardings change only when the time spent passes one of their residuals, and an
   * anchor with too few comparable ones only ever has fewer. Null: for as long as the model holds.
   */
  predictUntil(anchors: readonly Anchor[], nowMs: number): { forecast: ForecastMs | undefined; until: number | null } {
    return reckon(anchors, nowMs, (anchor) => this.#residuals(this.#tally.residuals, anchor));
  }

  /** A fingerprint of what the go-live forecasts learn from: forecasts made with the same one agree. */
  get stamp(): string {
    if (this.#stamp === undefined) {
      const keys = [...this.#tally.residuals.keys()].sort();
      const hash = createHash("sha256");
      for (const key of keys) hash.update(JSON.stringify([key, this.#tally.residuals.get(key)?.bins()]));
      this.#stamp = hash.digest("base64url").slice(0, 22);
    }
    return this.#stamp;
  }

  /**
   * When each milestone of `model` (a milestone step, a gate, the go-live: what the portfolio calls
   * milestones) the onboarding has not reached yet will be reached, from how
   * long the onboardings that reached it took from the same progress (a milestone with too few of
   * them has no forecast).
   */
  milestones(progress: Progress, model: PlaybookModel, now: Instant): MilestoneForecast[] {
    const reached = new Set(progress.completions.map((c) => c.step));
    const anchors = anchorsOf(progress);
    const nowMs = Date.parse(now);
    return model.order
      .filter((e) => isMilestone(e.step) && !reached.has(e.step.id) && !e.step.on_demand)
      .map((e) => {
        const { forecast } = reckon(anchors, nowMs, (anchor) => this.#residuals(this.#tally.milestones, edgeKey(e.step.id, anchor)));
        return { step: e.step.id, title: e.step.title, ...(forecast ? { forecast: asInstants(forecast) } : {}) };
      });
  }
}

export interface MilestoneForecast {
  readonly step: string;
  readonly title: string;
  /** Absent when too few onboardings reached it from comparable progress. */
  readonly forecast?: GoLiveForecast;
}

/** How many of the latest finished steps a forecast may reckon from before it falls back to the start. */
export const ANCHORS = 3;

/**
 * What a forecast reckons from, latest progress first: the steps finished last (each at its first
 * completion), at most ANCHORS of them, then the start. Further back says little a nearer step
 * does not, and keeping a few lets the rollups hold them for every running onboarding.
 */
/** A step a forecast may reckon from, and when it was first finished (epoch ms). */
export interface Anchor {
  readonly step: string;
  readonly at: number;
}

export function anchorsOf(progress: Pick<Progress, "startedAt" | "completions">): Anchor[] {
  const firstAt = new Map<string, string>();
  for (const c of progress.completions) if (!firstAt.has(c.step)) firstAt.set(c.step, c.at);
  const anchors: Anchor[] = [];
  const seen = new Set<string>();
  for (let i = progress.completions.length - 1; i >= 0 && anchors.length < ANCHORS; i--) {
    const c = progress.completions[i] as { step: string; at: string };
    if (seen.has(c.step)) continue;
    seen.add(c.step);
    anchors.push({ step: c.step, at: Date.parse(firstAt.get(c.step) ?? c.at) });
  }
  anchors.push({ step: START, at: Date.parse(progress.startedAt) });
  return anchors;
}

/** A go-live forecast in epoch ms. */
export interface ForecastMs {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly anchor: string;
  readonly basis: number;
}

export const asInstants = (f: ForecastMs): GoLiveForecast => ({
  p10: new Date(f.p10).toISOString(),
  p50: new Date(f.p50).toISOString(),
  p90: new Date(f.p90).toISOString(),
  anchor: f.anchor,
  basis: f.basis,
});

/**
 * The forecast from the latest anchor that has enough comparable history (`residuals` by anchor),
 * and until when it holds (see predictUntil).
 */
function reckon(
  anchors: readonly Anchor[],
  nowMs: number,
  residuals: (anchor: string) => Residuals | undefined,
): { forecast: ForecastMs | undefined; until: number | null } {
  for (const anchor of anchors) {
    // Comparable: those that had not got there after as long as this one has already spent.
    const past = residuals(anchor.step);
    if (!past) continue;
    const { n, kth, least } = past.comparable(nowMs - anchor.at);
    if (n < MIN_BASIS) continue;
    const at = (residual: number) => anchor.at + Math.round(residual);
    return {
      forecast: {
        p10: at(kth(lowerRank(n, 0.1))),
        p50: at((kth(Math.floor((n + 1) / 2)) + kth(Math.ceil((n + 1) / 2))) / 2),
        p90: at(kth(upperRank(n, 0.9))),
        anchor: anchor.step,
        basis: n,
      },
      // A millisecond short of the least comparable residual, whatever the rounding of the sum.
      until: anchor.at + Math.floor(least) - 1,
    };
  }
  return { forecast: undefined, until: null };
}
