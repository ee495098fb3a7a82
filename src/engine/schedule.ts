// Turning a playbook deadline ("2 business days after start", "Day 90 after go_live") into an
// instant for one project, on its business calendar. Undefined when the anchor has not happened.
import type { Amount, Anchor, Deadline, Duration } from "../playbook/time-expressions.ts";
import { addDuration, type BusinessCalendar, type DurationLike, dayDeadline, subtractDuration } from "./calendar/business-calendar.ts";
import type { EngineContext } from "./context.ts";
import type { Instant, ProjectState } from "./types.ts";

export function amountValue(state: ProjectState, amount: Amount): number | undefined {
  if (amount.kind === "literal") return amount.value;
  const name = amount.name.startsWith("facts.") ? amount.name.slice(6) : amount.name;
  const value = amount.name.startsWith("facts.") ? state.facts[name] : state.params[name];
  return typeof value === "number" ? value : undefined;
}

export function durationLike(state: ProjectState, duration: Duration): DurationLike | undefined {
  const amount = amountValue(state, duration.amount);
  return amount === undefined ? undefined : { amount, unit: duration.unit, business: duration.business };
}

function anchorInstant(state: ProjectState, anchor: Anchor, openedAt: Instant | undefined): Instant | undefined {
  switch (anchor.kind) {
    case "activation":
      return openedAt;
    case "start":
      return state.startedAt;
    case "go_live":
      return state.goLiveAt;
    case "completion":
      return state.completedAt;
    case "step": {
      const step = state.steps[anchor.step];
      return anchor.point === "started" ? (step?.startedAt ?? step?.openedAt) : step?.completedAt;
    }
    case "fact": {
      const value = state.facts[anchor.fact];
      return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : undefined;
    }
  }
}

export function resolveDeadline(ctx: EngineContext, state: ProjectState, deadline: Deadline, openedAt?: Instant): Instant | undefined {
  return resolveOn(ctx.calendar, state, deadline, openedAt);
}

/** resolveDeadline with only the project's business calendar (adapters planning from a state). */
export function resolveOn(calendar: BusinessCalendar, state: ProjectState, deadline: Deadline, openedAt?: Instant): Instant | undefined {
  const base = anchorInstant(state, deadline.anchor, openedAt);
  if (base === undefined) return undefined;
  const from = new Date(base);
  if (deadline.kind === "day") return dayDeadline(calendar, from, deadline.day).toISOString();
  const duration = durationLike(state, deadline.duration);
  if (!duration) return undefined;
  const at = deadline.direction === "before" ? subtractDuration(calendar, from, duration) : addDuration(calendar, from, duration);
  return at.toISOString();
}

export function addTo(ctx: EngineContext, state: ProjectState, at: Instant, duration: Duration): Instant | undefined {
  const d = durationLike(state, duration);
  return d ? addDuration(ctx.calendar, new Date(at), d).toISOString() : undefined;
}

export function shift(at: Instant | undefined, ms: number): Instant | undefined {
  return at === undefined ? undefined : new Date(Date.parse(at) + ms).toISOString();
}
