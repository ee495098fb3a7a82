// The typed values of a playbook said in words, the way an SOP says them: deadlines ("within 4
// business hours of assignment", "by Day 90 after go-live"), phase windows ("Days 11–45"),
// conditions ("SOC 2 customer", "Number of users > 100"), rule triggers and actions.

import { type FormAnswer, isAnswer, weekdayName } from "../../playbook/agreed.ts";
import { kindWords } from "../../playbook/procedure-kind.ts";
import type { Action, Cadence, EventType, Playbook } from "../../playbook/schema.ts";
import { type Anchor, type Deadline, type Duration, describeDuration, type Window } from "../../playbook/time-expressions.ts";
import { sayCondition } from "./condition-words.ts";

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

/** Where a value agreed with the client is agreed: the first step that collects its form. */
function agreedWhere(answer: FormAnswer, vocab: Vocabulary): string {
  for (const phase of vocab.playbook.phases) {
    const step = phase.steps.find((s) => s.form === answer.form);
    if (step) return `step ${vocab.stepRef(step.id)}`;
  }
  return `the form "${vocab.playbook.forms[answer.form]?.title ?? answer.form}"`;
}

/**
 * A cadence's schedule: "every 2 weeks, on Tuesdays, at 10:00"; parts agreed with the client say
 * where: "at the interval agreed with the client in step 2.1 (Kickoff), on the weekday agreed there".
 */
export function cadenceScheduleWords(cadence: Cadence, vocab: Vocabulary): string {
  const parts: string[] = [];
  let where: string | undefined;
  const agreed = (answer: FormAnswer, what: string): string => {
    const here = agreedWhere(answer, vocab);
    const text =
      where === undefined
        ? `${what} agreed with the client in ${here}`
        : here === where
          ? `${what} agreed there`
          : `${what} agreed in ${here}`;
    where ??= here;
    return text;
  };
  parts.push(isAnswer(cadence.every) ? agreed(cadence.every, "at the interval") : everyWords(cadence.every));
  if (cadence.weekday !== undefined)
    parts.push(isAnswer(cadence.weekday) ? agreed(cadence.weekday, "on the weekday") : `on ${weekdayName(cadence.weekday)}s`);
  if (cadence.at !== undefined)
    parts.push(isAnswer(cadence.at) ? agreed(cadence.at, "at the time") : `at ${cadence.at.text} (the client's time)`);
  return parts.join(", ");
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
      return `completion of the ${kindWords(vocab.playbook).noun}`;
    case "step":
      return anchor.point === "started" ? `the start of ${vocab.stepRef(anchor.step)}` : `completing ${vocab.stepRef(anchor.step)}`;
    case "fact":
      return `the ${vocab.playbook.facts[anchor.fact]?.label ?? anchor.fact}`;
    case "form": {
      const form = vocab.playbook.forms[anchor.form];
      const label = form?.fields[anchor.field]?.label ?? anchor.field;
      const where = vocab.playbook.phases.flatMap((p) => p.steps).find((s) => s.form === anchor.form);
      return `the ${label}${where ? ` (answered in ${vocab.stepRef(where.id)})` : ""}`;
    }
  }
}

function anchorBefore(anchor: Anchor, vocab: Vocabulary): string {
  if (anchor.kind === "step") {
    // Until the later step happens, the deadline counts back from its own deadline (flow.ts replanDeadlines).
    return anchor.point === "started"
      ? `the start of ${vocab.stepRef(anchor.step)}`
      : `the completion of ${vocab.stepRef(anchor.step)} (its deadline, until it is done)`;
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

/** A CEL condition in words, or undefined when it cannot be said faithfully in words. */
export function conditionWords(condition: string, playbook: Playbook): string | undefined {
  return sayCondition(condition, playbook).words;
}

const TRIGGERS: Readonly<Record<EventType, string>> = {
  "deal.won": "a deal is won in the CRM",
  "deal.reopened": "a won deal is reopened in the CRM",
  "project.started": "the {noun} starts",
  "project.on_hold": "the {noun} is put on hold",
  "project.completed": "the {noun} is completed",
  "project.go_live": "the client goes live",
  "step.activated": "a step opens",
  "step.completed": "a step is completed",
  "step.overdue": "a step is overdue",
  "step.target_missed": "a step misses its target",
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
  "step.target_missed": (s) => `${s} misses its target`,
  "gate.approved": (s) => `the checkpoint of ${s} is signed off`,
  "gate.rejected": (s) => `the checkpoint of ${s} is rejected`,
  "form.submitted": (s) => `the form of ${s} is submitted`,
};

export function triggerWords(on: EventType, step: string | undefined, vocab: Vocabulary): string {
  const forStep = step === undefined ? undefined : STEP_TRIGGERS[on];
  return forStep && step !== undefined ? forStep(vocab.stepRef(step)) : TRIGGERS[on].replace("{noun}", kindWords(vocab.playbook).noun);
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
    const party = (id: string) => (id.includes("@") ? id : vocab.roleTitle(id));
    const extras = [
      ...(action.email.cc ? [`cc: ${action.email.cc.map(party).join(", ")}`] : []),
      ...(action.email.reply_to ? [`replies to: ${party(action.email.reply_to)}`] : []),
      ...(action.email.from ? [`from: ${party(action.email.from)}`] : []),
    ];
    return `Email ${roles(action.email.to)} using template ${action.email.template}${title ? ` (${title})` : ""}${
      extras.length > 0 ? `; ${extras.join("; ")}` : ""
    }`;
  }
  if (action.create_task) {
    const due = action.create_task.due ? `, ${deadlineWords(action.create_task.due, vocab)}` : "";
    return `${vocab.roleTitle(action.create_task.owner)}: ${action.create_task.title}${due}`;
  }
  if (action.escalate) return `Escalate to ${vocab.roleTitle(action.escalate.to)}: ${action.escalate.reason}`;
  if (action.assign) return `Assign the ${vocab.roleTitle(action.assign.role)}`;
  if (action.start_project) {
    return action.start_project.playbook === "self"
      ? `Start ${article(kindWords(p).noun)} project from this procedure`
      : `Start a project from playbook ${action.start_project.playbook}`;
  }
  if (action.send_survey) return `Send the survey “${p.surveys[action.send_survey.survey]?.title ?? action.send_survey.survey}”`;
  if (action.send_invite) return `Send the meeting invitation for ${vocab.stepRef(action.send_invite.meeting)}`;
  if (action.activate) return `Open ${vocab.stepRef(action.activate.step)}`;
  if (action.request_approval) {
    return `Request approval from ${vocab.roleTitle(action.request_approval.from)}: ${action.request_approval.subject}`;
  }
  if (action.set_health) return `Set the project health to ${HEALTH[action.set_health.status]}: ${action.set_health.reason}`;
  if (action.hold) return `Put the ${kindWords(p).noun} on hold: ${action.hold.reason}`;
  if (action.log) return `Record in the project log: ${action.log.message}`;
  return "No action";
}

/** "an onboarding", "a due-diligence review". */
export function article(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
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
