// Where a playbook's onboardings spend their days, and how far they keep to it (issue #20, items 1
// and 2), read from a tally (tally.ts) of the projects' traces (trace.ts): every total is a sum or a
// duration histogram, so the same figures come from the rollups (rollups.ts) or from a replay.
//
// - Steps: actual vs planned duration (median, p90), waiting (opened → started) vs working (started
//   → done), whose ball it was (the step owner's side: client or internal), rework (visits after the
//   first), SLA breaches, and the delay past deadlines; bottlenecks are the steps with the largest
//   share of all that delay.
// - Phases: the days from a phase's first step opening to its last step ending.
// - What really happened: the directly-follows graph of completions (start → first, ..., last →
//   end for projects that ended), each arrow marked as the playbook's or not; the variants (orders
//   steps were completed in, of the projects that ended) with their frequencies; and conformance (fitness, deviations by kind,
//   the projects that deviate most).

import type { Histogram } from "../metrics/histogram.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { END, edgeOf, START, sideOf, Tally, traceTally, variantSteps } from "./tally.ts";
import type { DeviationKind, Trace } from "./trace.ts";

export { END, START };

const DAY_MS = 86_400_000;

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const days = (msTotal: number) => Math.round((msTotal / DAY_MS) * 10) / 10;

export interface Spread {
  readonly medianDays: number | null;
  readonly p90Days: number | null;
}

export interface StepInsight {
  readonly step: string;
  readonly title: string;
  readonly phase: string | null;
  readonly side: "client" | "internal";
  readonly visits: number;
  readonly projects: number;
  readonly actual: Spread;
  readonly planned: Spread;
  readonly waiting: Spread & { readonly totalDays: number };
  readonly working: Spread & { readonly totalDays: number };
  readonly breaches: number;
  readonly rework: number;
  readonly delayDays: number;
  /** Share (0..1) of all the delay past deadlines. */
  readonly delayShare: number;
}

export interface Insights {
  readonly projects: number;
  readonly ended: number;
  readonly steps: readonly StepInsight[];
  readonly bottlenecks: readonly { readonly step: string; readonly title: string; readonly delayDays: number; readonly share: number }[];
  readonly time: { readonly waitingDays: number; readonly workingDays: number; readonly clientDays: number; readonly internalDays: number };
  readonly phases: readonly {
    readonly phase: string;
    readonly title: string;
    readonly projects: number;
    readonly medianDays: number | null;
    readonly p90Days: number | null;
  }[];
  readonly edges: readonly {
    readonly from: string;
    readonly to: string;
    readonly count: number;
    readonly medianDays: number | null;
    readonly inPlaybook: boolean;
  }[];
  readonly variants: {
    readonly distinct: number;
    readonly top: readonly {
      readonly steps: readonly string[];
      readonly count: number;
      readonly share: number;
      readonly medianDays: number | null;
    }[];
  };
  readonly conformance: {
    readonly medianFitness: number | null;
    readonly deviating: number;
    readonly byKind: Readonly<Record<DeviationKind, number>>;
    readonly worst: readonly {
      readonly projectId: string;
      readonly clientName: string;
      readonly fitness: number;
      readonly deviations: Trace["deviations"];
    }[];
  };
}

const spread = (h: Histogram): Spread => ({ medianDays: round1(h.percentileDays(0.5)), p90Days: round1(h.percentileDays(0.9)) });

export type WorstRow = Insights["conformance"]["worst"][number];

export const byWorst = (a: WorstRow, b: WorstRow): number =>
  a.fitness - b.fitness || b.deviations.length - a.deviations.length || (a.projectId < b.projectId ? -1 : 1);

/** Adds traces of one playbook up; `result()` gives the figures. */
export class InsightsBuilder {
  readonly #model: PlaybookModel;
  readonly #tally = new Tally();
  #worst: WorstRow[] = [];

  constructor(model: PlaybookModel) {
    this.#model = model;
  }

