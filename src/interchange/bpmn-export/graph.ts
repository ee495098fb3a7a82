// The playbook's flow as BPMN semantics, before layout: one process for the playbook, one per call of a
// procedure (a call activity calls it), one per automation that opens on-demand steps. Each step is a
// user task in its owner's lane; dependencies become parallel forks and joins, `when:` an exclusive
// gateway that either runs the step or passes it by (Onboard lets a step left out stand in for its
// dependencies), decisions an exclusive gateway whose flows carry the branch criteria, a decision that
// sends the work round a loop a sub-process, deadlines a non-interrupting timer on the task.
import { phaseGates } from "../../engine/context.ts";
import { BRANCH_KEYWORDS, type PlaybookModel } from "../../playbook/model.ts";
import type { CallSite, Rule, Step } from "../../playbook/schema.ts";
import { celTypeOf } from "../../playbook/values.ts";
import { automationProcesses, ruleText } from "./automations.ts";
import { celToJavaScript, type ZeroOf } from "./cel-to-js.ts";
import { callDocumentation, stepDocumentation } from "./documentation.ts";
import {
  type BpmnGraph,
  type Condition,
  callProcessId,
  type ErrorDefinition,
  type Escalation,
  type FlowProps,
  type GraphNode,
  ProcessBuilder,
  type ProcessGraph,
  safeId,
  taskId,
} from "./elements.ts";
import { timerFor } from "./timers.ts";

export * from "./elements.ts";

const KEYWORDS: readonly string[] = BRANCH_KEYWORDS;

/**
 * Why JavaScript: bpmn-engine (bpmn-elements) evaluates `${...}` only as a property look-up, with
 * no operators, so a comparison cannot be written that way; a condition with language="javascript"
 * is run by its scripts (node:vm, given `environment` and `next`). The CEL stays beside it, in the
 * flow's name and documentation.
 */
function conditionOf(cel: string, untranslated: string[], zeroOf: ZeroOf): Condition {
  const js = celToJavaScript(cel, "environment.variables", zeroOf);
  if (js === undefined) {
    untranslated.push(cel);
    return { language: "cel", body: cel, cel };
  }
  return { language: "javascript", body: `next(null, Boolean(${js}));`, cel };
}

interface Unit {
  /** The playbook id: a step's or a call's. */
  readonly key: string;
  readonly step?: Step;
  readonly call?: CallSite;
  readonly lane: string;
  readonly onDemand: boolean;
}

interface Inflow extends FlowProps {
  readonly source: string;
  /** Comes back (a loop) or jumps in, rather than following the dependencies. */
  readonly jump: boolean;
}

type Branch = NonNullable<Step["decision"]>["branches"][number];

