// Boundary events. A timer on a task is the task's deadline (due:) and an escalation rule on
// step.overdue that opens the first task of the timer's path (an on-demand step; the later tasks of
// the path become its instructions), or notifies the owner when the path has no task. Every other
// boundary event (error, message, escalation ...) is listed with what to write instead.
import { body, eventDefinition, type ImportContext, type Json, typeName } from "./context.ts";
import { oneLine } from "./owners.ts";
import { timerDurationWords } from "./time.ts";

export interface BoundaryTimers {
  /** Deadlines by step id. */
  readonly due: ReadonlyMap<string, string>;
  readonly rules: readonly Json[];
  /** The first task of each timer's path (node id), with the later ones as instructions. */
  readonly onDemand: ReadonlyMap<string, { readonly instructions: readonly string[] }>;
}

function timerText(definition: { readonly [key: string]: unknown }): string {
  return body(definition.timeDuration) ?? body(definition.timeDate) ?? body(definition.timeCycle) ?? "";
}

export function boundaryTimers(ctx: ImportContext): BoundaryTimers {
  const { graph } = ctx;
  const due = new Map<string, string>();
  const rules: Json[] = [];
  const onDemand = new Map<string, { readonly instructions: readonly string[] }>();
  const nameOf = (id: string) => oneLine(graph.nodes.get(id)?.element.name) || id;
  for (const node of graph.nodes.values()) {
    if (node.kind !== "boundary") continue;
    const event = node.element;
    const attached = (event.attachedToRef as { id?: string } | undefined)?.id ?? "";
    const target = graph.nodes.get(attached);
    const definition = eventDefinition(event);
    const path = graph.order.filter((id) => graph.boundaryOnly.has(id) && ctx.isStep(id) && ctx.leadsTo(event.id ?? "", id));
    if (definition?.$type !== "bpmn:TimerEventDefinition" || target === undefined || target.kind !== "task") {
      const what = definition ? typeName(definition).replace(/EventDefinition$/, "") : "plain";
      const named = oneLine(event.name) ? ` ("${oneLine(event.name)}")` : "";
      ctx.find(
        event,
        "warning",
        `${what} boundary event on ${attached || "an activity"}${named} is not translated; write an exception rule (rules:) for it`,
      );
      for (const id of path)
        ctx.find(graph.nodes.get(id)?.element, "warning", `"${nameOf(id)}" is only reached from that boundary event and was left out`);
      continue;
    }
    const stepId = ctx.stepId(attached);
    const duration = timerDurationWords(body(definition.timeDuration) ?? "");
    if (duration === undefined) {
      ctx.find(
        event,
        "warning",
        `the boundary timer ${timerText(definition)} is not a duration; write the deadline of "${stepId}" yourself`,
      );
      continue;
    }
    if (!due.has(stepId)) due.set(stepId, duration);
    const [first, ...later] = path;
    const actions: Json[] = [];
    if (first !== undefined) {
      onDemand.set(first, { instructions: later.map((id) => `Then: ${nameOf(id)}`) });
      for (const id of later)
        ctx.find(
          graph.nodes.get(id)?.element,
          "info",
          `"${nameOf(id)}" follows the boundary timer's first task and is written as its instruction`,
        );
      actions.push({ activate: { step: ctx.stepId(first) } });
    } else {
      const message = `${oneLine(event.name) || "Deadline passed"}: ${oneLine(target.element.name) || stepId} is overdue`;
      actions.push({ notify: { to: [ctx.ownerFor(target)], message } });
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
  return { due, rules, onDemand };
}