  /** A trace read against its own playbook version (`model`; the builder's when not given). */
  add(trace: Trace, model: PlaybookModel = this.#model): this {
    this.#tally.merge(traceTally(trace, model));
    if (trace.deviations.length > 0) {
      this.#worst.push({ projectId: trace.projectId, clientName: trace.clientName, fitness: trace.fitness, deviations: trace.deviations });
      if (this.#worst.length > 40) this.#worst = this.#worst.sort(byWorst).slice(0, WORST);
    }
    return this;
  }

  result(): Insights {
    return insightsOf(this.#model, this.#tally, this.#worst.sort(byWorst).slice(0, WORST));
  }
}

/** How many of the projects that deviate most the insights list. */
export const WORST = 20;

/**
 * The figures of a tally, titled and ordered by `model` (the playbook's latest version), with the
 * projects that deviate most (`worst`, already chosen and ordered).
 */
export function insightsOf(model: PlaybookModel, tally: Tally, worst: readonly WorstRow[]): Insights {
  const totalLate = [...tally.steps.values()].reduce((s, t) => s + t.lateMs, 0);
  const title = (step: string) => model.steps.get(step)?.step.title ?? step;
  const order = new Map(model.order.map((e, i) => [e.step.id, i]));
  const steps: StepInsight[] = [...tally.steps]
    .filter(([, t]) => t.visits > 0)
    .sort(([a], [b]) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || (a < b ? -1 : 1))
    .map(([step, t]) => ({
      step,
      title: title(step),
      phase: model.steps.get(step)?.phase.id ?? null,
      side: sideOf(model, step),
      visits: t.visits,
      projects: t.projects,
      actual: spread(t.actual),
      planned: spread(t.planned),
      waiting: { ...spread(t.waiting), totalDays: days(t.waitingMs) },
      working: { ...spread(t.working), totalDays: days(t.workingMs) },
      breaches: t.breaches,
      rework: t.rework,
      delayDays: days(t.lateMs),
      delayShare: totalLate === 0 ? 0 : t.lateMs / totalLate,
    }));
  const waitingMs = [...tally.steps.values()].reduce((s, t) => s + t.waitingMs, 0);
  const workingMs = [...tally.steps.values()].reduce((s, t) => s + t.workingMs, 0);
  const fitness = tally.fitness.percentileDays(0.5);
  const paths = new PlaybookPaths(model);
  return {
    projects: tally.projects,
    ended: tally.ended,
    steps,
    bottlenecks: steps
      .filter((s) => s.delayDays > 0)
      .sort((a, b) => b.delayShare - a.delayShare || (a.step < b.step ? -1 : 1))
      .slice(0, 10)
      .map((s) => ({ step: s.step, title: s.title, delayDays: s.delayDays, share: Math.round(s.delayShare * 1000) / 1000 })),
    time: {
      waitingDays: days(waitingMs),
      workingDays: days(workingMs),
      clientDays: days(tally.clientMs),
      internalDays: days(tally.internalMs),
    },
    phases: model.playbook.phases
      .filter((p) => (tally.phases.get(p.id)?.count ?? 0) > 0)
      .map((p) => {
        const h = tally.phases.get(p.id) as Histogram;
        return { phase: p.id, title: p.title, projects: h.count, ...spread(h) };
      }),
    edges: [...tally.edges]
      .filter(([, h]) => h.count > 0)
      .map(([key, h]) => {
        const [from, to] = edgeOf(key);
        return { from, to, count: h.count, medianDays: round1(h.percentileDays(0.5)), inPlaybook: paths.allowsEdge(from, to) };
      })
      .sort((a, b) => b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1)),
    variants: (() => {
      const all = [...tally.variants].filter(([, h]) => h.count > 0).map(([key, h]) => ({ steps: variantSteps(key), h }));
      return {
        distinct: all.length,
        top: all
          .sort((a, b) => b.h.count - a.h.count || (a.steps.join() < b.steps.join() ? -1 : 1))
          .slice(0, 20)
          .map((v) => ({
            steps: v.steps,
            count: v.h.count,
            share: tally.ended === 0 ? 0 : Math.round((v.h.count / tally.ended) * 1000) / 1000,
            medianDays: round1(v.h.percentileDays(0.5)),
          })),
      };
    })(),
    conformance: {
      medianFitness: fitness === null ? null : Math.round(fitness * 1000) / 1000,
      deviating: tally.deviating,
      byKind: { ...tally.byKind },
      worst,
    },
  };
}

/** Which directly-follows arrows the playbook allows. */
class PlaybookPaths {
  readonly #model: PlaybookModel;
  readonly #ancestors = new Map<string, Set<string>>();
  constructor(model: PlaybookModel) {
    this.#model = model;
  }

  /** Every step `step` waits for, directly or through others. */
  #before(step: string): Set<string> {
    let found = this.#ancestors.get(step);
    if (found) return found;
    found = new Set<string>();
    this.#ancestors.set(step, found);
    const stack = [...(this.#model.steps.get(step)?.after ?? [])];
    while (stack.length > 0) {
      const s = stack.pop() as string;
      if (found.has(s)) continue;
      found.add(s);
      stack.push(...(this.#model.steps.get(s)?.after ?? []));
    }
    return found;
  }

  /**
   * Steps on parallel branches (neither waits for the other) may be done in either order, so one
   * following the other directly is the playbook's too.
   */
  #concurrent(a: string, b: string): boolean {
    if (a === b || a === START || b === END || !this.#model.steps.has(a) || !this.#model.steps.has(b)) return false;
    return !this.#before(a).has(b) && !this.#before(b).has(a);
  }

  /** Whether the playbook allows `to` directly after `from` (in sequence, by its own paths, or in parallel). */
  allowsEdge(from: string, to: string): boolean {
    return this.allows(from, to) || this.#concurrent(from, to);
  }

  /**
   * Whether the playbook lets `to` follow `from` directly: `to` waits for it (or for steps that may
   * be left out in between, conditional or on demand), starts the flow, or `from` sends the flow to
   * it (a decision's branch, a detour or activation, an on-demand step's return).
   */
  allows(from: string, to: string, seen = new Set<string>()): boolean {
    if (to === END) return true;
    if (seen.has(to)) return false;
    seen.add(to);
    const entry = this.#model.steps.get(to);
    if (!entry) return false;
    const skippable = (id: string) => {
      const step = this.#model.steps.get(id)?.step;
      return step !== undefined && (step.when !== undefined || step.on_demand === true);
    };
    if (from === START) return entry.after.every((a) => skippable(a) && this.allows(START, a, seen));
    if (entry.after.includes(from)) return true;
    if (entry.after.some((a) => skippable(a) && this.allows(from, a, seen))) return true;
    const sender = this.#model.steps.get(from)?.step;
    if (sender?.next === to) return true;
    return (sender?.decision?.branches ?? []).some(
      (b) => b.next === to || (b.detour ?? []).includes(to) || b.actions.some((action) => action.activate?.step === to),
    );
  }
}
