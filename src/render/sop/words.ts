// The typed values of a playbook said in words, the way an SOP says them: deadlines ("within 4
// business hours of assignment", "by Day 90 after go-live"), phase windows ("Days 11–45"),
// conditions ("SOC 2 customer", "Number of users > 100"), rule triggers and actions.
import type { Action, EventType, Playbook } from "../../playbook/schema.ts";
import { type Anchor, type Deadline, type Duration, describeDuration, type Window } from "../../playbook/time-expressions.ts";

/** What the words need to know about the rest of the document. */
export interface Vocabulary {
  readonly playbook: Playbook;
  /** "6.2 (Review the handoff and assign resources)". */
  stepRef(id: string): string;
  roleTitle(id: string): string;
}

export function durationWords(duration: Duration): string {
  return describeDuration(duration);
}

/** "every week", "every 2 weeks", "every business day". */
export function everyWords(duration: Duration): string {
  if (duration.amount.kind === "literal" && duration.amount.value === 1) {
    return `every ${duration.business ? "business " : ""}${duration.unit}`;
  }
  return `every ${describeDuration(duration)}`;
}

function anchorAfter(anchor: Anchor, vocab: Vocabulary): string {
  switch (anchor.kind) {
    case "activation":
      return "assignment";
    case "start":
      return "the start";
    case "go_live":
      return "go-live";
    case "completion":
      return "completion of the onboarding";
    case "step":
      return anchor.point === "started" ? `the start of ${vocab.stepRef(anchor.step)}` : `completing ${vocab.stepRef(anchor.step)}`;
    case "fact":
      return `the ${vocab.playbook.facts[anchor.fact]?.label ?? anchor.fact}`;
  }
}

function anchorBefore(anchor: Anchor, vocab: Vocabulary): string {
  if (anchor.kind === "step") {
    return anchor.point === "started" ? `the start of ${vocab.stepRef(anchor.step)}` : `the completion of ${vocab.stepRef(anchor.step)}`;
  }
  return anchorAfter(anchor, vocab);
}

function dayWords(day: number, anchor: Anchor, vocab: Vocabulary): string {
  if (anchor.kind === "start") return `Day ${day}`;
  const of = anchor.kind === "step" ? anchorAfter(anchor, vocab) : anchorAfter(anchor, vocab);
  return `Day ${day} after ${of}`;
}

/** A deadline as a requirement: "within 24 hours of the start", "by Day 60", "3 days before ...". */
export function deadlineWords(deadline: Deadline, vocab: Vocabulary): string {
  if (deadline.kind === "day") return `by ${dayWords(deadline.day, deadline.anchor, vocab)}`;
  const amount = durationWords(deadline.duration);
  if (deadline.direction === "before") return `${amount} before ${anchorBefore(deadline.anchor, vocab)}`;
  if (deadline.anchor.kind === "go_live" || deadline.anchor.kind === "completion") {
    return `within ${amount} after ${anchorAfter(deadline.anchor, vocab)}`;
  }
  return `within ${amount} of ${anchorAfter(deadline.anchor, vocab)}`;
}

/** A point in time: "Day 65", "5 days after completion of the onboarding", "1 day after completing 6.5 (...)". */
export function momentWords(deadline: Deadline, vocab: Vocabulary): string {
  if (deadline.kind === "day") return dayWords(deadline.day, deadline.anchor, vocab);
  const amount = durationWords(deadline.duration);
  const anchor = deadline.direction === "before" ? anchorBefore(deadline.anchor, vocab) : anchorAfter(deadline.anchor, vocab);
  return `${amount} ${deadline.direction} ${anchor}`;
}

/** "Days 11–45", "Week 6", "Weeks 5–13", "Day 70 onwards", "Days 0–90 after go-live". */
export function windowWords(window: Window, vocab: Vocabulary): string {
  const unit = window.from.unit === "week" ? "Week" : "Day";
  let span: string;
  if (window.to === null) span = `${unit} ${window.from.n} onwards`;
  else if (window.to.n === window.from.n) span = `${unit} ${window.from.n}`;
  else span = `${unit}s ${window.from.n}–${window.to.n}`;
  return window.anchor.kind === "start" ? span : `${span} after ${anchorAfter(window.anchor, vocab)}`;
}

// Conditions. CEL is shown in words when every token is something we can name; anything else
// (functions, macros) is shown as the expression itself, which is still exact.
const TOKEN_RE =
  /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(&&|\|\||==|!=|>=|<=|[<>!()]))/y;

const OPERATORS: Readonly<Record<string, string>> = {
  "&&": "and",
  "||": "or",
  "==": "=",
  "!=": "≠",
  ">=": "≥",
  "<=": "≤",
  ">": ">",
  "<": "<",
  "!": "not",
  "(": "(",
  ")": ")",
};

