// From a BPMN process graph to a draft playbook (a plain object in the playbook's key order), with a
// comment for every guess and a finding for every element that has no translation.
import type { ImportFinding } from "../draft.ts";
import { type Dialect, translateCondition, type VariableType } from "./conditions.ts";
import type { Edge, FlowNode, ProcessGraph } from "./graph.ts";
import { AUTOMATION, oneLine, ownerOf, PROCESS_OWNER, type RoleGuess, slug } from "./owners.ts";
import { type BpmnDialect, BpmnImportError, type Element } from "./source.ts";
import { dueDateWords, isoDurationWords } from "./time.ts";

type Json = { [key: string]: unknown };

export interface BuildInput {
  readonly process: Element;
  readonly graph: ProcessGraph;
  readonly dialect: BpmnDialect;
  readonly lineOf: (id: string | undefined) => number;
  readonly fileName: string;
  readonly today: string;
}

export interface BuiltDraft {
  readonly playbook: Json;
  /** Comments to write above a node of the YAML, by its path. */
  readonly comments: ReadonlyArray<{ readonly path: readonly (string | number)[]; readonly text: string }>;
  readonly findings: readonly ImportFinding[];
}

/** One piece of a step's condition: the branch of a decision that leads to it. */
interface Literal {
  readonly key: string;
  readonly gateway?: string;
  readonly cel: string;
}

interface Branch {
  readonly edge: Edge;
  readonly label: string;
  readonly when?: string;
  readonly otherwise?: true;
  readonly next: string;
}

