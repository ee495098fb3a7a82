// The engine's public face: start a project from a playbook, apply a command, replay events,
// and say when a project next needs attention. Pure: (state, command, now) -> (state, events, effects).
import type { PlaybookModel } from "../playbook/model.ts";
import type { Playbook } from "../playbook/schema.ts";
import { checkValue, factSpec, parameterSpec } from "../playbook/values.ts";
import { assignRoles, type Person } from "./assignment.ts";
import { conditionValues, type Evaluation, evaluate } from "./conditions.ts";
import { type EngineContext, engineContext } from "./context.ts";
import { decide } from "./decide.ts";
import { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { evolve, initialState } from "./evolve.ts";
import { settle } from "./flow.ts";
import { openIncident } from "./incidents.ts";
import { fire, ruleTarget } from "./reactions.ts";
import { decidedAtStart } from "./run-time.ts";
import { rememberStepSets } from "./step-sets.ts";
import {
  ACTIVE,
  type Actor,
  type CalendarInput,
  type Command,
  type EventOf,
  type FactValue,
  type Instant,
  type Outcome,
  type ProjectEvent,
  type ProjectState,
  SYSTEM,
} from "./types.ts";

export type { Person } from "./assignment.ts";
export { EngineError } from "./errors.ts";
export { openIncidents } from "./incidents.ts";
export { type MigrationPlan, migrateProject, planMigration } from "./migration.ts";
export * from "./types.ts";

export interface StartInput {
  readonly projectId: string;
  readonly client: {
    readonly id: string;
    readonly name: string;
    readonly timeZone: string;
    readonly country?: string;
    readonly region?: string;
  };
  readonly facts: Readonly<Record<string, unknown>>;
  readonly params?: Readonly<Record<string, unknown>>;
  /** The people who can be assigned, with their current load. */
  readonly people?: readonly Person[];
  /** The won deal that started it, if a CRM did: fed to the playbook's `deal.won` rules. */
  readonly deal?: {
    readonly source: string;
    readonly dealId: string;
    readonly stage: string;
    readonly amount: number;
    /** false: the deal reached a stage the playbook starts on (`starts_on`) before being won; its deal.won rules do not fire. */
    readonly won?: boolean;
  };
}

function checkFacts(playbook: Playbook, input: Readonly<Record<string, unknown>>): Record<string, FactValue> {
  const facts: Record<string, FactValue> = {};
  for (const [id, value] of Object.entries(input)) {
    const def = playbook.facts[id];
    if (!def) throw new EngineError("invalid", `the playbook declares no fact "${id}"`, { field: `facts.${id}` });
    // Strictly typed at the start: a fact steers conditions, so "250" is not an int here.
    const strictNumber = (def.type === "int" || def.type === "double") && typeof value !== "number";
    const checked = strictNumber ? undefined : checkValue(factSpec(def), value);
    if (!checked?.ok) {
      const why = checked && !checked.ok ? checked.message : def.type === "int" ? "must be a whole number" : "must be a number";
      throw new EngineError("invalid", `fact "${id}" ${why}`, { field: `facts.${id}` });
    }
    facts[id] = checked.value as FactValue;
  }
  for (const [id, def] of Object.entries(playbook.facts)) {
    if (!(id in facts) && def.default !== undefined) facts[id] = def.default;
  }
  return facts;
}

function checkParams(playbook: Playbook, input: Readonly<Record<string, unknown>>): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const [id, def] of Object.entries(playbook.parameters)) if (def.default !== undefined) params[id] = def.default;
  for (const [id, value] of Object.entries(input)) {
    const def = playbook.parameters[id];
    if (!def) throw new EngineError("invalid", `the playbook declares no parameter "${id}"`, { field: `params.${id}` });
    const numeric = def.type === "integer" || def.type === "number";
    const checked = numeric && typeof value !== "number" ? undefined : checkValue(parameterSpec(def), value);
    if (!checked?.ok) {
      const why = checked && !checked.ok ? checked.message : `must be a ${def.type}`;
      throw new EngineError("invalid", `parameter "${id}" ${why}`, { field: `params.${id}` });
    }
    params[id] = checked.value as string | number;
  }
  return params;
}

