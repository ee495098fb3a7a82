// The playbook's meetings as calendar invitations: a meeting step (kickoff, reviews, training
// sessions) is one event, a meeting cadence (weekly status, bi-weekly check-ins) is one recurring
// series (RRULE) with an end (UNTIL, see seriesEnd). Times are in the client's zone, with a
// VTIMEZONE so every calendar agrees; the UID is stable per project and meeting, so a resent
// invitation (a higher SEQUENCE) updates the one already accepted and a cancellation removes it.
import { createHash } from "node:crypto";
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  type ICalEventData,
  ICalEventRepeatingFreq,
  ICalEventStatus,
  type ICalWeekday,
} from "ical-generator";
import { DateTime } from "luxon";
import { cadenceSchedule } from "../engine/cadences.ts";
import { addDuration, type BusinessCalendar, buildCalendar, nextWorkingInstant } from "../engine/calendar/business-calendar.ts";
import { isMeetingStep } from "../engine/meetings.ts";
import { resolveOn } from "../engine/schedule.ts";
import type { Instant, ProjectEvent, ProjectState } from "../engine/types.ts";
import { isAnswer } from "../playbook/agreed.ts";
import type { Cadence, Playbook, Step } from "../playbook/schema.ts";
import type { Deadline, Duration } from "../playbook/time-expressions.ts";

export interface MeetingPerson {
  readonly name: string;
  readonly address: string;
}

export interface Recurrence {
  readonly freq: "DAILY" | "WEEKLY" | "MONTHLY";
  readonly interval: number;
  readonly byDay?: readonly string[];
  /** The series' last possible start (RRULE UNTIL); see seriesEnd for where it comes from. */
  readonly until?: Instant;
  /** Why the series ends then, in words ("the end of phase Implementation (Days 11-45)"). */
  readonly endsBy?: string;
}

export interface MeetingPlan {
  /** The step id, or the cadence id for a series. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** undefined: not scheduled yet (its step has not opened). */
  readonly start: Instant | undefined;
  readonly minutes: number;
  readonly timeZone: string;
  /** Roles invited (the organizer's role first). */
  readonly ownerRole: string;
  readonly attendeeRoles: readonly string[];
  readonly recurrence?: Recurrence;
}

export { isMeetingStep };

function stepOf(playbook: Playbook, id: string): Step | undefined {
  for (const phase of playbook.phases) for (const step of phase.steps) if (step.id === id) return step;
  return undefined;
}

function amountOf(duration: Duration, params: ProjectState["params"]): number {
  if (duration.amount.kind === "literal") return duration.amount.value;
  const value = params[duration.amount.name];
  return typeof value === "number" ? value : 1;
}

function minutesOf(duration: Duration | undefined, params: ProjectState["params"]): number {
  if (!duration) return 60;
  const amount = amountOf(duration, params);
  const perUnit = { minute: 1, hour: 60, day: 480, week: 2400, month: 9600 }[duration.unit];
  return Math.max(15, Math.min(8 * 60, Math.round(amount * perUnit)));
}

/** Meeting ids the engine emits: a step id, or `cadence#n` for an occurrence of a cadence. */
export function meetingIdOf(effectMeeting: string): { readonly id: string; readonly occurrence: number | undefined } {
  const [id = effectMeeting, n] = effectMeeting.split("#");
  return { id, occurrence: n === undefined ? undefined : Number(n) };
}

function calendarOf(state: ProjectState): BusinessCalendar {
  return buildCalendar({ ...state.calendar, closures: state.calendar.closures ?? [] });
}

function addMs(at: Instant, ms: number): Instant {
  return new Date(Date.parse(at) + ms).toISOString();
}

