// The work area of one command: events are applied as they are emitted, so every later decision
// in the same command sees the state they produce. Local mutation inside a pure function.
import type { EngineContext } from "./context.ts";
import { evolve } from "./evolve.ts";
import type { Tracked } from "./step-sets.ts";
import type { Actor, Effect, Instant, ProjectEvent, ProjectState, StepState, StepStatus } from "./types.ts";

/**
 * A step whose status (or decided branch) an event changed, with its status before and after;
 * `undefined` when an event rebuilt the steps (a start, a migration, a resumption).
 */
export type StepChange = { readonly step: string; readonly from: StepStatus | undefined; readonly to: StepStatus | undefined } | undefined;

/** Events that change one step's state: the one they name (withStep in evolve.ts). */
function changedStep(event: ProjectEvent, before: ProjectState): string | undefined {
  if (event.type === "incident.resolved") return before.incidents?.[event.id]?.step;
  if (event.type === "project.resumed" || event.type === "project.migrated" || event.type === "project.started") return undefined;
  return "step" in event && typeof event.step === "string" ? event.step : undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventBody = DistributiveOmit<ProjectEvent, "at" | "actor" | "reason">;

export class Draft {
  state: ProjectState;
  readonly events: ProjectEvent[] = [];
  readonly effects: Effect[] = [];
  readonly ctx: EngineContext;
  readonly now: Instant;
  readonly actor: Actor;
  /** The state the command started from. */
  readonly initial: ProjectState;
  /** What the events changed in the steps, in order: the flow's step sets catch up from it (step-sets.ts). */
  readonly stepChanges: StepChange[] = [];
  /** The flow's step sets for this command, once asked for (step-sets.ts). */
  stepSetsTrack: Tracked | undefined = undefined;

  constructor(ctx: EngineContext, state: ProjectState, now: Instant, actor: Actor) {
    this.ctx = ctx;
    this.state = state;
    this.initial = state;
    this.now = now;
    this.actor = actor;
  }

  emit(body: EventBody, reason?: string, at: Instant = this.now): void {
    const event = { ...body, at, actor: this.actor.id, ...(reason ? { reason } : {}) } as ProjectEvent;
    this.events.push(event);
    const before = this.state;
    this.state = evolve(this.ctx, before, event);
    if (this.state.steps !== before.steps) this.noteStepChange(event, before);
  }

  private noteStepChange(event: ProjectEvent, before: ProjectState): void {
    const id = changedStep(event, before);
    if (id === undefined) {
      this.stepChanges.push(undefined);
      return;
    }
    const from: StepState | undefined = before.steps[id];
    const to: StepState | undefined = this.state.steps[id];
    if (from?.status !== to?.status || from?.branch !== to?.branch) this.stepChanges.push({ step: id, from: from?.status, to: to?.status });
  }

  effect(effect: Effect): void {
    this.effects.push(effect);
  }

  /** The id the next id-minting event (task, issue, timer) will carry; deterministic on replay. */
  mint(prefix: string): string {
    return `${prefix}-${this.state.sequence + 1}`;
  }
}
