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

export function buildModel(playbook: Playbook): PlaybookModel {
  const steps = new Map<string, StepEntry>();
  const order: StepEntry[] = [];
  let previous: string | undefined;
  playbook.phases.forEach((phase, phaseIndex) => {
    phase.steps.forEach((step, index) => {
      // On-demand steps are side branches: they neither default-follow nor get followed by default.
      const after = step.after ?? (step.on_demand || step.opens || previous === undefined ? [] : [previous]);
      const entry: StepEntry = { step, phase, phaseIndex, index, path: ["phases", phaseIndex, "steps", index], after };
      if (!steps.has(step.id)) steps.set(step.id, entry);
      order.push(entry);
      if (!step.on_demand) previous = step.id;
    });
  });
  return { playbook, steps, order };
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
