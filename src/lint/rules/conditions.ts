// What conditions read at run time: a fact the client was not given is absent, and reading it
// without `has(facts.x)` fails (the engine opens an incident and the step waits). Warn where a
// condition reads a fact that has no default without testing that it was given.
import type { Path } from "../../playbook/diagnostics.ts";
import { ExpressionChecker } from "../../playbook/expressions.ts";
import { type PlaybookModel, stepActivators } from "../../playbook/model.ts";
import type { Action } from "../../playbook/schema.ts";
import type { LintRule } from "../rule.ts";

/**
 * Every condition the engine evaluates while a project runs, with where it stands (training
 * delivery and compliance conditions are only read by the SOP, where a failure reads as "no").
 */
export function* conditionsOf({ playbook, order }: PlaybookModel): Generator<{ source: string; path: Path }> {
  function* actions(list: readonly Action[], path: Path) {
    for (const [i, action] of list.entries()) if (action.when !== undefined) yield { source: action.when, path: [...path, i, "when"] };
  }
  for (const { step, path } of order) {
    if (step.when !== undefined) yield { source: step.when, path: [...path, "when"] };
    if (step.repeat) yield { source: step.repeat.for_each, path: [...path, "repeat", "for_each"] };
    if (step.repeat?.label !== undefined) yield { source: step.repeat.label, path: [...path, "repeat", "label"] };
    for (const [i, item] of step.checklist.entries())
      if (typeof item !== "string" && item.when !== undefined) yield { source: item.when, path: [...path, "checklist", i, "when"] };
    for (const [i, branch] of (step.decision?.branches ?? []).entries()) {
      const at = [...path, "decision", "branches", i];
      if (branch.when !== undefined) yield { source: branch.when, path: [...at, "when"] };
      yield* actions(branch.actions, [...at, "actions"]);
    }
  }
  for (const [i, cadence] of playbook.cadences.entries())
    if (cadence.when !== undefined) yield { source: cadence.when, path: ["cadences", i, "when"] };
  for (const [i, rule] of playbook.rules.entries()) {
    if (rule.when !== undefined) yield { source: rule.when, path: ["rules", i, "when"] };
    yield* actions(rule.actions, ["rules", i, "actions"]);
  }
}

export const optionalFactGuarded: LintRule = {
  id: "condition/optional-fact",
  severity: "warning",
  kind: "correctness",
  description:
    "A condition that reads a fact without a default tests has(facts.x) first: a fact the client was not given is absent, and reading it holds the step on an incident.",
  *check(model) {
    const optional = new Set(
      Object.entries(model.playbook.facts)
        .filter(([, fact]) => fact.default === undefined)
        .map(([id]) => id),
    );
    for (const { source, path } of conditionsOf(model)) {
      for (const fact of ExpressionChecker.factsReadUnguarded(source)) {
        if (!optional.has(fact)) continue;
        yield {
          path,
          message: `condition "${source}" reads facts.${fact}, which has no default: for a client without it the condition fails and the step waits on an incident`,
          fix: `write has(facts.${fact}) && ... (or give the fact a default)`,
        };
      }
    }
  },
};

/** Every step that must finish (or decide to open it) before a step can become reachable. */
function upstreamOf(model: PlaybookModel): (id: string) => ReadonlySet<string> {
  const direct = new Map<string, string[]>();
  const blocking: string[] = [];
  for (const phase of model.playbook.phases) {
    for (const step of phase.steps) direct.set(step.id, [...(model.steps.get(step.id)?.after ?? []), ...blocking]);
    for (const step of phase.steps) if (step.gate?.blocks === "phase") blocking.push(step.id);
  }
  for (const [to, from] of stepActivators(model)) direct.set(to, [...(direct.get(to) ?? []), ...from]);
  const cache = new Map<string, Set<string>>();
  return (id) => {
    const cached = cache.get(id);
    if (cached) return cached;
    const seen = new Set<string>();
    const queue = [...(direct.get(id) ?? [])];
    while (queue.length > 0) {
      const next = queue.pop() ?? "";
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(direct.get(next) ?? []));
    }
    seen.delete(id);
    cache.set(id, seen);
    return seen;
  };
}

export const formFilledBefore: LintRule = {
  id: "condition/form-order",
  severity: "error",
  kind: "correctness",
  description:
    "A step's when: or for_each: that reads a form is decided when the step becomes reachable: the form must be filled in a step that comes before it.",
  *check(model) {
    const upstream = upstreamOf(model);
    const fillers = new Map<string, string[]>();
    for (const { step } of model.order) if (step.form) fillers.set(step.form, [...(fillers.get(step.form) ?? []), step.id]);
    for (const { step, path } of model.order) {
      const conditions = [
        ...(step.when !== undefined ? [{ source: step.when, at: [...path, "when"] }] : []),
        ...(step.repeat ? [{ source: step.repeat.for_each, at: [...path, "repeat", "for_each"] }] : []),
      ];
      for (const { source, at } of conditions) {
        const forms = new Set(
          ExpressionChecker.pathsRead(source)
            .filter((p) => p.startsWith("forms."))
            .map((p) => p.split(".")[1] ?? ""),
        );
        for (const form of forms) {
          const filledIn = fillers.get(form) ?? [];
          if (filledIn.length === 0 || filledIn.some((id) => upstream(step.id).has(id))) continue;
          const where = filledIn.map((id) => `"${id}"`).join(" and ");
          yield {
            path: at,
            message: `forms.${form} is filled in step ${where}, which does not come before this step: the condition is decided when "${step.id}" becomes reachable, before the form is filled`,
            fix: `put "${step.id}" after ${where} (after: [${filledIn[0]}]), or read something known by then`,
          };
        }
      }
    }
  },
};
