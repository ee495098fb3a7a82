// What the flow asks of all steps on every pass, kept up to date instead of rescanned (issue #18):
// the blocked steps whose dependencies are met (the only ones that may open), and how many steps
// are still unsettled. Exact for the state they belong to: carried from one command's result to
// the next command on the same state (steps-memo.ts), and caught up from the events in between
// (Draft.stepChanges) by re-examining only the steps a change can affect. A state seen for the
// first time (loaded from a database, replayed) is scanned once.
import type { EngineContext } from "./context.ts";
import type { Draft } from "./draft.ts";
import { fastSteps } from "./evolve.ts";
import { type FlowIndex, flowIndex } from "./flow-index.ts";
import { dependenciesMet } from "./readiness.ts";
import { memoize, memoOf } from "./steps-memo.ts";
import { SATISFIED, type StepStatus } from "./types.ts";

export interface StepSets {
  /** Blocked steps whose dependencies are met. */
  readonly ready: Set<string>;
  /** Decisions waiting for their loop to come back. */
  readonly looping: Set<string>;
  /** Steps neither finished (done, skipped, not applicable) nor dormant. */
  unsettled: number;
  /** Of those, the blocked steps that open only after completion (the aftercare). */
  aftercare: number;
}

export interface Tracked {
  readonly ctx: EngineContext;
  readonly sets: StepSets;
  /** How many of the draft's step changes the sets include. */
  seen: number;
}

function unsettled(status: StepStatus | undefined): boolean {
  return status !== undefined && !SATISFIED.has(status) && status !== "dormant";
}

function aftercare(ctx: EngineContext, id: string, status: StepStatus | undefined): boolean {
  return status === "blocked" && ctx.model.steps.get(id)?.step.opens?.anchor.kind === "completion";
}

/** The sets scanned from the whole state (the reference the incremental sets must equal). */
export function scanStepSets(draft: Draft): StepSets {
  const sets: StepSets = { ready: new Set(), looping: new Set(), unsettled: 0, aftercare: 0 };
  const steps = draft.state.steps;
  for (const id in steps) {
    const status = steps[id]?.status;
    if (status === "looping") sets.looping.add(id);
    if (unsettled(status)) sets.unsettled++;
    if (aftercare(draft.ctx, id, status)) sets.aftercare++;
  }
  for (const { step } of draft.ctx.model.order)
    if (steps[step.id]?.status === "blocked" && dependenciesMet(draft, step.id)) sets.ready.add(step.id);
  return sets;
}

/**
 * The steps whose readiness may have changed when `changed` did: the steps waiting for them, the
 * on-demand steps their decisions open, the decisions whose detours they are in, and on through
 * the steps that stand in for their own dependencies (left out, dormant, a finished detour's decision).
 */
function affected(draft: Draft, index: FlowIndex, changed: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const expanded = new Set<string>();
  const queue: string[] = [];
  for (const id of changed) {
    found.add(id);
    if (!expanded.has(id)) {
      expanded.add(id);
      queue.push(id);
    }
  }
  const visit = (id: string, throughDetour: boolean) => {
    found.add(id);
    if (expanded.has(id)) return;
    const status = draft.state.steps[id]?.status;
    if (status === "not_applicable" || status === "dormant" || (throughDetour && status === "done")) {
      expanded.add(id);
      queue.push(id);
    }
  };
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const next of index.dependents.get(id) ?? []) visit(next, false);
    for (const next of index.activates.get(id) ?? []) visit(next, false);
    for (const next of index.detourOwners.get(id) ?? []) visit(next, true);
  }
  return found;
}

function start(draft: Draft): Tracked {
  const carried = memoOf(draft.initial.steps)?.sets;
  if (carried === undefined || carried.ctx !== draft.ctx)
    return { ctx: draft.ctx, sets: scanStepSets(draft), seen: draft.stepChanges.length };
  // Copied: the carried sets stay those of the command's starting state (it may be run again).
  const { ready, looping, unsettled, aftercare } = carried.sets;
  const sets = { ready: new Set(ready), looping: new Set(looping), unsettled, aftercare };
  return { ctx: draft.ctx, sets, seen: 0 };
}

