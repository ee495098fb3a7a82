// The additive totals behind the insights (insights.ts) and the go-live forecast (forecast.ts):
// counts, sums and duration histograms, so the totals of many projects are the sum of each one's,
// in any order, and a project's old contribution can be taken away when its events change. That is
// what lets them be kept as rollups (rollups.ts) instead of replaying the whole log on request.
//
// A project's contribution is split by what time does to it: everything its events settle (closed
// visits, completions, paths, conformance, what its go-live teaches the forecast) is `settledTally`;
// a visit still open grows with the clock (waiting, working, late), so it is added as of `now` by
// `addVisit` when the figures are read.
import { binOf, Histogram } from "../metrics/histogram.ts";
import { isMilestone } from "../metrics/summary.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import type { DeviationKind, OpenVisit, StepVisit, Trace } from "./trace.ts";

export const START = "(start)";
export const END = "(end)";
const DAY_MS = 86_400_000;

export interface StepTally {
  visits: number;
  projects: number;
  rework: number;
  breaches: number;
  waitingMs: number;
  workingMs: number;
  lateMs: number;
  readonly actual: Histogram;
  readonly planned: Histogram;
  readonly waiting: Histogram;
  readonly working: Histogram;
}

/** Flat triples (bin, count, total ms): a histogram as JSON. */
type BinsJson = number[];

export interface TallyJson {
  readonly projects: number;
  readonly ended: number;
  readonly deviating: number;
  readonly clientMs: number;
  readonly internalMs: number;
  readonly learnt: number;
  readonly byKind: Readonly<Record<DeviationKind, number>>;
  readonly steps: Readonly<
    Record<
      string,
      {
        readonly visits: number;
        readonly projects: number;
        readonly rework: number;
        readonly breaches: number;
        readonly waitingMs: number;
        readonly workingMs: number;
        readonly lateMs: number;
        readonly actual: BinsJson;
        readonly planned: BinsJson;
        readonly waiting: BinsJson;
        readonly working: BinsJson;
      }
    >
  >;
  readonly phases: Readonly<Record<string, BinsJson>>;
  /** Keyed "from␟to" (SEPARATOR between). */
  readonly edges: Readonly<Record<string, BinsJson>>;
  /** Keyed by the steps joined with SEPARATOR ("" for none); the histogram's count is the variant's. */
  readonly variants: Readonly<Record<string, BinsJson>>;
  readonly fitness: BinsJson;
  /** By the step a forecast reckons from: how long the rest took to go-live. */
  readonly residuals: Readonly<Record<string, BinsJson>>;
  /** Keyed edgeKey(milestone, step reckoned from): how long it took from there to reach the milestone. */
  readonly milestones: Readonly<Record<string, BinsJson>>;
}

const binsJson = (h: Histogram): BinsJson => h.bins().flatMap((b) => [b.bin, b.count, b.totalMs]);
function histogramOf(json: BinsJson): Histogram {
  const h = new Histogram();
  for (let i = 0; i + 2 < json.length; i += 3) h.add(json[i] as number, json[i + 1] as number, json[i + 2] as number);
  return h;
}
const record = (value: number, h: Histogram) => h.add(binOf(value), 1, value);
function mergeHistogram(into: Histogram, from: Histogram, sign: 1 | -1): void {
  for (const b of from.bins()) into.add(b.bin, sign * b.count, sign * b.totalMs);
}
function mergeMap(into: Map<string, Histogram>, from: ReadonlyMap<string, Histogram>, sign: 1 | -1): void {
  for (const [key, h] of from) {
    let target = into.get(key);
    if (!target) {
      target = new Histogram();
      into.set(key, target);
    }
    mergeHistogram(target, h, sign);
  }
}
const emptyStep = (): StepTally => ({
  visits: 0,
  projects: 0,
  rework: 0,
  breaches: 0,
  waitingMs: 0,
  workingMs: 0,
  lateMs: 0,
  actual: new Histogram(),
  planned: new Histogram(),
  waiting: new Histogram(),
  working: new Histogram(),
});

export class Tally {
  projects = 0;
  ended = 0;
  deviating = 0;
  clientMs = 0;
  internalMs = 0;
  learnt = 0;
  readonly byKind: Record<DeviationKind, number> = { skipped: 0, out_of_order: 0, repeated: 0, missing: 0 };
  readonly steps = new Map<string, StepTally>();
  readonly phases = new Map<string, Histogram>();
  readonly edges = new Map<string, Histogram>();
  readonly variants = new Map<string, Histogram>();
  readonly fitness = new Histogram();
  readonly residuals = new Map<string, Histogram>();
  readonly milestones = new Map<string, Histogram>();

