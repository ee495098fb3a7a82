// Meetings as iCalendar: a meeting step is one event, a meeting cadence one recurring series; in the
// client's time zone (with its VTIMEZONE), organizer and attendees, a UID stable per project and
// meeting. Parsed back with ical.js, as a calendar program would.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import ICAL from "ical.js";
import { simulate } from "../../src/engine/simulate.ts";
import { inviteIcs, meetingIds, meetingUid, planMeeting, vtimezone } from "../../src/notify/meetings.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";

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

describe("meetings", async () => {
  const sop = await model("sop-cs-001");
  const run = simulate(sop, {
    start: START,
    maxDays: 40,
    input: {
      projectId: "p-sop",
      client: { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" },
      facts: { user_count: 40, soc2_required: false, data_migration_applicable: false },
    },
    workDays: (step) => (sop.steps.get(step.id)?.phase.id === "implementation" ? 5 : undefined),
  });
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

  test("a cadence: one series with its RRULE from the playbook's `every`", () => {
    const plan = planMeeting(sop.playbook, run.state, "weekly_status_meeting#1", run.events);
    assert.ok(plan?.start, "the cadence started");
    assert.deepEqual(plan.recurrence, { freq: "WEEKLY", interval: 1 });
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