/**
 * The sets for the draft's current state. Returns them with the steps that became ready since the
 * last call (so a pass over the ready steps in order can take in those after its position).
 */
export function stepSets(draft: Draft): { readonly sets: StepSets; readonly newlyReady: readonly string[] } {
  let track = draft.stepSetsTrack;
  if (track === undefined) {
    track = start(draft);
    draft.stepSetsTrack = track;
    if (track.seen === draft.stepChanges.length) verified(draft, track.sets);
  }
  const changes = draft.stepChanges;
  if (track.seen === changes.length) return { sets: track.sets, newlyReady: [] };
  const pending = changes.slice(track.seen);
  track.seen = changes.length;
  const { sets } = track;
  if (pending.includes(undefined)) {
    const before = new Set(sets.ready);
    const fresh = scanStepSets(draft);
    sets.ready.clear();
    for (const id of fresh.ready) sets.ready.add(id);
    sets.looping.clear();
    for (const id of fresh.looping) sets.looping.add(id);
    sets.unsettled = fresh.unsettled;
    sets.aftercare = fresh.aftercare;
    verified(draft, sets);
    return { sets, newlyReady: [...fresh.ready].filter((id) => !before.has(id)) };
  }
  const changed: string[] = [];
  for (const change of pending) {
    if (change === undefined) continue;
    changed.push(change.step);
    if (change.to === "looping") sets.looping.add(change.step);
    else sets.looping.delete(change.step);
    sets.unsettled += Number(unsettled(change.to)) - Number(unsettled(change.from));
    sets.aftercare += Number(aftercare(draft.ctx, change.step, change.to)) - Number(aftercare(draft.ctx, change.step, change.from));
  }
  const newlyReady: string[] = [];
  const index = flowIndex(draft.ctx);
  for (const id of affected(draft, index, changed)) {
    const ready = index.position.has(id) && draft.state.steps[id]?.status === "blocked" && dependenciesMet(draft, id);
    if (ready && !sets.ready.has(id)) {
      sets.ready.add(id);
      newlyReady.push(id);
    } else if (!ready) sets.ready.delete(id);
  }
  verified(draft, sets);
  return { sets, newlyReady };
}

let verifying = false;

/**
 * Property tests turn this on: every catch-up is then compared with a scan of the whole state, and
 * a difference throws (the incremental sets must always equal the scan).
 */
export function verifyStepSets(on: boolean): void {
  verifying = on;
}

function sameSets(a: StepSets, b: StepSets): boolean {
  const same = (x: Set<string>, y: Set<string>) => x.size === y.size && [...x].every((id) => y.has(id));
  return same(a.ready, b.ready) && same(a.looping, b.looping) && a.unsettled === b.unsettled && a.aftercare === b.aftercare;
}

function verified(draft: Draft, sets: StepSets): void {
  if (!verifying) return;
  const scan = scanStepSets(draft);
  if (!sameSets(sets, scan))
    throw new Error(
      `step sets drifted from the scan: ${JSON.stringify({ kept: { ...sets, ready: [...sets.ready], looping: [...sets.looping] }, scan: { ...scan, ready: [...scan.ready], looping: [...scan.looping] } })}`,
    );
}

/** Keep the sets of the command's result for the next command on it. */
export function rememberStepSets(draft: Draft): void {
  const steps = draft.state.steps;
  const fast = fastSteps(steps, draft.initial.steps);
  if (steps === draft.initial.steps && draft.stepSetsTrack === undefined) {
    const carried = memoOf(steps)?.sets;
    memoize(steps, carried ? { fast, sets: carried } : { fast });
    return;
  }
  memoize(steps, { fast, sets: { ctx: draft.ctx, sets: stepSets(draft).sets } });
}