/** A scheduled instant moved into working time and onto the next full hour (no 02:13 meetings). */
function workingSlot(cal: BusinessCalendar, timeZone: string, at: Instant): Instant {
  const start = nextWorkingInstant(cal, new Date(at));
  const rounded = DateTime.fromJSDate(start, { zone: timeZone });
  const hour =
    rounded.minute === 0 && rounded.second === 0 && rounded.millisecond === 0 ? rounded : rounded.startOf("hour").plus({ hours: 1 });
  const slot = hour.toJSDate();
  // Rounding up may have left the working window: take the next working instant again.
  return nextWorkingInstant(cal, slot).toISOString();
}

/** The project's holds, in order: when each began and how far `project.resumed` shifted what was pending. */
function holdsOf(events: readonly ProjectEvent[]): { readonly from: Instant; readonly shiftMs: number }[] {
  const holds: { from: Instant; shiftMs: number }[] = [];
  let heldAt: Instant | undefined;
  for (const event of events) {
    if (event.type === "project.on_hold") heldAt = event.at;
    else if (event.type === "project.resumed") {
      if (heldAt !== undefined && event.shiftMs > 0) holds.push({ from: heldAt, shiftMs: event.shiftMs });
      heldAt = undefined;
    }
  }
  return holds;
}

/**
 * A meeting step is held at the first working hour after it was started (the team scheduled it)
 * or, until then, opened. A hold that began while the meeting was still ahead moves it by the time
 * spent on hold, as the engine moves every pending deadline when the project resumes.
 */
function stepMeetingStart(cal: BusinessCalendar, state: ProjectState, id: string, events: readonly ProjectEvent[]): Instant | undefined {
  const step = state.steps[id];
  const anchor = step?.startedAt ?? step?.openedAt;
  if (!step || anchor === undefined) return undefined;
  let slot = workingSlot(cal, state.calendar.timeZone, anchor);
  for (const hold of holdsOf(events)) {
    if (hold.from < anchor || hold.from >= slot) continue;
    if (step.completedAt !== undefined && step.completedAt <= hold.from) continue;
    slot = workingSlot(cal, state.calendar.timeZone, addMs(slot, hold.shiftMs));
  }
  return slot;
}

/**
 * A cadence's series: its first occurrence (`cadence.started`) and when it was planned. A resume
 * after a hold moves every pending occurrence (the engine shifts the cadence's next one), which one
 * RRULE cannot say of a series half held: the series then starts again at its next occurrence.
 */
function seriesStart(
  state: ProjectState,
  id: string,
  events: readonly ProjectEvent[],
): { first: Instant; plannedAt: Instant; startedAt: Instant } | undefined {
  let first: Instant | undefined;
  let next: Instant | undefined;
  let plannedAt: Instant | undefined;
  let startedAt: Instant | undefined;
  let running = false;
  for (const event of events) {
    if (event.type === "cadence.started" && event.cadence === id) {
      first = next = event.nextAt;
      plannedAt = startedAt = event.at;
      running = true;
    } else if (event.type === "cadence.occurred" && event.cadence === id) next = event.nextAt;
    else if (event.type === "cadence.rescheduled" && event.cadence === id) {
      // Another schedule agreed with the client: the series starts again at its next occurrence.
      first = next = event.nextAt;
      plannedAt = event.at;
    } else if (event.type === "cadence.ended" && event.cadence === id) running = false;
    else if (event.type === "project.resumed" && running && next !== undefined && event.shiftMs > 0) {
      next = addMs(next, event.shiftMs);
      first = next;
    }
  }
  if (first !== undefined) return { first, plannedAt: plannedAt ?? state.startedAt, startedAt: startedAt ?? state.startedAt };
  const pending = state.cadences[id]?.nextAt;
  return pending === undefined ? undefined : { first: pending, plannedAt: state.startedAt, startedAt: state.startedAt };
}

/** The end of a phase's window: "Days 11-45" is the end of working day 45 (what its steps are due by). */
function windowEnd(cal: BusinessCalendar, state: ProjectState, phase: Playbook["phases"][number]): Instant | undefined {
  const window = phase.window;
  if (window === undefined || window.to === null) return undefined;
  const day = window.to.unit === "week" ? window.to.n * 7 : window.to.n;
  const deadline: Deadline = { kind: "day", day, anchor: window.anchor, text: window.text };
  return resolveOn(cal, state, deadline);
}