  step(id: string): StepTally {
    let t = this.steps.get(id);
    if (!t) {
      t = emptyStep();
      this.steps.set(id, t);
    }
    return t;
  }

  /** Add another tally (sign 1) or take it away (sign -1). */
  merge(other: Tally, sign: 1 | -1 = 1): this {
    this.projects += sign * other.projects;
    this.ended += sign * other.ended;
    this.deviating += sign * other.deviating;
    this.clientMs += sign * other.clientMs;
    this.internalMs += sign * other.internalMs;
    this.learnt += sign * other.learnt;
    for (const kind of Object.keys(this.byKind) as DeviationKind[]) this.byKind[kind] += sign * other.byKind[kind];
    for (const [id, o] of other.steps) {
      const t = this.step(id);
      t.visits += sign * o.visits;
      t.projects += sign * o.projects;
      t.rework += sign * o.rework;
      t.breaches += sign * o.breaches;
      t.waitingMs += sign * o.waitingMs;
      t.workingMs += sign * o.workingMs;
      t.lateMs += sign * o.lateMs;
      mergeHistogram(t.actual, o.actual, sign);
      mergeHistogram(t.planned, o.planned, sign);
      mergeHistogram(t.waiting, o.waiting, sign);
      mergeHistogram(t.working, o.working, sign);
    }
    mergeMap(this.phases, other.phases, sign);
    mergeMap(this.edges, other.edges, sign);
    mergeMap(this.variants, other.variants, sign);
    mergeHistogram(this.fitness, other.fitness, sign);
    mergeMap(this.residuals, other.residuals, sign);
    mergeMap(this.milestones, other.milestones, sign);
    return this;
  }

  /** Empty entries (all taken away) are left out. */
  toJSON(): TallyJson {
    const histograms = (map: ReadonlyMap<string, Histogram>) =>
      Object.fromEntries([...map].filter(([, h]) => h.count > 0).map(([key, h]) => [key, binsJson(h)]));
    return {
      projects: this.projects,
      ended: this.ended,
      deviating: this.deviating,
      clientMs: this.clientMs,
      internalMs: this.internalMs,
      learnt: this.learnt,
      byKind: { ...this.byKind },
      steps: Object.fromEntries(
        [...this.steps]
          .filter(([, t]) => t.visits !== 0)
          .map(([id, t]) => [
            id,
            {
              visits: t.visits,
              projects: t.projects,
              rework: t.rework,
              breaches: t.breaches,
              waitingMs: t.waitingMs,
              workingMs: t.workingMs,
              lateMs: t.lateMs,
              actual: binsJson(t.actual),
              planned: binsJson(t.planned),
              waiting: binsJson(t.waiting),
              working: binsJson(t.working),
            },
          ]),
      ),
      phases: histograms(this.phases),
      edges: histograms(this.edges),
      variants: histograms(this.variants),
      fitness: binsJson(this.fitness),
      residuals: histograms(this.residuals),
      milestones: histograms(this.milestones),
    };
  }

  static fromJSON(json: TallyJson): Tally {
    const t = new Tally();
    t.projects = json.projects;
    t.ended = json.ended;
    t.deviating = json.deviating;
    t.clientMs = json.clientMs;
    t.internalMs = json.internalMs;
    t.learnt = json.learnt;
    Object.assign(t.byKind, json.byKind);
    for (const [id, s] of Object.entries(json.steps))
      t.steps.set(id, {
        visits: s.visits,
        projects: s.projects,
        rework: s.rework,
        breaches: s.breaches,
        waitingMs: s.waitingMs,
        workingMs: s.workingMs,
        lateMs: s.lateMs,
        actual: histogramOf(s.actual),
        planned: histogramOf(s.planned),
        waiting: histogramOf(s.waiting),
        working: histogramOf(s.working),
      });
    const fill = (map: Map<string, Histogram>, from: Readonly<Record<string, BinsJson>>) => {
      for (const [key, bins] of Object.entries(from)) map.set(key, histogramOf(bins));
    };
    fill(t.phases, json.phases);
    fill(t.edges, json.edges);
    fill(t.variants, json.variants);
    fill(t.residuals, json.residuals);
    fill(t.milestones, json.milestones);
    t.fitness.addAll(histogramOf(json.fitness).bins());
    return t;
  }
}

/** Whose ball a step is: the side of its owner's role. */
export function sideOf(model: PlaybookModel, step: string): "client" | "internal" {
  const owner = model.steps.get(step)?.step.owner;
  return owner && model.playbook.roles[owner]?.side === "client" ? "client" : "internal";
}

