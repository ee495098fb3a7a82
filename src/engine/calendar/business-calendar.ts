// The business calendar the process engine computes due dates with: working days and hours in
// one IANA time zone, minus public holidays (date-holidays), company closures and extra holidays.
// Pure: every instant is an argument, nothing reads the clock, the environment or the host's TZ.
//
// Semantics
// - Working time is, on each working day (a listed weekday that is not a public holiday, an extra
//   holiday or inside a closure), the half-open interval [start, end) of `workingHours` read as
//   local wall-clock times in `timeZone`. "24:00" as the end means the next midnight. Wall times
//   are resolved as Temporal's "compatible" mode does (see zone-time.ts): a time the clocks skip
//   moves forward by the gap, a time they repeat takes its first occurrence. Business time is
//   real elapsed time inside those intervals, so a window that contains a DST change is an hour
//   shorter or longer.
// - Calendar (non-business) minutes and hours are exact elapsed time. Calendar days, weeks and
//   months are wall-clock arithmetic in the zone (luxon `plus`): 1 day across a DST change keeps
//   the local time of day, a month clamps to the month's last day (Jan 31 + 1 month = Feb 28), a
//   local time that does not exist moves forward by the gap. A fractional amount adds its
//   fraction as elapsed time, as luxon does.
// - Business minutes and hours count only working time. Counting starts at `from` if it is
//   working time, else at the next working instant; a result that lands exactly on the end of a
//   working window stays there (Fri 13:00 + 4 business hours = Fri 17:00, not Mon 09:00).
// - 1 business day = the nominal length of the working hours (8 h for "09:00-17:00") of business
//   time, so Fri 15:00 + 2 business days = Tue 15:00 and Fri 20:00 + 1 business day = Mon 17:00.
//   1 business week = (number of working days) business days. Business months do not exist.
// - Subtracting walks backwards symmetrically: counting starts at `from` if it is inside or at
//   the end of a working window, else at the end of the previous one, and a result landing
//   exactly on the start of a window stays there. So for any working instant s and amount a,
//   subtract(add(s, a), a) = s. Adding zero business time returns the next working instant;
//   subtracting zero returns `from` clamped back to the previous working time. A negative
//   amount is the opposite operation.
// - Day N: the local date of the anchor plus N calendar days, due at the end of working hours on
//   that date, or at the end of the next working day when that date is not one.
// - Public holidays: date-holidays type "public" only, on the dates it reports (substitute /
//   observed days included), for the country and region, as whole local days in `timeZone`.
// - Termination: every walk is bounded. Ten years without any working time is a CalendarError
//   ("no_working_time"), as is a result more than a century from where the walk started
//   ("out_of_range"), and instants must lie in the years 1000-9999.
//
// Performance: a due date walks one local day at a time, and each day's working window is
// computed once per calendar and cached (the cache is bounded and only ever holds what a fresh
// computation would return, so results never depend on what was asked before). Holidays are
// read from date-holidays once per country, region and year per process.

import { DateTime } from "luxon";
import { CalendarError } from "./calendar-error.ts";
import { DAY_MS, formatCivilDate, parseCivilDate, weekdayOf } from "./civil-date.ts";
import { type PublicHolidayTable, publicHolidayTable, resolveHolidayPlace } from "./public-holidays.ts";
import { isValidTimeZone, ZoneTime } from "./zone-time.ts";

export type { CalendarErrorCode } from "./calendar-error.ts";
export { CalendarError } from "./calendar-error.ts";

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** In ISO order, so an index is `weekdayOf`'s number. */
const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface CalendarSpec {
  /** IANA zone, e.g. "America/New_York". */
  readonly timeZone: string;
  readonly workingDays: readonly Weekday[];
  /** "HH:MM-HH:MM" in local time, e.g. "09:00-17:00"; the end may be "24:00". */
  readonly workingHours: string;
  /** ISO 3166-1 alpha-2 code for public holidays; undefined or "none": no public holidays. */
  readonly country?: string;
  /** A state or region code of `country` as date-holidays knows it, e.g. "CA" for US, "BY" for DE. */
  readonly region?: string;
  /** Company closures, local dates, both ends inclusive. */
  readonly closures?: readonly { from: string; to: string; label: string }[];
  /** More non-working local dates. */
  readonly extraHolidays?: readonly string[];
}

