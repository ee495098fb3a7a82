// Which way a decision goes: the first branch whose criteria hold on the recorded data, and which
// of its actions apply, all evaluated before anything happens so a condition that fails at run time
// changes nothing (the caller opens an incident).
import type { Step } from "../playbook/schema.ts";
import { conditionValues, evaluate } from "./conditions.ts";
import type { Draft } from "./draft.ts";
import { actionConditions, type Failure } from "./reactions.ts";

type Branch = NonNullable<Step["decision"]>["branches"][number];

/**
 * The branch of a decision the recorded data selects (the first whose criteria hold) and which of
 * its actions apply; or the condition that failed at run time, with what it read.
 */
export function chooseBranch(
  draft: Draft,
  def: Step,
): { readonly applies: Branch | undefined; readonly holds: readonly boolean[] } | Failure {
  const values = conditionValues(draft.ctx, draft.state, draft.now, def.id);
  for (const branch of def.decision?.branches ?? []) {
    let selected = branch.otherwise === true;
    if (!selected && branch.when !== undefined) {
      const result = evaluate(draft.ctx, branch.when, { step: true }, values);
      if (!result.ok) return { expression: branch.when, failure: result };
      selected = result.value === true;
    }
    if (!selected) continue;
    const conditions = actionConditions(draft, branch.actions, { step: true }, values);
    return "holds" in conditions ? { applies: branch, holds: conditions.holds } : conditions;
  }
  return { applies: undefined, holds: [] };
}
