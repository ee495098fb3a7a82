// Automations, exceptions and escalations: the playbook's `rules:` reacting to what happened.
// Each engine event is seen as a language event (step.completed, survey.answered ...); matching
// rules run their actions now or arm a timer ("unresolved > 24 h"), which a later event (`until`)
// cancels. Actions become events (tasks, holds, health) and effects (notify, email, escalate).
import type { ExpressionScope, ExpressionValues } from "../playbook/expressions.ts";
import type { Action, EventType as LanguageEvent, Rule } from "../playbook/schema.ts";
import { conditionValues, type Evaluation, evaluate } from "./conditions.ts";
import type { Draft } from "./draft.ts";
import { openIncident } from "./incidents.ts";
import { addTo, atTimeOfDay, resolveDeadline } from "./schedule.ts";
import type { ProjectEvent } from "./types.ts";

interface Occurrence {
  readonly name: LanguageEvent;
  readonly subject: string;
  readonly step?: string;
  readonly payload: Record<string, unknown>;
}

/** How an engine event reads to the playbook's rules. */
export function occurrenceOf(draft: Draft, event: ProjectEvent): Occurrence | undefined {
  switch (event.type) {
    case "project.started":
      return { name: "project.started", subject: "project", payload: {} };
    case "step.opened":
    case "step.activated":
      return { name: "step.activated", subject: event.step, step: event.step, payload: { step: event.step } };
    case "step.started": {
      const kind = draft.ctx.model.steps.get(event.step)?.step.kind;
      return kind === "meeting"
        ? { name: "meeting.scheduled", subject: event.step, step: event.step, payload: { meeting: event.step, starts_at: event.at } }
        : undefined;
    }
    case "step.completed": {
      const kind = draft.ctx.model.steps.get(event.step)?.step.kind;
      return kind === "milestone"
        ? { name: "milestone.reached", subject: event.step, step: event.step, payload: { milestone: event.step } }
        : { name: "step.completed", subject: event.step, step: event.step, payload: { step: event.step } };
    }
    case "step.overdue": {
      const days = Math.floor((Date.parse(event.at) - Date.parse(event.dueAt)) / 86_400_000);
      return { name: "step.overdue", subject: event.step, step: event.step, payload: { step: event.step, days_overdue: days } };
    }
    case "step.target_missed": {
      const days = Math.floor((Date.parse(event.at) - Date.parse(event.targetAt)) / 86_400_000);
      return { name: "step.target_missed", subject: event.step, step: event.step, payload: { step: event.step, days_late: days } };
    }
    case "gate.approved":
    case "gate.rejected":
      return {
        name: event.type,
        subject: event.step,
        step: event.step,
        payload: { step: event.step, role: event.role, comment: event.comment ?? "" },
      };
    case "form.submitted":
      return { name: "form.submitted", subject: event.form, step: event.step, payload: { form: event.form } };
    case "training.recorded":
      return {
        name: "training.completed",
        subject: event.record.track,
        payload: { track: event.record.track, score: event.record.score, passed: event.record.passed },
      };
    case "survey.answered":
      return {
        name: "survey.answered",
        subject: event.survey,
        payload: { survey: event.survey, score: event.score, comment: event.comment ?? "" },
      };
    case "issue.opened":
      return {
        name: "issue.opened",
        subject: event.issue.id,
        payload: { severity: event.issue.severity, title: event.issue.title, hours_open: 0 },
      };
    case "issue.resolved": {
      const issue = draft.state.issues[event.id];
      const hours = issue ? Math.floor((Date.parse(event.at) - Date.parse(issue.openedAt)) / 3_600_000) : 0;
      return {
        name: "issue.resolved",
        subject: event.id,
        payload: { severity: issue?.severity ?? "", title: issue?.title ?? "", hours_open: hours },
      };
    }
    case "change.requested":
      return {
        name: "change.requested",
        subject: "project",
        payload: { kind: event.kind, delay_days: event.delayDays, billable: event.billable, in_scope: event.inScope },
      };
    case "project.on_hold":
      return { name: "project.on_hold", subject: "project", payload: { reason: event.reason ?? "" } };
    case "project.go_live":
      return { name: "project.go_live", subject: "project", payload: {} };
    case "project.completed":
      return { name: "project.completed", subject: "project", payload: {} };
    default:
      return undefined;
  }
}

/** A failed evaluation and the expression that failed. */
export type Failure = { readonly expression: string; readonly failure: Extract<Evaluation, { ok: false }> };

/**
 * Which of a list of actions apply, all evaluated before any runs, so a condition that fails at
 * run time leaves none of them half done: the failure instead.
 */
