// Meetings as iCalendar: a meeting step is one event, a meeting cadence one recurring series with an
// end (UNTIL); in the client's time zone (with its VTIMEZONE), organizer and attendees, a UID stable
// per project and meeting; updates and cancellations of the same UID. Parsed back with ical.js, as a
// calendar program would.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ICAL from "ical.js";
import { simulate } from "../../src/engine/simulate.ts";
import type { ProjectEvent } from "../../src/engine/types.ts";
import {
  cancelIcs,
  inviteIcs,
  meetingIds,
  meetingUid,
  occurrences,
  planMeeting,
  readInvitation,
  seriesEnd,
  vtimezone,
} from "../../src/notify/meetings.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import { parseDeadline } from "../../src/playbook/time-expressions.ts";

const START = "2026-01-05T08:00:00.000Z"; // Monday 09:00 in Berlin

async function model(name: string) {
  const loaded = await loadPlaybookFile(new URL(`../../playbooks/${name}.yaml`, import.meta.url));
  assert.ok(loaded.model, name);
  return loaded.model;
}

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const tz of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  const vevent = calendar.getFirstSubcomponent("vevent");
  assert.ok(vevent);
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

/** Every start of a (finite) event as ical.js expands it; fails on a series that does not end. */
function expand(event: ICAL.Event): ICAL.Time[] {
  const starts: ICAL.Time[] = [];
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    starts.push(next);
    assert.ok(starts.length < 500, "the series ends");
  }
  return starts;
}

