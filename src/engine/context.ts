// What the engine needs besides a project's state: the playbook (as a model), its expression
// evaluator and the project's business calendar. Built once per playbook version and calendar,
// then shared by every command; it holds no mutable state.
import { ExpressionChecker } from "../playbook/expressions.ts";
import { type PlaybookModel, returnPaths, type StepEntry, stepActivators } from "../playbook/model.ts";
import type { Step } from "../playbook/schema.ts";
import { type BusinessCalendar, buildCalendar } from "./calendar/business-calendar.ts";
import { EngineError } from "./errors.ts";
import { steeringGates } from "./gates.ts";
import type { CalendarInput } from "./types.ts";

export interface EngineContext {
  readonly model: PlaybookModel;
  readonly expressions: ExpressionChecker;
  readonly calendar: BusinessCalendar;
  /** Dependencies of each step including phase-blocking gates of earlier phases. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** For each on-demand step, the steps whose decisions can open it. */
  readonly activators: ReadonlyMap<string, readonly string[]>;
  /** For each step, the steps from which the flow can come back to it. */
  readonly returners: ReadonlyMap<string, ReadonlySet<string>>;
  /** Gate steps whose outcome a condition reads: a rejection completes them (rejected) instead of blocking. */
  readonly steeringGates: ReadonlySet<string>;
}

const contexts = new WeakMap<PlaybookModel, Map<string, EngineContext>>();

/** Each step's dependencies as the engine waits for them: its own, and the phase-blocking gates of earlier phases. */
export function phaseGates(model: PlaybookModel): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  const blocking: string[] = [];
  for (const phase of model.playbook.phases) {
    for (const step of phase.steps) deps.set(step.id, [...(model.steps.get(step.id)?.after ?? []), ...blocking]);
    for (const step of phase.steps) if (step.gate?.blocks === "phase") blocking.push(step.id);
  }
  for (const [id, list] of deps) deps.set(id, [...new Set(list.filter((d) => d !== id))]);
  return deps;
}

/** Cached per playbook model and calendar, since building a calendar loads holiday tables. */
export function engineContext(model: PlaybookModel, calendar: CalendarInput): EngineContext {
  const key = JSON.stringify(calendar);
  let byCalendar = contexts.get(model);
  if (!byCalendar) {
    byCalendar = new Map();
    contexts.set(model, byCalendar);
  }
  let ctx = byCalendar.get(key);
  if (!ctx) {
    ctx = {
      model,
      expressions: new ExpressionChecker(model.playbook),
      calendar: buildCalendar({ ...calendar, closures: calendar.closures ?? [] }),
      dependencies: phaseGates(model),
      activators: stepActivators(model),
      returners: returnPaths(model),
      steeringGates: steeringGates(model.playbook),
    };
    byCalendar.set(key, ctx);
  }
  return ctx;
}

export function stepEntry(ctx: EngineContext, id: string): StepEntry {
  const entry = ctx.model.steps.get(id);
  if (!entry) throw new EngineError("not_found", `no step "${id}" in playbook ${ctx.model.playbook.id}`, { step: id });
  return entry;
}

export function stepDef(ctx: EngineContext, id: string): Step {
  return stepEntry(ctx, id).step;
}

/** The stable key of a checklist item: its id, or its 1-based position. */
export function checklistKey(item: Step["checklist"][number], index: number): string {
  return typeof item === "string" || item.id === undefined ? String(index + 1) : item.id;
}
