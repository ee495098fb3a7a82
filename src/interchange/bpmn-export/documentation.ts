// The text a BPMN element carries for the people reading the diagram: a step's own words from the
// playbook (the SOP text), as plain text since BPMN documentation is not Markdown.
import { prosePlainText } from "../../playbook/prose.ts";
import { type CallSite, deliverablesOf, type Step } from "../../playbook/schema.ts";

function section(title: string, lines: readonly string[]): string[] {
  return lines.length === 0 ? [] : [`${title}:`, ...lines.map((line) => `- ${line}`)];
}

export function stepDocumentation(step: Step, roleTitle: (id: string) => string): string {
  const checklist = step.checklist.map((item) => prosePlainText(typeof item === "string" ? item : item.text));
  const parts = [
    ...(step.description ? [prosePlainText(step.description)] : []),
    `Owner: ${roleTitle(step.owner)}.`,
    ...section("Instructions", step.instructions.map(prosePlainText)),
    ...(step.expected_result ? [`Expected result: ${prosePlainText(step.expected_result)}`] : []),
    ...section("Checklist", checklist),
    ...section(
      "Deliverables",
      deliverablesOf(step).map((d) => d.title),
    ),
    ...(step.gate ? [`Sign-off (${step.gate.rule} of ${step.gate.approvers.map(roleTitle).join(", ")}): ${step.gate.sign_off}`] : []),
    ...(step.when ? [`Only when: ${step.when}`] : []),
    ...(step.repeat ? [`Repeated for each item of ${step.repeat.for_each}.`] : []),
    ...(step.opens ? [`Opens ${step.opens.text}.`] : []),
    ...(step.due ? [`Due: ${step.due.text}.`] : []),
    ...(step.target ? [`Target: ${step.target.text}.`] : []),
    ...(step.on_demand ? ["On demand: opened only by a decision or an automation."] : []),
  ];
  return parts.join("\n");
}

export function callDocumentation(call: CallSite): string {
  return [
    ...(call.description ? [prosePlainText(call.description)] : []),
    `Carries out the procedure ${call.procedure}; its steps are the called process.`,
    ...(call.when ? [`Only when: ${call.when}`] : []),
  ].join("\n");
}