const STEP_WORDS: Readonly<Record<string, string>> = {
  "step.checklist_unchecked": "unchecked checklist items",
  "step.checklist_complete": "every checklist item checked",
  "step.attempt": "attempt number",
  "training.completion_rate": "training completion rate (%)",
  "training.all_passed": "every assessment passed",
  "training.average_score": "average assessment score (%)",
  "project.days_since_start": "days since the start",
  "project.days_since_go_live": "days since go-live",
  "project.on_hold": "project on hold",
  "project.health": "project health",
};

function nameWords(path: string, playbook: Playbook): string | undefined {
  if (path === "true") return "yes";
  if (path === "false") return "no";
  if (path === "in") return "in";
  if (STEP_WORDS[path]) return STEP_WORDS[path];
  const [root, a, b] = path.split(".");
  if (root === "facts" && a && playbook.facts[a]) return playbook.facts[a].label;
  if (root === "__known__" && a && playbook.facts[a]) return `${playbook.facts[a].label} is known`;
  if (root === "params" && a) return playbook.parameters[a]?.description ? a.replaceAll("_", " ") : undefined;
  if (root === "forms" && a && b) {
    const form = playbook.forms[a];
    const field = form?.fields[b];
    return form && field ? `${field.label} (${form.title})` : undefined;
  }
  if (root === "event" && a && !b) return `event ${a.replaceAll("_", " ")}`;
  if (root === "__gate__" || root === "gates") return gateWords(path, playbook);
  return undefined;
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  approved: "approved",
  approved_with_conditions: "approved with conditions",
  rejected: "rejected",
  pending: "not yet signed",
};

/**
 * A sign-off's outcome in words: `gates.review.outcome == "rejected"` is "the sign-off of 3.2 Review
 * is rejected"; `gates.review.comment` is "the reviewer's comments on 3.2 Review".
 */
function gateWords(path: string, playbook: Playbook): string | undefined {
  const parts = path.split(".");
  const step = playbook.phases.flatMap((p) => p.steps).find((s) => s.id === parts[1]);
  if (!step?.gate) return undefined;
  const of = `“${step.title}”`;
  if (parts[0] === "__gate__") {
    const [, , role, outcome] = parts.length === 4 ? parts : [undefined, undefined, undefined, parts[2]];
    const said = OUTCOME_WORDS[outcome ?? ""];
    if (said === undefined) return undefined;
    const who = role ? `${playbook.roles[role]?.title ?? role}'s sign-off` : "the sign-off";
    return `${who} of ${of} is ${said}`;
  }
  const field = parts.at(-1);
  const who = parts[2] === "roles" && parts[3] ? (playbook.roles[parts[3]]?.title ?? parts[3]) : "the reviewer";
  if (field === "comment") return `${who}'s comments on ${of}`;
  if (field === "conditions") return `${who}'s conditions on ${of}`;
  if (field === "outcome") return `the outcome of the sign-off of ${of}`;
  return undefined;
}

/** `gates.x.outcome == "rejected"` (or one role's) is said as a whole: "the sign-off of ... is rejected". */
const GATE_OUTCOME_RE = /gates\.([A-Za-z_]\w*)\.(?:roles\.([A-Za-z_]\w*)\.)?outcome\s*==\s*"(\w+)"/g;

/** `has(facts.x)` (the client gave the fact) is said as "<label> is known". */
const KNOWN_RE = /has\(\s*facts\.([A-Za-z_][A-Za-z0-9_]*)\s*\)/g;

/** A CEL condition in words, or undefined when it cannot be said faithfully in words. */
export function conditionWords(condition: string, playbook: Playbook): string | undefined {
  const source = condition
    .replace(KNOWN_RE, "__known__.$1")
    .replace(GATE_OUTCOME_RE, (_all, step: string, role: string | undefined, outcome: string) =>
      role ? `__gate__.${step}.${role}.${outcome}` : `__gate__.${step}.${outcome}`,
    );
  const words: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let index = 0;
  while (index < source.length) {
    if (source.slice(index).trim() === "") break;
    TOKEN_RE.lastIndex = index;
    const match = TOKEN_RE.exec(source);
    if (!match) return undefined;
    index = TOKEN_RE.lastIndex;
    const [, number, string, name, operator] = match;
    if (number !== undefined) words.push(number.replace(/\.0$/, ""));
    else if (string !== undefined) words.push(`“${string.slice(1, -1)}”`);
    else if (name !== undefined) {
      const said = nameWords(name, playbook);
      if (said === undefined) return undefined;
      words.push(said);
    } else if (operator !== undefined) words.push(OPERATORS[operator] ?? operator);
  }
  return words
    .join(" ")
    .replace(/\( /g, "(")
    .replace(/ \)/g, ")")
    .replace(/not (\S)/g, "not $1");
}

