// Retrying an incident: evaluate its condition again, as the playbook version the project runs now
// defines it, on the data as it is now. When it works the incident is resolved and what it held
// moves on; when it still fails the retry is refused with the error and nothing changes.
import { chooseBranch } from "./branches.ts";
import { conditionValues, type Evaluation, evaluate } from "./conditions.ts";
import type { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { fire, trigger } from "./reactions.ts";
import { decidedAtStart, decideStep } from "./run-time.ts";
import { ACTIVE, type Incident } from "./types.ts";

function stillFails(incident: Incident, expression: string, failure: Extract<Evaluation, { ok: false }>): never {
  throw new EngineError("illegal_state", `the condition still fails: ${failure.error}`, {
    incident: incident.id,
    expression,
    error: failure.error,
    inputs: failure.inputs,
  });
}

/** A step's `when:` and `for_each:` again: whether it applies to this client and its items. */
function retryStepCondition(draft: Draft, incident: Incident): void {
  // The step no longer waits on its condition (skipped, or a decision ended the flow): nothing to evaluate.
  if (incident.step === undefined || draft.state.steps[incident.step]?.status !== "blocked") {
    draft.emit({ type: "incident.resolved", id: incident.id });
    return;
  }
  const def = draft.ctx.model.steps.get(incident.step)?.step;
  const values = conditionValues(draft.ctx, draft.state, draft.now);
  // Decided when reachable: check that it evaluates now; the flow then decides it (step.excluded
  // or step.included), so the audit trail says the outcome in the same words as without incident.
  if (def && !decidedAtStart(def)) {
    const decision = decideStep(draft.ctx, def, draft.state.steps[incident.step], values);
    if (decision.kind === "failed") stillFails(incident, decision.expression, decision.failure);
    draft.emit({ type: "incident.resolved", id: incident.id });
    return;
  }
  let applies = true;
  let items: string[] | undefined;
  if (def?.when !== undefined) {
    const result = evaluate(draft.ctx, def.when, {}, values);
    if (!result.ok) stillFails(incident, def.when, result);
    applies = result.value === true;
  }
  if (def?.repeat && applies) {
    const result = evaluate(draft.ctx, def.repeat.for_each, {}, values);
    if (!result.ok) stillFails(incident, def.repeat.for_each, result);
    items = [...new Set(Array.isArray(result.value) ? result.value.map(String) : [])];
  }
  draft.emit({ type: "incident.resolved", id: incident.id, applies, ...(items ? { items } : {}) });
}

export function retryIncident(draft: Draft, id: string, completeStep: (draft: Draft, step: string) => void): void {
  const incident = draft.state.incidents?.[id];
  if (!incident) throw new EngineError("not_found", `no incident "${id}"`, { incident: id });
  if (incident.resolvedAt !== undefined)
    throw new EngineError("illegal_state", `incident "${id}" was resolved at ${incident.resolvedAt}`, { incident: id });
  switch (incident.kind) {
    case "step_condition":
      retryStepCondition(draft, incident);
      return;
    case "decision": {
      const status = incident.step === undefined ? undefined : draft.state.steps[incident.step]?.status;
      // The step was skipped, or the version the project moved to dropped it: nothing waits any more.
      if (incident.step === undefined || status === undefined || !ACTIVE.has(status)) {
        draft.emit({ type: "incident.resolved", id });
        return;
      }
      const def = draft.ctx.model.steps.get(incident.step)?.step;
      const choice = def ? chooseBranch(draft, def) : undefined;
      if (choice && "failure" in choice) stillFails(incident, choice.expression, choice.failure);
      // Completing evaluates the branches again and resolves the incident; the flow moves on.
      completeStep(draft, incident.step);
      return;
    }
    case "rule": {
      const rule = draft.ctx.model.playbook.rules.find((r) => r.id === incident.rule);
      const occurrence = { subject: incident.subject ?? "project", payload: { ...incident.event } };
      if (rule) {
        const values = { ...conditionValues(draft.ctx, draft.state, draft.now), event: occurrence.payload };
        for (const expression of [rule.when, ...rule.actions.map((a) => a.when)]) {
          if (expression === undefined) continue;
          const result = evaluate(draft.ctx, expression, { event: rule.on }, values);
          if (!result.ok) stillFails(incident, expression, result);
        }
      }
      draft.emit({ type: "incident.resolved", id });
      if (!rule) return;
      // A project started by a won deal exists: its deal.won rules do not start another one.
      const actions = rule.on === "deal.won" ? rule.actions.filter((a) => !a.start_project) : undefined;
      // The rule's own condition failed: react again (now, or on its timer). An action's condition
      // failed after the rule held (or its timer fired): run the actions.
      if (rule.when !== undefined && incident.expression === rule.when) trigger(draft, rule, occurrence, actions);
      else fire(draft, rule, occurrence, actions);
      return;
    }
    case "cadence": {
      const cadence = draft.ctx.model.playbook.cadences.find((c) => c.id === incident.cadence);
      if (cadence?.when !== undefined) {
        const result = evaluate(draft.ctx, cadence.when, {}, conditionValues(draft.ctx, draft.state, draft.now));
        if (!result.ok) stillFails(incident, cadence.when, result);
      }
      // The flow's cadence pass (settle) starts it if its condition holds.
      draft.emit({ type: "incident.resolved", id });
      return;
    }
    default: {
      const never: never = incident.kind;
      throw new EngineError("invalid", `unknown incident kind ${String(never)}`);
    }
  }
}
