// A sign-off's outcome as a whole, and as conditions read it (`gates.<step>.outcome`): approved
// when the gate's rule is met, approved_with_conditions when it is met and a signer wrote
// conditions, rejected as soon as any approver rejected, pending until then.
import { ExpressionChecker, type GATE_OUTCOME_VALUES } from "../playbook/expressions.ts";
import type { Playbook, Step } from "../playbook/schema.ts";
import type { Approval, StepState } from "./types.ts";

export type GateOutcome = (typeof GATE_OUTCOME_VALUES)[number];

/** One signer's outcome. */
export function approvalOutcome(approval: Approval | undefined): GateOutcome {
  if (approval === undefined) return "pending";
  if (approval.decision === "rejected") return "rejected";
  return approval.conditions ? "approved_with_conditions" : "approved";
}

/** The step's outcome: rejected if any approver rejected, else approved (with conditions if any signer wrote some) once the rule is met. */
export function gateOutcome(def: Step, state: StepState | undefined): GateOutcome {
  const gate = def.gate;
  if (!gate || !state) return "pending";
  const outcomes = gate.approvers.map((role) => approvalOutcome(state.approvals[role]));
  if (outcomes.includes("rejected")) return "rejected";
  const signed = outcomes.filter((o) => o === "approved" || o === "approved_with_conditions").length;
  const met = gate.rule === "any" ? signed > 0 : signed === gate.approvers.length;
  if (!met) return "pending";
  return outcomes.includes("approved_with_conditions") ? "approved_with_conditions" : "approved";
}

/** What `gates` holds for conditions: each gate step's outcome, its signers' comments and conditions, and each role's own. */
export function gateValues(steps: readonly Step[], states: Readonly<Record<string, StepState>>): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const def of steps) {
    if (!def.gate) continue;
    const state = states[def.id];
    const roles: Record<string, Record<string, string>> = {};
    const comments: string[] = [];
    const conditions: string[] = [];
    for (const role of def.gate.approvers) {
      const approval = state?.approvals[role];
      roles[role] = { outcome: approvalOutcome(approval), comment: approval?.comment ?? "", conditions: approval?.conditions ?? "" };
      if (approval?.comment) comments.push(approval.comment);
      if (approval?.conditions) conditions.push(approval.conditions);
    }
    values[def.id.replaceAll(".", "__")] = {
      outcome: gateOutcome(def, state),
      comment: comments.join("\n"),
      conditions: conditions.join("\n"),
      roles,
    };
  }
  return values;
}

/**
 * The gate steps a condition reads (`gates.review.outcome` reads review). A step of a called
 * procedure is read as `gates.<call>__<step>` (its id `<call>.<step>` cannot be a name in CEL):
 * given the playbook's step ids, such a key is turned back into the step's id.
 */
export function gatesRead(source: string, stepIds?: Iterable<string>): string[] {
  const keys = ExpressionChecker.pathsRead(source)
    .filter((p) => p.startsWith("gates."))
    .map((p) => p.split(".")[1] ?? "")
    .filter((id) => id !== "");
  if (stepIds === undefined) return keys;
  const byKey = new Map([...stepIds].map((id) => [id.replaceAll(".", "__"), id]));
  return keys.map((key) => byKey.get(key) ?? key);
}

/**
 * The gates whose outcome some condition of the playbook reads: a rejection of one of these is an
 * outcome the playbook steers on, so it completes the step (rejected) instead of blocking it.
 */
export function steeringGates(playbook: Playbook): Set<string> {
  const found = new Set<string>();
  const stepIds = playbook.phases.flatMap((phase) => phase.steps.map((step) => step.id));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === "object")
      for (const [key, v] of Object.entries(value)) {
        if (key === "when" && typeof v === "string") for (const id of gatesRead(v, stepIds)) found.add(id);
        else visit(v);
      }
  };
  visit(playbook);
  return found;
}