export function calendarFor(playbook: Playbook, client: StartInput["client"]): CalendarInput {
  const spec = playbook.calendar;
  const holidays = spec.holidays === "client" ? client.country : spec.holidays === "none" ? undefined : spec.holidays;
  return {
    timeZone: spec.time_zone === "client" ? client.timeZone : spec.time_zone,
    workingDays: spec.working_days,
    workingHours: spec.working_hours,
    ...(holidays ? { country: holidays } : {}),
    ...(client.region && spec.holidays === "client" ? { region: client.region } : {}),
    closures: spec.closures,
  };
}

/** Start a project: resolve conditional parts, assign roles, open the first steps. */
export function startProject(model: PlaybookModel, input: StartInput, now: Instant): Outcome & { readonly ctx: EngineContext } {
  const playbook = model.playbook;
  const facts = checkFacts(playbook, input.facts);
  const params = checkParams(playbook, input.params ?? {});
  const calendar = calendarFor(playbook, input.client);
  const ctx = engineContext(model, calendar);
  const probe = { startedAt: now, facts, params, forms: {}, training: [], status: "active", health: "green" } as unknown as ProjectState;
  const values = conditionValues(ctx, probe, now);
  const excluded: string[] = [];
  const items: Record<string, string[]> = {};
  // A condition that fails for this client's data holds its step (an incident), not the start.
  const failed: { step: string; expression: string; failure: Extract<Evaluation, { ok: false }> }[] = [];
  for (const { step } of model.order) {
    // What reads run-time values (forms, sign-offs) is decided when the step becomes reachable (run-time.ts).
    if (!decidedAtStart(step)) continue;
    if (step.when !== undefined) {
      const result = evaluate(ctx, step.when, {}, values);
      if (!result.ok) {
        failed.push({ step: step.id, expression: step.when, failure: result });
        continue;
      }
      if (result.value !== true) {
        excluded.push(step.id);
        continue;
      }
    }
    if (step.repeat) {
      const result = evaluate(ctx, step.repeat.for_each, {}, values);
      if (!result.ok) {
        failed.push({ step: step.id, expression: step.repeat.for_each, failure: result });
        continue;
      }
      const unique = [...new Set(Array.isArray(result.value) ? result.value.map(String) : [])];
      if (unique.length === 0) excluded.push(step.id);
      else items[step.id] = unique;
    }
  }
  const started: ProjectEvent = {
    type: "project.started",
    at: now,
    actor: SYSTEM.id,
    project: input.projectId,
    playbook: { id: playbook.id, version: playbook.document.version },
    client: { id: input.client.id, name: input.client.name },
    facts,
    params,
    calendar,
    excluded,
    items,
  };
  const draft = new Draft(ctx, initialState(ctx, started), now, SYSTEM);
  draft.events.push(started);
  for (const { step, expression, failure } of failed) openIncident(draft, { kind: "step_condition", step }, expression, failure);
  for (const result of assignRoles(playbook, facts, params, input.people ?? [])) {
    if ("person" in result) draft.emit({ type: "role.assigned", role: result.role, person: result.person });
    else {
      draft.emit({ type: "assignment.failed", role: result.role, why: result.failed });
      draft.effect({ kind: "assignment_needed", role: result.role, why: result.failed });
    }
  }
  if (input.deal && input.deal.won !== false) {
    const payload = { source: input.deal.source, deal_id: input.deal.dealId, stage: input.deal.stage, amount: input.deal.amount };
    const occurrence = { subject: "project", payload };
    for (const rule of playbook.rules.filter((r) => r.on === "deal.won")) {
      if (rule.when !== undefined) {
        const result = evaluate(ctx, rule.when, { event: "deal.won" }, { ...conditionValues(ctx, draft.state, now), event: payload });
        if (!result.ok) {
          openIncident(draft, ruleTarget(rule, occurrence), rule.when, result);
          continue;
        }
        if (result.value !== true) continue;
      }
      // The project being started is this rule's start_project: do not start a second one.
      fire(
        draft,
        rule,
        occurrence,
        rule.actions.filter((a) => !a.start_project),
      );
    }
  }
  settle(draft);
  rememberStepSets(draft);
  return { ctx, state: draft.state, events: draft.events, effects: draft.effects };
}

const AFTER_CLOSE: ReadonlySet<Command["type"]> = new Set(["reopen", "answer_survey", "tick", "complete_task"]);