function typeName(element: Element): string {
  const bare = element.$type.replace(/^bpmn:/, "");
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

function documentation(element: Element): string | undefined {
  const text = ((element.documentation as Element[] | undefined) ?? [])
    .map((d) => String(d.text ?? "").trim())
    .filter((t) => t !== "")
    .join("\n\n");
  return text === "" ? undefined : text;
}

function eventDefinition(element: Element): Element | undefined {
  return ((element.eventDefinitions as Element[] | undefined) ?? [])[0];
}

function body(expression: unknown): string | undefined {
  const text = (expression as Element | undefined)?.body;
  return typeof text === "string" && text.trim() !== "" ? text.trim() : undefined;
}

/** Merge the conditions of several ways into a node: what they share, or each way's own. */
function merge(paths: readonly (readonly Literal[])[], graph: ProcessGraph): Literal[] {
  if (paths.length === 0) return [];
  if (paths.some((p) => p.length === 0)) return [];
  const first = paths[0] ?? [];
  let common = 0;
  while (common < first.length && paths.every((p) => p[common]?.key === first[common]?.key)) common++;
  const prefix = first.slice(0, common);
  const tails = paths.map((p) => p.slice(common));
  if (tails.every((t) => t.length === 0)) return prefix;
  // Every branch of one gateway comes back together here: the way no longer depends on it.
  const gateway = tails[0]?.[0]?.gateway;
  if (gateway !== undefined && tails.every((t) => t.length === 1 && t[0]?.gateway === gateway)) {
    const branches = (graph.outgoing.get(gateway) ?? []).filter((e) => !graph.backEdges.has(e)).length;
    if (new Set(tails.map((t) => t[0]?.key)).size >= branches) return prefix;
  }
  const either = [...new Set(tails.map((t) => t.map((l) => (tails.length > 1 && t.length > 1 ? `(${l.cel})` : l.cel)).join(" && ")))];
  return [
    ...prefix,
    { key: `any(${tails.map((t) => t.map((l) => l.key).join("&")).join("|")})`, cel: either.map((c) => `(${c})`).join(" || ") },
  ];
}

export function buildDraft(input: BuildInput): BuiltDraft {
  const { process, graph, dialect, lineOf } = input;
  const findings: ImportFinding[] = [];
  const comments: Array<{ path: (string | number)[]; text: string }> = [];
  const find = (element: Element | undefined, severity: ImportFinding["severity"], message: string) =>
    findings.push({ line: lineOf(element?.id), ...(element?.id ? { element: element.id } : {}), severity, message });
  const conditionDialect: Dialect | undefined = dialect === "camunda8" ? "feel" : dialect === "camunda7" ? "juel" : undefined;

  // Lanes: which lane each node is drawn in (nested lanes: the innermost).
  const laneOf = new Map<string, Element>();
  const walkLanes = (lanes: Element[]): void => {
    for (const lane of lanes) {
      for (const node of (lane.flowNodeRef as Element[] | undefined) ?? []) laneOf.set(node.id ?? "", lane);
      walkLanes(((lane.childLaneSet as Element | undefined)?.lanes as Element[] | undefined) ?? []);
    }
  };
  for (const set of (process.laneSets as Element[] | undefined) ?? []) walkLanes((set.lanes as Element[] | undefined) ?? []);

  // Step ids: readable, unique, from names.
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const idFor = (node: FlowNode): string => {
    const known = ids.get(node.element.id ?? "");
    if (known) return known;
    const base = slug(oneLine(node.element.name)) || slug(node.element.id ?? "") || "step";
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(node.element.id ?? "", id);
    return id;
  };

  const roles = new Map<string, RoleGuess>();
  const ownerFor = (node: FlowNode): string => {
    // A subprocess's inside is drawn in the subprocess's lane.
    const lane = laneOf.get(node.element.id ?? "") ?? laneOf.get(node.subprocess?.id ?? "");
    const { role, problems } = ownerOf(node.element, dialect, lane);
    for (const p of problems) find(node.element, "warning", p.message);
    if (!roles.has(role.id)) roles.set(role.id, role);
    return role.id;
  };

  const isStep = (id: string) => {
    const kind = graph.nodes.get(id)?.kind;
    return kind === "task" || kind === "call" || kind === "decision";
  };
  // Only the main flow counts as what a step waits for: a boundary event's path is a side way.
  const reached = new Set(graph.order.filter((id) => !graph.boundaryOnly.has(id)));
  const forward = (id: string) => (graph.incoming.get(id) ?? []).filter((e) => !graph.backEdges.has(e) && reached.has(e.from));

  // The steps a node waits for: its nearest step predecessors, through gateways and events.
  const predCache = new Map<string, string[]>();
  const predsOf = (id: string): string[] => {
    const cached = predCache.get(id);
    if (cached) return cached;
    predCache.set(id, []);
    const found = new Set<string>();
    for (const edge of forward(id)) {
      if (graph.nodes.get(edge.from)?.kind === "boundary") continue;
      if (isStep(edge.from)) found.add(edge.from);
      else for (const p of predsOf(edge.from)) found.add(p);
    }
    const result = [...found];
    predCache.set(id, result);
    return result;
  };

  // The first steps a flow reaches going forward (where a branch leads).
  const stepsAhead = (id: string, seen = new Set<string>()): string[] => {
    if (seen.has(id)) return [];
    seen.add(id);
    if (isStep(id)) return [id];
    return (graph.outgoing.get(id) ?? []).flatMap((e) => stepsAhead(e.to, seen));
  };

  const mainSteps = graph.order.filter((id) => isStep(id) && !graph.boundaryOnly.has(id));
  for (const id of mainSteps) idFor(graph.nodes.get(id) as FlowNode);

  // Rework loops ("not accepted → revise → back to the start"): a task that a decision's branch leads
  // to and whose only way on goes back becomes an on-demand step that returns there (next:).
  const loopSteps = new Map<string, string>();
  for (const edge of graph.backEdges) {
    const from = graph.nodes.get(edge.from);
    if (from?.kind === "decision") continue;
    const target = stepsAhead(edge.to)[0];
    const preds = predsOf(edge.from);
    const allBack = (graph.outgoing.get(edge.from) ?? []).every((e) => graph.backEdges.has(e));
    if (from?.kind === "task" && target && preds.length === 1 && graph.nodes.get(preds[0] ?? "")?.kind === "decision" && allBack)
      loopSteps.set(edge.from, target);
    else
      find(
        from?.element,
        "warning",
        `the flow goes back from "${oneLine(from?.element.name) || edge.from}" to "${oneLine(graph.nodes.get(edge.to)?.element.name) || edge.to}"; that loop is not translated: write it as a decision branch to an on_demand step with next:`,
      );
  }

  // Facts and forms the conditions read, with the types their use implies.
  const facts = new Map<string, { type: VariableType; from: string }>();
  const forms = new Map<string, { title: string; fields: Map<string, { label: string; type: string; options?: string[] }> }>();
  const stepForms = new Map<string, string>();

  // Decisions: branches, and the condition each outgoing flow puts on the steps it leads to.
  const branchesOf = new Map<string, Branch[]>();
  const literalOf = new Map<Edge, Literal>();
  const decisionNotes = new Map<string, string[]>();
  for (const id of mainSteps) {
    const node = graph.nodes.get(id) as FlowNode;
    if (node.kind !== "decision") continue;
    const gateway = node.element;
    const stepId = idFor(node);
    const edges = graph.outgoing.get(id) ?? [];
    const inclusive = gateway.$type === "bpmn:InclusiveGateway";
    // Compared as elements: flows need no id.
    const defaultFlow = gateway.default as Element | undefined;
    const labels = new Set<string>();
    const labelFor = (edge: Edge): string => {
      const target = graph.nodes.get(edge.to)?.element;
      const base = oneLine(edge.flow.name) || oneLine(target?.name) || oneLine(edge.flow.id) || "Branch";
      let label = base;
      for (let n = 2; labels.has(label); n++) label = `${base} (${n})`;
      labels.add(label);
      return label;
    };
    const nextOf = (edge: Edge): string => {
      const ahead = stepsAhead(edge.to).filter((s) => !graph.boundaryOnly.has(s));
      const rework = ahead.find((s) => loopSteps.has(s));
      if (rework !== undefined) return idFor(graph.nodes.get(rework) as FlowNode);
      if (graph.backEdges.has(edge)) {
        const target = ahead[0];
        if (!target) return "continue";
        // The engine redoes the step a branch goes back to, not the steps between it and here.
        const between = graph.order.filter(
          (s) => s !== target && s !== id && isStep(s) && reachedFrom(graph, target, s, true) && reachedFrom(graph, s, id, true),
        );
        if (between.length > 0)
          find(
            edge.flow,
            "warning",
            `the flow goes back to "${idFor(graph.nodes.get(target) as FlowNode)}"; a playbook redoes only that step and then takes this branch, not ${between.map((s) => `"${idFor(graph.nodes.get(s) as FlowNode)}"`).join(", ")} between: check the loop (a decision right after the step, or an on-demand step with next:)`,
          );
        return idFor(graph.nodes.get(target) as FlowNode);
      }
      return ahead.length === 0 ? "end" : "continue";
    };
    const loops = edges.some((e) => graph.backEdges.has(e) || stepsAhead(e.to).some((s) => loopSteps.has(s)));
    // Try the written conditions first; any that cannot be translated makes it a recorded choice.
    const notes: string[] = [];
    let reason: string | undefined;
    if (gateway.$type === "bpmn:EventBasedGateway") reason = "an event-based gateway waits for whichever event comes first";
    else if (loops) reason = "a loop decides on what is recorded on the way round";
    const translated = new Map<Edge, ReturnType<typeof translateCondition>>();
    for (const edge of edges) {
      if (edge.flow === defaultFlow) continue;
      const text = body(edge.flow.conditionExpression);
      if (text === undefined) {
        reason ??= `the flow "${oneLine(edge.flow.name) || edge.flow.id}" has no condition`;
        continue;
      }
      const result = conditionDialect
        ? translateCondition(text, conditionDialect)
        : ({ ok: false, reason: "plain BPMN names no expression language" } as const);
      translated.set(edge, result);
      if (!result.ok) {
        find(
          edge.flow,
          "warning",
          `the condition ${text} was not translated (${result.reason}); it is kept as text on the decision "${stepId}"`,
        );
        reason ??= "a condition was not translated";
      }
    }
    // Once a person decides, every written condition is worth keeping beside the choice.
    if (reason !== undefined) {
      notes.length = 0;
      for (const edge of edges) {
        const text = body(edge.flow.conditionExpression);
        if (text !== undefined) notes.push(`${oneLine(edge.flow.name) || edge.flow.id}: ${text}`);
      }
    }
    // Where the variables live: the form of the user task just before the gateway, else client facts.
    const preds = predsOf(id);
    const single = preds.length === 1 ? graph.nodes.get(preds[0] ?? "") : undefined;
    const formStep =
      single?.kind === "task" && ownerOf(single.element, dialect, undefined).role.id !== AUTOMATION.id ? idFor(single) : undefined;
    if (reason === undefined) {
      for (const result of translated.values()) {
        if (!result.ok) continue;
        for (const [name, type] of result.variables) {
          const fact = facts.get(slug(name));
          if (formStep === undefined && fact && fact.type !== type) reason = `"${name}" is read as ${fact.type} elsewhere`;
        }
      }
    }
    const branches: Branch[] = [];
    if (reason === undefined) {
      const resolve = (name: string): string => {
        const field = slug(name) || "value";
        if (formStep !== undefined) return `forms.${formStep}.${field}`;
        return `facts.${field}`;
      };
      const cels: string[] = [];
      for (const edge of edges) {
        if (edge.flow === defaultFlow) continue;
        const result = translated.get(edge);
        if (!result?.ok) continue;
        for (const [name, type] of result.variables) {
          const field = slug(name) || "value";
          if (formStep !== undefined) {
            const form = forms.get(formStep) ?? { title: oneLine(single?.element.name) || formStep, fields: new Map() };
            form.fields.set(field, { label: name, type });
            forms.set(formStep, form);
            stepForms.set(formStep, formStep);
          } else if (!facts.has(field)) facts.set(field, { type, from: `${edge.flow.id}` });
        }
        const cel = result.render(resolve);
        cels.push(cel);
        branches.push({ edge, label: labelFor(edge), when: cel, next: nextOf(edge) });
        literalOf.set(edge, { key: `${id}:${edges.indexOf(edge)}`, gateway: id, cel });
      }
      const fallback = edges.find((e) => e.flow === defaultFlow);
      if (fallback) {
        branches.push({ edge: fallback, label: labelFor(fallback), otherwise: true, next: nextOf(fallback) });
        const none = cels.length === 1 ? `!(${cels[0]})` : `!(${cels.map((c) => `(${c})`).join(" || ")})`;
        literalOf.set(fallback, { key: `${id}:${edges.indexOf(fallback)}`, gateway: id, cel: none });
      }
      if (inclusive)
        find(
          gateway,
          "info",
          `inclusive gateway: the decision "${stepId}" records the first branch that holds; each step keeps its own condition`,
        );
    } else {
      // The person deciding records the way taken; the model's conditions stay beside it as text.
      const field = { label: oneLine(gateway.name) || "Outcome", type: inclusive ? "choices" : "choice", options: [] as string[] };
      for (const edge of edges) {
        const label = labelFor(edge);
        field.options.push(label);
        const cel = inclusive
          ? `${JSON.stringify(label)} in forms.${stepId}.outcome`
          : `forms.${stepId}.outcome == ${JSON.stringify(label)}`;
        branches.push({ edge, label, when: cel, next: nextOf(edge) });
        if (!graph.backEdges.has(edge)) literalOf.set(edge, { key: `${id}:${edges.indexOf(edge)}`, gateway: id, cel });
      }
      forms.set(stepId, { title: oneLine(gateway.name) || `Decision ${stepId}`, fields: new Map([["outcome", field]]) });
      stepForms.set(stepId, stepId);
      find(gateway, "info", `${reason}: the decision "${stepId}" asks its owner to record the way taken (form "${stepId}")`);
    }
    branchesOf.set(id, branches);
    // When every other branch ends the flow or loops back, the steps ahead need no condition.
    const onward = branches.filter((b) => b.next === "continue");
    if (onward.length === 1 && onward[0]) literalOf.delete(onward[0].edge);
    if (notes.length > 0)
      decisionNotes.set(id, [
        `The model's conditions, kept as text (${reason ?? "see the findings"}):`,
        notes.map((n) => `- \`${n}\``).join("\n"),
      ]);
  }

  // The condition under which each step is reached.
  const guardCache = new Map<string, Literal[]>();
  const guardOf = (id: string): Literal[] => {
    const cached = guardCache.get(id);
    if (cached) return cached;
    guardCache.set(id, []);
    const paths = forward(id)
      .filter((e) => graph.nodes.get(e.from)?.kind !== "boundary")
      .map((edge) => {
        const base = guardOf(edge.from);
        const literal = literalOf.get(edge);
        return literal ? [...base, literal] : base;
      });
    const result = merge(paths, graph);
    guardCache.set(id, result);
    return result;
  };

  // Timer events between steps: the step after them opens that long after the one before.
  const opensOf = (id: string): string | undefined => {
    for (const edge of forward(id)) {
      const from = graph.nodes.get(edge.from)?.element;
      if (from?.$type !== "bpmn:IntermediateCatchEvent") continue;
      const definition = eventDefinition(from);
      if (definition?.$type !== "bpmn:TimerEventDefinition") continue;
      const words = isoDurationWords(body(definition.timeDuration) ?? "");
      const before = predsOf(from.id ?? "");
      if (words === undefined || before.length > 1) {
        find(
          from,
          "warning",
          `the timer ${body(definition.timeDuration) ?? body(definition.timeDate) ?? body(definition.timeCycle) ?? ""} was not translated; write the step's opens: yourself`,
        );
        continue;
      }
      const anchor = before[0] ? idFor(graph.nodes.get(before[0]) as FlowNode) : "start";
      return `${words} after ${anchor}`;
    }
    return undefined;
  };

  // Boundary events: timers become deadlines and escalation rules; the rest is left to the author.
  const dueOf = new Map<string, string>();
  const rules: Json[] = [];
  const onDemand = new Map<string, { readonly instructions: string[] }>();
  for (const node of graph.nodes.values()) {
    if (node.kind !== "boundary") continue;
    const event = node.element;
    const attached = (event.attachedToRef as Element | undefined)?.id ?? "";
    const target = graph.nodes.get(attached);
    const definition = eventDefinition(event);
    const path = graph.order.filter((id) => graph.boundaryOnly.has(id) && isStep(id) && reachedFrom(graph, event.id ?? "", id));
    if (definition?.$type !== "bpmn:TimerEventDefinition" || target === undefined || target.kind !== "task") {
      const what = definition ? typeName(definition).replace(/EventDefinition$/, "") : "plain";
      find(
        event,
        "warning",
        `${what} boundary event on ${attached || "an activity"}${oneLine(event.name) ? ` ("${oneLine(event.name)}")` : ""} is not translated; write an exception rule (rules:) for it`,
      );
      for (const id of path)
        find(
          graph.nodes.get(id)?.element,
          "warning",
          `"${oneLine(graph.nodes.get(id)?.element.name) || id}" is only reached from that boundary event and was left out`,
        );
      continue;
    }
    const duration = isoDurationWords(body(definition.timeDuration) ?? "");
    const stepId = idFor(target);
    if (duration === undefined) {
      find(
        event,
        "warning",
        `the boundary timer ${body(definition.timeDuration) ?? body(definition.timeDate) ?? body(definition.timeCycle) ?? ""} is not a duration; write the deadline of "${stepId}" yourself`,
      );
      continue;
    }
    if (!dueOf.has(stepId)) dueOf.set(stepId, duration);
    const first = path[0];
    const owner = ownerFor(target);
    const actions: Json[] = [];
    if (first !== undefined) {
      const firstNode = graph.nodes.get(first) as FlowNode;
      const firstId = idFor(firstNode);
      const later = path.slice(1).map((id) => oneLine(graph.nodes.get(id)?.element.name) || id);
      onDemand.set(first, { instructions: later.map((t) => `Then: ${t}`) });
      for (const id of path.slice(1))
        find(
          graph.nodes.get(id)?.element,
          "info",
          `"${oneLine(graph.nodes.get(id)?.element.name) || id}" follows the boundary timer's first task and is written as its instruction`,
        );
      actions.push({ activate: { step: firstId } });
    } else {
      actions.push({
        notify: {
          to: [owner],
          message: `${oneLine(event.name) || "Deadline passed"}: ${oneLine(target.element.name) || stepId} is overdue`,
        },
      });
    }
    rules.push({
      id: `${stepId}_overdue`.slice(0, 60),
      title: `${oneLine(event.name) || "Deadline"}: ${oneLine(target.element.name) || stepId}`,
      category: "escalation",
      description: `From the ${event.cancelActivity === false ? "non-interrupting" : "interrupting"} boundary timer ${event.id} (${body(definition.timeDuration)}).`,
      on: "step.overdue",
      step: stepId,
      actions,
    });
  }

  // Steps, in flow order, grouped into phases: the process's own, and one per embedded subprocess.
  const phases: Json[] = [];
  const procedures: Json[] = [];
  let current: { key: string; phase: Json; steps: Json[] } | undefined;
  let previous: string | undefined;
  const stepIdsWritten: string[] = [];
  const boundarySteps = graph.order.filter((id) => onDemand.has(id));
  for (const id of [...mainSteps, ...boundarySteps]) {
    const node = graph.nodes.get(id) as FlowNode;
    const element = node.element;
    const key = node.subprocess?.id ?? "";
    if (!current || current.key !== key) {
      const sub = node.subprocess;
      const base = sub ? slug(oneLine(sub.name)) || slug(sub.id ?? "") || "phase" : slug(oneLine(process.name)) || "process";
      let phaseId = base;
      for (let n = 2; phases.some((p) => p.id === phaseId); n++) phaseId = `${base}_${n}`;
      const title = sub ? oneLine(sub.name) || "Subprocess" : oneLine(process.name) || "Process";
      const steps: Json[] = [];
      const phase: Json = { id: phaseId, title: phases.some((p) => p.title === title) ? `${title} (continued)` : title };
      const text = sub ? documentation(sub) : undefined;
      if (text) phase.description = text;
      phase.steps = steps;
      if (sub)
        comments.push({ path: ["phases", phases.length], text: ` From the embedded subprocess ${sub.id} (line ${lineOf(sub.id)}).` });
      phases.push(phase);
      current = { key, phase, steps };
    }
    const stepId = idFor(node);
    const path = ["phases", phases.length - 1, "steps", current.steps.length];
    const boundary = onDemand.get(id);
    const returnsTo = loopSteps.get(id);
    const sideStep = boundary !== undefined || returnsTo !== undefined;
    const preds = sideStep ? [] : predsOf(id).map((p) => idFor(graph.nodes.get(p) as FlowNode));
    const guard = sideStep ? [] : guardOf(id);
    const when =
      guard.length === 0 ? undefined : guard.map((l) => (guard.length > 1 && /\|\||&&/.test(l.cel) ? `(${l.cel})` : l.cel)).join(" && ");
    const opens = sideStep ? undefined : opensOf(id);
    const defaultAfter = opens || sideStep ? [] : previous === undefined ? [] : [previous];
    const afterWritten =
      preds.length !== defaultAfter.length || preds.some((p, i) => p !== defaultAfter[i]) || (opens !== undefined && preds.length > 0);

    if (node.kind === "call") {
      const called =
        (element.calledElement as string | undefined) ??
        ((((element.extensionElements as Element | undefined)?.values as Element[] | undefined) ?? []).find(
          (v) => v.$type === "zeebe:CalledElement",
        )?.processId as string | undefined) ??
        (element.caseRef as string | undefined);
      const procId = slug(called ?? "") || `${stepId}_procedure`;
      if (!procedures.some((p) => p.id === procId)) {
        procedures.push({
          id: procId,
          title: oneLine(element.name) || called || procId,
          description: `Called in the model as ${called ?? "an unnamed process"}; its steps were not imported.`,
          steps: [
            { id: "carry_out", title: `Carry out ${oneLine(element.name) || called || "the called process"}`, owner: ownerFor(node) },
          ],
        });
      }
      const call: Json = { id: stepId, call: procId, title: oneLine(element.name) || procId };
      const text = documentation(element);
      if (text) call.description = text;
      if (afterWritten) call.after = preds;
      if (when) call.when = when;
      current.steps.push(call);
      find(
        element,
        "info",
        `call activity of ${called ?? "an unnamed process"}: a one-step procedure "${procId}" stands in for it; import that model and paste its steps there`,
      );
      comments.push({ path, text: ` From callActivity ${element.id} (line ${lineOf(element.id)}).` });
    } else {
      const step: Json = { id: stepId, title: oneLine(element.name) || stepId };
      const text = [documentation(element), ...(node.kind === "decision" ? (decisionNotes.get(id) ?? []) : [])]
        .filter(Boolean)
        .join("\n\n");
      if (text) step.description = text;
      const owner =
        node.kind === "decision"
          ? ((preds[0] && (phases.flatMap((p) => p.steps as Json[]).find((s) => s.id === preds[0])?.owner as string | undefined)) ??
            ownerFor({ ...node, element: { ...element, $type: "bpmn:UserTask" } }))
          : ownerFor(node);
      step.owner = owner;
      if (afterWritten) step.after = preds;
      if (when) step.when = when;
      if (sideStep) step.on_demand = true;
      if (returnsTo !== undefined) step.next = idFor(graph.nodes.get(returnsTo) as FlowNode);
      if (opens) step.opens = opens;
      const due = dueOf.get(stepId) ?? dueFromTask(element, dialect, (m) => find(element, "warning", m));
      if (due) step.due = due;
      if (boundary && boundary.instructions.length > 0) step.instructions = boundary.instructions;
      const form = stepForms.get(stepId);
      if (form) step.form = form;
      if (node.kind === "decision") {
        step.decision = {
          question: oneLine(element.name) || "Which way does the process go?",
          branches: (branchesOf.get(id) ?? []).map((b) => ({
            label: b.label,
            ...(b.when !== undefined ? { when: b.when } : {}),
            ...(b.otherwise ? { otherwise: true } : {}),
            next: b.next,
          })),
        };
      }
      current.steps.push(step);
      comments.push({ path, text: ` From ${typeName(element)} ${element.id} (line ${lineOf(element.id)})${ownerNote(roles.get(owner))}.` });
      loopsFor(element, find);
    }
    stepIdsWritten.push(stepId);
    if (!sideStep) previous = stepId;
  }

  // What the graph could not place.
  for (const element of graph.skipped)
    find(
      element,
      "warning",
      `${typeName(element)}${oneLine(element.name) ? ` "${oneLine(element.name)}"` : ""} is not translated; add what it does by hand`,
    );
  for (const node of graph.nodes.values()) {
    const id = node.element.id ?? "";
    if (!graph.order.includes(id) && node.kind !== "boundary")
      find(node.element, "warning", `"${oneLine(node.element.name) || id}" is not connected to the flow and was left out`);
    if (node.kind !== "pass") continue;
    const definition = eventDefinition(node.element);
    const type = node.element.$type;
    if (type === "bpmn:StartEvent" && definition && node.subprocess === undefined)
      find(
        node.element,
        "info",
        `the process starts on a ${typeName(definition).replace(/EventDefinition$/, "")} event; an Onboard project starts when a deal is won (or by a rule)`,
      );
    if (type === "bpmn:IntermediateCatchEvent" && definition?.$type !== "bpmn:TimerEventDefinition")
      find(
        node.element,
        "warning",
        `the flow waits here for ${definition ? typeName(definition).replace(/EventDefinition$/, "") : "an event"}${oneLine(node.element.name) ? ` "${oneLine(node.element.name)}"` : ""}; the next step opens without waiting: add a step or a gate for it`,
      );
    if (type === "bpmn:IntermediateThrowEvent" || (type === "bpmn:EndEvent" && definition))
      find(
        node.element,
        "info",
        `the ${definition ? typeName(definition).replace(/EventDefinition$/, "") : "none"} event${oneLine(node.element.name) ? ` "${oneLine(node.element.name)}"` : ""} is not translated; a rule with notify: or email: can say it`,
      );
    if (type === "bpmn:ComplexGateway") find(node.element, "warning", "a complex gateway is read as waiting for every branch before it");
  }

  if (phases.length === 0)
    throw new BpmnImportError(
      `no task of the process "${oneLine(process.name) || process.id}" is reached from its start (only from boundary or event subprocesses); connect the tasks to the start event`,
    );

  // Roles, facts, forms and the document around the steps.
  if (roles.size === 0) roles.set(PROCESS_OWNER.id, PROCESS_OWNER);
  const name = oneLine(process.name) || oneLine(process.id) || "Imported process";
  const year = Number(input.today.slice(0, 4));
  const review = `${year + 1}${input.today.slice(4)}`;
  const playbook: Json = {
    onboard: 1,
    id: slug(oneLine(process.name) || process.id || "") || "imported_process",
    document: {
      id: oneLine(process.id) || "BPMN-IMPORT",
      title: name,
      version: "0.1",
      status: "draft",
      owner: "Process owner",
      effective: input.today,
      review,
    },
    purpose: documentation(process) ?? `${name}, drawn in the BPMN model ${input.fileName}. Say here why the procedure exists.`,
    scope: { applies_to: [`Every case of ${name}`] },
  };
  comments.push({
    path: ["document"],
    text: ` Imported from ${input.fileName} (${dialectName(dialect)}); the dates, owner and version are placeholders.`,
  });
  comments.push({ path: ["purpose"], text: " Guessed: the model says what is done, not why. Write the purpose and scope." });
  if (facts.size > 0) {
    playbook.facts = Object.fromEntries(
      [...facts].map(([id, f]) => [id, { type: f.type, label: id.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()) }]),
    );
    comments.push({
      path: ["facts"],
      text: " Guessed: process variables the conditions read. If someone records one during the project, move it to a form of that step.",
    });
  }
  playbook.roles = Object.fromEntries([...roles.values()].map((r) => [r.id, { title: r.title, side: r.side }]));
  comments.push({ path: ["roles"], text: ` Guessed from ${[...new Set([...roles.values()].map((r) => r.from))].join(", ")}.` });
  if (forms.size > 0) {
    playbook.forms = Object.fromEntries(
      [...forms].map(([id, form]) => [
        id,
        {
          title: form.title,
          fields: Object.fromEntries(
            [...form.fields].map(([fid, f]) => [
              fid,
              { label: f.label, type: f.type, required: true, ...(f.options ? { options: f.options } : {}) },
            ]),
          ),
        },
      ]),
    );
    comments.push({
      path: ["forms"],
      text: " What the decisions read: the variables of the task before each gateway, or the way its owner chose.",
    });
  }
  if (procedures.length > 0) playbook.procedures = procedures;
  playbook.phases = phases;
  if (rules.length > 0) {
    playbook.rules = rules;
    comments.push({ path: ["rules"], text: " From boundary timers: the timer is the step's deadline (due:), its path the escalation." });
  }
  return { playbook, comments, findings };
}