export function buildGraph(model: PlaybookModel): BpmnGraph {
  const playbook = model.playbook;
  const dependencies = phaseGates(model);
  const untranslated: string[] = [];
  const zeroOf = zeroValues(playbook);
  const escalations = new Map<string, Escalation>();
  const errors: ErrorDefinition[] = [];
  const roleTitle = (id: string) => playbook.roles[id]?.title ?? id;
  const calls = playbook.calls;
  const callById = new Map(calls.map((c) => [c.id, c]));

  // The innermost call a step belongs to (calls nest: "outer.inner.step").
  const ownerCall = (stepId: string): CallSite | undefined =>
    calls.filter((c) => c.steps.includes(stepId)).sort((a, b) => b.id.length - a.id.length)[0];

  /** What a step (or call) is within a scope: itself, the call it is part of there, or nothing. */
  const unitKey = (id: string, scope: string | undefined): string | undefined => {
    let call: CallSite | undefined = callById.get(id);
    if (call === undefined) {
      if (!model.steps.has(id)) return undefined;
      const owner = ownerCall(id);
      if (owner?.id === scope) return id;
      call = owner;
    }
    while (call !== undefined) {
      if (call.parent === scope) return call.id;
      call = call.parent === undefined ? undefined : callById.get(call.parent);
    }
    return undefined;
  };

  const overdueRules = (step: string): Rule[] =>
    playbook.rules.filter((r) => r.on === "step.overdue" && (r.step === undefined || r.step === step));

  const processes: ProcessGraph[] = [];

  const buildScope = (scope: CallSite | undefined): void => {
    const processId = scope ? callProcessId(scope.id) : `Process_${safeId(playbook.id)}`;
    const b = new ProcessBuilder(processId);
    const units = new Map<string, Unit>();
    for (const entry of model.order) {
      const key = unitKey(entry.step.id, scope?.id);
      if (key === undefined || units.has(key)) continue;
      const call = callById.get(key);
      if (call) {
        const first = model.steps.get(call.entries[0] ?? "")?.step;
        units.set(key, { key, call, lane: first?.owner ?? entry.step.owner, onDemand: false });
      } else units.set(key, { key, step: entry.step, lane: entry.step.owner, onDemand: entry.step.on_demand });
    }
    const inScope = (id: string) => {
      const key = unitKey(id, scope?.id);
      return key !== undefined && units.has(key) ? key : undefined;
    };

    const depsOf = (unit: Unit): string[] => {
      if (unit.onDemand) return [];
      const sources = unit.call ? unit.call.entries : [unit.key];
      const found = new Set<string>();
      for (const id of sources)
        for (const dep of dependencies.get(id) ?? []) {
          const key = inScope(dep);
          if (key !== undefined && key !== unit.key && !units.get(key)?.onDemand) found.add(key);
        }
      return [...found];
    };
    const deps = new Map([...units.values()].map((u) => [u.key, depsOf(u)]));
    const successors = new Map<string, string[]>([...units.keys()].map((k) => [k, []]));
    for (const [key, list] of deps) for (const dep of list) successors.get(dep)?.push(key);

    // A call's outcome can end or hold the whole project: the caller checks it after the call.
    const branchesOf = (unit: Unit): readonly Branch[] => {
      if (unit.step) return unit.step.decision?.branches ?? [];
      const outcome = unit.call?.outcome ? model.steps.get(unit.call.outcome)?.step : undefined;
      const stopping = (outcome?.decision?.branches ?? []).filter((br) => br.next === "hold" || br.next === "end");
      if (stopping.length === 0 || !unit.call) return [];
      const key = unit.call.key;
      return [
        ...stopping.map((br) => ({ ...br, when: `calls.${key}.outcome == ${JSON.stringify(br.label)}`, otherwise: undefined })),
        { label: "Otherwise", otherwise: true as const, actions: [], next: "continue" },
      ];
    };

    // Who can reach each on-demand step: a decision's branch, a detour or another step's `next`.
    const referenced = new Set<string>();
    for (const unit of units.values()) {
      for (const br of branchesOf(unit)) {
        if (!KEYWORDS.includes(br.next)) referenced.add(br.next);
        for (const d of br.detour ?? []) referenced.add(d);
      }
    }
    for (const unit of units.values()) if (unit.onDemand && referenced.has(unit.key) && unit.step?.next) referenced.add(unit.step.next);
    // On-demand steps nothing in this flow opens are left to their automations' processes.
    for (const unit of [...units.values()]) if (unit.onDemand && !referenced.has(unit.key)) units.delete(unit.key);

    // A decision whose branches send the work round on-demand steps and back to it (fix, then decide
    // again) becomes a sub-process holding the loop. bpmn-engine eliminates dead paths: a branch not
    // taken is passed on as "discarded", and a loop's discarded exit reaching a parallel join before
    // the loop is done would let the join go early. Inside a sub-process the discards stay inside.
    const loops = new Map<string, string[]>();
    const claimed = new Map<string, string>();
    for (const unit of units.values()) {
      const members = loopMembers(unit);
      if (members === undefined || members.some((m) => claimed.has(m))) continue;
      loops.set(unit.key, members);
      for (const m of members) claimed.set(m, unit.key);
    }
    for (const [, members] of loops) for (const m of members) units.delete(m);
    function loopMembers(unit: Unit): string[] | undefined {
      const branches = unit.step?.decision?.branches ?? [];
      const members: string[] = [];
      let returns = false;
      for (const br of branches) {
        if (br.detour) return undefined;
        if (KEYWORDS.includes(br.next)) continue;
        let id: string | undefined = br.next;
        while (id !== undefined && id !== unit.key) {
          const member = units.get(id);
          if (!member?.onDemand || members.includes(id) || referrers(id) > 1) return undefined;
          members.push(id);
          id = member.step?.next;
        }
        if (id === undefined) return undefined;
        returns = true;
      }
      return returns ? members : undefined;
    }
    function referrers(id: string): number {
      let count = 0;
      for (const u of units.values()) {
        for (const br of branchesOf(u)) if (br.next === id || br.detour?.includes(id)) count++;
        if (u.onDemand && u.step?.next === id) count++;
      }
      return count;
    }

    const inflows = new Map<string, Inflow[]>([...units.keys()].map((k) => [k, []]));
    const entries = new Map<string, string>();
    const exits = new Map<string, string>();
    const dones = new Map<string, string>();
    const first = [...units.values()][0];
    const start = b.add({ id: `${processId}_Start`, kind: "startEvent", name: "Start", lane: first?.lane ?? "" });
    const lastLane = [...units.values()].at(-1)?.lane ?? first?.lane ?? "";
    let end: string | undefined;
    const endEvent = () => {
      end ??= b.add({ id: `${processId}_End`, kind: "endEvent", name: scope ? "Procedure done" : "Done", lane: lastLane });
      return end;
    };

    // Phase 1: each unit's own nodes, from its (optional) applicability check to its exit.
    for (const unit of units.values()) {
      const base = safeId(unit.key);
      const step = unit.step;
      const members = loops.get(unit.key);
      const core = members
        ? buildLoop(unit, members)
        : unit.call
          ? b.add({
              id: `Call_${base}`,
              kind: "callActivity",
              name: unit.call.title,
              documentation: callDocumentation(unit.call),
              lane: unit.lane,
              calledElement: callProcessId(unit.call.id),
            })
          : b.add({
              id: taskId(unit.key),
              kind: "userTask",
              name: step?.title ?? unit.key,
              documentation: step ? stepDocumentation(step, roleTitle) : "",
              lane: unit.lane,
              step: unit.key,
            });
      // A call's steps all carry the call's condition: asked once, in front of the call activity.
      const when = unit.call ? unit.call.when : applicability(step, scope?.when);
      const branches = members ? [] : branchesOf(unit);
      const needsDone = when !== undefined || branches.length > 0;
      // Where the ways through a unit meet again. Exactly one of them is taken and bpmn-engine passes
      // the others on as discarded, so a parallel join meets them once; an exclusive merge would pass
      // both the token and the discards on.
      const ways =
        (when !== undefined ? 1 : 0) +
        (branches.length === 0 ? 1 : branches.filter((br) => br.next === "continue" || (br.detour?.length ?? 0) > 0).length);
      const done = needsDone
        ? b.add({
            id: `Done_${base}`,
            kind: ways >= 2 ? "parallelGateway" : "exclusiveGateway",
            name: `${unit.call?.title ?? step?.title} done`,
            lane: unit.lane,
          })
        : core;
      dones.set(unit.key, done);
      if (when !== undefined) {
        const gateway = b.add({
          id: `Applies_${base}`,
          kind: "exclusiveGateway",
          name: `Applies? ${when}`,
          documentation: `Only when: ${when}`,
          lane: unit.lane,
        });
        b.flow(gateway, core, { name: when, condition: conditionOf(when, untranslated, zeroOf), priority: 0 });
        b.flow(gateway, done, { name: "Not applicable", priority: 1, isDefault: true });
        entries.set(unit.key, gateway);
      } else entries.set(unit.key, core);

      if (branches.length > 0) {
        const question = step?.decision?.question ?? `Outcome of ${unit.call?.title}`;
        const decide = b.add({ id: `Decide_${base}`, kind: "exclusiveGateway", name: question, lane: unit.lane });
        b.flow(core, decide);
        branches.forEach((br, index) => {
          const props = {
            name: br.label,
            priority: index,
            ...(br.when !== undefined ? { condition: conditionOf(br.when, untranslated, zeroOf) } : {}),
            ...(br.otherwise ? { isDefault: true } : {}),
          };
          if (br.detour && br.detour.length > 0) {
            const [head] = br.detour;
            if (head !== undefined && inScope(head)) inflows.get(head)?.push({ source: decide, jump: true, ...props });
          } else if (br.next === "continue") b.flow(decide, done, props);
          else if (br.next === "hold" || br.next === "end") {
            const stop = b.add({
              id: `${br.next === "hold" ? "Hold" : "End"}_${base}_${index + 1}`,
              kind: "endEvent",
              name: br.next === "hold" ? `On hold: ${br.label}` : `Ends: ${br.label}`,
              // Inside a procedure this ends the called process; its caller checks the outcome and stops.
              ...(scope ? {} : { end: "terminate" as const }),
              lane: unit.lane,
            });
            b.flow(decide, stop, props);
          } else {
            const target = inScope(br.next);
            if (target !== undefined) inflows.get(target)?.push({ source: decide, jump: true, ...props });
            else b.flow(decide, endEvent(), props);
          }
        });
      } else if (needsDone) b.flow(core, done);

      const following = successors.get(unit.key) ?? [];
      if (following.length >= 2) {
        const fork = b.add({ id: `Fork_${base}`, kind: "parallelGateway", lane: unit.lane });
        b.flow(done, fork);
        exits.set(unit.key, fork);
      } else exits.set(unit.key, done);

      if (step?.due && !members) addDeadline(b, step, core, unit.lane);
    }

    function taskNode(step: Step, lane: string): GraphNode {
      return {
        id: taskId(step.id),
        kind: "userTask",
        name: step.title,
        documentation: stepDocumentation(step, roleTitle),
        lane,
        step: step.id,
      };
    }

    /** The decision, its branches and the on-demand steps they go round, as one sub-process. */
    function buildLoop(unit: Unit, members: readonly string[]): string {
      const step = unit.step as Step;
      const base = safeId(unit.key);
      const id = `Loop_${base}`;
      const inner = new ProcessBuilder(id);
      const lane = unit.lane;
      const start = inner.add({ id: `${id}_Start`, kind: "startEvent", lane });
      const merge = inner.add({ id: `Merge_${base}`, kind: "exclusiveGateway", lane });
      inner.flow(start, merge);
      const task = inner.add(taskNode(step, lane));
      inner.flow(merge, task);
      addDeadline(inner, step, task, lane);
      const decide = inner.add({ id: `Decide_${base}`, kind: "exclusiveGateway", name: step.decision?.question ?? "", lane });
      inner.flow(task, decide);
      for (const m of members) {
        const member = model.steps.get(m)?.step;
        if (!member) continue;
        inner.add(taskNode(member, lane));
        addDeadline(inner, member, taskId(m), lane);
      }
      for (const m of members) {
        const next = model.steps.get(m)?.step.next;
        inner.flow(taskId(m), next === unit.key || next === undefined ? merge : taskId(next));
      }
      let decided: string | undefined;
      (step.decision?.branches ?? []).forEach((br, index) => {
        const props = {
          name: br.label,
          priority: index,
          ...(br.when !== undefined ? { condition: conditionOf(br.when, untranslated, zeroOf) } : {}),
          ...(br.otherwise ? { isDefault: true } : {}),
        };
        if (br.next === "continue") {
          decided ??= inner.add({ id: `${id}_Decided`, kind: "endEvent", name: "Decided", lane });
          inner.flow(decide, decided, props);
        } else if (br.next === "hold" || br.next === "end") {
          const error = { id: `Error_${base}_${index + 1}`, name: br.label, code: `${br.next}:${unit.key}:${index + 1}` };
          errors.push(error);
          const stopName = br.next === "hold" ? `On hold: ${br.label}` : `Ends: ${br.label}`;
          const thrown = inner.add({ id: `${id}_Stop_${index + 1}`, kind: "endEvent", name: stopName, lane, error });
          inner.flow(decide, thrown, props);
          const caught = b.add({ id: `Stops_${base}_${index + 1}`, kind: "boundaryEvent", name: br.label, lane, error, attachedTo: id });
          const stop = b.add({
            id: `${br.next === "hold" ? "Hold" : "End"}_${base}_${index + 1}`,
            kind: "endEvent",
            name: stopName,
            ...(scope ? {} : { end: "terminate" as const }),
            lane,
          });
          b.flow(caught, stop);
        } else inner.flow(decide, br.next === unit.key ? merge : taskId(br.next), props);
      });
      return b.add({
        id,
        kind: "subProcess",
        name: step.title,
        documentation: `${stepDocumentation(step, roleTitle)}\nDecided here, going round ${members.join(", ")} until a branch carries on.`,
        lane,
        children: { nodes: [...inner.nodes.values()], flows: [...inner.flows].sort((x, y) => x.priority - y.priority) },
      });
    }

    function addDeadline(builder: ProcessBuilder, step: Step, task: string, lane: string): void {
      if (!step.due) return;
      const base = safeId(step.id);
      const rules = overdueRules(step.id);
      const escalate = rules.find((r) => r.actions.some((a) => a.escalate));
      const escalation = escalate
        ? (escalations.get(escalate.id) ??
          (() => {
            const e = { id: `Escalation_${safeId(escalate.id)}`, name: escalate.title, code: escalate.id };
            escalations.set(escalate.id, e);
            return e;
          })())
        : undefined;
      const timer = timerFor(step.due, safeId(step.id));
      const boundary = builder.add({
        id: `Due_${base}`,
        kind: "boundaryEvent",
        name: `Due ${step.due.text}`,
        documentation: timer.note,
        lane,
        timer,
        attachedTo: task,
      });
      const overdue = builder.add({
        id: `Overdue_${base}`,
        kind: "endEvent",
        name: rules.length > 0 ? rules.map((r) => r.title).join("; ") : "Overdue",
        documentation: rules.map(ruleText).join("\n") || "The step is overdue: Onboard flags it.",
        lane,
        ...(escalation ? { end: { escalation } } : {}),
      });
      builder.flow(boundary, overdue);
    }

    // Phase 2: where each unit is entered from.
    const roots = [...units.values()].filter((u) => !u.onDemand && (deps.get(u.key) ?? []).length === 0);
    let startExit = start;
    if (roots.length >= 2) {
      startExit = b.add({ id: `${processId}_Fork`, kind: "parallelGateway", lane: first?.lane ?? "" });
      b.flow(start, startExit);
    }
    for (const unit of units.values()) {
      const exit = exits.get(unit.key) ?? "";
      const list = inflows.get(unit.key) ?? [];
      if (!unit.onDemand) {
        const unitDeps = deps.get(unit.key) ?? [];
        if (unitDeps.length === 0) list.unshift({ source: startExit, priority: 0, jump: false });
        for (const dep of unitDeps) list.unshift({ source: exits.get(dep) ?? "", priority: 0, jump: false });
        if ((successors.get(unit.key) ?? []).length === 0) b.flow(exit, endEvent());
      } else {
        const next = unit.step?.next;
        const target = next === undefined ? undefined : inScope(next);
        const detourOf = [...units.values()].flatMap((u) =>
          branchesOf(u).flatMap((br) => {
            const i = (br.detour ?? []).indexOf(unit.key);
            return i < 0 ? [] : [{ decider: u.key, after: (br.detour ?? [])[i + 1] }];
          }),
        );
        if (target !== undefined) inflows.get(target)?.push({ source: exit, priority: 0, jump: true });
        else if (detourOf[0]) {
          const after = detourOf[0].after;
          if (after !== undefined) inflows.get(after)?.push({ source: exit, priority: 0, jump: true });
          else b.flow(exit, dones.get(detourOf[0].decider) ?? endEvent());
        } else b.flow(exit, endEvent());
      }
    }
    for (const unit of units.values()) {
      const entry = entries.get(unit.key) ?? "";
      const base = safeId(unit.key);
      const list = inflows.get(unit.key) ?? [];
      const normal = list.filter((f) => !f.jump);
      const jumps = list.filter((f) => f.jump);
      let into = entry;
      if (jumps.length > 0 && list.length >= 2) {
        into = b.add({ id: `Merge_${base}`, kind: "exclusiveGateway", lane: unit.lane });
        b.flow(into, entry);
      }
      const routeNormal = (target: string) => {
        if (normal.length >= 2) {
          const join = b.add({ id: `Join_${base}`, kind: "parallelGateway", lane: unit.lane });
          for (const f of normal) b.flow(f.source, join, f);
          b.flow(join, target);
        } else for (const f of normal) b.flow(f.source, target, f);
      };
      routeNormal(into);
      for (const f of jumps) b.flow(f.source, into, f);
    }

    const used = new Set([...b.nodes.values()].map((n) => n.lane));
    const lanes = Object.entries(playbook.roles)
      .filter(([id]) => used.has(id))
      .map(([role, r]) => ({ role, title: r.title }));
    processes.push({
      id: processId,
      name: scope ? `${scope.title} (procedure ${scope.procedure})` : playbook.document.title,
      executable: scope === undefined,
      ...(scope ? { documentation: callDocumentation(scope) } : {}),
      lanes,
      nodes: [...b.nodes.values()],
      flows: [...b.flows].sort((x, y) => x.priority - y.priority),
    });
  };

  buildScope(undefined);
  for (const call of calls) buildScope(call);
  processes.push(...automationProcesses(model, roleTitle));
  return { processes, escalations: [...escalations.values()], errors, untranslated };
}

