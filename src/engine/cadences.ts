// A cadence's schedule for one project: how often, on which weekday and at what time of day.
// Written in the playbook, or agreed with the client and read from a form answer
// (`every: forms.kickoff.cadence_interval`): such a cadence starts only once every answer it names
// exists and is valid, and moves when the form is submitted again with other answers.
import { type FormAnswer, isAnswer, parseClockTime, parseInterval, parseWeekday, WEEKDAYS, type Weekday } from "../playbook/agreed.ts";
import type { Cadence } from "../playbook/schema.ts";
import type { Duration } from "../playbook/time-expressions.ts";
import { DAY_MS, weekdayOf } from "./calendar/civil-date.ts";
import { ZoneTime } from "./calendar/zone-time.ts";
import type { EngineContext } from "./context.ts";
import { addTo } from "./schedule.ts";
import type { Instant, ProjectState } from "./types.ts";

/** What was agreed, as the answers' texts; recorded on cadence.started / cadence.rescheduled. */
export interface Agreed {
  readonly every?: string;
  readonly weekday?: string;
  readonly at?: string;
}

export interface CadenceSchedule {
  readonly every: Duration;
  readonly weekday?: Weekday;
  /** Minutes after local midnight. */
  readonly at?: number;
  /** The form answers it was read from; empty when the playbook wrote everything. */
  readonly agreed: Agreed;
}

export function dependsOnAnswers(cadence: Cadence): boolean {
  return isAnswer(cadence.every) || isAnswer(cadence.weekday) || isAnswer(cadence.at);
}

function answerText(state: ProjectState, answer: FormAnswer): string | undefined {
  const value = state.forms[answer.form]?.[answer.field];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The schedule in force, or undefined while an answer it needs is missing (or not a valid value). */
export function cadenceSchedule(state: ProjectState, cadence: Cadence): CadenceSchedule | undefined {
  const agreed: { every?: string; weekday?: string; at?: string } = {};
  let every: Duration;
  if (isAnswer(cadence.every)) {
    const text = answerText(state, cadence.every);
    const parsed = text === undefined ? undefined : parseInterval(text);
    if (!parsed?.ok || text === undefined) return undefined;
    every = parsed.value;
    agreed.every = text;
  } else every = cadence.every;
  let weekday: Weekday | undefined;
  if (isAnswer(cadence.weekday)) {
    const text = answerText(state, cadence.weekday);
    const parsed = text === undefined ? undefined : parseWeekday(text);
    if (!parsed?.ok || text === undefined) return undefined;
    weekday = parsed.value;
    agreed.weekday = text;
  } else weekday = cadence.weekday;
  let at: number | undefined;
  if (isAnswer(cadence.at)) {
    const text = answerText(state, cadence.at);
    const parsed = text === undefined ? undefined : parseClockTime(text);
    if (!parsed?.ok || text === undefined) return undefined;
    at = parsed.value.minutes;
    agreed.at = text;
  } else at = cadence.at?.minutes;
  return { every, agreed, ...(weekday ? { weekday } : {}), ...(at !== undefined ? { at } : {}) };
}

export function sameAgreement(a: Agreed | undefined, b: Agreed): boolean {
  return (a?.every ?? "") === (b.every ?? "") && (a?.weekday ?? "") === (b.weekday ?? "") && (a?.at ?? "") === (b.at ?? "");
}

/**
 * Moves an instant onto the schedule's weekday and time of day, in the client's zone: the same
 * instant if it fits; else that time on the same day if still ahead, else on the next fitting day.
 * `strictlyAfter` excludes the instant's own day (a first call is not the day it was agreed).
 */
function align(ctx: EngineContext, schedule: CadenceSchedule, at: Instant, strictlyAfter: boolean): Instant {
  if (schedule.weekday === undefined && schedule.at === undefined) return at;
  const zone = new ZoneTime(ctx.calendar.timeZone);
  const instant = Date.parse(at);
  const localDay = zone.localDay(instant);
  const minutes = schedule.at ?? Math.floor((instant + zone.offsetAt(instant) - localDay * DAY_MS) / 60_000);
  const want = schedule.weekday === undefined ? undefined : WEEKDAYS.indexOf(schedule.weekday);
  for (let day = localDay + (strictlyAfter ? 1 : 0); day < localDay + 15; day++) {
    if (want !== undefined && weekdayOf(day) !== want) continue;
    const candidate = zone.wallToInstant(day * DAY_MS + minutes * 60_000);
    if (candidate >= instant || strictlyAfter) return new Date(candidate).toISOString();
  }
  return at;
}

/**
 * The first occurrence after `base` (when the cadence starts, or when the client agreed a new
 * schedule): one interval later, or, with a weekday, the first such weekday after that day.
 */
export function firstOccurrence(ctx: EngineContext, state: ProjectState, schedule: CadenceSchedule, base: Instant): Instant | undefined {
  if (schedule.weekday !== undefined) return align(ctx, schedule, base, true);
  const next = addTo(ctx, state, base, schedule.every);
  return next === undefined ? undefined : align(ctx, schedule, next, false);
}

/** The occurrence after one at `previous`: an interval later, on the schedule's weekday and time. */
export function followingOccurrence(
  ctx: EngineContext,
  state: ProjectState,
  schedule: CadenceSchedule,
  previous: Instant,
): Instant | undefined {
  const next = addTo(ctx, state, previous, schedule.every);
  return next === undefined ? undefined : align(ctx, schedule, next, false);
}
