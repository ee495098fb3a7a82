// Where a playbook's onboardings spend their days, and how far they keep to it (issue #20, items 1
// and 2), added up over the projects' traces (trace.ts) one at a time: every total is a sum or a
// duration histogram, so the same figures can later come from rollups kept with the events.
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

import { binOf, Histogram } from "../metrics/histogram.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { DeviationKind, Trace } from "./trace.ts";

const DAY_MS = 86_400_000;
export const START = "(start)";
export const END = "(end)";

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

interface StepTotals {
  visits: number;
  projects: number;
  actual: Histogram;
  planned: Histogram;
  waiting: Histogram;
  working: Histogram;
  waitingMs: number;
  workingMs: number;
  breaches: number;
  rework: number;
  lateMs: number;
}

const histogram = (h: Histogram, value: number) => h.add(binOf(value), 1, value);
const spread = (h: Histogram): Spread => ({ medianDays: round1(h.percentileDays(0.5)), p90Days: round1(h.percentileDays(0.9)) });

/** Adds traces of one playbook up; `result()` gives the figures. */
export class InsightsBuilder {
  readonly #model: PlaybookModel;
  readonly #steps = new Map<string, StepTotals>();
  readonly #phases = new Map<string, Histogram>();
  readonly #edges = new Map<string, { from: string; to: string; h: Histogram }>();
  readonly #variants = new Map<string, { steps: string[]; count: number; h: Histogram }>();
  readonly #fitness = new Histogram();
  readonly #byKind: Record<DeviationKind, number> = { skipped: 0, out_of_order: 0, repeated: 0, missing: 0 };
  #worst: { projectId: string; clientName: string; fitness: number; deviations: Trace["deviations"] }[] = [];
  #projects = 0;
  #ended = 0;
  #deviating = 0;
  #clientMs = 0;
  #internalMs = 0;

  constructor(model: PlaybookModel) {
    this.#model = model;
  }

