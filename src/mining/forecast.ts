// When will a client go live, by what comparable onboardings did (issue #20, item 3): an empirical
// forecast with an 80% interval, beside the plan's own date (engine/forecast.ts). For every step, the
// onboardings that went live give how long it took from that step's first completion to go-live.
// An active onboarding is placed at its latest progress (the step it finished last, or its start)
// and has already spent some time there; among the onboardings that got that far, only those that
// took at least as long from there are comparable, and the 10th, 50th and 90th percentiles of their
// remaining time give the interval and the median. With fewer than MIN_BASIS comparable
// onboardings the forecast falls back to an earlier anchor, then to none.
import type { Instant } from "../engine/types.ts";
import { START } from "./insights.ts";
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

/**
 * Prediction-interval ranks: for n past values, the k-th smallest with k = ⌊q·(n+1)⌋ (lower tail)
 * or ⌈q·(n+1)⌉ (upper tail) holds a new value from the same distribution with probability q,
 * whatever the distribution (order statistics); plain sample percentiles cover a little less.
 */
function lowerQuantile(sorted: readonly number[], q: number): number {
  const k = Math.min(sorted.length, Math.max(1, Math.floor(q * (sorted.length + 1))));
  return sorted[k - 1] as number;
}
function upperQuantile(sorted: readonly number[], q: number): number {
  const k = Math.min(sorted.length, Math.max(1, Math.ceil(q * (sorted.length + 1))));
  return sorted[k - 1] as number;
}
function median(sorted: readonly number[]): number {
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] as number) + (sorted[Math.ceil(mid)] as number)) / 2;
}

/** The residual times to go-live of the onboardings that went live, by the step they are reckoned from. */
export class GoLiveModel {
  readonly #residuals = new Map<string, number[]>();
  #sorted = true;
  #learnt = 0;

  /** How many onboardings that went live it has learnt from. */
  get learnt(): number {
    return this.#learnt;
  }

  /** Learn from an onboarding: only one that went live says how long the rest took. */
  add(trace: Trace): this {
    if (!trace.goLiveAt) return this;
    this.#learnt++;
    const live = Date.parse(trace.goLiveAt);
    const first = new Map<string, number>([[START, Date.parse(trace.startedAt)]]);
    for (const c of trace.completions) if (!first.has(c.step) && Date.parse(c.at) <= live) first.set(c.step, Date.parse(c.at));
    for (const [step, at] of first) {
      const list = this.#residuals.get(step) ?? [];
      list.push(live - at);
      this.#residuals.set(step, list);
    }
    this.#sorted = false;
    return this;
  }

  #sort(): void {
    if (this.#sorted) return;
    for (const list of this.#residuals.values()) list.sort((a, b) => a - b);
    this.#sorted = true;
  }

  /** The forecast of an onboarding not live yet, as of `now`; undefined when nothing comparable is known. */
  predict(trace: Trace, now: Instant): GoLiveForecast | undefined {
    if (trace.goLiveAt) return undefined;
    this.#sort();
    const nowMs = Date.parse(now);
    // Latest progress first: the step finished last (its first completion), then earlier ones, then the start.
    const anchors: { step: string; at: number }[] = [];
    const seen = new Set<string>();
    for (const c of [...trace.completions].reverse()) {
      if (seen.has(c.step)) continue;
      seen.add(c.step);
      const firstAt = trace.completions.find((x) => x.step === c.step)?.at ?? c.at;
      anchors.push({ step: c.step, at: Date.parse(firstAt) });
    }
    anchors.push({ step: START, at: Date.parse(trace.startedAt) });
    for (const anchor of anchors) {
      const elapsed = nowMs - anchor.at;
      const all = this.#residuals.get(anchor.step) ?? [];
      // Comparable: those that had not gone live after as long as this one has already spent.
      const comparable = all.filter((r) => r >= elapsed);
      if (comparable.length < MIN_BASIS) continue;
      const at = (residual: number) => new Date(anchor.at + residual).toISOString();
      return {
        p10: at(lowerQuantile(comparable, 0.1)),
        p50: at(median(comparable)),
        p90: at(upperQuantile(comparable, 0.9)),
        anchor: anchor.step,
        basis: comparable.length,
      };
    }
    return undefined;
  }
}