function reachedFrom(graph: ProcessGraph, from: string, to: string, forwardOnly = false): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const id = queue.pop() ?? "";
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of graph.outgoing.get(id) ?? []) if (!forwardOnly || !graph.backEdges.has(edge)) queue.push(edge.to);
  }
  return false;
}

function ownerNote(role: RoleGuess | undefined): string {
  return role ? `; owner from ${role.from}` : "";
}

function dialectName(dialect: BpmnDialect): string {
  return dialect === "camunda7" ? "Camunda 7" : dialect === "camunda8" ? "Camunda 8" : "BPMN 2.0";
}

/** camunda:dueDate or zeebe:taskSchedule's dueDate as a deadline, counted from when the step opens. */
function dueFromTask(task: Element, dialect: BpmnDialect, warn: (message: string) => void): string | undefined {
  let text: string | undefined;
  if (dialect === "camunda7") text = task.dueDate as string | undefined;
  if (dialect === "camunda8") {
    const values = ((task.extensionElements as Element | undefined)?.values as Element[] | undefined) ?? [];
    text = values.find((v) => v.$type === "zeebe:TaskSchedule")?.dueDate as string | undefined;
  }
  if (text === undefined || text.trim() === "") return undefined;
  const words = dueDateWords(text);
  if (words === undefined) warn(`the due date ${text} was not translated; write the step's due: ("2 business days", "Day 10")`);
  return words;
}

function loopsFor(element: Element, find: (e: Element, s: ImportFinding["severity"], m: string) => void): void {
  const loop = element.loopCharacteristics as Element | undefined;
  if (loop?.$type === "bpmn:MultiInstanceLoopCharacteristics")
    find(
      element,
      "warning",
      "multi-instance activity: write repeat: { for_each: <a list fact or form field> } to do the step once per item",
    );
  else if (loop) find(element, "warning", "looping activity: write the repetition as a decision that goes back to the step");
}
