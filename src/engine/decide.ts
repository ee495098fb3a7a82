// Commands: what a person (or the scheduler) asks of a project, checked against the playbook and
// the project's state, turned into events and effects. Illegal requests throw an EngineError and
// change nothing.
import type { Cadence, Step } from "../playbook/schema.ts";

import { chooseBranch } from "./branches.ts";
import { cadenceSchedule, followingOccurrence } from "./cadences.ts";
import { conditionValues, evaluate, requiredChecklist } from "./conditions.ts";
import { checklistKey, stepDef } from "./context.ts";
import type { Draft } from "./draft.ts";
import { assertNever, EngineError } from "./errors.ts";
import { checkExtensionLimits } from "./extensions.ts";
import { openScheduledSteps, reblockDependents, settle, updateCadences, updateSurveys } from "./flow.ts";
import { checkSubmission, type RequiredIf } from "./form-values.ts";
import { gateOutcome, gatesRead } from "./gates.ts";
import { openIncident, openIncidentOn } from "./incidents.ts";
import { meetingChanges } from "./meetings.ts";
import { canAct, canApprove, canManage } from "./permissions.ts";
import { fireTimer, runActions } from "./reactions.ts";
import { retryIncident } from "./retry.ts";
import { addTo } from "./schedule.ts";

/** How far a deadline may be moved ahead of now. */
const MAX_EXTENSION_YEARS = 10;
const MAX_EXTENSION_MS = MAX_EXTENSION_YEARS * 366 * 86_400_000;

import { ACTIVE, type Command, type StepState } from "./types.ts";

function step(draft: Draft, id: string): { def: Step; state: StepState } {
  const def = stepDef(draft.ctx, id);
  const state = draft.state.steps[id];
  if (!state) throw new EngineError("not_found", `no step "${id}" in this project`, { step: id });
  return { def, state };
}

function requireActive(draft: Draft): void {
  if (draft.state.status !== "active") {
    throw new EngineError("illegal_state", `the project is ${draft.state.status.replace("_", " ")}`, { status: draft.state.status });
  }
}

function requireOpen(state: StepState): void {
  if (!ACTIVE.has(state.status)) {
    throw new EngineError("illegal_state", `step "${state.id}" is ${state.status.replace("_", " ")}, not open`, {
      step: state.id,
      status: state.status,
    });
  }
}

/** The named item of a repeated step, still to do: or an error saying why not. */
function requireItem(def: Step, state: StepState, item: string | undefined): void {
  if (item === undefined) return;
  if (!state.items || !(item in state.items))
    throw new EngineError("not_found", `step "${def.id}" has no item "${item}"`, { field: "item", item });
  if (state.items[item] !== null) throw new EngineError("illegal_state", `item "${item}" is already done`, { field: "item", item });
}

/**
 * The work of a step, or of one item of a repeated step. An item's work is its own ticks, answers
 * and sign-offs over the step's (work recorded for the whole step counts for every item).
 */
function workOf(draft: Draft, def: Step, state: StepState, item: string | undefined) {
  const own = item === undefined ? undefined : state.itemWork?.[item];
  const answers = def.form ? (draft.state.forms[def.form] ?? {}) : {};
  return {
    ticked: (key: string) => own?.checklist?.[key] === true || (own?.checklist?.[key] === undefined && state.checklist[key] === true),
    answers: own?.values ? { ...answers, ...own.values } : answers,
    approvals: own?.approvals ? { ...state.approvals, ...own.approvals } : state.approvals,
  };
}

