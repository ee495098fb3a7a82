// The flow between steps: decisions with measurable criteria whose branches lead somewhere,
// no dependency cycles, no step that can never open, no loop without a way out.
import { ExpressionChecker } from "../../playbook/expressions.ts";
import { BRANCH_KEYWORDS, flowEdges, type PlaybookModel, stepActivators } from "../../playbook/model.ts";
import type { LintRule } from "../rule.ts";

export const decisionMeasurable: LintRule = {
  id: "decision/measurable",
  severity: "error",
  kind: "correctness",
  description: "Every decision branch has an explicit criterion that reads something measurable; one fallback at most, last.",
  *check({ order }) {
    for (const { step, path } of order) {
      const branches = step.decision?.branches ?? [];
      for (const [i, branch] of branches.entries()) {
        const at = [...path, "decision", "branches", i];
        if (branch.when !== undefined && ExpressionChecker.variablesRead(branch.when).length === 0) {
          yield {
            path: [...at, "when"],
            message: `the criterion "${branch.when}" of "${branch.label}" is a constant, not a measurement`,
            fix: "compare something recorded: facts.*, forms.<form>.<field>, step.checklist_unchecked, training.*",
          };
        }
        if (branch.otherwise && i !== branches.length - 1) {
          yield {
            path: [...at, "otherwise"],
            message: `the fallback branch "${branch.label}" is not last, so the branches after it never apply`,
            fix: "move it to the end",
          };
        }
      }
      if (branches.filter((b) => b.otherwise).length > 1) {
        yield {
          path: [...path, "decision"],
          message: `decision in "${step.id}" has more than one otherwise branch`,
          fix: "keep one fallback",
        };
      }
    }
  },
};

function dependencyCycle(model: PlaybookModel): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of model.steps.get(id)?.after ?? []) {
      const cycle = model.steps.has(dep) ? visit(dep) : undefined;
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const entry of model.order) {
    const cycle = visit(entry.step.id);
    if (cycle) return cycle;
  }
  return undefined;
}

export const dependencyCycles: LintRule = {
  id: "graph/cycle",
  severity: "error",
  kind: "correctness",
  description: "Step dependencies (after:) form no cycle; repetition is written as a decision loop.",
  *check(model) {
    const cycle = dependencyCycle(model);
    if (cycle) {
      const first = model.steps.get(cycle[0] ?? "");
      yield {
        path: first ? [...first.path, "after"] : ["phases"],
        message: `steps wait for each other in a circle: ${cycle.join(" → ")}`,
        fix: "remove one of these after: entries; to repeat work, use a decision branch to an on_demand step",
      };
    }
  },
};

/**
 * What each step waits for at run time: its after: steps; for an on-demand one among them, also the
 * decisions that could open it (until they decide, it may still run); for a decision with a detour,
 * the detour's steps.
 */
function waitGraph(model: PlaybookModel): Map<string, string[]> {
  const activators = stepActivators(model);
  const waits = new Map<string, string[]>();
  for (const { step, after } of model.order) {
    const list = [...after];
    for (const dep of after) {
      for (const branch of model.steps.get(dep)?.step.decision?.branches ?? []) list.push(...(branch.detour ?? []));
    }
    if (step.on_demand) list.push(...(activators.get(step.id) ?? []));
    waits.set(step.id, [...new Set(list.filter((id) => model.steps.has(id)))]);
  }
  return waits;
}

function waitCycle(model: PlaybookModel): string[] | undefined {
  const waits = waitGraph(model);
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const dep of waits.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const entry of model.order) {
    const cycle = visit(entry.step.id);
    if (cycle) return cycle;
  }
  return undefined;
}

export const blockedForever: LintRule = {
  id: "graph/blocks-forever",
  severity: "error",
  kind: "correctness",
  description:
    "No step can wait forever: a step waiting for an on-demand step waits for the decisions that could open it, and none of those may wait for the step.",
  *check(model) {
    if (dependencyCycle(model)) return;
    const cycle = waitCycle(model);
    if (!cycle) return;
    const first = model.steps.get(cycle[0] ?? "");
    yield {
      path: first ? [...first.path, "id"] : ["phases"],
      message: `these steps wait for each other, so the project could never finish: ${cycle.join(" waits for ")}`,
      fix: "a step can wait for an on-demand step only if the decisions that open it come before it; move the after: or the decision",
    };
  },
};

