// The work area of one command: events are applied as they are emitted, so every later decision
// in the same command sees the state they produce. Local mutation inside a pure function.
import type { EngineContext } from "./context.ts";
import { evolve } from "./evolve.ts";
import type { Actor, Effect, Instant, ProjectEvent, ProjectState } from "./types.ts";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventBody = DistributiveOmit<ProjectEvent, "at" | "actor" | "reason">;

export class Draft {
  state: ProjectState;
  readonly events: ProjectEvent[] = [];
  readonly effects: Effect[] = [];
  readonly ctx: EngineContext;
  readonly now: Instant;
  readonly actor: Actor;

  constructor(ctx: EngineContext, state: ProjectState, now: Instant, actor: Actor) {
    this.ctx = ctx;
    this.state = state;
    this.now = now;
    this.actor = actor;
  }

  emit(body: EventBody, reason?: string, at: Instant = this.now): void {
    const event = { ...body, at, actor: this.actor.id, ...(reason ? { reason } : {}) } as ProjectEvent;
    this.events.push(event);
    this.state = evolve(this.ctx, this.state, event);
  }

  effect(effect: Effect): void {
    this.effects.push(effect);
  }

  /** The id the next id-minting event (task, issue, timer) will carry; deterministic on replay. */
  mint(prefix: string): string {
    return `${prefix}-${this.state.sequence + 1}`;
  }
}