  #side(step: string): "client" | "internal" {
    const owner = this.#model.steps.get(step)?.step.owner;
    return owner && this.#model.playbook.roles[owner]?.side === "client" ? "client" : "internal";
  }

  add(trace: Trace): this {
    this.#projects++;
    if (trace.ended) this.#ended++;
    const seen = new Set<string>();
    const phaseSpan = new Map<string, { from: number; to: number; open: boolean }>();
    for (const v of trace.visits) {
      const t = this.#steps.get(v.step) ?? {
        visits: 0,
        projects: 0,
        actual: new Histogram(),
        planned: new Histogram(),
        waiting: new Histogram(),
        working: new Histogram(),
        waitingMs: 0,
        workingMs: 0,
        breaches: 0,
        rework: 0,
        lateMs: 0,
      };
      this.#steps.set(v.step, t);
      t.visits++;
      if (!seen.has(v.step)) t.projects++;
      else t.rework++;
      seen.add(v.step);
      const total = v.waitingMs + v.workingMs;
      if (v.outcome !== "open") histogram(t.actual, total);
      if (v.plannedMs !== undefined) histogram(t.planned, Math.max(0, v.plannedMs));
      histogram(t.waiting, v.waitingMs);
      histogram(t.working, v.workingMs);
      t.waitingMs += v.waitingMs;
      t.workingMs += v.workingMs;
      if (v.breached) t.breaches++;
      t.lateMs += v.lateMs;
      if (this.#side(v.step) === "client") this.#clientMs += total;
      else this.#internalMs += total;
      const phase = this.#model.steps.get(v.step)?.phase.id;
      if (phase) {
        const span = phaseSpan.get(phase) ?? { from: Number.POSITIVE_INFINITY, to: 0, open: false };
        span.from = Math.min(span.from, Date.parse(v.openedAt));
        if (v.endedAt) span.to = Math.max(span.to, Date.parse(v.endedAt));
        if (v.outcome === "open") span.open = true;
        phaseSpan.set(phase, span);
      }
    }
    for (const [phase, span] of phaseSpan)
      if (!span.open && span.to >= span.from) {
        const h = this.#phases.get(phase) ?? new Histogram();
        histogram(h, span.to - span.from);
        this.#phases.set(phase, h);
      }
    // Directly-follows: completions in order, from the start and, once ended, to the end.
    const path = [
      { step: START, at: trace.startedAt },
      ...trace.completions,
      ...(trace.ended && trace.endedAt ? [{ step: END, at: trace.endedAt }] : []),
    ];
    for (let i = 1; i < path.length; i++) {
      const a = path[i - 1] as { step: string; at: string };
      const b = path[i] as { step: string; at: string };
      const key = `${a.step}\u0000${b.step}`;
      const edge = this.#edges.get(key) ?? { from: a.step, to: b.step, h: new Histogram() };
      histogram(edge.h, Math.max(0, Date.parse(b.at) - Date.parse(a.at)));
      this.#edges.set(key, edge);
    }
    // Variants are of whole paths: an onboarding still running has only a beginning.
    if (trace.ended && trace.endedAt) {
      const steps = trace.completions.map((x) => x.step);
      const key = steps.join("\u0000");
      const variant = this.#variants.get(key) ?? { steps, count: 0, h: new Histogram() };
      variant.count++;
      histogram(variant.h, Math.max(0, Date.parse(trace.endedAt) - Date.parse(trace.startedAt)));
      this.#variants.set(key, variant);
    }
    histogram(this.#fitness, Math.round(trace.fitness * DAY_MS)); // a fitness of 1 reads as "1 day" in the histogram
    for (const d of trace.deviations) this.#byKind[d.kind]++;
    if (trace.deviations.length > 0) {
      this.#deviating++;
      this.#worst.push({ projectId: trace.projectId, clientName: trace.clientName, fitness: trace.fitness, deviations: trace.deviations });
      if (this.#worst.length > 40) this.#worst = this.#sortWorst().slice(0, 20);
    }
    return this;
  }

  #sortWorst() {
    return this.#worst.sort(
      (a, b) => a.fitness - b.fitness || b.deviations.length - a.deviations.length || (a.projectId < b.projectId ? -1 : 1),
    );
  }

  /**
   * Whether the playbook lets `to` follow `from` directly: `to` waits for it (or for steps that may
   * be left out in between, conditional or on demand), starts the flow, or `from` sends the flow to
   * it (a decision's branch, a detour or activation, an on-demand step's return).
   */
  #inPlaybook(from: string, to: string, seen = new Set<string>()): boolean {
    if (to === END) return true;
    if (seen.has(to)) return false;
    seen.add(to);
    const entry = this.#model.steps.get(to);
    if (!entry) return false;
    const skippable = (id: string) => {
      const step = this.#model.steps.get(id)?.step;
      return step !== undefined && (step.when !== undefined || step.on_demand === true);
    };
    if (from === START) return entry.after.every((a) => skippable(a) && this.#inPlaybook(START, a, seen));
    if (entry.after.includes(from)) return true;
    if (entry.after.some((a) => skippable(a) && this.#inPlaybook(from, a, seen))) return true;
    const sender = this.#model.steps.get(from)?.step;
    if (sender?.next === to) return true;
    return (sender?.decision?.branches ?? []).some(
      (b) => b.next === to || (b.detour ?? []).includes(to) || b.actions.some((action) => action.activate?.step === to),
    );
  }

  result(): Insights {
    const totalLate = [...this.#steps.values()].reduce((s, t) => s + t.lateMs, 0);
    const title = (step: string) => this.#model.steps.get(step)?.step.title ?? step;
    const order = new Map(this.#model.order.map((e, i) => [e.step.id, i]));
    const steps: StepInsight[] = [...this.#steps]
      .sort(([a], [b]) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || (a < b ? -1 : 1))
      .map(([step, t]) => ({
        step,
        title: title(step),
        phase: this.#model.steps.get(step)?.phase.id ?? null,
        side: this.#side(step),
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
    const waitingMs = [...this.#steps.values()].reduce((s, t) => s + t.waitingMs, 0);
    const workingMs = [...this.#steps.values()].reduce((s, t) => s + t.workingMs, 0);
    const fitness = this.#fitness.percentileDays(0.5);
    return {
      projects: this.#projects,
      ended: this.#ended,
      steps,
      bottlenecks: steps
        .filter((s) => s.delayDays > 0)
        .sort((a, b) => b.delayShare - a.delayShare || (a.step < b.step ? -1 : 1))
        .slice(0, 10)
        .map((s) => ({ step: s.step, title: s.title, delayDays: s.delayDays, share: Math.round(s.delayShare * 1000) / 1000 })),
      time: {
        waitingDays: days(waitingMs),
        workingDays: days(workingMs),
        clientDays: days(this.#clientMs),
        internalDays: days(this.#internalMs),
      },
      phases: this.#model.playbook.phases
        .filter((p) => this.#phases.has(p.id))
        .map((p) => {
          const h = this.#phases.get(p.id) as Histogram;
          return { phase: p.id, title: p.title, projects: h.count, ...spread(h) };
        }),
      edges: [...this.#edges.values()]
        .map((e) => ({
          from: e.from,
          to: e.to,
          count: e.h.count,
          medianDays: round1(e.h.percentileDays(0.5)),
          inPlaybook: this.#inPlaybook(e.from, e.to),
        }))
        .sort((a, b) => b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1)),
      variants: {
        distinct: this.#variants.size,
        top: [...this.#variants.values()]
          .sort((a, b) => b.count - a.count || (a.steps.join() < b.steps.join() ? -1 : 1))
          .slice(0, 20)
          .map((v) => ({
            steps: v.steps,
            count: v.count,
            share: this.#ended === 0 ? 0 : Math.round((v.count / this.#ended) * 1000) / 1000,
            medianDays: round1(v.h.percentileDays(0.5)),
          })),
      },
      conformance: {
        medianFitness: fitness === null ? null : Math.round(fitness * 1000) / 1000,
        deviating: this.#deviating,
        byKind: { ...this.#byKind },
        worst: this.#sortWorst().slice(0, 20),
      },
    };
  }
}
