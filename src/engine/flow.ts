// Moving a project forward after anything changed: open the steps whose dependencies are met
// (computing their deadlines from `now` on the business calendar), schedule the ones that open at
// a time, start and end cadences, and close the project when nothing is left.
import type { Cadence } from "../playbook/schema.ts";
import type { Deadline, Window } from "../playbook/time-expressions.ts";
import { cadenceSchedule, dependsOnAnswers, firstOccurrence, sameAgreement } from "./cadences.ts";
import { conditionValues, evaluate } from "./conditions.ts";
import { stepEntry } from "./context.ts";
import type { Draft } from "./draft.ts";
import { countsFromLater, flowIndex } from "./flow-index.ts";
import { openIncident, openIncidentOn, stepHeld } from "./incidents.ts";
import { react } from "./reactions.ts";
import { decideAtReachability } from "./run-time.ts";
import { resolveDeadline } from "./schedule.ts";
import { type StepSets, stepSets } from "./step-sets.ts";
import { ACTIVE, type Instant, SATISFIED } from "./types.ts";

/**
 * A step without its own deadline is due when its phase's window ends ("Days 11-45": day 45);
 * a phase without a window (the procedure gives none) sets no deadline.
 */
export function phaseDeadline(window: Window | undefined): Deadline | undefined {
  if (window === undefined || window.to === null) return undefined;
  const day = window.to.unit === "week" ? window.to.n * 7 : window.to.n;
  return { kind: "day", day, anchor: window.anchor, text: window.text };
}

/**
 * A step the flow comes back to (a loop's retest) gets at least the time its first pass had: a
 * fixed point ("by Day 40", "24h after handoff") would otherwise make every later pass overdue the
 * moment it opens. Deadlines counted from opening re-anchor by themselves.
 */
function reanchored(
  draft: Draft,
  id: string,
  deadline: Deadline | undefined,
  at: Instant,
  resolved: Instant | undefined,
): Instant | undefined {
  const allowance = draft.state.steps[id]?.firstAllowanceMs;
  if (!deadline || resolved === undefined || allowance === undefined || allowance <= 0) return resolved;
  if (deadline.kind === "offset" && deadline.anchor.kind === "activation") return resolved;
  const pass = new Date(Date.parse(at) + allowance).toISOString();
  return pass > resolved ? pass : resolved;
}

function openStep(draft: Draft, id: string, at: Instant): void {
  const entry = stepEntry(draft.ctx, id);
  const def = entry.step;
  // An on-demand step is held to its own due: (counted from when it opens) or, without one, to its
  // phase's window like any step, so it keeps an SLA (and the project a wake-up) while it is open.
  const deadline = def.due ?? phaseDeadline(entry.phase.window);
  const resolved = reanchored(draft, id, deadline, at, deadline ? resolveDeadline(draft.ctx, draft.state, deadline, at) : undefined);
  // A phase deadline already past when the step opens (a late phase) gives no new SLA to breach.
  const dueAt = def.due || (resolved !== undefined && resolved > at) ? resolved : undefined;
  const targetAt = def.target ? resolveDeadline(draft.ctx, draft.state, def.target, at) : undefined;
  draft.emit({ type: "step.opened", step: id, ...(dueAt ? { dueAt } : {}), ...(targetAt ? { targetAt } : {}) }, undefined, at);
}

/**
 * A step was reopened: the open steps that wait for it (directly, or through steps left out for
 * this client) go back to waiting, so nothing proceeds on work that is being redone. A decision
 * waiting for its loop to come back (looping) waits for the reopened step instead, and decides
 * again once it is done.
 */
export function reblockDependents(draft: Draft, reopened: string): void {
  const through = new Set([reopened]);
  for (const { step } of draft.ctx.model.order) {
    const deps = draft.ctx.dependencies.get(step.id) ?? [];
    if (!deps.some((d) => through.has(d))) continue;
    const status = draft.state.steps[step.id]?.status;
    if (status === "not_applicable") through.add(step.id);
    else if (status === "open" || status === "in_progress" || status === "looping")
      draft.emit({ type: "step.reblocked", step: step.id, because: reopened }, `${reopened} was reopened`);
  }
}