/** Apply one command at `now`. Throws EngineError (and changes nothing) when it is not allowed. */
export function execute(ctx: EngineContext, state: ProjectState, command: Command, actor: Actor, now: Instant): Outcome {
  // After closing: reopening, the client's survey answers, the scheduler's ticks, and the tasks that
  // still come (a steady-state cadence's check-ins) being done.
  if (state.status === "closed" && !AFTER_CLOSE.has(command.type)) {
    throw new EngineError("illegal_state", "the project is closed", { status: state.status });
  }
  const draft = new Draft(ctx, state, now, actor);
  decide(draft, command);
  rememberStepSets(draft);
  return { state: draft.state, events: draft.events, effects: draft.effects };
}

export interface RedactionInput {
  /** The event whose payload was redacted (an earlier one of this project). */
  readonly seq: number;
  readonly paths: readonly (readonly string[])[];
  /** SHA-256 of the payload as redacted (the store computes it). */
  readonly payloadHash: string;
  readonly reason: string;
  readonly seal?: EventOf<"audit.redacted">["seal"];
}

/**
 * The record of an erasure, appended to the project's chain like any event: the state is the same
 * but for the version. Who may erase is the caller's decision (a data-protection role, not a
 * playbook role).
 */
export function recordRedaction(state: ProjectState, input: RedactionInput, actor: Actor, now: Instant): Outcome {
  if (!Number.isInteger(input.seq) || input.seq < 1 || input.seq > state.version) {
    throw new EngineError("invalid", `the project has no event ${input.seq}`, { field: "seq" });
  }
  if (input.paths.length === 0 || input.paths.some((p) => p.length === 0)) {
    throw new EngineError("invalid", "name at least one field to redact", { field: "paths" });
  }
  if (input.reason.trim() === "") throw new EngineError("invalid", "say why the data is erased", { field: "reason" });
  const event: ProjectEvent = {
    type: "audit.redacted",
    at: now,
    actor: actor.id,
    reason: input.reason,
    seq: input.seq,
    paths: input.paths,
    payloadHash: input.payloadHash,
    ...(input.seal ? { seal: input.seal } : {}),
  };
  return { state: { ...state, version: state.version + 1 }, events: [event], effects: [] };
}

/**
 * Rebuild a project's state from its events: the audit trail is the state. A project migrated to
 * another playbook version replays each part on its own version, so `models` gives the model of a
 * version (or is the one model of a project that never moved).
 */
export function replay(models: PlaybookModel | ((version: string) => PlaybookModel), events: readonly ProjectEvent[]): ProjectState {
  const modelOf = typeof models === "function" ? models : () => models;
  const [first, ...rest] = events;
  if (first?.type !== "project.started") throw new EngineError("invalid", "a project's events begin with project.started", {});
  let ctx = engineContext(modelOf(first.playbook.version), first.calendar);
  let state = initialState(ctx, first);
  for (const event of rest) {
    state = evolve(ctx, state, event);
    if (event.type === "project.migrated") ctx = engineContext(modelOf(event.playbook.version), first.calendar);
  }
  return state;
}

/** When the scheduler should next tick this project (undefined: nothing is pending in time). */
export function nextWakeAt(state: ProjectState): Instant | undefined {
  const times: Instant[] = [];
  if (state.status !== "cancelled") for (const survey of Object.values(state.surveys)) if (!survey.sentAt) times.push(survey.dueAt);
  // After closing, only cadences that continue still have a next occurrence.
  if (state.status === "closed") for (const cadence of Object.values(state.cadences)) if (cadence.nextAt) times.push(cadence.nextAt);
  if (state.status !== "active") return times.sort()[0];
  for (const step of Object.values(state.steps)) {
    if (step.status === "scheduled" && step.opensAt) times.push(step.opensAt);
    if (!ACTIVE.has(step.status)) continue;
    if (step.targetAt !== undefined && step.targetMissedAt === undefined) times.push(step.targetAt);
    if (step.dueAt === undefined) continue;
    if (step.overdueAt === undefined) times.push(step.dueAt);
    if (step.remindedAt === undefined && step.overdueAt === undefined) {
      const due = Date.parse(step.dueAt);
      const opened = Date.parse(step.openedAt ?? step.dueAt);
      times.push(new Date(due - Math.min(24 * 3_600_000, (due - opened) / 2)).toISOString());
    }
  }
  for (const timer of state.timers) times.push(timer.fireAt);
  for (const cadence of Object.values(state.cadences)) if (cadence.nextAt) times.push(cadence.nextAt);
  return times.length === 0 ? undefined : times.sort()[0];
}

export const TICK: Command = { type: "tick" };