/** A validated calendar. Immutable: build it once per project and reuse it for every due date. */
export interface BusinessCalendar {
  readonly timeZone: string;
  /** Deduplicated, Monday first. */
  readonly workingDays: readonly Weekday[];
  readonly workingHours: string;
  /** Upper-case country code, or undefined for no public holidays. */
  readonly country: string | undefined;
  readonly region: string | undefined;
  /** The business time in "1 business day": the nominal length of the working hours. */
  readonly workingDayMillis: number;
  /** The business time in "1 business week": `workingDayMillis` per working day. */
  readonly workingWeekMillis: number;
}

export interface DurationLike {
  readonly amount: number;
  readonly unit: "minute" | "hour" | "day" | "week" | "month";
  readonly business: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A search that finds no working time at all for this long gives up: the calendar has none. */
const MAX_IDLE_DAYS = 3_660;
/** No walk goes further than a century from its start. */
const MAX_SPAN_DAYS = 36_525;
const MIN_INSTANT = Date.UTC(1000, 0, 1);
const MAX_INSTANT = Date.UTC(10_000, 0, 1) - 1;
/** Cached day windows per calendar before the cache starts over; enough for decades of walking. */
const WINDOW_CACHE_LIMIT = 50_000;

/** One day's working time, as instants: [start, end). */
interface WorkingWindow {
  readonly start: number;
  readonly end: number;
}

interface DayOff {
  readonly name?: string;
}

/** What the public API hides: the parsed spec and the per-calendar caches. */
class CalendarState {
  readonly zone: ZoneTime;
  readonly #workingWeekdays: readonly boolean[];
  readonly #startOfDayMs: number;
  readonly #endOfDayMs: number;
  readonly #holidays: PublicHolidayTable | undefined;
  readonly #extraHolidays: ReadonlySet<number>;
  readonly #closures: readonly { readonly from: number; readonly to: number; readonly label: string }[];
  /** Epoch day -> its window, or null for a day without working time. */
  readonly #windows = new Map<number, WorkingWindow | null>();

  constructor(
    zone: ZoneTime,
    workingWeekdays: readonly boolean[],
    startOfDayMs: number,
    endOfDayMs: number,
    holidays: PublicHolidayTable | undefined,
    extraHolidays: ReadonlySet<number>,
    closures: readonly { readonly from: number; readonly to: number; readonly label: string }[],
  ) {
    this.zone = zone;
    this.#workingWeekdays = workingWeekdays;
    this.#startOfDayMs = startOfDayMs;
    this.#endOfDayMs = endOfDayMs;
    this.#holidays = holidays;
    this.#extraHolidays = extraHolidays;
    this.#closures = closures;
  }

