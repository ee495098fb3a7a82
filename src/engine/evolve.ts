// Applying one event to a project's state. Deterministic and total: replaying a project's events
// from the first rebuilds exactly the state the engine had, which is what makes the event log
// the audit trail. No time arithmetic happens here; events carry the instants they decided.
import { checklistKey, type EngineContext } from "./context.ts";
import { assertNever } from "./errors.ts";
import { shift } from "./schedule.ts";
import { memoOf } from "./steps-memo.ts";
import type { Approval, ItemWork, ProjectEvent, ProjectState, StepState } from "./types.ts";

function withStep(state: ProjectState, id: string, change: (step: StepState) => StepState): ProjectState {
  const step = state.steps[id];
  if (!step) return state;
  const steps = copyOfSteps(state.steps);
  steps[id] = change(step);
  return { ...state, steps };
}

/** The last record copyOfSteps or initialState made (fast): the next event's, most of the time. */
let lastMade: object | undefined;

/**
 * A copy of a steps record, cheap at any playbook size (issue #18). V8 keeps a record built key
 * by key or parsed from JSON as a dictionary, which costs hundreds of µs to copy at 1,000 steps
 * whatever the means, and a spread with a computed key ({ ...steps, [id]: v }) can turn even a fast
 * one into that. Object.fromEntries makes a fast record (up to about 1,000 keys, V8's limit) once;
 * Object.assign then copies a fast record in a few µs, as a fast record.
 */
function copyOfSteps(steps: ProjectState["steps"]): Record<string, StepState> {
  const fast = steps === lastMade || memoOf(steps)?.fast === true;
  const copy = fast ? Object.assign({}, steps) : Object.fromEntries(Object.entries(steps));
  lastMade = copy;
  return copy;
}

/** Whether a command's resulting steps record is a fast one (made here, or the fast one it started from). */
export function fastSteps(steps: ProjectState["steps"], from: ProjectState["steps"]): boolean {
  return steps === lastMade || (steps === from && memoOf(from)?.fast === true);
}

function freshStep(step: StepState, status: StepState["status"]): StepState {
  const {
    openedAt: _o,
    startedAt: _s,
    completedAt: _c,
    dueAt: _d,
    targetAt: _t,
    remindedAt: _r,
    overdueAt: _v,
    targetMissedAt: _m,
    extensions: _x,
    originalDueAt: _od,
    branch: _b,
    opensAt: _p,
    ...rest
  } = step;
  // A fresh attempt collects its sign-offs again, each item's too.
  const itemWork = rest.itemWork
    ? Object.fromEntries(Object.entries(rest.itemWork).map(([id, work]) => [id, { ...work, approvals: {} }]))
    : undefined;
  return { ...rest, status, approvals: {}, ...(itemWork ? { itemWork } : {}) };
}

/** Change one item's own work of a repeated step. */
function withItem(state: ProjectState, id: string, item: string, change: (work: ItemWork) => ItemWork): ProjectState {
  return withStep(state, id, (s) => ({ ...s, itemWork: { ...s.itemWork, [item]: change(s.itemWork?.[item] ?? {}) } }));
}

function approval(event: Extract<ProjectEvent, { type: "gate.approved" | "gate.rejected" }>): Approval {
  return {
    decision: event.type === "gate.approved" ? "approved" : "rejected",
    by: event.actor,
    at: event.at,
    ...(event.comment ? { comment: event.comment } : {}),
    ...(event.type === "gate.approved" && event.conditions ? { conditions: event.conditions } : {}),
  };
}

export function initialState(ctx: EngineContext, event: Extract<ProjectEvent, { type: "project.started" }>): ProjectState {
  const excluded = new Set(event.excluded);
  const entries: [string, StepState][] = [];
  for (const { step } of ctx.model.order) {
    const checklist = Object.fromEntries(step.checklist.map((item, i) => [checklistKey(item, i), false]));
    const items = event.items[step.id];
    entries.push([
      step.id,
      {
        id: step.id,
        status: excluded.has(step.id) ? "not_applicable" : step.on_demand ? "dormant" : "blocked",
        attempt: 0,
        checklist,
        approvals: {},
        ...(items ? { items: Object.fromEntries(items.map((i) => [i, null])) } : {}),
      },
    ]);
  }
  const steps = Object.fromEntries(entries);
  lastMade = steps;
  return {
    id: event.project,
    playbook: event.playbook,
    client: event.client,
    status: "active",
    version: 1,
    startedAt: event.at,
    facts: event.facts,
    params: event.params,
    calendar: event.calendar,
    assignments: {},
    steps,
    forms: {},
    timers: [],
    tasks: {},
    issues: {},
    incidents: {},
    training: [],
    cadences: {},
    surveys: {},
    health: "green",
    sequence: 0,
  };
}

