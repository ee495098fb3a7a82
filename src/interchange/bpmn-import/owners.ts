// Who does a BPMN task, as a playbook role: Camunda 7's candidate groups and assignee, Camunda 8's
// assignment definition, the lane it is drawn in, or an automation for service-like tasks.
import type { BpmnDialect, Element } from "./source.ts";

export interface RoleGuess {
  readonly id: string;
  readonly title: string;
  readonly side: "internal" | "client" | "system";
  /** Where the guess came from, for the draft's comment. */
  readonly from: string;
}

export interface OwnerProblem {
  readonly message: string;
}

/** lower_snake_case from any name; "" when nothing usable is left. */
export function slug(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const cut = words.length > 40 ? words.slice(0, 40).replace(/_[^_]*$/, "") : words;
  return /^[a-z]/.test(cut) ? cut : cut === "" ? "" : `n_${cut}`;
}

export function oneLine(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

const AUTOMATED = new Set(["bpmn:ServiceTask", "bpmn:ScriptTask", "bpmn:BusinessRuleTask"]);
export const AUTOMATION: RoleGuess = {
  id: "automation",
  title: "Automation",
  side: "system",
  from: "service, script and business rule tasks",
};
export const PROCESS_OWNER: RoleGuess = { id: "process_owner", title: "Process owner", side: "internal", from: "no lane or assignee" };

function role(name: string, from: string): RoleGuess | undefined {
  const id = slug(name);
  if (id === "") return undefined;
  // "Client", "Customer contact" are the client's people; "Customer Success" is a team of ours.
  const side = /\b(client|customer)s?\b/i.test(name) && !/\b(success|service|support|care|relations)\b/i.test(name) ? "client" : "internal";
  return { id, title: oneLine(name), side, from };
}

function isExpression(text: string): boolean {
  return /^\s*=|[$#]\{/.test(text);
}

function firstOf(list: string): string | undefined {
  return list
    .split(",")
    .map((s) => s.trim())
    .find((s) => s !== "");
}

function zeebeAssignment(task: Element): Element | undefined {
  const values = ((task.extensionElements as Element | undefined)?.values as Element[] | undefined) ?? [];
  return values.find((v) => v.$type === "zeebe:AssignmentDefinition");
}

/** The role that owns a task, and what could not be read on the way. */
export function ownerOf(
  task: Element,
  dialect: BpmnDialect,
  lane: Element | undefined,
): { readonly role: RoleGuess; readonly problems: readonly OwnerProblem[] } {
  const problems: OwnerProblem[] = [];
  if (AUTOMATED.has(task.$type)) return { role: AUTOMATION, problems };
  const candidates: Array<[string | undefined, string]> = [];
  if (dialect === "camunda7") {
    candidates.push([task.candidateGroups as string | undefined, "camunda:candidateGroups"]);
  } else if (dialect === "camunda8") {
    const assignment = zeebeAssignment(task);
    candidates.push([assignment?.candidateGroups as string | undefined, "zeebe:assignmentDefinition candidateGroups"]);
  }
  candidates.push([lane?.name, "lane"]);
  if (dialect === "camunda7") candidates.push([task.assignee as string | undefined, "camunda:assignee"]);
  if (dialect === "camunda8")
    candidates.push([zeebeAssignment(task)?.assignee as string | undefined, "zeebe:assignmentDefinition assignee"]);
  for (const [value, from] of candidates) {
    if (value === undefined || value.trim() === "") continue;
    if (isExpression(value)) {
      problems.push({ message: `the owner is computed at run time (${from} ${oneLine(value)}); name the role that does it` });
      continue;
    }
    const guess = role(from === "lane" ? value : (firstOf(value) ?? ""), from);
    if (guess) return { role: guess, problems };
  }
  return { role: PROCESS_OWNER, problems };
}