/** Whether a step waits, directly or through other unfinished steps, for `target`. */
function waitsFor(draft: Draft, id: string, target: string, seen: Set<string> = new Set()): boolean {
  if (seen.has(id)) return false;
  seen.add(id);
  const status = draft.state.steps[id]?.status;
  const next = [...(draft.ctx.dependencies.get(id) ?? []), ...(status === "dormant" ? (draft.ctx.activators.get(id) ?? []) : [])];
  return next.some((dep) => {
    const depStatus = draft.state.steps[dep]?.status;
    if (depStatus === undefined || (SATISFIED.has(depStatus) && depStatus !== "not_applicable")) return false;
    return dep === target || waitsFor(draft, dep, target, seen);
  });
}

/**
 * A decision that sent the flow round a loop waits (looping) for the flow to come back to it. Once
 * the step the branch went to is finished and no unfinished step can bring the flow back (the
 * loop left by another exit, or the branch went to a step that does not return), the loop is
 * closed: the decision is done with the branch it took, and what follows it opens.
 */
export function closeLoops(draft: Draft): void {
  if (draft.state.status !== "active") return;
  const { position } = flowIndex(draft.ctx);
  const looping = [...stepSets(draft).sets.looping].filter((id) => position.has(id)).sort(byPosition(position));
  for (const id of looping) {
    const step = stepEntry(draft.ctx, id).step;
    const state = draft.state.steps[id];
    if (state?.status !== "looping") continue;
    // The step the branch went to, and every step from which the flow can come back.
    const target = step.decision?.branches.find((b) => b.label === state.branch)?.next;
    const sources = [...(draft.ctx.returners.get(step.id) ?? []), ...(target !== undefined ? [target] : [])];
    const pending = sources.some((from) => {
      const status = draft.state.steps[from]?.status;
      if (from === step.id || status === undefined) return false;
      if (status === "open" || status === "in_progress" || status === "scheduled") return true;
      return status === "blocked" && !waitsFor(draft, from, step.id);
    });
    if (!pending)
      draft.emit(
        { type: "step.completed", step: step.id, ...(state.branch ? { branch: state.branch } : {}) },
        "the loop closed: no step is left that returns to it",
      );
  }
}

function byPosition(position: ReadonlyMap<string, number>): (a: string, b: string) => number {
  return (a, b) => (position.get(a) ?? -1) - (position.get(b) ?? -1);
}

/**
 * Open or schedule every step that is ready. One pass suffices: opening a step satisfies nobody's
 * dependency (only finishing it does).
 */
export function openReadySteps(draft: Draft): void {
  if (draft.state.status !== "active") return;
  const { position } = flowIndex(draft.ctx);
  const at = (id: string) => position.get(id) ?? -1;
  const queue = [...stepSets(draft).sets.ready].sort(byPosition(position));
  const queued = new Set(queue);
  let cursor = -1;
  for (let i = 0; ; i++) {
    // In the playbook's order, as one scan would: a step that became ready after the one just
    // handled (its predecessor was left out) is taken in this pass, one before it in the next.
    const { sets, newlyReady } = stepSets(draft);
    for (const id of newlyReady) {
      if (queued.has(id) || at(id) <= cursor) continue;
      queued.add(id);
      let j = i;
      while (j < queue.length && at(queue[j] ?? "") < at(id)) j++;
      queue.splice(j, 0, id);
    }
    const id = queue[i];
    if (id === undefined) break;
    cursor = at(id);
    const state = draft.state.steps[id];
    if (!state || !sets.ready.has(id)) continue;
    const step = stepEntry(draft.ctx, id).step;
    // Its own condition failed at run time: it neither opens nor is left out until a retry.
    if (stepHeld(draft.state, step.id)) continue;
    // A condition reading run-time values (forms, sign-offs) is decided now, once: left out, or on an incident.
    if (!decideAtReachability(draft, step)) continue;
    if (step.opens && state.attempt === 0) {
      const opensAt = resolveDeadline(draft.ctx, draft.state, step.opens);
      if (opensAt === undefined) continue; // its anchor (e.g. go-live) has not happened yet
      if (opensAt > draft.now) {
        draft.emit({ type: "step.scheduled", step: step.id, opensAt });
        continue;
      }
    }
    openStep(draft, step.id, draft.now);
  }
}

/** Scheduled steps whose time has come (called by tick). */
export function openScheduledSteps(draft: Draft): void {
  for (const { step } of draft.ctx.model.order) {
    const state = draft.state.steps[step.id];
    if (state?.status === "scheduled" && state.opensAt !== undefined && state.opensAt <= draft.now) openStep(draft, step.id, state.opensAt);
  }
}