const ZERO: Readonly<Record<string, string>> = { bool: "false", int: "0", double: "0", string: '""' };

/** Form answers and parameters not given read as their type's zero value in Onboard; the same here. */
function zeroValues(playbook: PlaybookModel["playbook"]): ZeroOf {
  return (path) => {
    const [root, id, field, ...rest] = path;
    if (rest.length > 0 || id === undefined) return undefined;
    if (root === "forms" && field !== undefined) {
      const spec = playbook.forms[id]?.fields[field];
      if (!spec) return undefined;
      const type = celTypeOf(spec.type);
      return ZERO[type] ?? (type.startsWith("list") ? "[]" : undefined);
    }
    if (root === "params" && field === undefined) {
      const param = playbook.parameters[id];
      if (!param) return undefined;
      return param.type === "integer" || param.type === "number" ? "0" : '""';
    }
    return undefined;
  };
}

/**
 * When a step runs at all: its own condition (unless its call already asks it) and, for a step
 * repeated per item, a non-empty list (Onboard leaves a step with no items out).
 */
function applicability(step: Step | undefined, asked: string | undefined): string | undefined {
  if (!step) return undefined;
  const parts = [
    ...(step.when !== undefined && step.when !== asked ? [step.when] : []),
    ...(step.repeat ? [`size(${step.repeat.for_each}) > 0`] : []),
  ];
  if (parts.length <= 1) return parts[0];
  return parts.map((p) => `(${p})`).join(" && ");
}
