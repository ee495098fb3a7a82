// What has no place in a playbook's flow, said with its line: elements the graph left out, nodes
// not connected to the flow, start/catch/throw events of kinds the playbook does not model.
import { eventDefinition, type ImportContext, typeName } from "./context.ts";
import { oneLine } from "./owners.ts";
import type { Element } from "./source.ts";

function named(element: Element): string {
  return oneLine(element.name) ? ` "${oneLine(element.name)}"` : "";
}

function kindOf(definition: Element | undefined, none: string): string {
  return definition ? typeName(definition).replace(/EventDefinition$/, "") : none;
}

export function reportLeftovers(ctx: ImportContext): void {
  const { graph } = ctx;
  for (const element of graph.skipped)
    ctx.find(element, "warning", `${typeName(element)}${named(element)} is not translated; add what it does by hand`);
  const ordered = new Set(graph.order);
  for (const node of graph.nodes.values()) {
    const element = node.element;
    if (!ordered.has(element.id ?? "") && node.kind !== "boundary")
      ctx.find(element, "warning", `"${oneLine(element.name) || element.id}" is not connected to the flow and was left out`);
    if (node.kind !== "pass") continue;
    const definition = eventDefinition(element);
    const type = element.$type;
    if (type === "bpmn:StartEvent" && definition && node.subprocess === undefined)
      ctx.find(
        element,
        "info",
        `the process starts on a ${kindOf(definition, "")} event; an Onboard project starts when a deal is won (or by a rule)`,
      );
    if (type === "bpmn:IntermediateCatchEvent" && definition?.$type !== "bpmn:TimerEventDefinition")
      ctx.find(
        element,
        "warning",
        `the flow waits here for ${kindOf(definition, "an event")}${named(element)}; the next step opens without waiting: add a step or a gate for it`,
      );
    if (type === "bpmn:IntermediateThrowEvent" || (type === "bpmn:EndEvent" && definition))
      ctx.find(
        element,
        "info",
        `the ${kindOf(definition, "none")} event${named(element)} is not translated; a rule with notify: or email: can say it`,
      );
    if (type === "bpmn:ComplexGateway") ctx.find(element, "warning", "a complex gateway is read as waiting for every branch before it");
  }
}