/** One visit's days: the step's durations, rework, breaches and whose ball it was. */
export function addVisit(
  tally: Tally,
  visit: Pick<StepVisit, "step" | "round" | "outcome" | "waitingMs" | "workingMs" | "plannedMs" | "lateMs" | "breached">,
  model: PlaybookModel | undefined,
): void {
  const t = tally.step(visit.step);
  t.visits++;
  // Rounds count the step's openings, and a visit closes before the next opens: round 1 is the first.
  if (visit.round <= 1) t.projects++;
  else t.rework++;
  const total = visit.waitingMs + visit.workingMs;
  if (visit.outcome !== "open") record(total, t.actual);
  if (visit.plannedMs !== undefined) record(Math.max(0, visit.plannedMs), t.planned);
  record(visit.waitingMs, t.waiting);
  record(visit.workingMs, t.working);
  t.waitingMs += visit.waitingMs;
  t.workingMs += visit.workingMs;
  if (visit.breached) t.breaches++;
  t.lateMs += visit.lateMs;
  if (model && sideOf(model, visit.step) === "client") tally.clientMs += total;
  else tally.internalMs += total;
}

/**
 * A visit still open, its instants in epoch ms: what the rollups keep of each running onboarding's
 * open steps (parsing thousands of ISO instants on every read would cost more than the sums).
 */
export interface OpenVisitMs {
  readonly step: string;
  readonly round: number;
  readonly openedMs: number;
  readonly startedMs?: number;
  readonly dueMs?: number;
  readonly plannedMs?: number;
}

export const openVisitMs = (v: OpenVisit): OpenVisitMs => ({
  step: v.step,
  round: v.round,
  openedMs: Date.parse(v.openedAt),
  ...(v.startedAt ? { startedMs: Date.parse(v.startedAt) } : {}),
  ...(v.dueAt ? { dueMs: Date.parse(v.dueAt) } : {}),
  ...(v.plannedMs !== undefined ? { plannedMs: v.plannedMs } : {}),
});

/** The same as addVisit(visitAt(v, now, "open")): an open visit's figures as of `nowMs`. */
export function addOpenVisit(tally: Tally, v: OpenVisitMs, nowMs: number, model: PlaybookModel | undefined): void {
  const lateMs = v.dueMs !== undefined ? Math.max(0, nowMs - v.dueMs) : 0;
  addVisit(
    tally,
    {
      step: v.step,
      round: v.round,
      outcome: "open",
      waitingMs: Math.max(0, (v.startedMs ?? nowMs) - v.openedMs),
      workingMs: v.startedMs !== undefined ? Math.max(0, nowMs - v.startedMs) : 0,
      ...(v.plannedMs !== undefined ? { plannedMs: v.plannedMs } : {}),
      lateMs,
      breached: lateMs > 0,
    },
    model,
  );
}

const histogramIn = (map: Map<string, Histogram>, key: string): Histogram => {
  let h = map.get(key);
  if (!h) {
    h = new Histogram();
    map.set(key, h);
  }
  return h;
};

/** Each step's first completion, and the start. */
function firstCompletions(trace: Pick<Trace, "startedAt" | "completions">): Map<string, number> {
  const first = new Map<string, number>([[START, Date.parse(trace.startedAt)]]);
  for (const c of trace.completions) if (!first.has(c.step)) first.set(c.step, Date.parse(c.at));
  return first;
}

/**
 * What reaching a milestone teaches its forecast: from each step finished before it (and the
 * start), how long it took to get there.
 */
export function addMilestoneResiduals(tally: Tally, trace: Trace, model: PlaybookModel | undefined): void {
  if (!model) return;
  const first = firstCompletions(trace);
  for (const [milestone, reached] of first) {
    const step = model.steps.get(milestone)?.step;
    if (!step || !isMilestone(step)) continue;
    for (const [step, at] of first)
      if (step !== milestone && at <= reached) record(reached - at, histogramIn(tally.milestones, edgeKey(milestone, step)));
  }
}

/** What a go-live teaches the forecast: from each step's first completion (and the start), the time left. */
export function addResiduals(tally: Tally, trace: Trace): void {
  if (!trace.goLiveAt) return;
  tally.learnt++;
  const live = Date.parse(trace.goLiveAt);
  const first = new Map<string, number>([[START, Date.parse(trace.startedAt)]]);
  for (const c of trace.completions) if (!first.has(c.step) && Date.parse(c.at) <= live) first.set(c.step, Date.parse(c.at));
  for (const [step, at] of first) {
    let h = tally.residuals.get(step);
    if (!h) {
      h = new Histogram();
      tally.residuals.set(step, h);
    }
    record(live - at, h);
  }
}

