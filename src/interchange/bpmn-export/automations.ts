// Automations that open on-demand steps (on a gate's rejection, an issue, a change request): each a
// process of its own, started by its event as a message.
import type { PlaybookModel, StepEntry } from "../../playbook/model.ts";
import type { Rule } from "../../playbook/schema.ts";
import { stepDocumentation } from "./documentation.ts";
import { ProcessBuilder, type ProcessGraph, safeId } from "./elements.ts";

export function ruleText(rule: Rule): string {
  const actions = rule.actions.map((a) => Object.keys(a).filter((k) => k !== "when")[0] ?? "").join(", ");
  return [
    `${rule.title} (${rule.category}, on ${rule.on}${rule.step ? ` of ${rule.step}` : ""})`,
    ...(rule.when ? [`when ${rule.when}`] : []),
    ...(rule.after ? [`after ${rule.after.text}`] : []),
    ...(rule.repeat_every ? [`repeated every ${rule.repeat_every.text}`] : []),
    `does: ${actions}`,
  ].join("; ");
}

/**
 * An automation that opens on-demand steps (on a gate's rejection, an issue, a change request) is a
 * process of its own, started by the event as a message: its steps cannot be reached by a sequence
 * flow of the main process, since the event may come at any time.
 */
export function automationProcesses(model: PlaybookModel, roleTitle: (id: string) => string): ProcessGraph[] {
  const result: ProcessGraph[] = [];
  for (const rule of model.playbook.rules) {
    const steps = rule.actions
      .map((a) => a.activate?.step)
      .map((id) => (id === undefined ? undefined : model.steps.get(id)))
      .filter((e): e is StepEntry => e !== undefined);
    if (steps.length === 0) continue;
    const processId = `Automation_${safeId(rule.id)}`;
    const b = new ProcessBuilder(processId);
    const lane = steps[0]?.step.owner ?? "";
    let previous = b.add({
      id: `${processId}_Start`,
      kind: "startEvent",
      name: `${rule.on}${rule.step ? ` (${rule.step})` : ""}`,
      lane,
      message: { id: `Message_${safeId(rule.id)}`, name: rule.on },
      documentation: ruleText(rule),
    });
    for (const { step } of steps) {
      const task = b.add({
        id: `${processId}_${safeId(step.id)}`,
        kind: "userTask",
        name: step.title,
        documentation: stepDocumentation(step, roleTitle) + (step.next ? `\nThen back to ${step.next}.` : ""),
        lane: step.owner,
        step: step.id,
      });
      b.flow(previous, task);
      previous = task;
    }
    const end = b.add({ id: `${processId}_End`, kind: "endEvent", name: "Done", lane: steps.at(-1)?.step.owner ?? lane });
    b.flow(previous, end);
    const used = new Set([...b.nodes.values()].map((n) => n.lane));
    result.push({
      id: processId,
      name: `Automation: ${rule.title}`,
      executable: false,
      documentation: ruleText(rule),
      lanes: Object.entries(model.playbook.roles)
        .filter(([id]) => used.has(id))
        .map(([role, r]) => ({ role, title: r.title })),
      nodes: [...b.nodes.values()],
      flows: b.flows,
    });
  }
  return result;
}
