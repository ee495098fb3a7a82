// The forward plan: when every remaining step and the go-live are expected, re-planned from `now`
// on the client's business calendar, and which chain of steps decides the go-live (the critical
// path). Pure: (context, state, now) in, a forecast out; nothing is stored.
//
// How a step is forecast:
// - done or skipped: what happened (it is not remaining);
// - left out for this client (not applicable) or on demand and never asked for (dormant): it
//   stands in for its own dependencies, like dependenciesMet does;
// - open or in progress: from when it opened to its deadline, or, when that passed, to one business
//   day after now (late work is never drawn in the past);
// - waiting (blocked, scheduled): opens when the last step it waits for finishes, never before the
//   next working moment after now, nor before its own `opens:` time; due at its deadline (its own
//   `due:` or its phase's window) resolved from that forecast opening, on the business calendar,
//   with every earlier step's forecast finish standing in for its completion (so "10 days after
//   go_live" follows the forecast go-live); a deadline already over when it would open (a late
//   phase's window) gives it one business day.
// The step that sets a waiting step's opening is its driver; the critical path is the chain of
// drivers back from the go-live step (or from the last step to finish when there is none).
import { addDuration, nextWorkingInstant } from "./calendar/business-calendar.ts";
import type { EngineContext } from "./context.ts";
import { phaseDeadline } from "./flow.ts";
import { resolveDeadline } from "./schedule.ts";
import type { Instant, ProjectState, StepState } from "./types.ts";

export interface StepForecast {
  readonly step: string;
  /** When it opened, or is expected to. */
  readonly startAt: Instant;
  /** When it finished, or is expected to. */
  readonly finishAt: Instant;
  /** Not done, skipped or left out: a forecast, not history. */
  readonly remaining: boolean;
  /** Open past its deadline. */
  readonly late: boolean;
  /** On the chain of steps that decides the go-live. */
  readonly critical: boolean;
  /** The step whose finish sets this one's start (null: now, its opening time or history does). */
  readonly drivenBy: string | null;
}

export interface Forecast {
  readonly asOf: Instant;
  /** The go-live that happened, or its forecast; null when the playbook has no go-live step and none happened. */
  readonly goLiveAt: Instant | null;
  readonly goLiveStep: string | null;
  /** Per step (steps the project has, in playbook order); dormant and not applicable steps are left out. */
  readonly steps: readonly StepForecast[];
  /** The critical path, first step first (remaining steps only). */
  readonly criticalPath: readonly string[];
}

const DONE = new Set(["done", "skipped"]);
const PASS_THROUGH = new Set(["not_applicable", "dormant"]);

const max = (a: Instant, b: Instant): Instant => (a >= b ? a : b);
/** The least time a piece of remaining work is given: one business day. */
const WORK = { amount: 1, unit: "day", business: true } as const;