/** Why a step (or one item of a repeated step) cannot complete yet; empty when it can. */
function blockers(draft: Draft, def: Step, state: StepState, item?: string): string[] {
  const reasons: string[] = [];
  const work = workOf(draft, def, state, item);
  // A repeated step's checklist, form and sign-off were each item's, checked as the item completed.
  const perItem = item === undefined && state.items !== undefined && Object.keys(state.items).length > 0;
  if (!def.decision && def.checklist.length > 0 && !perItem) {
    const values = conditionValues(draft.ctx, draft.state, draft.now, def.id);
    const missing = requiredChecklist(draft.ctx, def.id, values).filter((key) => !work.ticked(key));
    if (missing.length > 0) reasons.push(`checklist items not ticked: ${missing.join(", ")}`);
  }
  if (def.form && !perItem) {
    const form = draft.ctx.model.playbook.forms[def.form];
    const values = work.answers;
    const missing = Object.entries(form?.fields ?? {})
      .filter(([id, field]) => field.required && (values[id] === undefined || values[id] === ""))
      .map(([id]) => id);
    if (missing.length > 0) reasons.push(`form "${def.form}" is missing required fields: ${missing.join(", ")}`);
  }
  // A rejected sign-off that a condition steers on (a decision reads `gates.<step>.outcome`)
  // completes the step with the outcome "rejected"; one nothing reads blocks it, as before.
  const steered =
    def.gate !== undefined && item === undefined && draft.ctx.steeringGates.has(def.id) && gateOutcome(def, state) === "rejected";
  if (def.gate && !perItem && !steered) {
    const approved = def.gate.approvers.filter((r) => work.approvals[r]?.decision === "approved");
    const needed = def.gate.rule === "any" ? approved.length === 0 : approved.length < def.gate.approvers.length;
    if (needed)
      reasons.push(`waiting for sign-off by ${def.gate.approvers.filter((r) => !approved.includes(r)).join(", ")}: ${def.gate.sign_off}`);
  }
  if (def.training.length > 0 && !def.decision) {
    const passMark = draft.ctx.model.playbook.training?.pass_mark ?? 0;
    const failing = def.training.filter((track) => !draft.state.training.some((r) => r.track === track && r.score >= passMark));
    if (failing.length > 0) reasons.push(`training not passed (pass mark ${passMark}%): ${failing.join(", ")}`);
  }
  if (state.items && item === undefined) {
    const open = Object.entries(state.items)
      .filter(([, at]) => at === null)
      .map(([item]) => item);
    if (open.length > 0) reasons.push(`items still open: ${open.join(", ")}`);
  }
  return reasons;
}

/** The first rejection of a sign-off that a branch's condition reads: the role and its comment. */
function rejectionRead(draft: Draft, when: string | undefined): { role: string; comment: string } | undefined {
  for (const gate of when === undefined ? [] : gatesRead(when, draft.ctx.model.steps.keys())) {
    const approvals = draft.state.steps[gate]?.approvals ?? {};
    const def = draft.ctx.model.steps.get(gate)?.step;
    for (const role of def?.gate?.approvers ?? []) {
      const approval = approvals[role];
      if (approval?.decision === "rejected") return { role, comment: approval.comment ?? "" };
    }
  }
  return undefined;
}

