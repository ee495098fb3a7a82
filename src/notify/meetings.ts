// The playbook's meetings as calendar invitations: a meeting step (kickoff, reviews, training
// sessions) is one event, a meeting cadence (weekly status, bi-weekly check-ins) is one recurring
// series (RRULE). Times are in the client's zone, with a VTIMEZONE so every calendar agrees; the
// UID is stable per project and meeting, so a resent invitation updates the one already accepted.
import { createHash } from "node:crypto";
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventRepeatingFreq, type ICalWeekday } from "ical-generator";
import { DateTime } from "luxon";
import { buildCalendar, nextWorkingInstant } from "../engine/calendar/business-calendar.ts";
import type { Instant, ProjectEvent, ProjectState } from "../engine/types.ts";
import type { Cadence, Playbook, Step } from "../playbook/schema.ts";
import type { Duration } from "../playbook/time-expressions.ts";

export interface MeetingPerson {
  readonly name: string;
  readonly address: string;
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
  readonly recurrence?: { readonly freq: "DAILY" | "WEEKLY" | "MONTHLY"; readonly interval: number; readonly byDay?: readonly string[] };
}

/** A step that is a meeting: a meeting kind, a meeting block, or a training session. */
function isMeetingStep(step: Step): boolean {
  return step.kind === "meeting" || step.meeting !== undefined || step.training.length > 0;
}

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

/** A scheduled instant moved into working time and onto the next full hour (no 02:13 meetings). */
function workingSlot(state: ProjectState, at: Instant): Instant {
  const cal = buildCalendar({ ...state.calendar, closures: state.calendar.closures ?? [] });
  const start = nextWorkingInstant(cal, new Date(at));
  const rounded = DateTime.fromJSDate(start, { zone: state.calendar.timeZone });
  const hour =
    rounded.minute === 0 && rounded.second === 0 && rounded.millisecond === 0 ? rounded : rounded.startOf("hour").plus({ hours: 1 });
  const slot = hour.toJSDate();
  // Rounding up may have left the working window: take the next working instant again.
  return nextWorkingInstant(cal, slot).toISOString();
}

const WEEKDAY: Readonly<Record<string, string>> = { mon: "MO", tue: "TU", wed: "WE", thu: "TH", fri: "FR", sat: "SA", sun: "SU" };

function recurrenceOf(cadence: Cadence, state: ProjectState): MeetingPlan["recurrence"] {
  const interval = Math.max(1, Math.round(amountOf(cadence.every, state.params)));
  switch (cadence.every.unit) {
    case "week":
      return { freq: "WEEKLY", interval };
    case "month":
      return { freq: "MONTHLY", interval };
    case "day":
      return cadence.every.business
        ? { freq: "DAILY", interval, byDay: state.calendar.workingDays.map((d) => WEEKDAY[d] ?? "MO") }
        : { freq: "DAILY", interval };
    default:
      return { freq: "DAILY", interval: 1 };
  }
}

/**
 * The plan of a meeting of a project, or undefined when the playbook has no such meeting.
 * `events` gives a cadence's first occurrence (its `cadence.started` event).
 */
export function planMeeting(
  playbook: Playbook,
  state: ProjectState,
  meeting: string,
  events: readonly ProjectEvent[] = [],
): MeetingPlan | undefined {
  const { id } = meetingIdOf(meeting);
  const timeZone = state.calendar.timeZone;
  const step = stepOf(playbook, id);
  if (step && isMeetingStep(step)) {
    const s = state.steps[id];
    const anchor = s?.startedAt ?? s?.openedAt;
    const agenda = (step.meeting?.agenda ?? []).map((a) => `- ${a.minutes ? `${a.minutes} min: ` : ""}${a.topic}`);
    const agendaMinutes = (step.meeting?.agenda ?? []).reduce((sum, a) => sum + (a.minutes ?? 0), 0);
    return {
      id,
      title: step.title,
      description: [step.description ?? "", agenda.length ? `Agenda:\n${agenda.join("\n")}` : ""].filter(Boolean).join("\n\n"),
      start: anchor ? workingSlot(state, anchor) : undefined,
      minutes: step.meeting?.length ? minutesOf(step.meeting.length, state.params) : agendaMinutes > 0 ? agendaMinutes : 60,
      timeZone,
      ownerRole: step.owner,
      attendeeRoles: [...new Set([step.owner, ...(step.meeting?.attendees ?? []), ...(step.raci?.responsible ?? [])])],
    };
  }
  const cadence = playbook.cadences.find((c) => c.id === id && c.kind === "meeting");
  if (!cadence) return undefined;
  const started = events.find((e) => e.type === "cadence.started" && e.cadence === id);
  const first = started?.type === "cadence.started" ? started.nextAt : state.cadences[id]?.nextAt;
  const clientRoles = cadence.visible_to_client
    ? Object.entries(playbook.roles)
        .filter(([, r]) => r.side === "client")
        .map(([r]) => r)
    : [];
  return {
    id,
    title: cadence.title,
    description: cadence.instructions.map((i) => `- ${i}`).join("\n"),
    start: first ? workingSlot(state, first) : undefined,
    minutes: 60,
    timeZone,
    ownerRole: cadence.owner,
    attendeeRoles: [...new Set([cadence.owner, ...clientRoles])],
    recurrence: recurrenceOf(cadence, state),
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

/** The invitation as an iCalendar file (METHOD:REQUEST). */
export function inviteIcs(input: InviteInput): string {
  const { plan } = input;
  const calendar = ical({
    prodId: { company: "Onboard", product: "onboard", language: "EN" },
    method: ICalCalendarMethod.REQUEST,
    name: plan.title,
  });
  // Luxon values in the client's zone: ical-generator writes them as local times with TZID (a
  // native Date would be written in the server's zone).
  const start = DateTime.fromISO(plan.start, { zone: plan.timeZone });
  const organizer = input.organizer;
  calendar.createEvent({
    id: meetingUid(input.projectId, plan.id),
    sequence: input.sequence ?? 0,
    stamp: DateTime.fromISO(input.stamp, { zone: "utc" }),
    start,
    end: start.plus({ minutes: plan.minutes }),
    timezone: plan.timeZone,
    summary: plan.title,
    description: plan.description,
    ...(input.url ? { url: input.url } : {}),
    ...(organizer ? { organizer: { name: organizer.name, email: organizer.address } } : {}),
    attendees: input.attendees
      .filter((a) => a.address !== organizer?.address)
      .map((a) => ({ name: a.name, email: a.address, rsvp: true, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION })),
    ...(plan.recurrence
      ? {
          repeating: {
            freq: ICalEventRepeatingFreq[plan.recurrence.freq],
            interval: plan.recurrence.interval,
            ...(plan.recurrence.byDay ? { byDay: plan.recurrence.byDay.map((d) => d as ICalWeekday) } : {}),
          },
        }
      : {}),
  });
  // The VTIMEZONE is added by hand: with a calendar-wide zone ical-generator would also write
  // DTSTAMP as a local time, which must be UTC.
  const zone = vtimezone(plan.timeZone);
  const text = calendar.toString();
  return zone ? text.replace("BEGIN:VEVENT", `${zone}\r\nBEGIN:VEVENT`) : text;
}