export function actionConditions(
  draft: Draft,
  actions: readonly Action[],
  scope: ExpressionScope,
  values: ExpressionValues,
): { readonly holds: readonly boolean[] } | Failure {
  const holds: boolean[] = [];
  for (const action of actions) {
    if (action.when === undefined) {
      holds.push(true);
      continue;
    }
    const result = evaluate(draft.ctx, action.when, scope, values);
    if (!result.ok) return { expression: action.when, failure: result };
    holds.push(result.value === true);
  }
  return { holds };
}

/** Run a list of actions (a rule's or a decision branch's); `holds` says which apply (actionConditions). */
export function runActions(
  draft: Draft,
  actions: readonly Action[],
  holds: readonly boolean[],
  source: string,
  occurrence?: Pick<Occurrence, "subject" | "payload">,
): void {
  for (const [i, action] of actions.entries()) {
    if (holds[i] !== true) continue;
    if (action.notify)
      draft.effect({ kind: "notify", to: action.notify.to, message: action.notify.message, channel: action.notify.channel });
    if (action.email)
      draft.effect({
        kind: "email",
        to: action.email.to,
        template: action.email.template,
        ...(action.email.attach_invite ? { invite: action.email.attach_invite } : {}),
        ...(action.email.cc ? { cc: action.email.cc } : {}),
        ...(action.email.reply_to ? { replyTo: action.email.reply_to } : {}),
        ...(action.email.from ? { from: action.email.from } : {}),
      });
    if (action.escalate) draft.effect({ kind: "escalate", to: action.escalate.to, reason: action.escalate.reason });
    if (action.assign && !draft.state.assignments[action.assign.role]) {
      draft.effect({ kind: "assignment_needed", role: action.assign.role, why: `rule ${source}` });
    }
    if (action.start_project) draft.effect({ kind: "start_project", playbook: action.start_project.playbook });
    if (action.send_survey) {
      const survey = draft.ctx.model.playbook.surveys[action.send_survey.survey];
      draft.effect({ kind: "send_survey", survey: action.send_survey.survey, to: survey?.to ?? [] });
    }
    if (action.send_invite) draft.effect({ kind: "send_invite", meeting: action.send_invite.meeting });
    if (action.request_approval)
      draft.effect({ kind: "request_approval", from: action.request_approval.from, subject: action.request_approval.subject });
    if (action.create_task) {
      const dueAt = action.create_task.due ? resolveDeadline(draft.ctx, draft.state, action.create_task.due, draft.now) : undefined;
      draft.emit({
        type: "task.created",
        task: {
          id: draft.mint("task"),
          title: action.create_task.title,
          owner: action.create_task.owner,
          source,
          createdAt: draft.now,
          ...(dueAt ? { dueAt } : {}),
        },
      });
    }
    if (action.activate) {
      const step = draft.state.steps[action.activate.step];
      const restartable = step && (step.status === "dormant" || step.status === "done" || step.status === "skipped");
      if (step && restartable) draft.emit({ type: "step.activated", step: step.id }, `rule ${source}`);
      // Each issue, each change request its own occurrence: one that comes while another is open is added, not lost.
      if (step && draft.ctx.model.steps.get(step.id)?.step.per_occurrence && step.status !== "not_applicable") {
        draft.emit(
          { type: "occurrence.added", step: step.id, item: draft.mint("occurrence"), label: occurrenceLabel(occurrence, source) },
          `rule ${source}`,
        );
      }
    }
    if (action.set_health && draft.state.health !== action.set_health.status)
      draft.emit({ type: "health.set", health: action.set_health.status }, action.set_health.reason);
    if (action.hold && draft.state.status === "active") draft.emit({ type: "project.on_hold" }, action.hold.reason);
    if (action.log) draft.emit({ type: "note.added", text: action.log.message }, `rule ${source}`);
  }
}

/** The incident target of a rule reacting to one occurrence. */
export function ruleTarget(rule: Rule, occurrence: Pick<Occurrence, "subject" | "payload">) {
  return { kind: "rule" as const, rule: rule.id, subject: occurrence.subject, event: occurrence.payload };
}

/**
 * Run a rule's actions for an occurrence; an action condition that fails opens an incident instead.
 * `actions` narrows them (a deal.won rule at start does not start the project being started).
 */
export function fire(
  draft: Draft,
  rule: Rule,
  occurrence: Pick<Occurrence, "subject" | "payload">,
  actions: readonly Action[] = rule.actions,
): void {
  const values = { ...conditionValues(draft.ctx, draft.state, draft.now), event: occurrence.payload };
  const conditions = actionConditions(draft, actions, { event: rule.on }, values);
  if (!("holds" in conditions)) {
    openIncident(draft, ruleTarget(rule, occurrence), conditions.expression, conditions.failure);
    return;
  }
  draft.emit({ type: "rule.fired", rule: rule.id, subject: occurrence.subject });
  runActions(draft, actions, conditions.holds, rule.id, occurrence);
}