  /** Why a date is off besides the weekend: a public holiday, an extra holiday or a closure. */
  dayOff(day: number): DayOff | undefined {
    const publicName = this.#holidays?.nameOn(day);
    if (publicName !== undefined) return { name: publicName };
    if (this.#extraHolidays.has(day)) return {};
    for (const closure of this.#closures) {
      if (day >= closure.from && day <= closure.to) return { name: closure.label };
    }
    return undefined;
  }

  window(day: number): WorkingWindow | null {
    const cached = this.#windows.get(day);
    if (cached !== undefined) return cached;
    const window = this.#computeWindow(day);
    if (this.#windows.size >= WINDOW_CACHE_LIMIT) this.#windows.clear();
    this.#windows.set(day, window);
    return window;
  }

  #computeWindow(day: number): WorkingWindow | null {
    if (!this.#workingWeekdays[weekdayOf(day)]) return null;
    if (this.dayOff(day) !== undefined) return null;
    const start = this.zone.wallToInstant(day * DAY_MS + this.#startOfDayMs);
    const end = this.zone.wallToInstant(day * DAY_MS + this.#endOfDayMs);
    // A date the zone skipped entirely (Pacific/Apia, 2011-12-30) resolves into the next day,
    // whose own window already counts that time.
    if (end <= start || this.zone.localDay(start) !== day) return null;
    return { start, end };
  }
}

const states = new WeakMap<BusinessCalendar, CalendarState>();

function stateOf(cal: BusinessCalendar): CalendarState {
  const state = states.get(cal);
  if (state === undefined) throw new TypeError("not a BusinessCalendar: build calendars with buildCalendar()");
  return state;
}

const HOURS_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function parseWorkingHours(text: string): { readonly start: number; readonly end: number } {
  const match = HOURS_RE.exec(text);
  const bad = (why: string) =>
    new CalendarError("invalid_working_hours", "workingHours", `"${text}" ${why}; write "HH:MM-HH:MM", e.g. "09:00-17:00"`);
  if (!match) throw bad("is not a range of local times");
  const [sh, sm, eh, em] = match.slice(1).map(Number) as [number, number, number, number];
  if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh === 24 && em !== 0)) throw bad("is not a range of valid times");
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  // Overnight shifts ("22:00-06:00") would need a working day to span two dates; not supported.
  if (end <= start) throw bad("must end after it starts on the same day");
  return { start: start * MINUTE_MS, end: end * MINUTE_MS };
}

function parseSpecDate(text: unknown, field: string): number {
  const day = typeof text === "string" ? parseCivilDate(text) : undefined;
  if (day === undefined) throw new CalendarError("invalid_date", field, `${JSON.stringify(text)} is not a date written YYYY-MM-DD`);
  return day;
}

/** Validates a spec into a calendar. Throws a CalendarError naming the field at fault. */
export function buildCalendar(spec: CalendarSpec): BusinessCalendar {
  if (typeof spec.timeZone !== "string" || !isValidTimeZone(spec.timeZone)) {
    throw new CalendarError(
      "invalid_time_zone",
      "timeZone",
      `${JSON.stringify(spec.timeZone)} is not an IANA time zone; write one such as "America/New_York" or "Europe/Berlin"`,
    );
  }
  const zone = new ZoneTime(spec.timeZone);

  const workingWeekdays = WEEKDAYS.map(() => false);
  spec.workingDays.forEach((day, i) => {
    const index = WEEKDAYS.indexOf(day);
    if (index < 0) {
      throw new CalendarError("invalid_working_days", `workingDays[${i}]`, `${JSON.stringify(day)} is not one of ${WEEKDAYS.join(", ")}`);
    }
    workingWeekdays[index] = true;
  });
  const workingDays = WEEKDAYS.filter((_, i) => workingWeekdays[i]);
  if (workingDays.length === 0) {
    throw new CalendarError("invalid_working_days", "workingDays", "a calendar needs at least one working day");
  }

  const hours = parseWorkingHours(spec.workingHours);
  const place = resolveHolidayPlace(spec.country, spec.region);

  const closures = (spec.closures ?? []).map((closure, i) => {
    const from = parseSpecDate(closure.from, `closures[${i}].from`);
    const to = parseSpecDate(closure.to, `closures[${i}].to`);
    if (to < from) {
      throw new CalendarError(
        "invalid_date",
        `closures[${i}]`,
        `"${closure.label}" ends (${closure.to}) before it starts (${closure.from})`,
      );
    }
    return { from, to, label: closure.label };
  });
  const extraHolidays = new Set((spec.extraHolidays ?? []).map((date, i) => parseSpecDate(date, `extraHolidays[${i}]`)));

  const workingDayMillis = hours.end - hours.start;
  const calendar: BusinessCalendar = Object.freeze({
    timeZone: spec.timeZone,
    workingDays: Object.freeze(workingDays),
    workingHours: spec.workingHours,
    country: place?.country,
    region: place?.region,
    workingDayMillis,
    workingWeekMillis: workingDayMillis * workingDays.length,
  });
  const holidays = place === undefined ? undefined : publicHolidayTable(place);
  states.set(calendar, new CalendarState(zone, workingWeekdays, hours.start, hours.end, holidays, extraHolidays, closures));
  return calendar;
}

function instantOf(at: Date, field: string): number {
  const t = at instanceof Date ? at.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw new CalendarError("invalid_instant", field, "is not a valid Date");
  if (t < MIN_INSTANT || t > MAX_INSTANT)
    throw new CalendarError("out_of_range", field, `${at.toISOString()} is outside the years 1000-9999`);
  return t;
}

function dateOf(t: number, field: string): Date {
  if (!Number.isFinite(t) || t < MIN_INSTANT || t > MAX_INSTANT) {
    throw new CalendarError("out_of_range", field, "the result is outside the years 1000-9999");
  }
  return new Date(t);
}

function noWorkingTime(state: CalendarState, day: number, direction: "after" | "before"): CalendarError {
  return new CalendarError(
    "no_working_time",
    "calendar",
    `no working time within ${Math.round(MAX_IDLE_DAYS / 365.25)} years ${direction} ${formatCivilDate(day)} in ${state.zone.name}; check workingDays, closures and holidays`,
  );
}

function tooFar(): CalendarError {
  return new CalendarError("out_of_range", "amount", "the result lies more than a century away");
}

/** Business time forward: the instant `ms` of working time after `t` (see the module comment). */
function walkForward(state: CalendarState, t: number, ms: number): number {
  const first = state.zone.localDay(t);
  let remaining = ms;
  let idle = 0;
  for (let day = first; day - first <= MAX_SPAN_DAYS; day++) {
    const window = state.window(day);
    if (window !== null && t < window.end) {
      const from = Math.max(t, window.start);
      const available = window.end - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
      idle = 0;
    } else if (++idle > MAX_IDLE_DAYS) {
      throw noWorkingTime(state, first, "after");
    }
  }
  throw tooFar();
}

/** Business time backward: the mirror image of walkForward. */
function walkBackward(state: CalendarState, t: number, ms: number): number {
  const first = state.zone.localDay(t);
  let remaining = ms;
  let idle = 0;
  for (let day = first; first - day <= MAX_SPAN_DAYS; day--) {
    const window = state.window(day);
    if (window !== null && t >= window.start) {
      const to = Math.min(t, window.end);
      const available = to - window.start;
      if (remaining <= available) return to - remaining;
      remaining -= available;
      idle = 0;
    } else if (++idle > MAX_IDLE_DAYS) {
      throw noWorkingTime(state, first, "before");
    }
  }
  throw tooFar();
}

function businessMillis(cal: BusinessCalendar, d: DurationLike, amount: number): number {
  let unitMs: number;
  switch (d.unit) {
    case "minute":
      unitMs = MINUTE_MS;
      break;
    case "hour":
      unitMs = HOUR_MS;
      break;
    case "day":
      unitMs = cal.workingDayMillis;
      break;
    case "week":
      unitMs = cal.workingWeekMillis;
      break;
    default:
      throw new CalendarError("invalid_duration", "unit", `business ${String(d.unit)}s are not a unit; count business days instead`);
  }
  return Math.round(amount * unitMs);
}

function checkedAmount(d: DurationLike): number {
  if (typeof d.amount !== "number" || !Number.isFinite(d.amount)) {
    throw new CalendarError("invalid_duration", "amount", `${String(d.amount)} is not a finite number`);
  }
  return d.amount;
}

function shift(cal: BusinessCalendar, from: Date, d: DurationLike, sign: 1 | -1): Date {
  const state = stateOf(cal);
  const t = instantOf(from, "from");
  const raw = checkedAmount(d);
  // Not the sign of raw * sign: zero has to keep the operation's direction (-0 < 0 is false).
  const direction = raw < 0 ? -sign : sign;
  const amount = Math.abs(raw);
  if (d.business) {
    const ms = businessMillis(cal, d, amount);
    // More business time than a century holds cannot be reached; say so without walking it.
    if (ms > MAX_SPAN_DAYS * DAY_MS) throw tooFar();
    return dateOf(direction > 0 ? walkForward(state, t, ms) : walkBackward(state, t, ms), "amount");
  }
  switch (d.unit) {
    case "minute":
      return dateOf(t + direction * Math.round(amount * MINUTE_MS), "amount");
    case "hour":
      return dateOf(t + direction * Math.round(amount * HOUR_MS), "amount");
    case "day":
    case "week":
    case "month": {
      const local = DateTime.fromMillis(t, { zone: state.zone.zone });
      const units = { [`${d.unit}s`]: amount };
      const moved = direction > 0 ? local.plus(units) : local.minus(units);
      return dateOf(moved.isValid ? moved.toMillis() : Number.NaN, "amount");
    }
    default:
      throw new CalendarError("invalid_duration", "unit", `${String(d.unit)} is not a time unit`);
  }
}

/** `from` + `d`: a deadline "<d> after <anchor>". */
export function addDuration(cal: BusinessCalendar, from: Date, d: DurationLike): Date {
  return shift(cal, from, d, 1);
}

/** `from` - `d`: a deadline "<d> before <anchor>". */
export function subtractDuration(cal: BusinessCalendar, from: Date, d: DurationLike): Date {
  return shift(cal, from, d, -1);
}

/** "Day N (after anchor)": the end of working hours on the anchor's local date + N days, or on the next working day. */
export function dayDeadline(cal: BusinessCalendar, anchor: Date, day: number): Date {
  const state = stateOf(cal);
  const t = instantOf(anchor, "anchor");
  if (!Number.isInteger(day) || Math.abs(day) > MAX_SPAN_DAYS) {
    throw new CalendarError("invalid_duration", "day", `${day} is not a whole number of days within a century`);
  }
  const target = state.zone.localDay(t) + day;
  for (let d = target; d - target <= MAX_IDLE_DAYS; d++) {
    const window = state.window(d);
    if (window !== null) return dateOf(window.end, "day");
  }
  throw noWorkingTime(state, target, "after");
}

/** Whether an instant is inside working time ([start, end) of a working day's hours). */
export function isWorkingTime(cal: BusinessCalendar, at: Date): boolean {
  const state = stateOf(cal);
  const t = instantOf(at, "at");
  const window = state.window(state.zone.localDay(t));
  return window !== null && t >= window.start && t < window.end;
}

/** `at` itself if it is working time, else the start of the next working window. */
export function nextWorkingInstant(cal: BusinessCalendar, at: Date): Date {
  const state = stateOf(cal);
  return dateOf(walkForward(state, instantOf(at, "at"), 0), "at");
}

/** The working time between two instants; negative when `to` is before `from`. */
export function workingMillisBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const state = stateOf(cal);
  const a = instantOf(from, "from");
  const b = instantOf(to, "to");
  if (b < a) {
    const back = workingMillisBetween(cal, to, from);
    return back === 0 ? 0 : -back; // no -0
  }
  const first = state.zone.localDay(a);
  const last = state.zone.localDay(b);
  if (last - first > MAX_SPAN_DAYS) throw new CalendarError("out_of_range", "to", "is more than a century after from");
  let total = 0;
  for (let day = first; day <= last; day++) {
    const window = state.window(day);
    if (window !== null) total += Math.max(0, Math.min(b, window.end) - Math.max(a, window.start));
  }
  return total;
}

/**
 * Whether a local date is a day off besides the weekly rest days: a public holiday (named as
 * date-holidays names it, in English), an extra holiday (no name) or a closure (its label).
 */
export function isHoliday(cal: BusinessCalendar, localDate: string): { holiday: boolean; name?: string } {
  const state = stateOf(cal);
  const off = state.dayOff(parseSpecDate(localDate, "localDate"));
  if (off === undefined) return { holiday: false };
  return off.name === undefined ? { holiday: true } : { holiday: true, name: off.name };
}

/** The YYYY-MM-DD date an instant falls on in the calendar's zone. */
export function localDate(cal: BusinessCalendar, at: Date): string {
  const state = stateOf(cal);
  return formatCivilDate(state.zone.localDay(instantOf(at, "at")));
}