/** The project's planned go-live or end as a KPI target states it ("< 45 days"): that many days after start. */
function kpiEnd(playbook: Playbook, state: ProjectState): Instant | undefined {
  let days: number | undefined;
  for (const kpi of playbook.kpis) {
    if ((kpi.metric !== "time_to_go_live" && kpi.metric !== "time_to_onboard") || !kpi.target) continue;
    const match = /^(<=|<|=)\s*(\d+(?:\.\d+)?|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\})\s*(days?)?$/.exec(kpi.target.trim());
    if (!match) continue;
    const value = match[3] !== undefined ? state.params[match[3]] : Number(match[2]);
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    days = Math.max(days ?? 0, match[1] === "<" ? value - 1 : value);
  }
  if (days === undefined) return undefined;
  return new Date(DateTime.fromISO(state.startedAt, { zone: state.calendar.timeZone }).plus({ days }).toMillis()).toISOString();
}

/** Without any end the playbook implies, a series stops after a quarter: it never runs forever. */
const SERIES_HORIZON_DAYS = 91;

/**
 * Where a meeting cadence's series ends: its RRULE's UNTIL. The most faithful bound available, the
 * first of these that comes after the series' first occurrence:
 *
 * 1. `until:` of the cadence ("Day 60", "Day 30 after go_live"), resolved on the client's business
 *    calendar as the engine resolves it to end the cadence (so not moved by holds, as there; one
 *    whose anchor has not happened yet falls through to the next rule).
 * 2. `during: <phase>`: the engine ends the cadence when the phase's steps are done, and the plan
 *    for that is the phase's window: "Days 11-45" ends with working day 45 (the deadline of every
 *    step of the phase without its own).
 * 3. The project's planned end: the latest end of a phase window that can be resolved yet (a
 *    cadence with neither runs until the project closes; also a window "Day 70+" or one anchored
 *    at a go-live that has not happened).
 * 4. The planned go-live or onboarding time a KPI target states ("time_to_go_live < 45 days").
 * 5. None of these: 13 weeks after its first meeting (SERIES_HORIZON_DAYS).
 *
 * Bounds 2-4 move by the time the project spent on hold while the series ran, as the deadlines that
 * make them do. The engine still ends the series itself: one that ends earlier gets its remaining
 * occurrences cancelled (Notifications' update_invite handler).
 */
export function seriesEnd(
  playbook: Playbook,
  state: ProjectState,
  cadence: Cadence,
  series: { readonly first: Instant; readonly plannedAt: Instant },
  events: readonly ProjectEvent[] = [],
  cal: BusinessCalendar = calendarOf(state),
): { readonly until: Instant; readonly endsBy: string } {
  const holds = holdsOf(events);
  const held = (bound: Instant) => {
    let end = bound;
    for (const hold of holds) if (hold.from >= series.plannedAt && hold.from < end) end = addMs(end, hold.shiftMs);
    return end;
  };
  const phase = cadence.during ? playbook.phases.find((p) => p.id === cadence.during) : undefined;
  const planned = playbook.phases.map((p) => windowEnd(cal, state, p)).filter((t): t is Instant => t !== undefined);
  const latest = planned.sort().at(-1);
  const candidates: [Instant | undefined, string][] = [
    [cadence.until ? resolveOn(cal, state, cadence.until) : undefined, `until ${cadence.until?.text ?? ""}`],
    [
      phase ? mapDefined(windowEnd(cal, state, phase), held) : undefined,
      `the end of phase ${phase?.title}${phase?.window ? ` (${phase.window.text})` : ""}`,
    ],
    [mapDefined(latest, held), "the project's planned end"],
    [mapDefined(kpiEnd(playbook, state), held), "the project's planned go-live"],
  ];
  for (const [until, endsBy] of candidates) if (until !== undefined && until > series.first) return { until, endsBy };
  return {
    until: new Date(
      DateTime.fromISO(series.first, { zone: state.calendar.timeZone }).plus({ days: SERIES_HORIZON_DAYS }).toMillis(),
    ).toISOString(),
    endsBy: `${Math.round(SERIES_HORIZON_DAYS / 7)} weeks`,
  };
}