const TRIGGERS: Readonly<Record<EventType, string>> = {
  "deal.won": "a deal is won in the CRM",
  "deal.reopened": "a won deal is reopened in the CRM",
  "project.started": "the onboarding starts",
  "project.on_hold": "the onboarding is put on hold",
  "project.completed": "the onboarding is completed",
  "project.go_live": "the client goes live",
  "step.activated": "a step opens",
  "step.completed": "a step is completed",
  "step.overdue": "a step is overdue",
  "gate.approved": "a checkpoint is signed off",
  "gate.rejected": "a checkpoint is rejected",
  "form.submitted": "a form is submitted",
  "meeting.scheduled": "a meeting is scheduled",
  "training.completed": "a training is completed",
  "survey.answered": "a survey is answered",
  "issue.opened": "an issue is opened",
  "issue.resolved": "an issue is resolved",
  "change.requested": "the client requests a change",
  "milestone.reached": "a milestone is reached",
};

const STEP_TRIGGERS: Partial<Record<EventType, (step: string) => string>> = {
  "step.activated": (s) => `${s} opens`,
  "step.completed": (s) => `${s} is completed`,
  "step.overdue": (s) => `${s} is overdue`,
  "gate.approved": (s) => `the checkpoint of ${s} is signed off`,
  "gate.rejected": (s) => `the checkpoint of ${s} is rejected`,
  "form.submitted": (s) => `the form of ${s} is submitted`,
};

export function triggerWords(on: EventType, step: string | undefined, vocab: Vocabulary): string {
  const forStep = step === undefined ? undefined : STEP_TRIGGERS[on];
  return forStep && step !== undefined ? forStep(vocab.stepRef(step)) : TRIGGERS[on];
}

const HEALTH: Readonly<Record<"green" | "amber" | "red", string>> = { green: "🟢 green", amber: "🟡 amber", red: "🔴 red" };

/** One action in words, without its `when` (callers say the condition). Placeholders are kept for the filler. */
export function actionWords(action: Action, vocab: Vocabulary): string {
  const roles = (ids: readonly string[]) => ids.map((id) => vocab.roleTitle(id)).join(", ");
  const p = vocab.playbook;
  if (action.notify) {
    const channel = action.notify.channel === "in_app" ? "" : ` by ${action.notify.channel}`;
    return `Notify ${roles(action.notify.to)}${channel}: “${action.notify.message}”`;
  }
  if (action.email) {
    const title = p.templates[action.email.template]?.title;
    return `Email ${roles(action.email.to)} using template ${action.email.template}${title ? ` (${title})` : ""}`;
  }
  if (action.create_task) {
    const due = action.create_task.due ? `, ${deadlineWords(action.create_task.due, vocab)}` : "";
    return `${vocab.roleTitle(action.create_task.owner)}: ${action.create_task.title}${due}`;
  }
  if (action.escalate) return `Escalate to ${vocab.roleTitle(action.escalate.to)}: ${action.escalate.reason}`;
  if (action.assign) return `Assign the ${vocab.roleTitle(action.assign.role)}`;
  if (action.start_project) {
    return action.start_project.playbook === "self"
      ? "Start an onboarding project from this procedure"
      : `Start an onboarding project from playbook ${action.start_project.playbook}`;
  }
  if (action.send_survey) return `Send the survey “${p.surveys[action.send_survey.survey]?.title ?? action.send_survey.survey}”`;
  if (action.send_invite) return `Send the meeting invitation for ${vocab.stepRef(action.send_invite.meeting)}`;
  if (action.activate) return `Open ${vocab.stepRef(action.activate.step)}`;
  if (action.request_approval) {
    return `Request approval from ${vocab.roleTitle(action.request_approval.from)}: ${action.request_approval.subject}`;
  }
  if (action.set_health) return `Set the project health to ${HEALTH[action.set_health.status]}: ${action.set_health.reason}`;
  if (action.hold) return `Put the onboarding on hold: ${action.hold.reason}`;
  if (action.log) return `Record in the project log: ${action.log.message}`;
  return "No action";
}

/** Strip a number an author already wrote before a title ("1.2. Handoff Meeting", "Phase 1: Kickoff"):
 *  the document numbers steps and phases itself. */
export function withoutLeadingNumber(title: string): string {
  const stripped = title
    .replace(/^phase\s+\d+\s*[:.–-]\s*/i, "")
    .replace(/^appendix\s+[A-Z0-9]+\s*[:.–-]\s*/i, "")
    .replace(/^(\d+(\.\d+)*\.|\d+(\.\d+)+)\s+/, "");
  return stripped === "" ? title : stripped;
}

export function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
