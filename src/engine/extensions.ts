// A step's extension policy (`extension:`): how often and how far its deadline may be moved. The
// limits bind everyone, CS operations included: a deadline a procedure says cannot move does not.
import type { Step } from "../playbook/schema.ts";
import { describeDuration } from "../playbook/time-expressions.ts";
import type { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { addTo } from "./schedule.ts";
import type { Instant, StepState } from "./types.ts";

export function checkExtensionLimits(draft: Draft, def: Step, state: StepState, until: Instant): void {
  const policy = def.extension;
  if (!policy) return;
  const granted = state.extensions ?? 0;
  if (policy.times !== undefined && granted >= policy.times) {
    const times =
      policy.times === 0
        ? "cannot be extended"
        : `may be extended ${policy.times === 1 ? "once" : `${policy.times} times`} (already ${granted})`;
    throw new EngineError("invalid", `the deadline of "${def.id}" ${times}`, { field: "until" });
  }
  const original = state.originalDueAt ?? state.dueAt;
  if (policy.up_to && original !== undefined) {
    const limit = addTo(draft.ctx, draft.state, original, policy.up_to);
    if (limit !== undefined && until > limit) {
      throw new EngineError(
        "invalid",
        `the deadline of "${def.id}" may move at most ${describeDuration(policy.up_to)} past ${original}: until ${limit}`,
        {
          field: "until",
        },
      );
    }
  }
}