function mapDefined<T, U>(value: T | undefined, f: (value: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}

const AGREED_FALLBACK: Duration = { amount: { kind: "literal", value: 1 }, unit: "week", business: false, text: "1 week" };

const WEEKDAY: Readonly<Record<string, string>> = { mon: "MO", tue: "TU", wed: "WE", thu: "TH", fri: "FR", sat: "SA", sun: "SU" };

function recurrenceOf(cadence: Cadence, state: ProjectState): Recurrence {
  // An interval agreed with the client is the one in force (weekly until it is answered).
  const every = cadenceSchedule(state, cadence)?.every ?? (isAnswer(cadence.every) ? AGREED_FALLBACK : cadence.every);
  const interval = Math.max(1, Math.round(amountOf(every, state.params)));
  switch (every.unit) {
    case "week":
      return { freq: "WEEKLY", interval };
    case "month":
      return { freq: "MONTHLY", interval };
    case "day":
      return every.business
        ? { freq: "DAILY", interval, byDay: state.calendar.workingDays.map((d) => WEEKDAY[d] ?? "MO") }
        : { freq: "DAILY", interval };
    default:
      return { freq: "DAILY", interval: 1 };
  }
}

/** How long before its first meeting a series is in calendars, when the playbook states no `notice:`. */
export const DEFAULT_SERIES_NOTICE: Duration = {
  amount: { kind: "literal", value: 2 },
  unit: "day",
  business: true,
  text: "2 business days",
};

/**
 * The first meeting of a series that leaves the notice the playbook states (`notice:` of the
 * cadence, DEFAULT_SERIES_NOTICE without) after the cadence started. The invitation goes out when
 * the series is planned; an occurrence sooner than that (a weekly status call the morning after
 * the cadence starts) is not put in people's calendars at a few hours' notice: the series starts
 * with the next occurrence that leaves the notice, which is what a CSM would expect of a recurring
 * meeting (the engine still makes that first occurrence's task for the owner). A series that moves
 * later (a hold, another schedule agreed) is already in calendars: it moves as the engine says.
 */
function withNotice(
  cal: BusinessCalendar,
  state: ProjectState,
  cadence: Cadence,
  recurrence: Recurrence,
  series: { readonly first: Instant; readonly startedAt: Instant },
): Instant {
  const notice = cadence.notice ?? DEFAULT_SERIES_NOTICE;
  const earliest = addDuration(cal, new Date(series.startedAt), {
    amount: amountOf(notice, state.params),
    unit: notice.unit,
    business: notice.business,
  }).toISOString();
  if (series.first >= earliest) return series.first;
  const plan = { start: series.first, timeZone: state.calendar.timeZone, recurrence };
  return occurrences(plan).find((at) => at >= earliest) ?? series.first;
}

/**
 * The plan of a meeting of a project, or undefined when the playbook has no such meeting.
 * `events` (the project's) give a cadence's first occurrence (its `cadence.started` event) and the
 * holds that moved a meeting; `cal` is the project's business calendar when the caller has it.
 */
export function planMeeting(
  playbook: Playbook,
  state: ProjectState,
  meeting: string,
  events: readonly ProjectEvent[] = [],
  cal: BusinessCalendar = calendarOf(state),
): MeetingPlan | undefined {
  const { id } = meetingIdOf(meeting);
  const timeZone = state.calendar.timeZone;
  const step = stepOf(playbook, id);
  if (step && isMeetingStep(step)) {
    const agenda = (step.meeting?.agenda ?? []).map((a) => `- ${a.minutes ? `${a.minutes} min: ` : ""}${a.topic}`);
    const agendaMinutes = (step.meeting?.agenda ?? []).reduce((sum, a) => sum + (a.minutes ?? 0), 0);
    return {
      id,
      title: step.title,
      description: [step.description ?? "", agenda.length ? `Agenda:\n${agenda.join("\n")}` : ""].filter(Boolean).join("\n\n"),
      start: stepMeetingStart(cal, state, id, events),
      minutes: step.meeting?.length ? minutesOf(step.meeting.length, state.params) : agendaMinutes > 0 ? agendaMinutes : 60,
      timeZone,
      ownerRole: step.owner,
      attendeeRoles: [...new Set([step.owner, ...(step.meeting?.attendees ?? []), ...(step.raci?.responsible ?? [])])],
    };
  }
  const cadence = playbook.cadences.find((c) => c.id === id && c.kind === "meeting");
  if (!cadence) return undefined;
  const series = seriesStart(state, id, events);
  const recurrence = recurrenceOf(cadence, state);
  const start = series
    ? withNotice(cal, state, cadence, recurrence, { first: workingSlot(cal, timeZone, series.first), startedAt: series.startedAt })
    : undefined;
  const clientRoles = cadence.visible_to_client
    ? Object.entries(playbook.roles)
        .filter(([, r]) => r.side === "client")
        .map(([r]) => r)
    : [];
  const end = series && start ? seriesEnd(playbook, state, cadence, { ...series, first: start }, events, cal) : undefined;
  return {
    id,
    title: cadence.title,
    description: cadence.instructions.map((i) => `- ${i}`).join("\n"),
    start,
    minutes: 60,
    timeZone,
    ownerRole: cadence.owner,
    attendeeRoles: [...new Set([cadence.owner, ...clientRoles])],
    recurrence: { ...recurrence, ...(end ? { until: end.until, endsBy: end.endsBy } : {}) },
  };
}

/** Every meeting of a playbook: its meeting steps and meeting cadences. */
export function meetingIds(playbook: Playbook): string[] {
  const steps = playbook.phases.flatMap((p) => p.steps.filter(isMeetingStep).map((s) => s.id));
  return [...steps, ...playbook.cadences.filter((c) => c.kind === "meeting").map((c) => c.id)];
}

/** Stable per project and meeting: a resent invitation replaces the earlier one in calendars. */
export function meetingUid(projectId: string, meetingId: string): string {
  const digest = createHash("sha256").update(`${projectId}\0${meetingId}`).digest("hex").slice(0, 32);
  return `${digest}@onboard`;
}

const TZ_CACHE = new Map<string, string | null>();

function icsLocal(dt: DateTime): string {
  return dt.toFormat("yyyyMMdd'T'HHmmss");
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
}

/**
 * A VTIMEZONE for an IANA zone, from the zone rules Node has (ICU): every offset change from two
 * years back to five ahead as its own observance, which calendar programs read without RRULEs.
 */
export function vtimezone(zone: string): string | null {
  const cached = TZ_CACHE.get(zone);
  if (cached !== undefined) return cached;
  if (!DateTime.now().setZone(zone).isValid) {
    TZ_CACHE.set(zone, null);
    return null;
  }
  const year = new Date().getUTCFullYear();
  const from = DateTime.fromObject({ year: year - 2, month: 1, day: 1 }, { zone: "utc" });
  const to = DateTime.fromObject({ year: year + 5, month: 12, day: 31 }, { zone: "utc" });
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const transitions: { at: number; before: number; after: number }[] = [];
  const DAY = 86_400_000;
  for (let t = from.toMillis(); t < to.toMillis(); t += DAY) {
    const a = offsetAt(t);
    const b = offsetAt(t + DAY);
    if (a === b) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
      if (offsetAt(mid) === a) lo = mid;
      else hi = mid;
    }
    transitions.push({ at: hi, before: a, after: b });
  }
  const lines = ["BEGIN:VTIMEZONE", `TZID:${zone}`];
  if (transitions.length === 0) {
    const offset = offsetText(offsetAt(from.toMillis()));
    lines.push("BEGIN:STANDARD", "DTSTART:19700101T000000", `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, "END:STANDARD");
  } else {
    const standard = Math.min(...transitions.flatMap((t) => [t.before, t.after]));
    for (const t of transitions) {
      const kind = t.after > standard ? "DAYLIGHT" : "STANDARD";
      // DTSTART of an observance is local time in the offset before the change.
      const local = DateTime.fromMillis(t.at, { zone: "utc" }).plus({ minutes: t.before });
      lines.push(
        `BEGIN:${kind}`,
        `DTSTART:${icsLocal(local)}`,
        `TZOFFSETFROM:${offsetText(t.before)}`,
        `TZOFFSETTO:${offsetText(t.after)}`,
        `END:${kind}`,
      );
    }
  }
  lines.push("END:VTIMEZONE");
  const text = lines.join("\r\n");
  TZ_CACHE.set(zone, text);
  return text;
}

export interface InviteInput {
  readonly projectId: string;
  readonly plan: MeetingPlan & { readonly start: Instant };
  readonly organizer: MeetingPerson | undefined;
  readonly attendees: readonly MeetingPerson[];
  /** DTSTAMP: when this version of the invitation was made. */
  readonly stamp: Instant;
  /** Increase when the meeting changes, so calendars take the new version. */
  readonly sequence?: number;
  readonly url?: string;
}

/**
 * A name as an iCalendar parameter value (CN): ical-generator puts it in DQUOTEs, which keeps
 * `:`, `;` and `,` literal, but a quoted-string can hold no DQUOTE and no control character, and
 * has no escapes at all (RFC 5545 3.1, 3.2: a backslash is taken literally), so python-icalendar
 * drops such an attendee and vobject rejects the file. A `"` becomes `'`, a backslash `/`
 * (ical-generator would double it), a line break or other control character a space. The same
 * holds for every parameter Onboard writes; the others (TZID, ROLE, PARTSTAT ...) are its own words.
 */
export function parameterText(text: string): string {
  return (
    text
      .replace(/"/g, "'")
      .replace(/\\/g, "/")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f]/g, " ")
  );
}

/** The VEVENT fields an invitation and its cancellation share. */
function eventData(input: InviteInput, start: DateTime): ICalEventData {
  const { plan, organizer } = input;
  return {
    id: meetingUid(input.projectId, plan.id),
    sequence: input.sequence ?? 0,
    stamp: DateTime.fromISO(input.stamp, { zone: "utc" }),
    start,
    end: start.plus({ minutes: plan.minutes }),
    timezone: plan.timeZone,
    summary: plan.title,
    description: plan.description,
    ...(input.url ? { url: input.url } : {}),
    ...(organizer ? { organizer: { name: parameterText(organizer.name), email: organizer.address } } : {}),
    attendees: input.attendees
      .filter((a) => a.address !== organizer?.address)
      .map((a) => ({
        name: parameterText(a.name),
        email: a.address,
        rsvp: true,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
      })),
  };
}

function repeating(recurrence: Recurrence): ICalEventData["repeating"] {
  return {
    freq: ICalEventRepeatingFreq[recurrence.freq],
    interval: recurrence.interval,
    ...(recurrence.byDay ? { byDay: recurrence.byDay.map((d) => d as ICalWeekday) } : {}),
    // Written in UTC, as RFC 5545 requires of UNTIL when DTSTART has a TZID.
    ...(recurrence.until ? { until: DateTime.fromISO(recurrence.until, { zone: "utc" }) } : {}),
  };
}

function calendarText(method: ICalCalendarMethod, title: string, timeZone: string, events: readonly ICalEventData[]): string {
  const calendar = ical({ prodId: { company: "Onboard", product: "onboard", language: "EN" }, method, name: title });
  for (const event of events) calendar.createEvent(event);
  // The VTIMEZONE is added by hand: with a calendar-wide zone ical-generator would also write
  // DTSTAMP as a local time, which must be UTC.
  const zone = vtimezone(timeZone);
  const text = calendar.toString();
  const whole = zone ? text.replace("BEGIN:VEVENT", `${zone}\r\nBEGIN:VEVENT`) : text;
  // Every content line ends with CRLF, the last one too (RFC 5545 3.1); ical-generator leaves it off.
  return whole.endsWith("\r\n") ? whole : `${whole}\r\n`;
}

/** Luxon values in the client's zone: ical-generator writes them as local times with TZID (a native Date would be in the server's). */
function local(plan: Pick<MeetingPlan, "timeZone">, at: Instant): DateTime {
  return DateTime.fromISO(at, { zone: plan.timeZone });
}

/** The invitation as an iCalendar file (METHOD:REQUEST); a series carries its end (UNTIL). */
export function inviteIcs(input: InviteInput): string {
  const { plan } = input;
  const event = eventData(input, local(plan, plan.start));
  return calendarText(ICalCalendarMethod.REQUEST, plan.title, plan.timeZone, [
    { ...event, ...(plan.recurrence ? { repeating: repeating(plan.recurrence) } : {}) },
  ]);
}

export interface CancelInput extends InviteInput {
  readonly sequence: number;
  /**
   * For a series some of whose meetings were held: the occurrences cancelled (each its own VEVENT
   * with a RECURRENCE-ID, RFC 5546 3.2.5), so the held ones stay in calendars. Without: all of it.
   */
  readonly instances?: readonly Instant[];
}

/** The cancellation as an iCalendar file (METHOD:CANCEL, STATUS:CANCELLED, the same UID, a higher SEQUENCE). */
export function cancelIcs(input: CancelInput): string {
  const { plan } = input;
  const cancelled = { status: ICalEventStatus.CANCELLED };
  const events: ICalEventData[] = input.instances
    ? input.instances.map((at) => ({ ...eventData(input, local(plan, at)), ...cancelled, recurrenceId: local(plan, at) }))
    : [
        {
          ...eventData(input, local(plan, plan.start)),
          ...cancelled,
          ...(plan.recurrence ? { repeating: repeating(plan.recurrence) } : {}),
        },
      ];
  return calendarText(ICalCalendarMethod.CANCEL, plan.title, plan.timeZone, events);
}

const RECURRENCE_CAP = 1000;

/**
 * The start of every meeting of a plan, as its RRULE expands in the client's zone (the same local
 * time across daylight saving changes): one for a single meeting; a series up to its UNTIL.
 */
export function occurrences(plan: Pick<MeetingPlan, "timeZone" | "recurrence"> & { readonly start: Instant }): Instant[] {
  const recurrence = plan.recurrence;
  if (!recurrence) return [plan.start];
  const first = local(plan, plan.start);
  const end = recurrence.until ? Date.parse(recurrence.until) : Number.POSITIVE_INFINITY;
  const days = recurrence.byDay ? new Set(recurrence.byDay) : undefined;
  const codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
  const out: Instant[] = [];
  for (let k = 0; out.length < RECURRENCE_CAP; k++) {
    const step = k * recurrence.interval;
    const at =
      recurrence.freq === "WEEKLY"
        ? first.plus({ weeks: step })
        : recurrence.freq === "MONTHLY"
          ? first.plus({ months: step })
          : first.plus({ days: step });
    if (at.toMillis() > end) break;
    // A monthly series on the 31st skips shorter months (RFC 5545), where luxon would clamp.
    if (recurrence.freq === "MONTHLY" && at.day !== first.day) continue;
    // DTSTART is always the first occurrence; the rest fall on the days the rule names.
    if (k > 0 && days && !days.has(codes[at.weekday - 1] ?? "")) continue;
    out.push(new Date(at.toMillis()).toISOString());
  }
  return out;
}

/** An invitation or cancellation Onboard sent, as read back from its .ics. */
export interface SentInvitation {
  readonly uid: string;
  readonly method: "REQUEST" | "CANCEL";
  readonly sequence: number;
  /** DTSTART, DTEND and RRULE as written: equal exactly when the meeting's time is unchanged. */
  readonly schedule: string;
  readonly start: Instant;
  readonly minutes: number;
  readonly timeZone: string;
  readonly recurrence?: Recurrence;
}

/** Property lines of an iCalendar text, unfolded: [name, parameters, value]. */
function properties(ics: string): [string, Record<string, string>, string, string][] {
  return ics
    .replace(/\r?\n[ \t]/g, "")
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => {
      const colon = line.search(/:(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      const head = colon < 0 ? line : line.slice(0, colon);
      const [name = "", ...params] = head.split(";");
      const parameters = Object.fromEntries(params.map((p) => [p.split("=")[0]?.toUpperCase() ?? "", p.slice(p.indexOf("=") + 1)]));
      return [name.toUpperCase(), parameters, colon < 0 ? "" : line.slice(colon + 1), line];
    });
}

function timeOf(value: string, zone: string | undefined): DateTime {
  return value.endsWith("Z")
    ? DateTime.fromFormat(value, "yyyyMMdd'T'HHmmss'Z'", { zone: "utc" })
    : DateTime.fromFormat(value, "yyyyMMdd'T'HHmmss", { zone: zone ?? "utc" });
}

/** Read back the first VEVENT of an invitation Onboard wrote (undefined when it is not one). */
export function readInvitation(ics: string): SentInvitation | undefined {
  const lines = properties(ics);
  const method = lines.find(([name]) => name === "METHOD")?.[2].toUpperCase();
  const begin = lines.findIndex(([name, , value]) => name === "BEGIN" && value.toUpperCase() === "VEVENT");
  if (begin < 0 || (method !== "REQUEST" && method !== "CANCEL")) return undefined;
  const end = lines.findIndex(([name, , value], i) => i > begin && name === "END" && value.toUpperCase() === "VEVENT");
  const event = lines.slice(begin + 1, end < 0 ? undefined : end);
  const get = (name: string) => event.find(([n]) => n === name);
  const [uid, dtstart, dtend, rrule, sequence] = ["UID", "DTSTART", "DTEND", "RRULE", "SEQUENCE"].map(get);
  if (!uid || !dtstart) return undefined;
  const timeZone = dtstart[1].TZID ?? "UTC";
  const start = timeOf(dtstart[2], dtstart[1].TZID);
  const finish = dtend ? timeOf(dtend[2], dtend[1].TZID) : start.plus({ hours: 1 });
  if (!start.isValid || !finish.isValid) return undefined;
  let recurrence: Recurrence | undefined;
  if (rrule) {
    const parts = Object.fromEntries(rrule[2].split(";").map((p) => [p.split("=")[0]?.toUpperCase() ?? "", p.slice(p.indexOf("=") + 1)]));
    const freq = parts.FREQ;
    if (freq === "DAILY" || freq === "WEEKLY" || freq === "MONTHLY") {
      const until = parts.UNTIL ? timeOf(parts.UNTIL, timeZone) : undefined;
      recurrence = {
        freq,
        interval: Number(parts.INTERVAL ?? 1) || 1,
        ...(parts.BYDAY ? { byDay: parts.BYDAY.split(",") } : {}),
        ...(until?.isValid ? { until: new Date(until.toMillis()).toISOString() } : {}),
      };
    }
  }
  return {
    uid: uid[2],
    method,
    sequence: Number(sequence?.[2] ?? 0) || 0,
    schedule: [dtstart, dtend, rrule].map((p) => p?.[3] ?? "").join("\n"),
    start: new Date(start.toMillis()).toISOString(),
    minutes: Math.round(finish.diff(start, "minutes").minutes),
    timeZone,
    ...(recurrence ? { recurrence } : {}),
  };
}
