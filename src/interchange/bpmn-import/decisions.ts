// Gateways that choose a way become decision steps. Their conditions are translated to CEL when
// they are simple FEEL or JUEL (reading the form of the task just before the gateway, else client
// facts); otherwise the person deciding records the way taken in a choice form, and the model's
// conditions are kept beside it as text. Each branch also puts its condition on the steps it leads to.
import { type Dialect, translateCondition, type VariableType } from "./conditions.ts";
import { body, type ImportContext } from "./context.ts";
import type { Edge } from "./graph.ts";
import type { Literal } from "./guards.ts";
import { oneLine, slug } from "./owners.ts";
import type { Element } from "./source.ts";

export interface Branch {
  readonly edge: Edge;
  readonly label: string;
  readonly when?: string;
  readonly otherwise?: true;
  readonly next: string;
}

export interface DraftForm {
  readonly title: string;
  readonly fields: Map<string, { label: string; type: string; options?: string[] }>;
}

export interface Decisions {
  /** By gateway node id. */
  readonly branches: ReadonlyMap<string, readonly Branch[]>;
  /** The condition each outgoing flow puts on the steps it leads to. */
  readonly literals: ReadonlyMap<Edge, Literal>;
  /** Text for the decision step's description: the conditions kept as text. */
  readonly notes: ReadonlyMap<string, readonly string[]>;
  readonly facts: ReadonlyMap<string, VariableType>;
  /** By form id (the step id it belongs to). */
  readonly forms: ReadonlyMap<string, DraftForm>;
}

function conditionText(edge: Edge): string | undefined {
  return body(edge.flow.conditionExpression);
}

function flowName(edge: Edge): string {
  return oneLine(edge.flow.name) || edge.flow.id || "a flow";
}