export function completeStep(draft: Draft, id: string, chosenBranch?: string): void {
  const { def, state } = step(draft, id);
  requireOpen(state);
  const reasons = blockers(draft, def, state);
  if (reasons.length > 0)
    throw new EngineError("illegal_state", `step "${id}" cannot complete: ${reasons.join("; ")}`, { step: id, reasons });

  // The condition of a decision that failed works now (a retry, or the step completed again after
  // the data was fixed; or the version the project moved to has no decision here): close the incident.
  const pending = openIncidentOn(draft.state, { kind: "decision", step: id });
  const choice = def.decision ? chooseBranch(draft, def) : undefined;
  if (pending && !(choice && "failure" in choice)) draft.emit({ type: "incident.resolved", id: pending.id });

  if (def.decision && choice) {
    if ("failure" in choice) {
      const target = { kind: "decision" as const, step: id };
      const open = pending;
      if (open)
        throw new EngineError(
          "illegal_state",
          `step "${id}" waits on incident ${open.id} (${choice.failure.error}): an admin retries it after fixing the data`,
          { step: id, incident: open.id, error: choice.failure.error, inputs: choice.failure.inputs },
        );
      // The command goes through: the decision waits, open, and the incident says why.
      openIncident(draft, target, choice.expression, choice.failure);
      return;
    }
    const { applies, holds } = choice;
    if (!applies) {
      throw new EngineError(
        "illegal_state",
        `no branch of "${def.decision.question}" applies yet: record the information its criteria read`,
        {
          step: id,
          branches: def.decision.branches.map((b) => `${b.label}: ${b.when ?? "otherwise"}`),
        },
      );
    }
    if (chosenBranch !== undefined && chosenBranch !== applies.label) {
      throw new EngineError("invalid", `the recorded data selects "${applies.label}", not "${chosenBranch}"`, {
        step: id,
        branch: applies.label,
      });
    }
    runActions(draft, applies.actions, holds, `${id}: ${applies.label}`);
    switch (applies.next) {
      case "continue":
        draft.emit({ type: "step.completed", step: id, branch: applies.label });
        // A detour: its steps open now, and what follows this step waits for them (dependenciesMet).
        for (const detour of applies.detour ?? []) {
          const status = draft.state.steps[detour]?.status;
          if (status === "dormant" || status === "done" || status === "skipped")
            draft.emit({ type: "step.activated", step: detour }, `${id}: ${applies.label}`);
        }
        break;
      case "end":
        draft.emit({ type: "step.completed", step: id, branch: applies.label });
        for (const [other, s] of Object.entries(draft.state.steps)) {
          if (s.status !== "done" && s.status !== "not_applicable" && s.status !== "skipped" && s.status !== "dormant")
            draft.emit({ type: "step.skipped", step: other }, `decision "${applies.label}" ended the flow`);
        }
        break;
      case "hold":
        draft.emit({ type: "step.completed", step: id, branch: applies.label });
        draft.emit({ type: "project.on_hold" }, `decision: ${applies.label}`);
        break;
      default: {
        // Sent back by a rejected sign-off the branch reads: the step it returns to says who and why.
        const returned = rejectionRead(draft, applies.when);
        draft.emit({ type: "step.looped", step: id, branch: applies.label, to: applies.next });
        const target = draft.state.steps[applies.next];
        if (target && target.status !== "blocked") {
          draft.emit(
            {
              type: target.status === "dormant" ? "step.activated" : "step.reopened",
              step: applies.next,
              ...(returned ? { returnedBy: returned.role, comment: returned.comment } : {}),
            },
            `${id}: ${applies.label}`,
          );
          if (target.status !== "dormant") reblockDependents(draft, applies.next);
        }
        // The rejected sign-off, done on another step, is asked again once the work is redone.
        for (const gate of returned ? gatesRead(applies.when ?? "", draft.ctx.model.steps.keys()) : []) {
          if (gate === id || gate === applies.next || draft.state.steps[gate]?.status !== "done") continue;
          draft.emit({ type: "step.reopened", step: gate }, `${id}: ${applies.label}: the sign-off is asked again`);
          reblockDependents(draft, gate);
        }
      }
    }
  } else {
    if (chosenBranch !== undefined) throw new EngineError("invalid", `step "${id}" has no decision`, { step: id });
    draft.emit({ type: "step.completed", step: id });
  }

  if (def.on_demand && def.next) {
    const back = draft.state.steps[def.next];
    if (back && back.status !== "blocked") {
      draft.emit({ type: "step.reopened", step: def.next }, `returns from ${id}`);
      reblockDependents(draft, def.next);
    }
  }
  if (draft.state.steps[id]?.status === "done") {
    if (def.go_live && draft.state.goLiveAt === undefined) draft.emit({ type: "project.go_live" });
    if (def.completes_project && draft.state.completedAt === undefined) draft.emit({ type: "project.completed" });
    if (def.survey) {
      const survey = draft.ctx.model.playbook.surveys[def.survey];
      draft.effect({ kind: "send_survey", survey: def.survey, to: survey?.to ?? [] });
    }
  }
}

