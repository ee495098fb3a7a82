// What a playbook condition sees of a running project: its facts, parameters, forms, training
// results and project figures, as plain values for the CEL evaluator.
import type { ExpressionValues } from "../playbook/expressions.ts";
import { checklistKey, type EngineContext, stepDef } from "./context.ts";
import type { Instant, ProjectState } from "./types.ts";

const DAY = 86_400_000;

export function trainingFigures(ctx: EngineContext, state: ProjectState): Record<string, unknown> {
  const tracks = Object.entries(ctx.model.playbook.training?.tracks ?? {}).filter(([, t]) => t.required);
  const records = state.training;
  const passedTracks = tracks.filter(([id]) => records.some((r) => r.track === id && r.passed)).length;
  const average = records.length === 0 ? 0 : records.reduce((sum, r) => sum + r.score, 0) / records.length;
  return {
    completion_rate: tracks.length === 0 ? 100 : (passedTracks / tracks.length) * 100,
    all_passed: records.length > 0 && records.every((r) => r.passed),
    average_score: average,
  };
}

export function conditionValues(ctx: EngineContext, state: ProjectState, now: Instant, stepId?: string): ExpressionValues {
  const values: ExpressionValues = {
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
  };
  if (stepId === undefined) return values;
  const step = state.steps[stepId];
  const unchecked = requiredChecklist(ctx, stepId, values).filter((key) => step?.checklist[key] !== true).length;
  return { ...values, step: { checklist_unchecked: unchecked, checklist_complete: unchecked === 0, attempt: step?.attempt ?? 0 } };
}

/** Keys of the checklist items this client must tick: required ones whose `when` holds. */
export function requiredChecklist(ctx: EngineContext, stepId: string, values: ExpressionValues): string[] {
  const def = stepDef(ctx, stepId);
  const keys: string[] = [];
  def.checklist.forEach((item, i) => {
    if (
      typeof item !== "string" &&
      (!item.required || (item.when !== undefined && ctx.expressions.evaluate(item.when, {}, values) !== true))
    )
      return;
    keys.push(checklistKey(item, i));
  });
  return keys;
}