function cadenceStart(draft: Draft, cadence: Cadence): Instant | undefined {
  if (cadence.from) return resolveDeadline(draft.ctx, draft.state, cadence.from);
  if (cadence.during) {
    const phase = draft.ctx.model.playbook.phases.find((p) => p.id === cadence.during);
    const opened = (phase?.steps ?? []).map((s) => draft.state.steps[s.id]?.openedAt).filter((t): t is Instant => t !== undefined);
    return opened.length > 0 ? opened.sort()[0] : undefined;
  }
  return draft.state.startedAt;
}

function cadenceOver(draft: Draft, cadence: Cadence): boolean {
  if (cadence.until) {
    const until = resolveDeadline(draft.ctx, draft.state, cadence.until);
    return until !== undefined && until <= draft.now;
  }
  if (cadence.during) {
    const phase = draft.ctx.model.playbook.phases.find((p) => p.id === cadence.during);
    return (phase?.steps ?? []).every((s) => {
      const status = draft.state.steps[s.id]?.status;
      return status === undefined || SATISFIED.has(status) || status === "dormant";
    });
  }
  return draft.state.status === "closed" && cadence.after_close !== "continue";
}

/** Start cadences whose period began; end those whose period is over. */
export function updateCadences(draft: Draft, only: { readonly continuing?: boolean } = {}): void {
  for (const cadence of draft.ctx.model.playbook.cadences) {
    if (only.continuing && cadence.after_close !== "continue") continue;
    const current = draft.state.cadences[cadence.id];
    if (current === undefined) {
      if (cadence.when !== undefined) {
        const target = { kind: "cadence" as const, cadence: cadence.id };
        if (openIncidentOn(draft.state, target)) continue;
        const result = evaluate(draft.ctx, cadence.when, {}, conditionValues(draft.ctx, draft.state, draft.now));
        if (!result.ok) openIncident(draft, target, cadence.when, result);
        if (result.value !== true) continue;
      }
      const start = cadenceStart(draft, cadence);
      if (start === undefined || start > draft.now || cadenceOver(draft, cadence)) continue;
      // A schedule agreed with the client waits for its answers, and counts from when they came.
      const schedule = cadenceSchedule(draft.state, cadence);
      if (!schedule) continue;
      const agreedLater = dependsOnAnswers(cadence);
      const nextAt = firstOccurrence(draft.ctx, draft.state, schedule, agreedLater ? draft.now : start);
      if (!nextAt) continue;
      draft.emit({ type: "cadence.started", cadence: cadence.id, nextAt, ...(agreedLater ? { agreed: schedule.agreed } : {}) });
      // A meeting series is mailed when it is planned, not when its first meeting falls due (the
      // adapter gives it the playbook's notice; see planMeeting in notify/meetings.ts).
      if (cadence.kind === "meeting") draft.effect({ kind: "send_invite", meeting: cadence.id });
    } else if (current.nextAt !== undefined && cadenceOver(draft, cadence)) {
      draft.emit({ type: "cadence.ended", cadence: cadence.id });
    } else if (current.nextAt !== undefined && dependsOnAnswers(cadence)) {
      // The form was submitted again with another schedule: the next occurrence moves.
      const schedule = cadenceSchedule(draft.state, cadence);
      if (!schedule || sameAgreement(current.agreed, schedule.agreed)) continue;
      const nextAt = firstOccurrence(draft.ctx, draft.state, schedule, draft.now);
      if (nextAt) draft.emit({ type: "cadence.rescheduled", cadence: cadence.id, nextAt, agreed: schedule.agreed });
    }
  }
}

/** Schedule each survey once its anchor is known ("14 days after completion"); send those due. */
export function updateSurveys(draft: Draft): void {
  if (draft.state.status === "cancelled") return;
  for (const [id, survey] of Object.entries(draft.ctx.model.playbook.surveys)) {
    if (draft.state.surveys[id] === undefined) {
      const dueAt = resolveDeadline(draft.ctx, draft.state, survey.send);
      if (dueAt !== undefined) draft.emit({ type: "survey.scheduled", survey: id, dueAt });
    }
    const scheduled = draft.state.surveys[id];
    if (scheduled && scheduled.sentAt === undefined && scheduled.dueAt <= draft.now) {
      draft.emit({ type: "survey.sent", survey: id });
      draft.effect({ kind: "send_survey", survey: id, to: survey.to });
    }
  }
}