function handle(draft: Draft, command: Command): void {
  const { actor } = draft;
  switch (command.type) {
    case "assign": {
      if (!canManage(actor)) throw new EngineError("forbidden", "only CS operations can assign roles", { role: command.role });
      if (!draft.ctx.model.playbook.roles[command.role])
        throw new EngineError("not_found", `no role "${command.role}"`, { role: command.role });
      const previous = draft.state.assignments[command.role];
      if (previous === command.person) return;
      draft.emit({ type: "role.assigned", role: command.role, person: command.person, ...(previous ? { previous } : {}) });
      return;
    }
    case "start_step": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!canAct(actor, def)) throw new EngineError("forbidden", `your roles do not own "${def.id}"`, { step: def.id });
      if (state.status !== "open") throw new EngineError("illegal_state", `step "${def.id}" is ${state.status}`, { step: def.id });
      draft.emit({ type: "step.started", step: def.id });
      return;
    }
    case "tick_checklist": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      const index = def.checklist.findIndex((item, i) => checklistKey(item, i) === command.item);
      const item = def.checklist[index];
      if (item === undefined)
        throw new EngineError("not_found", `step "${def.id}" has no checklist item "${command.item}"`, { item: command.item });
      const owner = typeof item === "string" ? undefined : item.owner;
      if (!canAct(actor, def, owner)) throw new EngineError("forbidden", `your roles cannot tick items of "${def.id}"`, { step: def.id });
      requireOpen(state);
      requireItem(def, state, command.for);
      if (command.for !== undefined) {
        if (state.itemWork?.[command.for]?.checklist?.[command.item] === command.checked) return;
        draft.emit({ type: "checklist.ticked", step: def.id, item: command.item, checked: command.checked, for: command.for });
        return;
      }
      if (state.checklist[command.item] === command.checked) return;
      draft.emit({ type: "checklist.ticked", step: def.id, item: command.item, checked: command.checked });
      return;
    }
    case "submit_form": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!def.form) throw new EngineError("invalid", `step "${def.id}" has no form`, { step: def.id });
      if (!canAct(actor, def)) throw new EngineError("forbidden", `your roles cannot fill the form of "${def.id}"`, { step: def.id });
      requireOpen(state);
      requireItem(def, state, command.item);
      const form = draft.ctx.model.playbook.forms[def.form];
      for (const key of Object.keys(command.values)) {
        if (!form?.fields[key]) throw new EngineError("invalid", `form "${def.form}" has no field "${key}"`, { field: key });
      }
      // Each value against its declared type (an email, a number, a date, one of the options), and
      // the required ones present: every failing field named, with the form's own label.
      // `required_if` reads the answers as they would stand after this submission.
      const requiredIf: RequiredIf = (condition, answers) => {
        const values = conditionValues(draft.ctx, draft.state, draft.now, def.id);
        // A condition that cannot be evaluated counts as required: a doubt never lets an answer go missing.
        const result = evaluate(draft.ctx, condition, {}, { ...values, forms: { ...values.forms, [def.form as string]: answers } });
        return !result.ok || result.value === true;
      };
      const checked = form
        ? checkSubmission(form, command.values, workOf(draft, def, state, command.item).answers, requiredIf)
        : { problems: [], values: command.values };
      const problems = checked.problems;
      if (problems.length > 0) {
        const missing = problems.filter((p) => p.message === "is required").map((p) => p.field);
        const fieldErrors = problems.map((p) => ({
          field: `values.${p.field}`,
          message: `${form?.fields[p.field]?.label ?? p.field} ${p.message}`,
        }));
        const message =
          missing.length === problems.length
            ? `required fields missing: ${missing.join(", ")}`
            : fieldErrors.map((e) => e.message).join("; ");
        throw new EngineError("invalid", message, { fields: problems.map((p) => p.field), fieldErrors });
      }
      draft.emit({
        type: "form.submitted",
        step: def.id,
        form: def.form,
        values: checked.values,
        ...(command.item !== undefined ? { item: command.item } : {}),
      });
      return;
    }
    case "approve":
    case "reject": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!def.gate) throw new EngineError("invalid", `step "${def.id}" has no sign-off`, { step: def.id });
      if (!def.gate.approvers.includes(command.role))
        throw new EngineError("invalid", `"${command.role}" does not sign "${def.id}"`, { role: command.role });
      if (!canApprove(actor, command.role))
        throw new EngineError("forbidden", `only ${command.role} signs "${def.id}"`, { role: command.role });
      requireOpen(state);
      requireItem(def, state, command.item);
      if (command.type === "reject" && !command.comment)
        throw new EngineError("invalid", "a rejection needs a comment saying what to change", { field: "comment" });
      if (command.conditions !== undefined && command.type === "reject")
        throw new EngineError("invalid", "conditions go with an approval; a rejection says what to change in its comment", {
          field: "conditions",
        });
      // Approved with conditions: the signer writes them, and they are kept with the sign-off.
      if (command.conditions !== undefined && !command.conditions.trim())
        throw new EngineError("invalid", "approving with conditions needs the conditions written", { field: "conditions" });
      draft.emit({
        type: command.type === "approve" ? "gate.approved" : "gate.rejected",
        step: def.id,
        role: command.role,
        ...(command.comment ? { comment: command.comment } : {}),
        ...(command.item !== undefined ? { item: command.item } : {}),
        ...(command.conditions ? { conditions: command.conditions.trim() } : {}),
        ...(actor.authentication ? { authentication: { ...actor.authentication } } : {}),
      });
      return;
    }
    case "withdraw_approval": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!def.gate) throw new EngineError("invalid", `step "${def.id}" has no sign-off`, { step: def.id });
      if (!canApprove(actor, command.role))
        throw new EngineError("forbidden", `only ${command.role} can withdraw its sign-off of "${def.id}"`, { role: command.role });
      if (!command.reason.trim()) throw new EngineError("invalid", "withdrawing a sign-off needs a reason", { field: "reason" });
      // Once the step is done its sign-off is part of the record: reopen the step instead.
      requireOpen(state);
      requireItem(def, state, command.item);
      const signed = command.item === undefined ? state.approvals : (state.itemWork?.[command.item]?.approvals ?? {});
      if (!signed[command.role])
        throw new EngineError("illegal_state", `${command.role} has not signed "${def.id}"`, { step: def.id, role: command.role });
      draft.emit(
        { type: "gate.withdrawn", step: def.id, role: command.role, ...(command.item !== undefined ? { item: command.item } : {}) },
        command.reason,
      );
      return;
    }
    case "complete_step":
    case "record_decision": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!canAct(actor, def)) throw new EngineError("forbidden", `your roles do not own "${def.id}"`, { step: def.id });
      if (command.type === "complete_step" && command.item !== undefined) {
        requireOpen(state);
        requireItem(def, state, command.item);
        const reasons = blockers(draft, def, state, command.item);
        if (reasons.length > 0)
          throw new EngineError(
            "illegal_state",
            `“${state.itemLabels?.[command.item] ?? command.item}” cannot be done yet: ${reasons.join("; ")}`,
            {
              step: def.id,
              item: command.item,
              reasons,
            },
          );
        draft.emit({ type: "item.completed", step: def.id, item: command.item });
        if (Object.values(draft.state.steps[def.id]?.items ?? {}).some((at) => at === null)) return;
      }
      completeStep(draft, def.id, command.type === "record_decision" ? command.branch : undefined);
      return;
    }
    case "skip_step": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!canManage(actor) && !canAct(actor, def, undefined, true))
        throw new EngineError("forbidden", `only the accountable role or CS operations can skip "${def.id}"`, { step: def.id });
      if (!command.reason.trim()) throw new EngineError("invalid", "skipping needs a reason", { field: "reason" });
      if (state.status === "done" || state.status === "skipped" || state.status === "not_applicable")
        throw new EngineError("illegal_state", `step "${def.id}" is already ${state.status}`, { step: def.id });
      if (def.gate && !def.optional && !canManage(actor))
        throw new EngineError("forbidden", `the sign-off "${def.id}" can only be waived by CS operations`, { step: def.id });
      draft.emit({ type: "step.skipped", step: def.id }, command.reason);
      return;
    }
    case "extend_deadline": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      const policy = def.extension;
      const mayExtend = policy?.by ? actor.roles.some((role) => policy.by?.includes(role)) : canAct(actor, def, undefined, true);
      if (!canManage(actor) && !mayExtend) {
        const who = policy?.by ? policy.by.join(", ") : "the accountable role";
        throw new EngineError("forbidden", `only ${who} or CS operations can extend "${def.id}"`, { step: def.id });
      }
      if (!command.reason.trim()) throw new EngineError("invalid", "an extension needs a reason", { field: "reason" });
      requireOpen(state);
      if (Number.isNaN(Date.parse(command.until))) throw new EngineError("invalid", "until is not a date-time", { field: "until" });
      // A deadline decades away is a typo, and the forecast after it would run past the last date there is.
      if (Date.parse(command.until) > Date.parse(draft.now) + MAX_EXTENSION_MS)
        throw new EngineError("invalid", `the new deadline must be within ${MAX_EXTENSION_YEARS} years of now`, { field: "until" });
      if (state.dueAt !== undefined && command.until <= state.dueAt)
        throw new EngineError("invalid", `the new deadline must be after ${state.dueAt}`, { field: "until" });
      checkExtensionLimits(draft, def, state, new Date(command.until).toISOString());
      draft.emit({ type: "deadline.extended", step: def.id, dueAt: new Date(command.until).toISOString() }, command.reason);
      return;
    }
    case "reopen_step":
    case "activate_step": {
      requireActive(draft);
      const { def, state } = step(draft, command.step);
      if (!canManage(actor) && !canAct(actor, def, undefined, true))
        throw new EngineError("forbidden", `only the accountable role or CS operations can reopen "${def.id}"`, { step: def.id });
      if (!command.reason.trim()) throw new EngineError("invalid", "reopening needs a reason", { field: "reason" });
      const allowed = command.type === "activate_step" ? ["dormant", "done", "skipped"] : ["done", "skipped"];
      if (!allowed.includes(state.status)) throw new EngineError("illegal_state", `step "${def.id}" is ${state.status}`, { step: def.id });
      draft.emit({ type: state.status === "dormant" ? "step.activated" : "step.reopened", step: def.id }, command.reason);
      if (state.status !== "dormant") reblockDependents(draft, def.id);
      return;
    }
    case "hold": {
      requireActive(draft);
      if (!canManage(actor) && !actor.roles.length) throw new EngineError("forbidden", "you have no role on this project", {});
      if (!command.reason.trim()) throw new EngineError("invalid", "a hold needs a reason", { field: "reason" });
      draft.emit({ type: "project.on_hold" }, command.reason);
      return;
    }
    case "resume": {
      if (draft.state.status !== "on_hold")
        throw new EngineError("illegal_state", "the project is not on hold", { status: draft.state.status });
      if (!canManage(actor) && !actor.roles.length) throw new EngineError("forbidden", "you have no role on this project", {});
      const shiftMs = Date.parse(draft.now) - Date.parse(draft.state.heldSince ?? draft.now);
      draft.emit({ type: "project.resumed", shiftMs }, command.reason);
      return;
    }
    case "cancel": {
      if (draft.state.status === "cancelled" || draft.state.status === "closed")
        throw new EngineError("illegal_state", `the project is already ${draft.state.status}`, {});
      if (!canManage(actor)) throw new EngineError("forbidden", "only CS operations can cancel a project", {});
      if (!command.reason.trim()) throw new EngineError("invalid", "cancelling needs a reason", { field: "reason" });
      for (const timer of draft.state.timers) draft.emit({ type: "timer.cancelled", id: timer.id }, "project cancelled");
      draft.emit({ type: "project.cancelled" }, command.reason);
      return;
    }
    case "reopen": {
      if (draft.state.status !== "cancelled" && draft.state.status !== "closed")
        throw new EngineError("illegal_state", "only a cancelled or closed project can be reopened", {});
      if (!canManage(actor)) throw new EngineError("forbidden", "only CS operations can reopen a project", {});
      if (!command.reason.trim()) throw new EngineError("invalid", "reopening needs a reason", { field: "reason" });
      draft.emit({ type: "project.reopened" }, command.reason);
      return;
    }
    case "go_live": {
      requireActive(draft);
      if (!canManage(actor) && !actor.roles.length) throw new EngineError("forbidden", "you have no role on this project", {});
      if (draft.state.goLiveAt) throw new EngineError("illegal_state", `the project went live at ${draft.state.goLiveAt}`, {});
      draft.emit({ type: "project.go_live" });
      return;
    }
    case "open_issue": {
      requireActive(draft);
      if (!command.title.trim()) throw new EngineError("invalid", "an issue needs a title", { field: "title" });
      draft.emit({
        type: "issue.opened",
        issue: { id: draft.mint("issue"), severity: command.severity, title: command.title, openedAt: draft.now },
      });
      return;
    }
    case "resolve_issue": {
      const issue = draft.state.issues[command.issue];
      if (!issue) throw new EngineError("not_found", `no issue "${command.issue}"`, { issue: command.issue });
      if (issue.resolvedAt) throw new EngineError("illegal_state", `issue "${command.issue}" was resolved at ${issue.resolvedAt}`, {});
      draft.emit({ type: "issue.resolved", id: issue.id });
      return;
    }
    case "retry_incident": {
      requireActive(draft);
      if (!canManage(actor)) throw new EngineError("forbidden", "only CS operations can retry an incident", { incident: command.incident });
      retryIncident(draft, command.incident, completeStep);
      return;
    }
    case "request_change": {
      requireActive(draft);
      if (!command.reason.trim()) throw new EngineError("invalid", "a change request needs a reason", { field: "reason" });
      draft.emit(
        {
          type: "change.requested",
          kind: command.kind,
          delayDays: command.delayDays,
          billable: command.billable,
          inScope: command.inScope,
        },
        command.reason,
      );
      return;
    }
    case "answer_survey": {
      if (!draft.ctx.model.playbook.surveys[command.survey])
        throw new EngineError("not_found", `no survey "${command.survey}"`, { survey: command.survey });
      draft.emit({
        type: "survey.answered",
        survey: command.survey,
        score: command.score,
        ...(command.comment ? { comment: command.comment } : {}),
      });
      return;
    }
    case "record_training": {
      const tracks = draft.ctx.model.playbook.training?.tracks ?? {};
      if (!tracks[command.track]) throw new EngineError("not_found", `no training track "${command.track}"`, { track: command.track });
      if (!(command.score >= 0 && command.score <= 100))
        throw new EngineError("invalid", "a score is a percentage from 0 to 100", { field: "score" });
      const passMark = draft.ctx.model.playbook.training?.pass_mark ?? 0;
      draft.emit({
        type: "training.recorded",
        record: { track: command.track, person: command.person, score: command.score, passed: command.score >= passMark },
      });
      return;
    }
    case "complete_task": {
      const task = draft.state.tasks[command.task];
      if (!task) throw new EngineError("not_found", `no task "${command.task}"`, { task: command.task });
      if (task.doneAt) throw new EngineError("illegal_state", `task "${command.task}" is done`, {});
      draft.emit({ type: "task.completed", id: task.id });
      return;
    }
    case "set_health": {
      if (!command.reason.trim()) throw new EngineError("invalid", "a health change needs a reason", { field: "reason" });
      if (draft.state.health !== command.health) draft.emit({ type: "health.set", health: command.health }, command.reason);
      return;
    }
    case "tick":
      tick(draft);
      return;
    default:
      assertNever(command);
  }
}