function sopRun(sop: Awaited<ReturnType<typeof model>>, start: string) {
  return simulate(sop, {
    start,
    maxDays: 40,
    input: {
      projectId: "p-sop",
      client: { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" },
      facts: { user_count: 40, soc2_required: false, data_migration_applicable: false },
    },
    workDays: (step) => (sop.steps.get(step.id)?.phase.id === "implementation" ? 5 : undefined),
  });
}

describe("meetings", async () => {
  const sop = await model("sop-cs-001");
  const run = sopRun(sop, START);
  const people = {
    organizer: { name: "Zoë Müller", address: "zoe@acme.example" },
    attendees: [
      { name: "Zoë Müller", address: "zoe@acme.example" },
      { name: "Jürgen Groß", address: "juergen@globex.example" },
    ],
  };

  test("the playbook's meetings: meeting steps and meeting cadences", () => {
    const ids = meetingIds(sop.playbook);
    assert.ok(ids.includes("kickoff_meeting"));
    assert.ok(ids.includes("weekly_status_meeting"));
  });

  test("a kickoff: one event in the client's zone at a working hour, organizer, attendees, stable UID", () => {
    const plan = planMeeting(sop.playbook, run.state, "kickoff_meeting", run.events);
    assert.ok(plan?.start, "the kickoff has a time once its step started");
    const ics = inviteIcs({ projectId: "p-sop", plan: { ...plan, start: plan.start }, ...people, stamp: START });
    const { calendar, vevent, event } = parse(ics);
    assert.equal(calendar.getFirstPropertyValue("method"), "REQUEST");
    assert.equal(event.uid, meetingUid("p-sop", "kickoff_meeting"));
    assert.equal(event.uid, meetingUid("p-sop", "kickoff_meeting"), "stable");
    assert.notEqual(event.uid, meetingUid("p-other", "kickoff_meeting"));
    const dtstart = vevent.getFirstProperty("dtstart");
    assert.equal(dtstart?.getParameter("tzid"), "Europe/Berlin");
    assert.equal(event.startDate.toJSDate().toISOString(), plan.start, "the zone's offsets (VTIMEZONE) give back the instant");
    const local = event.startDate;
    assert.ok(local.hour >= 9 && local.hour < 17, `${local.hour}:00 is a working hour in Berlin`);
    assert.equal(local.minute, 0);
    assert.equal(event.summary, plan.title);
    assert.equal(event.organizer.toLowerCase(), "mailto:zoe@acme.example");
    assert.deepEqual(
      event.attendees.map((a) => String(a.getFirstValue()).toLowerCase()),
      ["mailto:juergen@globex.example"],
    );
    assert.equal(event.attendees[0]?.getParameter("cn"), "Jürgen Groß");
    assert.equal(event.isRecurring(), false);
  });

  test("a cadence: one series with its RRULE from the playbook's `every`, ending with its phase's window", () => {
    const plan = planMeeting(sop.playbook, run.state, "weekly_status_meeting#1", run.events);
    assert.ok(plan?.start, "the cadence started");
    // `during: implementation`, window "Days 11-45": the end of working day 45, Thursday 19 February
    // 17:00 in Berlin.
    assert.deepEqual(plan.recurrence, {
      freq: "WEEKLY",
      interval: 1,
      until: "2026-02-19T16:00:00.000Z",
      endsBy: "the end of phase Implementation (Days 11-45)",
    });
    const ics = inviteIcs({ projectId: "p-sop", plan: { ...plan, start: plan.start }, ...people, stamp: START });
    const { vevent, event } = parse(ics);
    assert.equal(event.isRecurring(), true);
    const rrule = vevent.getFirstPropertyValue("rrule") as ICAL.Recur;
    assert.equal(rrule.freq, "WEEKLY");
    assert.equal(rrule.interval, 1);
    assert.equal(vevent.getFirstProperty("dtstart")?.getParameter("tzid"), "Europe/Berlin");
    assert.equal(event.uid, meetingUid("p-sop", "weekly_status_meeting"), "every occurrence shares the series' UID");
    const it = event.iterator();
    const first = it.next();
    const second = it.next();
    assert.ok(first && second);
    assert.equal(second.toJSDate().getTime() - first.toJSDate().getTime(), 7 * 86_400_000);
    assert.equal(rrule.until?.toJSDate().toISOString(), "2026-02-19T16:00:00.000Z");
    assert.equal(rrule.count, null, "bounded by UNTIL");
    assert.deepEqual(
      expand(event).map((t) => t.toJSDate().toISOString()),
      ["2026-01-26T09:00:00.000Z", "2026-02-02T09:00:00.000Z", "2026-02-09T09:00:00.000Z", "2026-02-16T09:00:00.000Z"],
    );
  });

  test("across a daylight saving change, ical.js expands the series to the meetings the engine holds, 10:00 in Berlin each", async () => {
    // Started Monday 23 February: implementation runs to working day 45, Thursday 9 April (17:00
    // CEST); Berlin moves to summer time on 29 March, between the 2nd and the 3rd meeting.
    const spring = sopRun(sop, "2026-02-23T08:00:00.000Z");
    const plan = planMeeting(sop.playbook, spring.state, "weekly_status_meeting", spring.events);
    assert.ok(plan?.start && plan.recurrence?.until);
    const ics = inviteIcs({ projectId: "p-sop", plan: { ...plan, start: plan.start }, ...people, stamp: START });
    assert.match(ics, /\r\nRRULE:FREQ=WEEKLY;INTERVAL=1;UNTIL=20260409T150000Z\r\n/, "UNTIL in UTC, as RFC 5545 wants beside a TZID");
    const { event } = parse(ics);
    const starts = expand(event);
    assert.deepEqual(
      starts.map((t) => t.toJSDate().toISOString()),
      ["2026-03-16T09:00:00.000Z", "2026-03-23T09:00:00.000Z", "2026-03-30T08:00:00.000Z", "2026-04-06T08:00:00.000Z"],
    );
    for (const t of starts) assert.deepEqual([t.hour, t.minute, t.dayOfWeek()], [10, 0, ICAL.Time.MONDAY], "Monday 10:00 local");
    // The engine held (and holds) its occurrences at exactly these instants, and the next would be
    // after the phase's planned end.
    const held = spring.events.flatMap((e) =>
      (e.type === "cadence.started" || e.type === "cadence.occurred") && e.cadence === "weekly_status_meeting" && e.nextAt
        ? [e.nextAt]
        : [],
    );
    assert.deepEqual(held, starts.map((t) => t.toJSDate().toISOString()).slice(0, held.length));
    assert.deepEqual(
      occurrences({ ...plan, start: plan.start }),
      starts.map((t) => t.toJSDate().toISOString()),
    );
  });

  test("where a series ends: until, then its phase, the project's planned end, the planned go-live, else 13 weeks", () => {
    const cadence = sop.playbook.cadences.find((c) => c.id === "weekly_status_meeting");
    assert.ok(cadence);
    const series = { first: "2026-01-26T09:00:00.000Z", plannedAt: "2026-01-19T09:00:00.000Z" };
    const end = (c: typeof cadence, playbook = sop.playbook, events: readonly ProjectEvent[] = []) =>
      seriesEnd(playbook, run.state, c, series, events);
    const day30 = parseDeadline("Day 30");
    assert.ok(day30.ok);
    assert.deepEqual(end({ ...cadence, until: day30.value }), { until: "2026-02-04T16:00:00.000Z", endsBy: "until Day 30" });
    assert.deepEqual(end(cadence), { until: "2026-02-19T16:00:00.000Z", endsBy: "the end of phase Implementation (Days 11-45)" });
    // No phase of its own (it runs until the project closes), or a phase whose window ended before
    // its first meeting: the latest phase window's end ("Days 56-70").
    const planned = { until: "2026-03-16T16:00:00.000Z", endsBy: "the project's planned end" };
    assert.deepEqual(end({ ...cadence, during: undefined }), planned);
    assert.deepEqual(end({ ...cadence, during: "kickoff_and_planning" }), planned, "Days 3-10 ended before the first meeting");
    // Open-ended windows only: the KPI's planned go-live ("time_to_go_live <= 60 days"), else 13 weeks.
    const open = {
      ...sop.playbook,
      phases: sop.playbook.phases.map((p) => ({ ...p, ...(p.window ? { window: { ...p.window, to: null } } : {}) })),
    };
    assert.deepEqual(end({ ...cadence, during: undefined }, open), {
      until: "2026-03-06T08:00:00.000Z",
      endsBy: "the project's planned go-live",
    });
    assert.deepEqual(end({ ...cadence, during: undefined }, { ...open, kpis: [] }), {
      until: "2026-04-27T08:00:00.000Z",
      endsBy: "13 weeks",
    });
    // Two days on hold while the series ran move its phase's end by two days; `until` stays, as the
    // engine ends the cadence there.
    const hold: ProjectEvent[] = [
      { type: "project.on_hold", at: "2026-02-03T10:00:00.000Z", actor: "ops" },
      { type: "project.resumed", shiftMs: 2 * 86_400_000, at: "2026-02-05T10:00:00.000Z", actor: "ops" },
    ];
    assert.equal(end(cadence, sop.playbook, hold).until, "2026-02-21T16:00:00.000Z");
    assert.equal(end({ ...cadence, until: day30.value }, sop.playbook, hold).until, "2026-02-04T16:00:00.000Z");
  });

  test("an invitation reads back as sent: method, SEQUENCE, start, length, the series and its end", () => {
    const plan = planMeeting(sop.playbook, run.state, "weekly_status_meeting", run.events);
    assert.ok(plan?.start);
    const input = { projectId: "p-sop", plan: { ...plan, start: plan.start }, ...people, stamp: START };
    const read = readInvitation(inviteIcs({ ...input, sequence: 3 }));
    assert.deepEqual(
      { ...read, schedule: undefined },
      {
        uid: meetingUid("p-sop", "weekly_status_meeting"),
        method: "REQUEST",
        sequence: 3,
        schedule: undefined,
        start: plan.start,
        minutes: 60,
        timeZone: "Europe/Berlin",
        recurrence: { freq: "WEEKLY", interval: 1, until: "2026-02-19T16:00:00.000Z" },
      },
    );
    assert.equal(
      readInvitation(inviteIcs({ ...input, sequence: 4, stamp: "2026-02-01T00:00:00.000Z" }))?.schedule,
      read?.schedule,
      "the same time: the same schedule, whatever the SEQUENCE and DTSTAMP",
    );
    const later = { ...input, plan: { ...input.plan, start: "2026-01-27T09:00:00.000Z" } };
    assert.notEqual(readInvitation(inviteIcs(later))?.schedule, read?.schedule);
    assert.equal(readInvitation("BEGIN:VCALENDAR\r\nEND:VCALENDAR"), undefined);
  });

  test("a cancellation: METHOD:CANCEL, STATUS:CANCELLED, the same UID and a higher SEQUENCE; for a series partly held, its remaining occurrences", () => {
    const plan = planMeeting(sop.playbook, run.state, "weekly_status_meeting", run.events);
    assert.ok(plan?.start);
    const input = { projectId: "p-sop", plan: { ...plan, start: plan.start }, ...people, stamp: START, sequence: 2 };
    const whole = parse(cancelIcs(input));
    assert.equal(whole.calendar.getFirstPropertyValue("method"), "CANCEL");
    assert.equal(whole.vevent.getFirstPropertyValue("status"), "CANCELLED");
    assert.equal(whole.event.uid, meetingUid("p-sop", "weekly_status_meeting"));
    assert.equal(whole.event.sequence, 2);
    assert.equal(whole.event.isRecurring(), true, "the whole series, with its RRULE");
    const left = occurrences(input.plan).slice(2);
    assert.equal(left.length, 2);
    const partial = parse(cancelIcs({ ...input, instances: left }));
    const vevents = partial.calendar.getAllSubcomponents("vevent");
    assert.equal(vevents.length, 2, "one VEVENT per cancelled occurrence (RFC 5546 3.2.5)");
    for (const [i, vevent] of vevents.entries()) {
      const event = new ICAL.Event(vevent);
      assert.equal(event.uid, meetingUid("p-sop", "weekly_status_meeting"));
      assert.equal(event.sequence, 2);
      assert.equal(vevent.getFirstPropertyValue("status"), "CANCELLED");
      assert.equal(vevent.getFirstProperty("recurrence-id")?.getParameter("tzid"), "Europe/Berlin");
      assert.equal(event.recurrenceId?.toJSDate().toISOString(), left[i]);
      assert.equal(event.isRecurring(), false);
    }
  });

  test("a hold that began while a meeting was still ahead moves it by the time on hold; one already held stays", () => {
    const kickoff = run.state.steps.kickoff_meeting;
    assert.ok(kickoff?.startedAt && kickoff.completedAt);
    const held = planMeeting(sop.playbook, run.state, "kickoff_meeting", run.events)?.start;
    assert.ok(held);
    const hold = (from: string): ProjectEvent[] => [
      { type: "project.on_hold", at: from, actor: "ops" },
      { type: "project.resumed", shiftMs: 3 * 86_400_000, at: new Date(Date.parse(from) + 3 * 86_400_000).toISOString(), actor: "ops" },
    ];
    assert.equal(planMeeting(sop.playbook, run.state, "kickoff_meeting", [...run.events, ...hold(kickoff.completedAt)])?.start, held);
    // The same kickoff, not yet held when the project went on hold just after it was scheduled.
    const pending = {
      ...run.state,
      steps: { ...run.state.steps, kickoff_meeting: { ...kickoff, status: "in_progress" as const, completedAt: undefined } },
    };
    const moved = planMeeting(sop.playbook, pending, "kickoff_meeting", [...run.events, ...hold(kickoff.startedAt)])?.start;
    assert.ok(moved);
    assert.equal(Date.parse(moved) - Date.parse(held), 3 * 86_400_000, "three days later, at the same working hour");
  });

  test("a VTIMEZONE follows daylight saving: 10:00 in Berlin is 09:00Z in winter, 08:00Z in summer", () => {
    const text = vtimezone("Europe/Berlin");
    assert.ok(text?.includes("BEGIN:DAYLIGHT"));
    const zone = new ICAL.Timezone(
      new ICAL.Component(ICAL.parse(`BEGIN:VCALENDAR\r\n${text}\r\nEND:VCALENDAR`)).getFirstSubcomponent("vtimezone") as ICAL.Component,
    );
    const winter = ICAL.Time.fromData({ year: 2026, month: 1, day: 12, hour: 10, minute: 0 }, zone);
    const summer = ICAL.Time.fromData({ year: 2026, month: 7, day: 13, hour: 10, minute: 0 }, zone);
    assert.equal(winter.toJSDate().toISOString(), "2026-01-12T09:00:00.000Z");
    assert.equal(summer.toJSDate().toISOString(), "2026-07-13T08:00:00.000Z");
    assert.ok(vtimezone("Asia/Tokyo")?.includes("TZOFFSETTO:+0900"));
  });

  test("a meeting whose step has not opened has no time yet", async () => {
    const onb = await model("onb-001");
    const fresh = simulate(onb, {
      start: START,
      maxDays: 0,
      input: {
        projectId: "p",
        client: { id: "c", name: "C", timeZone: "Europe/Berlin" },
        facts: { account_type: "smb", project_duration_weeks: 8 },
      },
    });
    assert.equal(planMeeting(onb.playbook, fresh.state, "kickoff_meeting")?.start, undefined);
    assert.equal(planMeeting(onb.playbook, fresh.state, "no_such_meeting"), undefined);
  });
});
