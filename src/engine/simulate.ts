// A simulated client going through a playbook with a clock that moves day by day: the team does
// each open step after a while (ticking its checklist, filling its form, signing its gates,
// passing its training), the scheduler ticks every day. Used by the end-to-end tests of every
// seed playbook and by the demo portfolio, so both show what the engine itself produces.

import type { PlaybookModel } from "../playbook/model.ts";
import type { Step } from "../playbook/schema.ts";
import type { ValueSpec } from "../playbook/values.ts";
import { checklistKey, type EngineContext } from "./context.ts";
import { EngineError } from "./errors.ts";
import { execute, nextWakeAt, type StartInput, startProject } from "./index.ts";
import { ACTIVE, type Actor, type Command, type Effect, type Instant, type ProjectEvent, type ProjectState, SYSTEM } from "./types.ts";

export interface SimulationOptions {
  readonly start: Instant;
  readonly input: StartInput;
  /** Last day simulated; the run stops earlier when the project closes. */
  readonly maxDays: number;
  /** Days the team takes to finish a step once it is open; default: the day before its own
   *  deadline (so "Day 90" lands on time), at most two days when only its phase bounds it. */
  readonly workDays?: (step: Step, attempt: number) => number | undefined;
  /** Form values per step and attempt; default: every field gets a passing value. */
  readonly formValues?: (step: Step, attempt: number) => Readonly<Record<string, unknown>> | undefined;
  /** Training score per track and attempt; default 95. */
  readonly trainingScore?: (track: string, attempt: number) => number;
  /** Commands to send on given days (issues, change requests, survey answers, holds). */
  readonly extra?: (day: number, state: ProjectState) => readonly { command: Command; actor?: Actor }[];
}

export interface SimulationResult {
  readonly ctx: EngineContext;
  readonly state: ProjectState;
  readonly events: readonly ProjectEvent[];
  readonly effects: readonly { at: Instant; effect: Effect }[];
  /** Commands the engine refused, with why: a correct playbook and driver produce none. */
  readonly refused: readonly { at: Instant; command: Command; error: string }[];
}

const DAY = 86_400_000;

function personFor(role: string, kind: Actor["kind"] = "user"): Actor {
  return { id: `${role}-person`, kind, roles: [role] };
}

/** A value that passes a declared field (what a simulated person types in), within its constraints. */
export function passingValue(spec: ValueSpec, text = "Recorded in the simulation"): unknown {
  const within = (n: number) => Math.min(spec.max ?? Number.POSITIVE_INFINITY, Math.max(spec.min ?? n, n));
  const count = Math.max(spec.min_items ?? 0, 0);
  switch (spec.type) {
    case "bool":
      return true;
    case "int":
      return Math.ceil(within(0));
    case "double":
      return within(100);
    case "date":
      return "2026-01-01";
    case "datetime":
      return "2026-01-01T09:00";
    case "choice":
      return spec.options?.[0] ?? "yes";
    case "choices":
    case "list":
      return (spec.options ?? ["Recorded"]).slice(0, Math.max(count, spec.type === "choices" ? 1 : 0));
    case "records":
      return Array.from({ length: Math.max(count, 1) }, () =>
        Object.fromEntries(Object.entries(spec.fields ?? {}).map(([id, column]) => [id, passingValue(column, text)])),
      );
    case "email":
      return "person@example.com";
    case "url":
      return "https://example.com/";
    case "phone":
      return "+44 20 7946 0958";
    case "person":
      return { name: "Alex Example", email: "alex@example.com" };
    default:
      return spec.min_length !== undefined && text.length < spec.min_length ? text.padEnd(spec.min_length, ".") : text;
  }
}

export function simulate(model: PlaybookModel, options: SimulationOptions): SimulationResult {
  const started = startProject(model, options.input, options.start);
  return drive(
    model,
    {
      ctx: started.ctx,
      state: started.state,
      events: started.events,
      effects: started.effects.map((effect) => ({ at: options.start, effect })),
    },
    options,
  );
}

/**
 * The team working a project that is already under way (from `options.start`, day by day) until it
 * closes or `maxDays` pass: how tests check that a project, whatever happened to it, can still finish.
 */
