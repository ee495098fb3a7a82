// Indexes over a validated playbook that the checks, the linter and the engine all need:
// every step with its phase and path, and the flow between steps (dependencies and branches).
import type { Path } from "./diagnostics.ts";
import type { Phase, Playbook, Step } from "./schema.ts";

export interface StepEntry {
  readonly step: Step;
  readonly phase: Phase;
  readonly phaseIndex: number;
  readonly index: number;
  readonly path: Path;
  /** Steps that must finish before this one opens (explicit `after`, or the step written before). */
  readonly after: readonly string[];
}

export interface PlaybookModel {
  readonly playbook: Playbook;
  readonly steps: ReadonlyMap<string, StepEntry>;
  readonly order: readonly StepEntry[];
}

export const BRANCH_KEYWORDS = ["continue", "hold", "end"] as const;

/** `paths`: where expanded steps (a procedure's, carried out by a call) are written in the source. */
export function buildModel(playbook: Playbook, paths?: ReadonlyMap<string, Path>): PlaybookModel {
  const steps = new Map<string, StepEntry>();
  const order: StepEntry[] = [];
  let previous: string | undefined;
  playbook.phases.forEach((phase, phaseIndex) => {
    phase.steps.forEach((step, index) => {
      // On-demand steps are side branches: they neither default-follow nor get followed by default.
      const after = step.after ?? (step.on_demand || step.opens || previous === undefined ? [] : [previous]);
      const path = paths?.get(step.id) ?? ["phases", phaseIndex, "steps", writtenIndex(playbook, phaseIndex, index)];
      const entry: StepEntry = { step, phase, phaseIndex, index, path, after };
      if (!steps.has(step.id)) steps.set(step.id, entry);
      order.push(entry);
      if (!step.on_demand) previous = step.id;
    });
  });
  return { playbook, steps, order };
}

/** A step's index as written in its phase, before calls in front of it were expanded. */
function writtenIndex(playbook: Playbook, phaseIndex: number, index: number): number {
  if (playbook.calls.length === 0) return index;
  const phase = playbook.phases[phaseIndex];
  const expanded = new Set(playbook.calls.flatMap((c) => c.steps));
  const topCalls = new Set(playbook.calls.filter((c) => c.parent === undefined).map((c) => c.id));
  let written = 0;
  const seenCalls = new Set<string>();
  for (const step of (phase?.steps ?? []).slice(0, index)) {
    if (!expanded.has(step.id)) written++;
    else {
      const call = step.id.split(".")[0] ?? "";
      if (topCalls.has(call) && !seenCalls.has(call)) {
        seenCalls.add(call);
        written++;
      }
    }
  }
  return written;
}

/** Where each decision branch or on-demand return leads, for reachability and loop checks. */
export function flowEdges(model: PlaybookModel): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)?.add(to);
  };
  for (const entry of model.order) {
    for (const dep of entry.after) add(dep, entry.step.id);
    for (const branch of entry.step.decision?.branches ?? []) {
      if (!(BRANCH_KEYWORDS as readonly string[]).includes(branch.next)) add(entry.step.id, branch.next);
      for (const action of branch.actions) if (action.activate) add(entry.step.id, action.activate.step);
      // A detour goes to its steps, and from each of them on to what follows the deciding step.
      for (const detour of branch.detour ?? []) {
        add(entry.step.id, detour);
        for (const other of model.order) if (other.after.includes(entry.step.id)) add(detour, other.step.id);
      }
    }
    if (entry.step.next) add(entry.step.id, entry.step.next);
  }
  for (const rule of model.playbook.rules) {
    for (const action of rule.actions) {
      if (action.activate) add("@rules", action.activate.step);
    }
  }
  return edges;
}

/**
 * The steps whose decisions can open each on-demand step (a branch going to it, a detour through
 * it, or an activate action). Rules are not listed: they may fire at any time, so waiting for
 * one would wait forever.
 */
export function stepActivators(model: PlaybookModel): Map<string, string[]> {
  const activators = new Map<string, string[]>();
  const add = (to: string, from: string) => {
    const list = activators.get(to) ?? [];
    if (!list.includes(from)) list.push(from);
    activators.set(to, list);
  };
  for (const { step } of model.order) {
    for (const branch of step.decision?.branches ?? []) {
      if (!(BRANCH_KEYWORDS as readonly string[]).includes(branch.next)) add(branch.next, step.id);
      for (const action of branch.actions) if (action.activate) add(action.activate.step, step.id);
      for (const detour of branch.detour ?? []) add(detour, step.id);
    }
  }
  return activators;
}

/** For each step, the steps from which the flow can come back to it (a path of flow edges). */
export function returnPaths(model: PlaybookModel): Map<string, Set<string>> {
  const edges = flowEdges(model);
  const into = new Map<string, string[]>();
  for (const [from, targets] of edges) for (const to of targets) into.set(to, [...(into.get(to) ?? []), from]);
  const result = new Map<string, Set<string>>();
  for (const { step } of model.order) {
    const seen = new Set<string>();
    const queue = [...(into.get(step.id) ?? [])];
    while (queue.length > 0) {
      const id = queue.pop() ?? "";
      if (seen.has(id) || !model.steps.has(id)) continue;
      seen.add(id);
      queue.push(...(into.get(id) ?? []));
    }
    result.set(step.id, seen);
  }
  return result;
}
