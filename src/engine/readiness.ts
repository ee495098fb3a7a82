// Whether a step may open: everything it waits for is finished, seeing through steps left out for
// this client and on-demand steps that will not run (an inclusive join).
import { stepEntry } from "./context.ts";
import type { Draft } from "./draft.ts";
import { SATISFIED } from "./types.ts";

/**
 * Whether an on-demand step that nobody opened will not run: every step whose decision could open
 * it has decided (or will not run itself). A step only rules can open never blocks anyone: rules
 * may fire at any time, and waiting for one would wait forever.
 */
export function willNotRun(draft: Draft, id: string, seen: Set<string> = new Set()): boolean {
  if (draft.state.steps[id]?.status !== "dormant") return false;
  if (seen.has(id)) return true;
  seen.add(id);
  return (draft.ctx.activators.get(id) ?? []).every((from) => {
    const status = draft.state.steps[from]?.status;
    return status === undefined || SATISFIED.has(status) || willNotRun(draft, from, seen);
  });
}

/** The steps of the detour the step's decision took, if it took one (done after deciding). */
function detourOf(draft: Draft, id: string): readonly string[] {
  const state = draft.state.steps[id];
  if (state?.status !== "done" || state.branch === undefined) return [];
  const branch = stepEntry(draft.ctx, id).step.decision?.branches.find((b) => b.label === state.branch);
  return branch?.detour ?? [];
}

/**
 * Whether everything a step waits for is finished. A step left out for this client (not
 * applicable), or on demand and not run (see willNotRun), stands in for its own dependencies, so
 * the chain through it still holds (an inclusive join). A decision that took a detour is finished
 * when the detour's steps are.
 */
export function dependenciesMet(draft: Draft, id: string, seen?: Set<string>): boolean {
  for (const dep of draft.ctx.dependencies.get(id) ?? []) {
    const status = draft.state.steps[dep]?.status;
    if (status === "done" && detourOf(draft, dep).some((d) => !SATISFIED.has(draft.state.steps[d]?.status ?? "done"))) return false;
    if (status === undefined || (SATISFIED.has(status) && status !== "not_applicable")) continue;
    if (status !== "not_applicable" && !willNotRun(draft, dep)) return false;
    const visited = seen ?? new Set<string>([id]);
    if (visited.has(dep)) continue;
    visited.add(dep);
    if (!dependenciesMet(draft, dep, visited)) return false;
  }
  return true;
}
