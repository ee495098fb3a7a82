// Moving a project forward after anything changed: open the steps whose dependencies are met
// (computing their deadlines from `now` on the business calendar), schedule the ones that open at
// a time, start and end cadences, and close the project when nothing is left.
import type { Cadence } from "../playbook/schema.ts";
import type { Deadline, Window } from "../playbook/time-expressions.ts";
import { cadenceSchedule, dependsOnAnswers, firstOccurrence, sameAgreement } from "./cadences.ts";
import { conditionValues, evaluate } from "./conditions.ts";
import { stepEntry } from "./context.ts";
import type { Draft } from "./draft.ts";
import { openIncident, openIncidentOn, stepHeld } from "./incidents.ts";
import { react } from "./reactions.ts";
import { decideAtReachability } from "./run-time.ts";
import { addTo, resolveDeadline } from "./schedule.ts";
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
 * Whether an on-demand step that nobody opened will not run: every step whose decision could open
 * it has decided (or will not run itself). A step only rules can open never blocks anyone: rules
 * may fire at any time, and waiting for one would wait forever.
 */
export function willNotRun(draft: Draft, id: string, seen: Set<string> = new Set()): boolean {
  if (draft.state.steps[id]?.status !== "dormant") return false;
  if (seen.has(id)) return true;
  seen.add(id);
  return (draft.ctx.activators.get(id) ?? []).every((from) => {
    const status = draft.state.steps[from]?.status;
    return status === undefined || SATISFIED.has(status) || willNotRun(draft, from, seen);
  });
}

/** The steps of the detour the step's decision took, if it took one (done after deciding). */
function detourOf(draft: Draft, id: string): readonly string[] {
  const state = draft.state.steps[id];
  if (state?.status !== "done" || state.branch === undefined) return [];
  const branch = stepEntry(draft.ctx, id).step.decision?.branches.find((b) => b.label === state.branch);
  return branch?.detour ?? [];
}

/**
 * Whether everything a step waits for is finished. A step left out for this client (not
 * applicable), or on demand and not run (see willNotRun), stands in for its own dependencies, so
 * the chain through it still holds (an inclusive join). A decision that took a detour is finished
 * when the detour's steps are.
 */
export function dependenciesMet(draft: Draft, id: string, seen?: Set<string>): boolean {
  for (const dep of draft.ctx.dependencies.get(id) ?? []) {
    const status = draft.state.steps[dep]?.status;
    if (status === "done" && detourOf(draft, dep).some((d) => !SATISFIED.has(draft.state.steps[d]?.status ?? "done"))) return false;
    if (status === undefined || (SATISFIED.has(status) && status !== "not_applicable")) continue;
    if (status !== "not_applicable" && !willNotRun(draft, dep)) return false;
    const visited = seen ?? new Set<string>([id]);
    if (visited.has(dep)) continue;
    visited.add(dep);
    if (!dependenciesMet(draft, dep, visited)) return false;
  }
  return true;
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
  for (const { step } of draft.ctx.model.order) {
    const state = draft.state.steps[step.id];
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

/**
 * Open or schedule every step that is ready. One pass suffices: opening a step satisfies nobody's
 * dependency (only finishing it does).
 */
export function openReadySteps(draft: Draft): void {
  if (draft.state.status !== "active") return;
  for (const { step } of draft.ctx.model.order) {
    const state = draft.state.steps[step.id];
    if (state?.status !== "blocked" || !dependenciesMet(draft, step.id)) continue;
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
function completeWhenOnlyAftercareIsLeft(draft: Draft): void {
  const state = draft.state;
  if (state.completedAt !== undefined) return;
  let left = 0;
  for (const id in state.steps) {
    const status = state.steps[id]?.status;
    if (status === undefined || SATISFIED.has(status) || status === "dormant") continue;
    const opens = stepEntry(draft.ctx, id).step.opens;
    if (status !== "blocked" || opens?.anchor.kind !== "completion") return;
    left++;
  }
  if (left > 0) draft.emit({ type: "project.completed" }, "only steps that open after completion are left");
}

/** Milestones of the whole project: completion and closing. */
export function settleProject(draft: Draft): void {
  const state = draft.state;
  if (state.status !== "active") return;
  completeWhenOnlyAftercareIsLeft(draft);
  for (const id in state.steps) {
    const status = state.steps[id]?.status;
    if (status !== undefined && !SATISFIED.has(status) && status !== "dormant") return;
  }
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

/** Whether a deadline counts from something that may become known, or change, after its step opened. */
function countsFromLater(deadline: Deadline | undefined): boolean {
  if (!deadline) return false;
  if (deadline.anchor.kind === "form") return true;
  return deadline.anchor.kind === "step" && deadline.kind === "offset" && deadline.direction === "before";
}

/**
 * Open steps whose deadline counts from something known only later ("3 days before kickoff",
 * "2 days before the agreed go-live date") get it, or have it moved, once that is known or changes.
 * A deadline a person extended stays theirs.
 */
function replanDeadlines(draft: Draft): void {
  if (draft.state.status !== "active") return;
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
