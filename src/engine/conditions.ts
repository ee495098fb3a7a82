// What a playbook condition sees of a running project: its facts, parameters, forms, training
// results and project figures, as plain values for the CEL evaluator.
import { ExpressionChecker, type ExpressionScope, type ExpressionValues } from "../playbook/expressions.ts";
import { checklistKey, type EngineContext, stepDef } from "./context.ts";
import { gateValues } from "./gates.ts";
import type { Instant, ProjectState } from "./types.ts";

const DAY = 86_400_000;

export function trainingFigures(ctx: EngineContext, state: ProjectState): Record<string, unknown> {
  const tracks = Object.entries(ctx.model.playbook.training?.tracks ?? {}).filter(([, t]) => t.required);
  // A retake replaces the earlier result: each person's latest record per track counts, so a failed
  // first attempt does not hold a training loop open forever after the retake passes.
  const latest = new Map<string, (typeof state.training)[number]>();
  for (const record of state.training) latest.set(`${record.track}\u0000${record.person}`, record);
  const records = [...latest.values()];
  const passedTracks = tracks.filter(([id]) => records.some((r) => r.track === id && r.passed)).length;
  const average = records.length === 0 ? 0 : records.reduce((sum, r) => sum + r.score, 0) / records.length;
  return {
    completion_rate: tracks.length === 0 ? 100 : (passedTracks / tracks.length) * 100,
    all_passed: records.length > 0 && records.every((r) => r.passed),
    average_score: average,
  };
}

export function conditionValues(ctx: EngineContext, state: ProjectState, now: Instant, stepId?: string): ExpressionValues {
  let values: ExpressionValues = {
    facts: state.facts as Record<string, unknown>,
    params: state.params,
    forms: state.forms as Record<string, Record<string, unknown>>,
    training: trainingFigures(ctx, state),
    project: {
      days_since_start: Math.floor((Date.parse(now) - Date.parse(state.startedAt)) / DAY),
      days_since_go_live: state.goLiveAt ? Math.floor((Date.parse(now) - Date.parse(state.goLiveAt)) / DAY) : 0,
      on_hold: state.status === "on_hold",
      health: state.health,
    },
    gates: gateValues(
      ctx.model.order.map((e) => e.step),
      state.steps ?? {},
    ),
  };
  if (ctx.model.playbook.calls.length > 0) values = { ...values, calls: callOutcomes(ctx, state) };
  if (stepId === undefined) return values;
  const step = state.steps[stepId];
  const unchecked = requiredChecklist(ctx, stepId, values).filter((key) => step?.checklist[key] !== true).length;
  return { ...values, step: { checklist_unchecked: unchecked, checklist_complete: unchecked === 0, attempt: step?.attempt ?? 0 } };
}

/** Each call's outcome: the branch its procedure's deciding step finished with ("" before). */
function callOutcomes(ctx: EngineContext, state: ProjectState): Record<string, Record<string, unknown>> {
  const outcomes: Record<string, Record<string, unknown>> = {};
  for (const call of ctx.model.playbook.calls) {
    const decider = call.outcome === undefined ? undefined : state.steps?.[call.outcome];
    outcomes[call.key] = { outcome: decider?.status === "done" ? (decider.branch ?? "") : "" };
  }
  return outcomes;
}

/**
 * Keys of the checklist items this client must tick: required ones whose `when` holds. An item
 * whose condition fails at run time stays required: ticking it is the safe side, and nothing waits.
 */
export function requiredChecklist(ctx: EngineContext, stepId: string, values: ExpressionValues): string[] {
  const def = stepDef(ctx, stepId);
  const keys: string[] = [];
  def.checklist.forEach((item, i) => {
    if (typeof item !== "string" && (!item.required || (item.when !== undefined && evaluate(ctx, item.when, {}, values).value === false)))
      return;
    keys.push(checklistKey(item, i));
  });
  return keys;
}

/** A condition's result, or why it could not be evaluated and what it read. */
export type Evaluation =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly value?: undefined; readonly error: string; readonly inputs: Record<string, unknown> };

/** The value at a dotted path of what a condition sees (null when absent). */
function valueAt(values: ExpressionValues, path: string): unknown {
  let current: unknown = values;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return null;
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined ? null : current;
}

const ROOTS = new Set(["facts", "params", "forms", "step", "training", "project", "event", "gates", "calls"]);

/**
 * Evaluate a condition without throwing: a regular expression, a missing key, a division by zero or
 * a fact the client was not given become a failed evaluation carrying the error and the inputs.
 */
export function evaluate(ctx: EngineContext, source: string, scope: ExpressionScope, values: ExpressionValues): Evaluation {
  try {
    return { ok: true, value: ctx.expressions.evaluate(source, scope, values) };
  } catch (error) {
    const inputs: Record<string, unknown> = {};
    for (const path of ExpressionChecker.pathsRead(source)) {
      const root = path.split(".")[0] ?? "";
      if (ROOTS.has(root) || root === scope.item) inputs[path] = root === scope.item ? (values.item ?? null) : valueAt(values, path);
    }
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "evaluation failed";
    return { ok: false, error: message, inputs };
  }
}
