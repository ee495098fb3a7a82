// Turning a playbook deadline ("2 business days after start", "Day 90 after go_live") into an
// instant for one project, on its business calendar. Undefined when the anchor has not happened.
import type { Amount, Anchor, Deadline, Duration, TimeOfDay } from "../playbook/time-expressions.ts";
import { addDuration, type BusinessCalendar, type DurationLike, dayDeadline, subtractDuration } from "./calendar/business-calendar.ts";
import { DAY_MS, parseCivilDate } from "./calendar/civil-date.ts";
import { ZoneTime } from "./calendar/zone-time.ts";
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

const zones = new Map<string, ZoneTime>();

/** The zone's converter, cached (luxon zones are cheap, but the offset cache inside is worth keeping). */
export function zoneTime(name: string): ZoneTime {
  let zone = zones.get(name);
  if (!zone) {
    zone = new ZoneTime(name);
    zones.set(name, zone);
  }
  return zone;
}

/**
 * A date fact ("2026-06-01") is a local date of the client: it begins at midnight in the project's
 * (the client's) time zone, not at 00:00 UTC.
 */
export function localMidnight(calendar: BusinessCalendar, date: string): Instant | undefined {
  const days = parseCivilDate(date);
  if (days === undefined) return undefined;
  return new Date(zoneTime(calendar.timeZone).wallToInstant(days * DAY_MS)).toISOString();
}

/** "2026-06-01T14:30" (no zone, as a datetime field takes it) on the client's clock. */
function localWall(calendar: BusinessCalendar, value: string): Instant | undefined {
  const days = parseCivilDate(value.slice(0, 10));
  if (days === undefined) return undefined;
  const [h, m] = value.slice(11, 16).split(":").map(Number);
  return new Date(zoneTime(calendar.timeZone).wallToInstant(days * DAY_MS + ((h ?? 0) * 60 + (m ?? 0)) * 60_000)).toISOString();
}

function anchorInstant(
  calendar: BusinessCalendar,
  state: ProjectState,
  anchor: Anchor,
  openedAt: Instant | undefined,
  direction: "after" | "before" = "after",
): Instant | undefined {
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
      if (anchor.point === "started") return step?.startedAt ?? step?.openedAt;
      // "3 days before kickoff": until the kickoff is done, its own deadline is when it is planned.
      return step?.completedAt ?? (direction === "before" ? step?.dueAt : undefined);
    }
    case "fact": {
      const value = state.facts[anchor.fact];
      return typeof value === "string" ? localMidnight(calendar, value) : undefined;
    }
    case "form": {
      // A date answered during the run: a local date of the client, or a date-time as given.
      const value = state.forms[anchor.form]?.[anchor.field];
      if (typeof value !== "string") return undefined;
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return localMidnight(calendar, value);
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? localWall(calendar, value) : undefined;
    }
  }
}

export function resolveDeadline(ctx: EngineContext, state: ProjectState, deadline: Deadline, openedAt?: Instant): Instant | undefined {
  return resolveOn(ctx.calendar, state, deadline, openedAt);
}

/** resolveDeadline with only the project's business calendar (adapters planning from a state). */
export function resolveOn(calendar: BusinessCalendar, state: ProjectState, deadline: Deadline, openedAt?: Instant): Instant | undefined {
  const base = anchorInstant(calendar, state, deadline.anchor, openedAt, deadline.kind === "offset" ? deadline.direction : "after");
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

/**
 * The zone a time of day is read in. "client" is the project calendar's zone (the client's unless
 * the playbook fixes one). "owner" would be the zone of the person in the rule's owner role, but
 * people have no time zone of their own yet, so it is the client's too (the SOP says so).
 */
export function timeOfDayZone(state: ProjectState, _at: TimeOfDay): string {
  return state.calendar.timeZone;
}

/**
 * The first instant at or after `from` whose wall clock in the zone reads the time of day.
 * DST-correct: the wall time is converted on its own date (a time skipped when clocks spring
 * forward moves on by the gap; a repeated one takes its first occurrence).
 */
export function atTimeOfDay(state: ProjectState, at: TimeOfDay, from: Instant): Instant {
  const zone = zoneTime(timeOfDayZone(state, at));
  const instant = Date.parse(from);
  const clock = (at.hour * 60 + at.minute) * 60_000;
  let day = zone.localDay(instant);
  let candidate = zone.wallToInstant(day * DAY_MS + clock);
  while (candidate < instant) {
    day += 1;
    candidate = zone.wallToInstant(day * DAY_MS + clock);
  }
  return new Date(candidate).toISOString();
}