const REMINDER_LEAD_MS = 24 * 3_600_000;

/** Everything that comes due by `now`: scheduled openings, reminders, SLA breaches, timers, cadences. */
function tick(draft: Draft): void {
  // Surveys still go out after a project closed ("N days after completion").
  updateSurveys(draft);
  // So do the cadences that continue after closing, until their own end.
  if (draft.state.status === "closed") {
    runCadences(draft, (cadence) => cadence.after_close === "continue");
    updateCadences(draft, { continuing: true });
    return;
  }
  if (draft.state.status !== "active") return;
  openScheduledSteps(draft);
  for (const { step: def } of draft.ctx.model.order) {
    const state = draft.state.steps[def.id];
    if (!state || !ACTIVE.has(state.status)) continue;
    if (state.targetAt !== undefined && state.targetMissedAt === undefined && draft.now >= state.targetAt)
      draft.emit({ type: "step.target_missed", step: def.id, targetAt: state.targetAt });
    if (state.dueAt === undefined) continue;
    const due = Date.parse(state.dueAt);
    const opened = Date.parse(state.openedAt ?? state.dueAt);
    const remindAt = due - Math.min(REMINDER_LEAD_MS, (due - opened) / 2);
    if (state.remindedAt === undefined && Date.parse(draft.now) >= remindAt && Date.parse(draft.now) < due) {
      draft.emit({ type: "step.reminded", step: def.id });
      draft.effect({ kind: "remind", step: def.id, to: def.owner, dueAt: state.dueAt });
    }
    if (state.overdueAt === undefined && Date.parse(draft.now) >= due)
      draft.emit({ type: "step.overdue", step: def.id, dueAt: state.dueAt });
  }
  for (const timer of [...draft.state.timers].sort((a, b) => a.fireAt.localeCompare(b.fireAt))) {
    if (timer.fireAt <= draft.now) fireTimer(draft, timer.id);
  }
  runCadences(draft, () => true);
}

