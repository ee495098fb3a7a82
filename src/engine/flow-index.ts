// The playbook's flow turned around, compiled once per engine context: which steps read a step's
// status when deciding whether they may open. The flow then re-examines only the steps an event
// can affect instead of rescanning the whole playbook on every pass (issue #18).
import type { Deadline } from "../playbook/time-expressions.ts";
import type { EngineContext } from "./context.ts";

export interface FlowIndex {
  /** Each step's position in the playbook's order: the flow visits steps in this order. */
  readonly position: ReadonlyMap<string, number>;
  /** The steps that wait for each step (its dependents, phase-blocking gates included). */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** The on-demand steps each step's decision can open (whether they will run depends on it). */
  readonly activates: ReadonlyMap<string, readonly string[]>;
  /** The deciding steps whose detours go through each step (they are finished when it is). */
  readonly detourOwners: ReadonlyMap<string, readonly string[]>;
  /** Whether any step's deadline counts from something known only later (replanned as it becomes known). */
  readonly replansDeadlines: boolean;
}

/** Whether a deadline counts from something that may become known, or change, after its step opened. */
export function countsFromLater(deadline: Deadline | undefined): boolean {
  if (!deadline) return false;
  if (deadline.anchor.kind === "form") return true;
  return deadline.anchor.kind === "step" && deadline.kind === "offset" && deadline.direction === "before";
}

const indexes = new WeakMap<EngineContext, FlowIndex>();

function add(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function build(ctx: EngineContext): FlowIndex {
  const position = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const activates = new Map<string, string[]>();
  const detourOwners = new Map<string, string[]>();
  let replansDeadlines = false;
  for (const [i, { step }] of ctx.model.order.entries()) {
    position.set(step.id, i);
    if (countsFromLater(step.due) || countsFromLater(step.target)) replansDeadlines = true;
    for (const branch of step.decision?.branches ?? []) for (const d of branch.detour ?? []) add(detourOwners, d, step.id);
  }
  for (const [id, deps] of ctx.dependencies) for (const dep of deps) add(dependents, dep, id);
  for (const [id, from] of ctx.activators) for (const a of from) add(activates, a, id);
  return { position, dependents, activates, detourOwners, replansDeadlines };
}

export function flowIndex(ctx: EngineContext): FlowIndex {
  let index = indexes.get(ctx);
  if (index === undefined) {
    index = build(ctx);
    indexes.set(ctx, index);
  }
  return index;
}