export function forecast(ctx: EngineContext, state: ProjectState, now: Instant): Forecast {
  // Remaining work starts at the next working moment (a Saturday evening re-plans from Monday).
  const from = state.status === "active" ? nextWorkingInstant(ctx.calendar, new Date(now)).toISOString() : now;
  // A state in which the forecast finishes stand in for completions (anchors of later deadlines).
  const steps: Record<string, StepState> = { ...state.steps };
  let goLiveAt: Instant | undefined = state.goLiveAt;
  const oneDayFrom = (at: Instant): Instant => addDuration(ctx.calendar, new Date(at), WORK).toISOString();
  const hypothetical = (): ProjectState => ({ ...state, steps, ...(goLiveAt !== undefined ? { goLiveAt } : {}) });

  const finish = new Map<string, Instant>();
  const result = new Map<string, StepForecast>();
  const visiting = new Set<string>();

  const finishOf = (id: string): Instant | undefined => {
    const known = finish.get(id);
    if (known !== undefined || visiting.has(id)) return known;
    const entry = ctx.model.steps.get(id);
    const current = state.steps[id];
    if (!entry || !current) return undefined;
    visiting.add(id);
    // Dependencies first (cycles through explicit `after` are cut: a step in progress waits for nothing).
    let depsFinish: Instant | undefined;
    let driver: string | null = null;
    for (const dep of ctx.dependencies.get(id) ?? []) {
      const at = finishOf(dep);
      if (at !== undefined && (depsFinish === undefined || at > depsFinish)) {
        depsFinish = at;
        driver = PASS_THROUGH.has(state.steps[dep]?.status ?? "") ? (result.get(dep)?.drivenBy ?? null) : dep;
      }
    }
    visiting.delete(id);
    const def = entry.step;
    let out: StepForecast;
    if (DONE.has(current.status)) {
      const end = current.completedAt ?? current.startedAt ?? current.openedAt ?? depsFinish ?? state.startedAt;
      out = {
        step: id,
        startAt: current.openedAt ?? end,
        finishAt: end,
        remaining: false,
        late: false,
        critical: false,
        drivenBy: null,
      };
    } else if (PASS_THROUGH.has(current.status)) {
      const at = depsFinish ?? state.startedAt;
      finish.set(id, at);
      result.set(id, { step: id, startAt: at, finishAt: at, remaining: false, late: false, critical: false, drivenBy: driver });
      return at;
    } else if (current.status === "open" || current.status === "in_progress") {
      const start = current.openedAt ?? from;
      const late = current.dueAt !== undefined && current.dueAt <= now;
      // Late work is expected a business day from now (it is still to do, not done today).
      const end = current.dueAt !== undefined && !late ? max(current.dueAt, from) : oneDayFrom(from);
      out = { step: id, startAt: start, finishAt: max(end, start), remaining: true, late, critical: false, drivenBy: null };
    } else {
      // Waiting: blocked or scheduled.
      let start = from;
      let drivenBy: string | null = null;
      if (depsFinish !== undefined && depsFinish >= start) {
        start = depsFinish;
        drivenBy = driver;
      }
      const opensAt =
        current.status === "scheduled" && current.opensAt !== undefined
          ? current.opensAt
          : def.opens && current.attempt === 0
            ? resolveDeadline(ctx, hypothetical(), def.opens)
            : undefined;
      if (opensAt !== undefined && opensAt > start) {
        start = opensAt;
        drivenBy = null;
      }
      const deadline = def.due ?? (def.on_demand ? undefined : phaseDeadline(entry.phase.window));
      const due = deadline ? resolveDeadline(ctx, hypothetical(), deadline, start) : undefined;
      // A deadline already over when the step is forecast to open (a late phase's window) gives it
      // the least time work takes rather than none.
      const end = due !== undefined && due > start ? due : oneDayFrom(start);
      out = { step: id, startAt: start, finishAt: end, remaining: true, late: false, critical: false, drivenBy };
    }
    finish.set(id, out.finishAt);
    result.set(id, out);
    if (out.remaining) {
      steps[id] = { ...current, openedAt: out.startAt, startedAt: out.startAt, completedAt: out.finishAt };
      if (def.go_live && goLiveAt === undefined) goLiveAt = out.finishAt;
    }
    return out.finishAt;
  };

  for (const { step } of ctx.model.order) finishOf(step.id);

  const goLiveStep = ctx.model.order.find((e) => e.step.go_live && state.steps[e.step.id] !== undefined)?.step.id ?? null;
  // The critical path: from the go-live step if it is still ahead, else from the last remaining step to finish.
  let tail: string | null = null;
  if (goLiveStep !== null && result.get(goLiveStep)?.remaining) tail = goLiveStep;
  else
    for (const f of result.values()) if (f.remaining && (tail === null || f.finishAt > (result.get(tail)?.finishAt ?? ""))) tail = f.step;
  const critical: string[] = [];
  for (let at = tail; at !== null && !critical.includes(at); at = result.get(at)?.drivenBy ?? null) {
    if (result.get(at)?.remaining) critical.unshift(at);
  }
  const onPath = new Set(critical);
  const ordered = ctx.model.order
    .map((e) => result.get(e.step.id))
    .filter((f): f is StepForecast => f !== undefined && !PASS_THROUGH.has(state.steps[f.step]?.status ?? ""))
    .filter((f, i, all) => all.findIndex((g) => g.step === f.step) === i)
    .map((f) => (onPath.has(f.step) ? { ...f, critical: true } : f));
  return { asOf: now, goLiveAt: goLiveAt ?? null, goLiveStep, steps: ordered, criticalPath: critical };
}

export interface ForecastMove {
  readonly step: string;
  readonly from: Instant;
  readonly to: Instant;
}

/** What a change moves: remaining steps whose forecast finish differs, and the go-live. */
export function forecastMoves(
  before: Forecast,
  after: Forecast,
): { readonly steps: readonly ForecastMove[]; readonly goLive: { readonly from: Instant | null; readonly to: Instant | null } } {
  const was = new Map(before.steps.map((s) => [s.step, s]));
  const steps: ForecastMove[] = [];
  for (const s of after.steps) {
    const old = was.get(s.step);
    if (old && s.remaining && old.finishAt !== s.finishAt) steps.push({ step: s.step, from: old.finishAt, to: s.finishAt });
  }
  return { steps, goLive: { from: before.goLiveAt, to: after.goLiveAt } };
}
