// What the engine remembers about a command's resulting steps record for the next command on it:
// whether V8 holds it as a fast record (cheap to copy) and the flow's step sets (step-sets.ts).
// Keyed by the record's identity; the contents are never changed (issue #18).
import type { EngineContext } from "./context.ts";
import type { StepSets } from "./step-sets.ts";

export interface StepsMemo {
  readonly fast: boolean;
  readonly sets?: { readonly ctx: EngineContext; readonly sets: StepSets };
}

const memos = new WeakMap<object, StepsMemo>();
/**
 * The last result, in one slot: a project's next command nearly always starts from it, and an
 * entry in the WeakMap per command cost more than the flow itself (a 30-step profile). A result
 * that no command started from before the next one ended (another project's command came
 * between) moves into the WeakMap.
 */
let latest: { readonly steps: object; readonly memo: StepsMemo; taken: boolean } | undefined;

export function memoOf(steps: object): StepsMemo | undefined {
  if (latest?.steps === steps) {
    latest.taken = true;
    return latest.memo;
  }
  return memos.get(steps);
}

export function memoize(steps: object, memo: StepsMemo): void {
  if (latest !== undefined && !latest.taken && latest.steps !== steps) memos.set(latest.steps, latest.memo);
  latest = { steps, memo, taken: false };
}