/**
 * The onboarding is complete when its completing step is done; but when that step was skipped or
 * left out, and all that is left are steps that open only after completion ("30 days after
 * completion": the aftercare), the project completes now, or those steps would wait for a
 * completion that can no longer come.
 */
function completeWhenOnlyAftercareIsLeft(draft: Draft, sets: StepSets): void {
  if (draft.state.completedAt !== undefined) return;
  if (sets.unsettled > 0 && sets.aftercare === sets.unsettled)
    draft.emit({ type: "project.completed" }, "only steps that open after completion are left");
}

/** Milestones of the whole project: completion and closing. */
export function settleProject(draft: Draft): void {
  const state = draft.state;
  if (state.status !== "active") return;
  completeWhenOnlyAftercareIsLeft(draft, stepSets(draft).sets);
  if (stepSets(draft).sets.unsettled > 0) return;
  if (state.completedAt === undefined) draft.emit({ type: "project.completed" });
  // Cadences that go on after closing (steady-state check-ins) start now if they count from
  // completion, and keep running until their own end; the others end with the project.
  updateCadences(draft, { continuing: true });
  for (const cadence of draft.ctx.model.playbook.cadences) {
    if (cadence.after_close === "continue") continue;
    if (draft.state.cadences[cadence.id]?.nextAt !== undefined) draft.emit({ type: "cadence.ended", cadence: cadence.id });
  }
  for (const timer of draft.state.timers) draft.emit({ type: "timer.cancelled", id: timer.id }, "project closed");
  draft.emit({ type: "project.closed" });
}

/**
 * Open steps whose deadline counts from something known only later ("3 days before kickoff",
 * "2 days before the agreed go-live date") get it, or have it moved, once that is known or changes.
 * A deadline a person extended stays theirs.
 */
function replanDeadlines(draft: Draft): void {
  if (draft.state.status !== "active" || !flowIndex(draft.ctx).replansDeadlines) return;
  for (const [id, state] of Object.entries(draft.state.steps)) {
    if (!ACTIVE.has(state.status) || (state.extensions ?? 0) > 0) continue;
    const def = stepEntry(draft.ctx, id).step;
    const due = countsFromLater(def.due) && def.due ? resolveDeadline(draft.ctx, draft.state, def.due, state.openedAt) : undefined;
    const target =
      countsFromLater(def.target) && def.target ? resolveDeadline(draft.ctx, draft.state, def.target, state.openedAt) : undefined;
    const dueAt = due !== undefined && due !== state.dueAt ? due : undefined;
    const targetAt = target !== undefined && target !== state.targetAt ? target : undefined;
    if (dueAt === undefined && targetAt === undefined) continue;
    draft.emit(
      { type: "deadline.planned", step: id, ...(dueAt ? { dueAt } : {}), ...(targetAt ? { targetAt } : {}) },
      "what the deadline counts from is known now",
    );
  }
}

/** Events after which a waiting step may be ready, or the project finished. */
const FLOW_EVENTS: ReadonlySet<string> = new Set([
  "project.started",
  "project.resumed",
  "project.reopened",
  "project.go_live",
  "project.completed",
  "step.completed",
  "step.skipped",
  "step.activated",
  "step.excluded",
  "step.reopened",
  "step.reblocked",
  "incident.resolved",
]);

/**
 * After a command: let the playbook's rules react, move the flow forward, and repeat while either
 * produced something the other must see (bounded, since rules may trigger rules).
 */
export function settle(draft: Draft, options: { readonly flowChanged?: boolean } = {}): void {
  let seen = 0;
  for (let round = 0; round < 16; round++) {
    const before = seen;
    react(draft, before);
    let flow = round === 0 && options.flowChanged === true;
    for (let i = before; i < draft.events.length && !flow; i++) flow = FLOW_EVENTS.has(draft.events[i]?.type ?? "");
    seen = draft.events.length;
    if (flow) openReadySteps(draft);
    // Every round, not only after flow events: a project stuck in a loop before loops closed
    // (every step done, one looping) closes on its next tick.
    closeLoops(draft);
    replanDeadlines(draft);
    updateCadences(draft);
    updateSurveys(draft);
    if (flow) settleProject(draft);
    if (draft.events.length === seen) break;
  }
}
