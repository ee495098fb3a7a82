// Run-time data shapes the plan: a step's `when:` or `repeat.for_each:` that reads what is filled
// while the project runs (forms, sign-offs, training, project figures) is decided when the step
// becomes reachable (its predecessors finished), against the values of that moment; one that reads
// only the client's facts and parameters is decided at the start, as it always was. The decision is
// an event (step.excluded or step.included) so the audit trail says why; a condition that fails
// then holds the step on an incident.
import { ExpressionChecker, type ExpressionValues } from "../playbook/expressions.ts";
import type { Step } from "../playbook/schema.ts";
import { conditionValues, type Evaluation, evaluate } from "./conditions.ts";
import type { EngineContext } from "./context.ts";
import type { Draft } from "./draft.ts";
import { openIncident } from "./incidents.ts";
import type { StepState } from "./types.ts";

const START_ROOTS: ReadonlySet<string> = new Set(["facts", "params"]);

/** Whether a condition reads only what is known at the start (facts, parameters). */
export function knownAtStart(source: string): boolean {
  return ExpressionChecker.variablesRead(source).every((root) => START_ROOTS.has(root));
}

/** Whether the step's `when:` and `for_each:` are decided at the project's start. */
export function decidedAtStart(def: Step): boolean {
  return (def.when === undefined || knownAtStart(def.when)) && (def.repeat === undefined || knownAtStart(def.repeat.for_each));
}

/** Whether a step still waits for its run-time condition to be decided (once, when first reachable). */
export function needsDecision(def: Step, state: StepState): boolean {
  return !decidedAtStart(def) && state.decidedAt === undefined && state.status === "blocked";
}

export type ItemsResult =
  | { readonly ok: true; readonly items: readonly string[]; readonly labels: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly expression: string; readonly failure: Extract<Evaluation, { ok: false }> };

/**
 * A repeated step's items: a list of texts gives one item per distinct text (its id); the rows of a
 * records field give one item per row, numbered from 1, named by `label:` (or "Row n").
 */
export function repeatItems(ctx: EngineContext, def: Step, values: ExpressionValues): ItemsResult {
  const repeat = def.repeat;
  if (!repeat) return { ok: true, items: [], labels: {} };
  const result = evaluate(ctx, repeat.for_each, {}, values);
  if (!result.ok) return { ok: false, expression: repeat.for_each, failure: result };
  const list: readonly unknown[] = Array.isArray(result.value) ? result.value : [];
  const records = list.some((v) => v !== null && typeof v === "object");
  const items: string[] = [];
  const labels: Record<string, string> = {};
  for (const [index, value] of list.entries()) {
    const id = records ? String(index + 1) : String(value);
    if (items.includes(id)) continue;
    items.push(id);
    if (repeat.label !== undefined) {
      const scope = { item: repeat.as, itemType: records ? ("record" as const) : ("string" as const) };
      const label = evaluate(ctx, repeat.label, scope, { ...values, item: value });
      if (!label.ok) return { ok: false, expression: repeat.label, failure: label };
      const text = String(label.value ?? "").trim();
      if (text !== "" && text !== id) labels[id] = text;
    } else if (records) labels[id] = `Row ${index + 1}`;
  }
  return { ok: true, items, labels };
}

export type StepDecision =
  | { readonly kind: "failed"; readonly expression: string; readonly failure: Extract<Evaluation, { ok: false }> }
  | { readonly kind: "excluded"; readonly expression: string; readonly inputs: Readonly<Record<string, unknown>> }
  | { readonly kind: "included"; readonly items?: readonly string[]; readonly labels?: Readonly<Record<string, string>> };

/** The values read by an expression, for the audit trail of an exclusion. */
function inputsOf(values: ExpressionValues, source: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const path of ExpressionChecker.pathsRead(source)) {
    let current: unknown = values;
    for (const key of path.split("."))
      current = current && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
    inputs[path] = current === undefined ? null : current;
  }
  return inputs;
}

/** Evaluate a step's `when:` and `for_each:` now. Items already fixed (at an older start) stay. */
export function decideStep(ctx: EngineContext, def: Step, state: StepState | undefined, values: ExpressionValues): StepDecision {
  if (def.when !== undefined) {
    const result = evaluate(ctx, def.when, {}, values);
    if (!result.ok) return { kind: "failed", expression: def.when, failure: result };
    if (result.value !== true) return { kind: "excluded", expression: def.when, inputs: inputsOf(values, def.when) };
  }
  if (!def.repeat || state?.items !== undefined) return { kind: "included" };
  const items = repeatItems(ctx, def, values);
  if (!items.ok) return { kind: "failed", expression: items.expression, failure: items.failure };
  if (items.items.length === 0) return { kind: "excluded", expression: def.repeat.for_each, inputs: inputsOf(values, def.repeat.for_each) };
  return { kind: "included", items: items.items, ...(Object.keys(items.labels).length > 0 ? { labels: items.labels } : {}) };
}

/**
 * A step became reachable: decide its run-time condition now, once. Returns whether it may open
 * (false: it was left out, or it waits on an incident).
 */
export function decideAtReachability(draft: Draft, def: Step): boolean {
  const state = draft.state.steps[def.id];
  if (!state || !needsDecision(def, state)) return true;
  const decision = decideStep(draft.ctx, def, state, conditionValues(draft.ctx, draft.state, draft.now));
  switch (decision.kind) {
    case "failed":
      openIncident(draft, { kind: "step_condition", step: def.id }, decision.expression, decision.failure);
      return false;
    case "excluded":
      draft.emit(
        { type: "step.excluded", step: def.id, expression: decision.expression, inputs: decision.inputs },
        decision.expression === def.when
          ? `the condition ${decision.expression} does not hold for this client`
          : `the list ${decision.expression} has no items`,
      );
      return false;
    case "included":
      draft.emit({
        type: "step.included",
        step: def.id,
        ...(decision.items ? { items: decision.items } : {}),
        ...(decision.labels ? { labels: decision.labels } : {}),
      });
      return true;
  }
}