/** Steps that can open: dependencies all reachable, or opened by a branch or an automation. */
export function reachableSteps(model: PlaybookModel): Set<string> {
  const edges = flowEdges(model);
  const reachable = new Set<string>();
  const activatedBy = new Map<string, string[]>();
  for (const [from, targets] of edges) {
    for (const to of targets) activatedBy.set(to, [...(activatedBy.get(to) ?? []), from]);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const { step, after } of model.order) {
      if (reachable.has(step.id)) continue;
      const ok = step.on_demand
        ? (activatedBy.get(step.id) ?? []).some((from) => from === "@rules" || reachable.has(from))
        : after.every((dep) => reachable.has(dep) || !model.steps.has(dep));
      if (ok) {
        reachable.add(step.id);
        changed = true;
      }
    }
  }
  return reachable;
}

export const unreachableSteps: LintRule = {
  id: "graph/unreachable",
  severity: "error",
  kind: "correctness",
  description: "Every step can be reached: on-demand steps are opened by some branch or automation.",
  *check(model) {
    if (dependencyCycle(model)) return;
    const reachable = reachableSteps(model);
    for (const { step, path } of model.order) {
      if (!reachable.has(step.id)) {
        yield {
          path: [...path, "id"],
          message: step.on_demand
            ? `on-demand step "${step.id}" is never opened by a decision branch or an automation`
            : `step "${step.id}" can never open: it waits for a step that never opens`,
          fix: step.on_demand ? `point a decision branch at it (next: ${step.id}) or activate it from a rule` : "check its after: list",
        };
      }
    }
  },
};

/** Strongly connected components of the flow graph (Tarjan). */
function components(nodes: readonly string[], edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      result.push(component);
    }
  };
  for (const v of nodes) if (!indices.has(v)) connect(v);
  return result;
}

export const loopExit: LintRule = {
  id: "loop/exit",
  severity: "error",
  kind: "correctness",
  description: "Every loop (fix, retest) has a branch that leaves it.",
  *check(model) {
    if (dependencyCycle(model)) return;
    const edges = flowEdges(model);
    const ids = model.order.map((e) => e.step.id);
    for (const component of components(ids, edges)) {
      const members = new Set(component);
      const selfLoop = component.length === 1 && edges.get(component[0] ?? "")?.has(component[0] ?? "");
      if (component.length < 2 && !selfLoop) continue;
      const exits = component.some((id) => {
        const entry = model.steps.get(id);
        const leavesByBranch = (entry?.step.decision?.branches ?? []).some(
          (b) =>
            b.next === "end" ||
            (!(BRANCH_KEYWORDS as readonly string[]).includes(b.next)
              ? !members.has(b.next)
              : b.next === "continue" && [...(edges.get(id) ?? [])].some((to) => !members.has(to))),
        );
        const continuesOut =
          (entry?.step.decision?.branches ?? []).some((b) => b.next === "continue") &&
          model.order.some((e) => e.after.includes(id) && !members.has(e.step.id));
        return leavesByBranch || continuesOut;
      });
      if (!exits) {
        const first = model.steps.get(component[0] ?? "");
        yield {
          path: first ? [...first.path, "id"] : ["phases"],
          message: `the loop ${component.join(" → ")} has no way out`,
          fix: "give a decision in it a branch with next: continue (or end) that applies when the work passes",
        };
      }
    }
  },
};

/** Roots of a condition that cannot change while a project runs. */
const FIXED = new Set(["facts", "params", "client"]);

export const loopSameData: LintRule = {
  id: "loop/same-data",
  severity: "error",
  kind: "correctness",
  description:
    "A decision that loops back to itself reads something that can change on the way round; otherwise it takes the same branch for ever (write a detour instead).",
  *check(model) {
    if (dependencyCycle(model)) return;
    const edges = flowEdges(model);
    const ids = model.order.map((e) => e.step.id);
    for (const component of components(ids, edges)) {
      const members = new Set(component);
      for (const id of component) {
        const entry = model.steps.get(id);
        const branches = entry?.step.decision?.branches ?? [];
        const loopsBack = branches.some((b) => members.has(b.next));
        if (!entry || !loopsBack || (component.length < 2 && !edges.get(id)?.has(id))) continue;
        const read = branches.flatMap((b) => (b.when === undefined ? [] : ExpressionChecker.variablesRead(b.when)));
        if (read.length === 0 || !read.every((root) => FIXED.has(root))) continue;
        const back = branches.find((b) => members.has(b.next));
        yield {
          path: [...entry.path, "decision"],
          message: `"${id}" decides only on ${[...new Set(read)].join(", ")}, which do not change while the project runs, so after "${back?.next}" it takes the branch "${back?.label}" again, for ever`,
          fix: `to do "${back?.next}" and then carry on, write detour: [${back?.next}] with next: continue (and remove its next:)`,
        };
      }
    }
  },
};