export function drive(
  model: PlaybookModel,
  from: { ctx: EngineContext; state: ProjectState; events: readonly ProjectEvent[]; effects?: readonly { at: Instant; effect: Effect }[] },
  options: Omit<SimulationOptions, "input">,
): SimulationResult {
  const ctx = from.ctx;
  let state = from.state;
  const events: ProjectEvent[] = [...from.events];
  const effects: { at: Instant; effect: Effect }[] = [...(from.effects ?? [])];
  const refused: { at: Instant; command: Command; error: string }[] = [];
  const playbook = model.playbook;
  const sides = new Map(Object.entries(playbook.roles).map(([id, r]) => [id, r.side]));

  const send = (command: Command, actor: Actor, at: Instant): boolean => {
    try {
      const outcome = execute(ctx, state, command, actor, at);
      state = outcome.state;
      events.push(...outcome.events);
      for (const effect of outcome.effects) effects.push({ at, effect });
      return true;
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      refused.push({ at, command, error: error.message });
      return false;
    }
  };

  const work = (def: Step, at: Instant): void => {
    const step = state.steps[def.id];
    if (!step || !ACTIVE.has(step.status)) return;
    const owner = personFor(def.owner, sides.get(def.owner) === "client" ? "contact" : "user");
    if (step.status === "open") send({ type: "start_step", step: def.id }, owner, at);
    def.checklist.forEach((item, i) => {
      const key = checklistKey(item, i);
      if (state.steps[def.id]?.checklist[key] !== true) {
        const itemOwner = typeof item === "string" || !item.owner ? def.owner : item.owner;
        send({ type: "tick_checklist", step: def.id, item: key, checked: true }, personFor(itemOwner), at);
      }
    });
    if (def.form) {
      const form = playbook.forms[def.form];
      const values =
        options.formValues?.(def, step.attempt) ??
        Object.fromEntries(Object.entries(form?.fields ?? {}).map(([id, field]) => [id, passingValue(field)]));
      send({ type: "submit_form", step: def.id, values }, owner, at);
    }
    for (const track of def.training) {
      // The trainee, and whoever failed this track before (a retake is what additional training is for).
      const retakes = state.training.filter((r) => r.track === track && !r.passed).map((r) => r.person);
      for (const person of new Set(["trainee", ...retakes])) {
        send({ type: "record_training", track, person, score: options.trainingScore?.(track, step.attempt) ?? 95 }, owner, at);
      }
    }
    for (const role of def.gate?.approvers ?? []) {
      if (state.steps[def.id]?.approvals[role]?.decision !== "approved") {
        send(
          { type: "approve", step: def.id, role, comment: "Approved in the simulation" },
          personFor(role, sides.get(role) === "client" ? "contact" : "user"),
          at,
        );
      }
    }
    for (const [item, done] of Object.entries(state.steps[def.id]?.items ?? {})) {
      if (done === null) send({ type: "complete_step", step: def.id, item }, owner, at);
    }
    if (ACTIVE.has(state.steps[def.id]?.status ?? "done")) send({ type: "complete_step", step: def.id }, owner, at);
  };

  for (let day = 0; day <= options.maxDays && state.status !== "closed" && state.status !== "cancelled"; day++) {
    const at = new Date(Date.parse(options.start) + day * DAY).toISOString();
    send({ type: "tick" }, SYSTEM, at);
    for (const { command, actor } of options.extra?.(day, state) ?? []) send(command, actor ?? SYSTEM, at);
    for (const { step: def } of model.order) {
      const step = state.steps[def.id];
      if (!step || !ACTIVE.has(step.status) || step.openedAt === undefined) continue;
      const waited = Math.floor((Date.parse(at) - Date.parse(step.openedAt)) / DAY);
      // A step with its own deadline is done the day before it; one due only by its phase's end
      // takes two days, leaving the rest of the window to the steps after it.
      const daysLeft =
        step.dueAt === undefined ? 2 : Math.max(0, Math.floor((Date.parse(step.dueAt) - Date.parse(step.openedAt)) / DAY) - 1);
      const onTime = def.due ? daysLeft : Math.min(2, daysLeft);
      if (waited >= (options.workDays?.(def, step.attempt) ?? onTime)) work(def, new Date(Date.parse(at) + 3_600_000).toISOString());
    }
    for (const task of Object.values(state.tasks)) {
      if (!task.doneAt)
        send({ type: "complete_task", task: task.id }, personFor(task.owner), new Date(Date.parse(at) + 2 * 3_600_000).toISOString());
    }
    // Between the team's working moments the scheduler wakes the project whenever something comes
    // due (a 4-hourly update, a deadline), as the real scheduler does.
    const tomorrow = new Date(Date.parse(at) + DAY).toISOString();
    const afterWork = new Date(Date.parse(at) + 2 * 3_600_000).toISOString();
    for (let wakes = 0; wakes < 48; wakes++) {
      const wake = nextWakeAt(state);
      if (wake === undefined || wake >= tomorrow) break;
      send({ type: "tick" }, SYSTEM, [wake, afterWork].sort()[1] ?? wake);
      if (wake <= afterWork && nextWakeAt(state) === wake) break;
    }
  }
  return { ctx, state, events, effects, refused };
}
