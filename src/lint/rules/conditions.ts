// What conditions read at run time: a fact the client was not given is absent, and reading it
// without `has(facts.x)` fails (the engine opens an incident and the step waits). Warn where a
// condition reads a fact that has no default without testing that it was given.
import type { Path } from "../../playbook/diagnostics.ts";
import { ExpressionChecker } from "../../playbook/expressions.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
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