/** What an occurrence is called on its step: the issue's title, the change's kind, else what opened it. */
function occurrenceLabel(occurrence: Pick<Occurrence, "subject" | "payload"> | undefined, source: string): string {
  const payload = occurrence?.payload ?? {};
  for (const key of ["title", "kind", "survey", "track", "step"]) {
    const value = payload[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return source;
}

/** React to an occurrence: the rule's condition, then its actions now or on a timer. */
export function trigger(draft: Draft, rule: Rule, occurrence: Pick<Occurrence, "subject" | "payload">, actions?: readonly Action[]): void {
  if (rule.when !== undefined) {
    const values = { ...conditionValues(draft.ctx, draft.state, draft.now), event: occurrence.payload };
    const result = evaluate(draft.ctx, rule.when, { event: rule.on }, values);
    if (!result.ok) {
      openIncident(draft, ruleTarget(rule, occurrence), rule.when, result);
      return;
    }
    if (result.value !== true) return;
  }
  if (rule.after || rule.at) {
    const after = rule.after ? addTo(draft.ctx, draft.state, draft.now, rule.after) : draft.now;
    const fireAt = after !== undefined && rule.at ? atTimeOfDay(draft.state, rule.at, after) : after;
    if (fireAt)
      draft.emit({
        type: "timer.scheduled",
        timer: { id: draft.mint("timer"), rule: rule.id, subject: occurrence.subject, fireAt, fired: 0 },
      });
  } else {
    fire(draft, rule, occurrence, actions);
  }
}

/** Fire a timer that came due: the rule's actions, then the next repetition if it repeats. */
export function fireTimer(draft: Draft, timerId: string): void {
  const timer = draft.state.timers.find((t) => t.id === timerId);
  const rule = draft.ctx.model.playbook.rules.find((r) => r.id === timer?.rule);
  if (!timer || !rule) return;
  // Repetitions missed while nobody ticked collapse into this one firing, like cadences.
  // A rule that fires at a time of day keeps it on every repetition, across clock changes.
  const next = (from: string): string | undefined => {
    if (!rule.repeat_every) return undefined;
    const at = addTo(draft.ctx, draft.state, from, rule.repeat_every);
    return at !== undefined && rule.at ? atTimeOfDay(draft.state, rule.at, at) : at;
  };
  let nextAt = next(timer.fireAt);
  while (nextAt !== undefined && nextAt <= draft.now) nextAt = next(nextAt);
  draft.emit({ type: "timer.fired", id: timer.id, ...(nextAt ? { nextAt } : {}) });
  const payload = timerPayload(draft, timer.subject);
  fire(draft, rule, { subject: timer.subject, payload });
}

function timerPayload(draft: Draft, subject: string): Record<string, unknown> {
  const issue = draft.state.issues[subject];
  if (issue) {
    return {
      severity: issue.severity,
      title: issue.title,
      hours_open: Math.floor((Date.parse(draft.now) - Date.parse(issue.openedAt)) / 3_600_000),
    };
  }
  const step = draft.state.steps[subject];
  if (step?.dueAt)
    return { step: subject, days_overdue: Math.max(0, Math.floor((Date.parse(draft.now) - Date.parse(step.dueAt)) / 86_400_000)) };
  return { step: subject };
}

const MAX_CASCADE = 8;

/** React to the events emitted since `from`, including the events those reactions emit. */
export function react(draft: Draft, from: number): void {
  let start = from;
  for (let round = 0; round < MAX_CASCADE && start < draft.events.length; round++) {
    const end = draft.events.length;
    for (let i = start; i < end; i++) {
      const event = draft.events[i];
      if (!event) continue;
      const occurrence = occurrenceOf(draft, event);
      if (!occurrence) continue;
      for (const timer of draft.state.timers) {
        const rule = draft.ctx.model.playbook.rules.find((r) => r.id === timer.rule);
        if (rule?.until === occurrence.name && timer.subject === occurrence.subject)
          draft.emit({ type: "timer.cancelled", id: timer.id }, `${occurrence.name} for ${occurrence.subject}`);
      }
      for (const rule of draft.ctx.model.playbook.rules) {
        if (rule.on !== occurrence.name) continue;
        if (rule.step !== undefined && rule.step !== occurrence.step) continue;
        trigger(draft, rule, occurrence);
      }
    }
    start = end;
  }
}