export function translateDecisions(ctx: ImportContext, rework: ReadonlyMap<string, string>): Decisions {
  const { graph } = ctx;
  const dialect: Dialect | undefined = ctx.input.dialect === "camunda8" ? "feel" : ctx.input.dialect === "camunda7" ? "juel" : undefined;
  const branchesOf = new Map<string, Branch[]>();
  const literals = new Map<Edge, Literal>();
  const notesOf = new Map<string, string[]>();
  const facts = new Map<string, VariableType>();
  const forms = new Map<string, DraftForm>();

  for (const id of ctx.mainSteps()) {
    const node = ctx.node(id);
    if (node.kind !== "decision") continue;
    const gateway = node.element;
    const stepId = ctx.stepId(id);
    const edges = graph.outgoing.get(id) ?? [];
    const inclusive = gateway.$type === "bpmn:InclusiveGateway";
    // Compared as elements: flows need no id.
    const defaultFlow = gateway.default as Element | undefined;
    const labels = new Set<string>();
    const labelFor = (edge: Edge): string => {
      const base = oneLine(edge.flow.name) || oneLine(graph.nodes.get(edge.to)?.element.name) || oneLine(edge.flow.id) || "Branch";
      let label = base;
      for (let n = 2; labels.has(label); n++) label = `${base} (${n})`;
      labels.add(label);
      return label;
    };
    const nextOf = (edge: Edge): string => {
      const ahead = ctx.stepsAhead(edge.to).filter((s) => !graph.boundaryOnly.has(s));
      const redo = ahead.find((s) => rework.has(s));
      if (redo !== undefined) return ctx.stepId(redo);
      if (!graph.backEdges.has(edge)) return ahead.length === 0 ? "end" : "continue";
      const target = ahead[0];
      if (!target) return "continue";
      // The engine redoes the step a branch goes back to, not the steps between it and here.
      const between = graph.order.filter(
        (s) => s !== target && s !== id && ctx.isStep(s) && ctx.leadsTo(target, s, true) && ctx.leadsTo(s, id, true),
      );
      if (between.length > 0)
        ctx.find(
          edge.flow,
          "warning",
          `the flow goes back to "${ctx.stepId(target)}"; a playbook redoes only that step and then takes this branch, not ${between.map((s) => `"${ctx.stepId(s)}"`).join(", ")} between: check the loop (a decision right after the step, or an on-demand step with next:)`,
        );
      return ctx.stepId(target);
    };

    // Why the person deciding records the way instead of a condition, if they must.
    let reason: string | undefined;
    if (gateway.$type === "bpmn:EventBasedGateway") reason = "an event-based gateway waits for whichever event comes first";
    else if (edges.some((e) => graph.backEdges.has(e) || ctx.stepsAhead(e.to).some((s) => rework.has(s))))
      reason = "a loop decides on what is recorded on the way round";
    const translated = new Map<Edge, ReturnType<typeof translateCondition>>();
    for (const edge of edges) {
      if (edge.flow === defaultFlow) continue;
      const text = conditionText(edge);
      if (text === undefined) {
        reason ??= `the flow "${flowName(edge)}" has no condition`;
        continue;
      }
      const result = dialect
        ? translateCondition(text, dialect)
        : ({ ok: false, reason: "plain BPMN names no expression language" } as const);
      translated.set(edge, result);
      if (!result.ok) {
        ctx.find(
          edge.flow,
          "warning",
          `the condition ${text} was not translated (${result.reason}); it is kept as text on the decision "${stepId}"`,
        );
        reason ??= "a condition was not translated";
      }
    }
    // Where the variables live: the form of the task just before the gateway (a person's answers,
    // or what an automated task, a DMN decision say, records through the API), else client facts:
    // a variable the process produces on the way is not known when the project starts.
    const preds = ctx.predsOf(id);
    const single = preds.length === 1 ? graph.nodes.get(preds[0] ?? "") : undefined;
    const formStep = single?.kind === "task" ? ctx.stepId(preds[0] ?? "") : undefined;
    if (reason === undefined && formStep === undefined) {
      for (const result of translated.values()) {
        if (!result.ok) continue;
        for (const [name, type] of result.variables) {
          const known = facts.get(slug(name));
          if (known && known !== type) reason = `"${name}" is read as ${known} elsewhere`;
        }
      }
    }

    const branches: Branch[] = [];
    const literal = (edge: Edge, cel: string) => literals.set(edge, { key: `${id}:${edges.indexOf(edge)}`, gateway: id, cel });
    if (reason === undefined) {
      const resolve = (name: string): string =>
        formStep !== undefined ? `forms.${formStep}.${slug(name) || "value"}` : `facts.${slug(name) || "value"}`;
      const cels: string[] = [];
      for (const edge of edges) {
        const result = translated.get(edge);
        if (edge.flow === defaultFlow || !result?.ok) continue;
        for (const [name, type] of result.variables) {
          const field = slug(name) || "value";
          if (formStep !== undefined) {
            const form = forms.get(formStep) ?? { title: oneLine(single?.element.name) || formStep, fields: new Map() };
            form.fields.set(field, { label: name, type });
            forms.set(formStep, form);
          } else if (!facts.has(field)) facts.set(field, type);
        }
        const cel = result.render(resolve);
        cels.push(cel);
        branches.push({ edge, label: labelFor(edge), when: cel, next: nextOf(edge) });
        literal(edge, cel);
      }
      const fallback = edges.find((e) => e.flow === defaultFlow);
      if (fallback) {
        branches.push({ edge: fallback, label: labelFor(fallback), otherwise: true, next: nextOf(fallback) });
        literal(fallback, cels.length === 1 ? `!(${cels[0]})` : `!(${cels.map((c) => `(${c})`).join(" || ")})`);
      }
      if (inclusive)
        ctx.find(
          gateway,
          "info",
          `inclusive gateway: the decision "${stepId}" records the first branch that holds; each step keeps its own condition`,
        );
    } else {
      const field = { label: oneLine(gateway.name) || "Outcome", type: inclusive ? "choices" : "choice", options: [] as string[] };
      for (const edge of edges) {
        const label = labelFor(edge);
        field.options.push(label);
        const cel = inclusive
          ? `${JSON.stringify(label)} in forms.${stepId}.outcome`
          : `forms.${stepId}.outcome == ${JSON.stringify(label)}`;
        branches.push({ edge, label, when: cel, next: nextOf(edge) });
        if (!graph.backEdges.has(edge)) literal(edge, cel);
      }
      forms.set(stepId, { title: oneLine(gateway.name) || `Decision ${stepId}`, fields: new Map([["outcome", field]]) });
      ctx.find(gateway, "info", `${reason}: the decision "${stepId}" asks its owner to record the way taken (form "${stepId}")`);
      // Every written condition is kept beside the choice.
      const kept = edges.flatMap((e) => (conditionText(e) === undefined ? [] : [`- \`${flowName(e)}: ${conditionText(e)}\``]));
      if (kept.length > 0) notesOf.set(id, [`The model's conditions, kept as text (${reason}):`, kept.join("\n")]);
    }
    branchesOf.set(id, branches);
    // When every other branch ends the flow or loops back, the steps ahead need no condition.
    const onward = branches.filter((b) => b.next === "continue");
    if (onward.length === 1 && onward[0]) literals.delete(onward[0].edge);
  }
  return { branches: branchesOf, literals, notes: notesOf, facts, forms };
}