/** The occurrences of the cadences that came due by now (each a task, and an invitation for meetings). */
function runCadences(draft: Draft, which: (cadence: Cadence) => boolean): void {
  for (const cadence of draft.ctx.model.playbook.cadences.filter(which)) {
    const current = draft.state.cadences[cadence.id];
    if (current?.nextAt === undefined || current.nextAt > draft.now) continue;
    // Missed occurrences (the server was down) collapse into one: a meeting is not held twice.
    const schedule = cadenceSchedule(draft.state, cadence);
    let nextAt: string | undefined = current.nextAt;
    while (nextAt !== undefined && nextAt <= draft.now)
      nextAt = schedule ? followingOccurrence(draft.ctx, draft.state, schedule, nextAt) : undefined;
    const n = current.count + 1;
    draft.emit({ type: "cadence.occurred", cadence: cadence.id, n, ...(nextAt ? { nextAt } : {}) });
    const followUp = cadence.due?.kind === "offset" ? cadence.due.duration : cadence.due ? schedule?.every : undefined;
    const dueAt = followUp ? addTo(draft.ctx, draft.state, draft.now, followUp) : undefined;
    draft.emit({
      type: "task.created",
      task: {
        id: draft.mint("task"),
        title: `${cadence.title} #${n}`,
        owner: cadence.owner,
        source: `cadence ${cadence.id}`,
        createdAt: draft.now,
        ...(dueAt ? { dueAt } : {}),
      },
    });
    if (cadence.kind === "meeting") draft.effect({ kind: "send_invite", meeting: `${cadence.id}#${n}` });
  }
}

/** Apply a command: handle it, react with the playbook's rules, then move the flow forward. */
export function decide(draft: Draft, command: Command): void {
  handle(draft, command);
  settle(draft);
  meetingChanges(draft);
}