/**
 * Everything a project's events have settled, read against its own playbook version: every visit
 * but the open ones, phase spans, the directly-follows arrows, its variant once it ended, its
 * conformance, and what its go-live teaches the forecast.
 */
export function settledTally(trace: Trace, model: PlaybookModel | undefined): Tally {
  const tally = new Tally();
  tally.projects = 1;
  if (trace.ended) tally.ended = 1;
  const phaseSpan = new Map<string, { from: number; to: number; open: boolean }>();
  for (const v of trace.visits) {
    if (v.outcome !== "open" || trace.endedAt !== undefined) addVisit(tally, v, model);
    const phase = model?.steps.get(v.step)?.phase.id;
    if (phase) {
      const span = phaseSpan.get(phase) ?? { from: Number.POSITIVE_INFINITY, to: 0, open: false };
      span.from = Math.min(span.from, Date.parse(v.openedAt));
      if (v.endedAt) span.to = Math.max(span.to, Date.parse(v.endedAt));
      if (v.outcome === "open") span.open = true;
      phaseSpan.set(phase, span);
    }
  }
  // A phase spans its first step opening to its last step ending; one with a step still open has not ended.
  for (const [phase, span] of phaseSpan)
    if (!span.open && span.to >= span.from) {
      const h = new Histogram();
      record(span.to - span.from, h);
      tally.phases.set(phase, h);
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
    const key = edgeKey(a.step, b.step);
    const h = tally.edges.get(key) ?? new Histogram();
    record(Math.max(0, Date.parse(b.at) - Date.parse(a.at)), h);
    tally.edges.set(key, h);
  }
  // Variants are of whole paths: an onboarding still running has only a beginning.
  if (trace.ended && trace.endedAt) {
    const h = new Histogram();
    record(Math.max(0, Date.parse(trace.endedAt) - Date.parse(trace.startedAt)), h);
    tally.variants.set(variantKey(trace.completions.map((x) => x.step)), h);
  }
  record(Math.round(trace.fitness * DAY_MS), tally.fitness); // a fitness of 1 reads as "1 day" in the histogram
  for (const d of trace.deviations) tally.byKind[d.kind]++;
  if (trace.deviations.length > 0) tally.deviating = 1;
  addResiduals(tally, trace);
  addMilestoneResiduals(tally, trace, model);
  return tally;
}

/** The visits of a running project still open: what grows with the clock. */
export const openVisits = (trace: Trace): StepVisit[] =>
  trace.endedAt !== undefined ? [] : trace.visits.filter((v) => v.outcome === "open");

/** A whole trace as of the moment it was read (its open visits included). */
export function traceTally(trace: Trace, model: PlaybookModel | undefined): Tally {
  const tally = settledTally(trace, model);
  for (const v of openVisits(trace)) addVisit(tally, v, model);
  return tally;
}

/** Between the step ids of a key: a control character no id has, and one jsonb can hold (it refuses \u0000). */
const SEPARATOR = "\u001f";
export const edgeKey = (from: string, to: string): string => `${from}${SEPARATOR}${to}`;
export const edgeOf = (key: string): [string, string] => key.split(SEPARATOR) as [string, string];
export const variantKey = (steps: readonly string[]): string => steps.join(SEPARATOR);
export const variantSteps = (key: string): string[] => (key === "" ? [] : key.split(SEPARATOR));

/**
 * A tally as stored: what the insights read, the residuals the go-live forecast reads (with how
 * many went live), and the milestones' (the largest part, read only for a project's forecasts).
 */
export interface StoredTally {
  readonly tally: Omit<TallyJson, "residuals" | "milestones" | "learnt">;
  readonly residuals: Pick<TallyJson, "residuals" | "learnt">;
  readonly milestones: TallyJson["milestones"];
}

export function storedTally(tally: Tally): StoredTally {
  const { residuals, milestones, learnt, ...insights } = tally.toJSON();
  return { tally: insights, residuals: { residuals, learnt }, milestones };
}

const EMPTY_JSON: TallyJson = new Tally().toJSON();

/** A tally from the parts of it that were read (the others empty). */
export function tallyOf(parts: Partial<StoredTally>): Tally {
  return Tally.fromJSON({ ...EMPTY_JSON, ...parts.tally, ...parts.residuals, milestones: parts.milestones ?? {} });
}