export function evolve(ctx: EngineContext, state: ProjectState, event: ProjectEvent): ProjectState {
  const next = apply(ctx, state, event);
  return { ...next, version: state.version + 1 };
}

function apply(ctx: EngineContext, state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case "project.started":
      return initialState(ctx, event);
    case "role.assigned":
      return { ...state, assignments: { ...state.assignments, [event.role]: event.person } };
    case "assignment.failed":
      return state;
    case "step.opened":
      return withStep(state, event.step, (s) => ({
        ...freshStep(s, "open"),
        attempt: s.attempt + 1,
        openedAt: event.at,
        ...(s.firstAllowanceMs === undefined && event.dueAt ? { firstAllowanceMs: Date.parse(event.dueAt) - Date.parse(event.at) } : {}),
        ...(event.dueAt ? { dueAt: event.dueAt } : {}),
        ...(event.targetAt ? { targetAt: event.targetAt } : {}),
      }));
    case "step.scheduled":
      return withStep(state, event.step, (s) => ({ ...s, status: "scheduled", opensAt: event.opensAt }));
    case "step.started":
      return withStep(state, event.step, (s) => ({ ...s, status: "in_progress", startedAt: event.at }));
    case "checklist.ticked":
      if (event.for !== undefined)
        return withItem(state, event.step, event.for, (w) => ({ ...w, checklist: { ...w.checklist, [event.item]: event.checked } }));
      return withStep(state, event.step, (s) => ({ ...s, checklist: { ...s.checklist, [event.item]: event.checked } }));
    case "form.submitted":
      if (event.item !== undefined)
        return withItem(state, event.step, event.item, (w) => ({ ...w, values: { ...w.values, ...event.values } }));
      return { ...state, forms: { ...state.forms, [event.form]: { ...state.forms[event.form], ...event.values } } };
    case "gate.approved":
    case "gate.rejected":
      if (event.item !== undefined)
        return withItem(state, event.step, event.item, (w) => ({ ...w, approvals: { ...w.approvals, [event.role]: approval(event) } }));
      return withStep(state, event.step, (s) => ({ ...s, approvals: { ...s.approvals, [event.role]: approval(event) } }));
    case "gate.withdrawn":
      if (event.item !== undefined)
        return withItem(state, event.step, event.item, (w) => {
          const { [event.role]: _withdrawn, ...approvals } = w.approvals ?? {};
          return { ...w, approvals };
        });
      return withStep(state, event.step, (s) => {
        const { [event.role]: _withdrawn, ...approvals } = s.approvals;
        return { ...s, approvals };
      });
    case "step.excluded":
      return withStep(state, event.step, (s) => ({ ...s, status: "not_applicable", decidedAt: event.at }));
    case "step.included": {
      const items = event.items;
      return withStep(state, event.step, (s) => ({
        ...s,
        decidedAt: event.at,
        ...(items ? { items: Object.fromEntries(items.map((i) => [i, null])) } : {}),
        ...(event.labels && Object.keys(event.labels).length > 0 ? { itemLabels: event.labels } : {}),
      }));
    }
    case "occurrence.added":
      return withStep(state, event.step, (s) => ({
        ...s,
        items: { ...s.items, [event.item]: null },
        itemLabels: { ...s.itemLabels, [event.item]: event.label },
      }));
    case "item.completed":
      return withStep(state, event.step, (s) => ({ ...s, items: { ...s.items, [event.item]: event.at } }));
    case "step.completed":
      return withStep(state, event.step, ({ returned: _r, ...s }) => ({
        ...s,
        status: "done",
        completedAt: event.at,
        ...(event.branch ? { branch: event.branch } : {}),
      }));
    case "step.looped":
      return withStep(state, event.step, (s) => ({ ...s, status: "looping", branch: event.branch }));
    case "step.activated":
    case "step.reopened":
      return withStep(state, event.step, (s) => {
        const { returned: _r, ...fresh } = freshStep(s, "blocked");
        return event.returnedBy ? { ...fresh, returned: { role: event.returnedBy, comment: event.comment ?? "" } } : fresh;
      });
    case "step.reblocked":
      return withStep(state, event.step, (s) => freshStep(s, "blocked"));
    case "step.skipped":
      return withStep(state, event.step, (s) => ({ ...s, status: "skipped", completedAt: event.at, skipReason: event.reason ?? "" }));
    case "deadline.planned":
      return withStep(state, event.step, (s) => {
        const { overdueAt: _o, remindedAt: _r, targetMissedAt: _t, ...rest } = s;
        const dueMoved = event.dueAt !== undefined && event.dueAt !== s.dueAt;
        const targetMoved = event.targetAt !== undefined && event.targetAt !== s.targetAt;
        return {
          ...rest,
          ...(dueMoved ? { dueAt: event.dueAt } : s.overdueAt ? { overdueAt: s.overdueAt } : {}),
          ...(!dueMoved && s.remindedAt ? { remindedAt: s.remindedAt } : {}),
          ...(targetMoved ? { targetAt: event.targetAt } : s.targetMissedAt ? { targetMissedAt: s.targetMissedAt } : {}),
        };
      });
    case "deadline.extended":
      return withStep(state, event.step, (s) => {
        const { overdueAt: _o, remindedAt: _r, ...rest } = s;
        return {
          ...rest,
          dueAt: event.dueAt,
          extensions: (s.extensions ?? 0) + 1,
          ...((s.originalDueAt ?? s.dueAt) ? { originalDueAt: s.originalDueAt ?? s.dueAt } : {}),
        };
      });
    case "step.reminded":
      return withStep(state, event.step, (s) => ({ ...s, remindedAt: event.at }));
    case "step.overdue":
      return withStep(state, event.step, (s) => ({ ...s, overdueAt: event.at }));
    case "step.target_missed":
      return withStep(state, event.step, (s) => ({ ...s, targetMissedAt: event.at }));
    case "project.on_hold":
      return { ...state, status: "on_hold", heldSince: event.at };
    case "project.resumed": {
      // Everything still pending moves by the time spent on hold.
      const ms = event.shiftMs;
      const steps = Object.fromEntries(
        Object.entries(state.steps).map(([id, s]) => {
          if (s.status === "done" || s.status === "skipped" || s.status === "not_applicable") return [id, s];
          const moved: StepState = { ...s };
          const dueAt = shift(s.dueAt, ms);
          const targetAt = shift(s.targetAt, ms);
          const opensAt = shift(s.opensAt, ms);
          return [id, { ...moved, ...(dueAt ? { dueAt } : {}), ...(targetAt ? { targetAt } : {}), ...(opensAt ? { opensAt } : {}) }];
        }),
      );
      const timers = state.timers.map((t) => ({ ...t, fireAt: shift(t.fireAt, ms) ?? t.fireAt }));
      const cadences = Object.fromEntries(
        Object.entries(state.cadences).map(([id, c]) => [id, c.nextAt ? { ...c, nextAt: shift(c.nextAt, ms) ?? c.nextAt } : c]),
      );
      const { heldSince: _h, ...rest } = state;
      return { ...rest, status: "active", steps, timers, cadences };
    }
    case "project.cancelled":
      return { ...state, status: "cancelled" };
    case "project.reopened": {
      const { closedAt: _c, ...rest } = state;
      return { ...rest, status: "active" };
    }
    case "project.go_live":
      return { ...state, goLiveAt: event.at };
    case "project.completed":
      return { ...state, completedAt: event.at };
    case "project.closed":
      return { ...state, status: "closed", closedAt: event.at };
    case "timer.scheduled":
      return { ...state, timers: [...state.timers, event.timer], sequence: state.sequence + 1 };
    case "timer.fired":
      return {
        ...state,
        timers: event.nextAt
          ? state.timers.map((t) => (t.id === event.id ? { ...t, fireAt: event.nextAt ?? t.fireAt, fired: t.fired + 1 } : t))
          : state.timers.filter((t) => t.id !== event.id),
      };
    case "timer.cancelled":
      return { ...state, timers: state.timers.filter((t) => t.id !== event.id) };
    case "task.created":
      return { ...state, tasks: { ...state.tasks, [event.task.id]: event.task }, sequence: state.sequence + 1 };
    case "task.completed": {
      const task = state.tasks[event.id];
      return task ? { ...state, tasks: { ...state.tasks, [event.id]: { ...task, doneAt: event.at } } } : state;
    }
    case "issue.opened":
      return { ...state, issues: { ...state.issues, [event.issue.id]: event.issue }, sequence: state.sequence + 1 };
    case "issue.resolved": {
      const issue = state.issues[event.id];
      return issue ? { ...state, issues: { ...state.issues, [event.id]: { ...issue, resolvedAt: event.at } } } : state;
    }
    case "incident.opened":
      return { ...state, incidents: { ...(state.incidents ?? {}), [event.incident.id]: event.incident }, sequence: state.sequence + 1 };
    case "incident.resolved": {
      const incident = state.incidents?.[event.id];
      if (!incident) return state;
      const resolved = { ...state, incidents: { ...state.incidents, [event.id]: { ...incident, resolvedAt: event.at } } };
      // Only a step still waiting on its condition takes the outcome (a decision may have ended the flow since).
      if (incident.step === undefined || incident.kind !== "step_condition" || state.steps[incident.step]?.status !== "blocked")
        return resolved;
      const items = event.items;
      if (event.applies === false || (items !== undefined && items.length === 0))
        return withStep(resolved, incident.step, (s) => ({ ...s, status: "not_applicable" }));
      return items
        ? withStep(resolved, incident.step, (s) => ({ ...s, items: Object.fromEntries(items.map((i) => [i, null])) }))
        : resolved;
    }
    case "change.requested":
    case "survey.answered":
    case "rule.fired":
    case "note.added":
      return state;
    case "survey.scheduled":
      return { ...state, surveys: { ...state.surveys, [event.survey]: { dueAt: event.dueAt } } };
    case "survey.sent": {
      const survey = state.surveys[event.survey];
      return survey ? { ...state, surveys: { ...state.surveys, [event.survey]: { ...survey, sentAt: event.at } } } : state;
    }
    case "training.recorded":
      return { ...state, training: [...state.training, event.record] };
    case "cadence.occurred":
      return {
        ...state,
        cadences: {
          ...state.cadences,
          [event.cadence]: {
            count: event.n,
            ...(event.nextAt ? { nextAt: event.nextAt } : {}),
            ...(state.cadences[event.cadence]?.agreed ? { agreed: state.cadences[event.cadence]?.agreed } : {}),
          },
        },
      };
    case "cadence.started":
      return {
        ...state,
        cadences: {
          ...state.cadences,
          [event.cadence]: { count: 0, nextAt: event.nextAt, ...(event.agreed ? { agreed: event.agreed } : {}) },
        },
      };
    case "cadence.rescheduled": {
      const current = state.cadences[event.cadence];
      return {
        ...state,
        cadences: { ...state.cadences, [event.cadence]: { count: current?.count ?? 0, nextAt: event.nextAt, agreed: event.agreed } },
      };
    }
    case "cadence.ended":
      return { ...state, cadences: { ...state.cadences, [event.cadence]: { count: state.cadences[event.cadence]?.count ?? 0 } } };
    case "project.migrated": {
      const steps: Record<string, StepState> = {};
      const removed = new Set(event.removed);
      for (const [id, step] of Object.entries(state.steps)) if (!removed.has(id)) steps[id] = step;
      for (const added of event.added) {
        steps[added.step] = {
          id: added.step,
          status: added.status,
          attempt: 0,
          checklist: Object.fromEntries(added.checklist.map((k) => [k, false])),
          approvals: {},
        };
      }
      return { ...state, playbook: event.playbook, steps };
    }
    case "health.set":
      return { ...state, health: event.health };
    case "audit.redacted":
      // Erasure rewrites an earlier event's payload in the log; the state is a projection the store
      // keeps as it is (replaying the redacted log gives the redacted values).
      return state;
    default:
      return assertNever(event);
  }
}
