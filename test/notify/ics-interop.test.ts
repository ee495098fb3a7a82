// The invitations Onboard writes, read by two independent parsers: python-icalendar (Debian's
// python3-icalendar, through ics-check.py, with dateutil expanding a series) and ical.js. Awkward
// names (a `"`, `;`, `,`, `:`, a backslash, a tab, non-ASCII, one long enough to need folding), a
// cancellation, a weekly series with UNTIL in Asia/Kolkata and one in Europe/Berlin across the change
// to summer time. Each must keep its organizer and attendees with their names as given (a `"` read
// as `'`), end every line with CRLF (the last one too), fold at 75 octets, and carry a DTSTART
// with the client's TZID at the instant meant. Without python3-icalendar the python half is
// skipped on a developer's machine, and fails under CI=true (.ci/run installs it).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import ICAL from "ical.js";
import { cancelIcs, type InviteInput, inviteIcs, type MeetingPerson, type MeetingPlan, occurrences } from "../../src/notify/meetings.ts";

const CHECKER = fileURLToPath(new URL("./ics-check.py", import.meta.url));

/** A python with icalendar: Debian's (/usr/bin/python3) first, as another python on PATH may lack it. */
const PYTHON = ["/usr/bin/python3", "python3"].find(
  (python) => spawnSync(python, ["-c", "import icalendar, dateutil"], { encoding: "utf8" }).status === 0,
);

function skipWithoutPython(t: TestContext): boolean {
  if (PYTHON) return false;
  const why = "python3-icalendar is not installed (apt-get install python3-icalendar): the independent parser is not run";
  if (process.env.CI === "true") assert.fail(`${why}; under CI=true this is a failure (.ci/run installs it)`);
  t.skip(why);
  return true;
}

interface PythonPerson {
  readonly value: string;
  readonly cn: string | null;
}

interface PythonEvent {
  readonly uid: string;
  readonly summary: string;
  readonly status: string | null;
  readonly sequence: number;
  readonly organizer: PythonPerson | null;
  readonly attendees: readonly PythonPerson[];
  readonly tzid: string | null;
  readonly errors: readonly [string, string][];
  readonly dtstart_local?: string;
  readonly dtstart_utc?: string;
  readonly rrule?: string;
  readonly starts?: readonly string[];
  readonly recurrence_id?: string;
}

interface PythonCalendar {
  readonly method: string;
  readonly errors: readonly [string, string][];
  readonly events: readonly PythonEvent[];
}

function readWithPython(ics: string): PythonCalendar {
  assert.ok(PYTHON);
  const result = spawnSync(PYTHON, [CHECKER], { input: ics, encoding: "utf8", timeout: 20_000 });
  assert.equal(result.status, 0, `python-icalendar could not read the file: ${result.stderr}`);
  return JSON.parse(result.stdout) as PythonCalendar;
}

const utc = (at: string) => `${at.slice(0, 19)}Z`;

/** RFC 5545 3.1: every content line ends with CRLF, the last one too, and is at most 75 octets. */
function assertLines(ics: string): void {
  assert.ok(ics.endsWith("END:VCALENDAR\r\n"), "the last line ends with CRLF");
  assert.doesNotMatch(ics, /\r(?!\n)|(?<!\r)\n/, "no line ends with a bare CR or LF");
  const lines = ics.slice(0, -2).split("\r\n");
  for (const line of lines) assert.ok(Buffer.byteLength(line, "utf8") <= 75, `at most 75 octets: ${line}`);
  // The folding was needed here, so it was tested: a name too long for one line.
  assert.ok(
    lines.some((line) => line.startsWith(" ")),
    "a long line was folded",
  );
  const unfolded = ics.replace(/\r\n[ \t]/g, "");
  for (const match of unfolded.matchAll(/;CN=("?)([^:;]*)\1[;:]/g)) {
    if (match[1] === '"') assert.doesNotMatch(match[2] ?? "", /["\\]/, "a quoted CN holds no DQUOTE and no escape");
  }
}

/** The name as calendars show it: a `"` read as `'`, a backslash as `/`, a control character as a space. */
function shown(name: string): string {
  return name.replace(/"/g, "'").replace(/\\/g, "/").replace(/\t/g, " ");
}

const ORGANIZER: MeetingPerson = { name: 'Frank "Tech" O\'Neil', address: "frank@acme.example" };
const ATTENDEES: readonly MeetingPerson[] = [
  ORGANIZER,
  { name: "Müller, Jürgen", address: "juergen@globex.example" },
  { name: "Sales; EMEA: Operations", address: "sales-emea@globex.example" },
  { name: 'Zoë "Z" Ångström-Łukasiewicz', address: "zoe@globex.example" },
  {
    name: "Dr. María-José Carreño Quiñones de la Torre y Villanueva, Head of Customer Success Operations",
    address: "maria.jose@globex.example",
  },
  { name: "Back\\slash\tand tab", address: "back@globex.example" },
  { name: "山田 太郎 (株式会社テスト)", address: "yamada@globex.example" },
];

function plan(overrides: Partial<MeetingPlan> & { readonly start: string }): MeetingPlan & { readonly start: string } {
  return {
    id: "kickoff_call",
    title: "Kickoff call: scope, success criteria; roles, timeline, and the data migration plan",
    description: "Agenda:\n- 10 min: introductions\n- 20 min: scope; success criteria, timeline",
    minutes: 60,
    timeZone: "Europe/Berlin",
    ownerRole: "csm",
    attendeeRoles: ["csm", "client_primary"],
    ...overrides,
  };
}

function input(meeting: MeetingPlan & { readonly start: string }, sequence = 0): InviteInput {
  return {
    projectId: "p-interop",
    plan: meeting,
    organizer: ORGANIZER,
    attendees: ATTENDEES,
    stamp: "2026-03-02T09:00:00.000Z",
    sequence,
    url: "https://onboard.example/app/projects/p-interop",
  };
}

/** A cal-address with its scheme in lower case (MAILTO: and mailto: are the same URI). */
const address = (value: string) => value.replace(/^mailto:/i, "mailto:");

const INVITED = ATTENDEES.filter((a) => a.address !== ORGANIZER.address);

/** Organizer and attendees as python-icalendar read them: all there, each with the CN as given. */
function assertPeoplePython(event: PythonEvent): void {
  assert.deepEqual(event.errors, [], "python-icalendar read every property");
  assert.deepEqual(event.organizer && [address(event.organizer.value), event.organizer.cn], [
    `mailto:${ORGANIZER.address}`,
    shown(ORGANIZER.name),
  ]);
  assert.deepEqual(
    event.attendees.map((a) => [address(a.value), a.cn]),
    INVITED.map((a) => [`mailto:${a.address}`, shown(a.name)]),
  );
}

function readWithIcalJs(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const tz of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  return { calendar, vevents: calendar.getAllSubcomponents("vevent") };
}

function assertPeopleIcalJs(vevent: ICAL.Component): void {
  const organizer = vevent.getFirstProperty("organizer");
  assert.ok(organizer, "ical.js reads the organizer");
  assert.equal(organizer.getParameter("cn"), shown(ORGANIZER.name));
  assert.equal(address(String(organizer.getFirstValue())), `mailto:${ORGANIZER.address}`);
  assert.deepEqual(
    vevent.getAllProperties("attendee").map((a) => [address(String(a.getFirstValue())), a.getParameter("cn")]),
    INVITED.map((a) => [`mailto:${a.address}`, shown(a.name)]),
  );
}

function expandIcalJs(vevent: ICAL.Component): string[] {
  const starts: string[] = [];
  const it = new ICAL.Event(vevent).iterator();
  for (let next = it.next(); next; next = it.next()) {
    starts.push(utc(next.toJSDate().toISOString()));
    assert.ok(starts.length < 500, "the series ends");
  }
  return starts;
}

describe("invitations read by python-icalendar and ical.js", () => {
  const single = plan({ start: "2026-03-04T10:00:00.000Z" });
  const invitation = inviteIcs(input(single));

  test("an invitation: CRLF line ends (the last too), folded at 75 octets, no quote or escape inside a quoted CN", () => {
    assertLines(invitation);
  });

  test("ical.js: organizer and every attendee with the names as given, DTSTART in Berlin at 11:00", () => {
    const { calendar, vevents } = readWithIcalJs(invitation);
    assert.equal(calendar.getFirstPropertyValue("method"), "REQUEST");
    const [vevent] = vevents;
    assert.ok(vevent);
    assertPeopleIcalJs(vevent);
    const start = vevent.getFirstProperty("dtstart");
    assert.equal(start?.getParameter("tzid"), "Europe/Berlin");
    assert.equal(new ICAL.Event(vevent).startDate.toJSDate().toISOString(), single.start);
    assert.equal(vevent.getFirstPropertyValue("summary"), single.title);
  });

  test("python-icalendar: organizer and every attendee with the names as given, DTSTART in Berlin at 11:00", (t) => {
    if (skipWithoutPython(t)) return;
    const read = readWithPython(invitation);
    assert.equal(read.method, "REQUEST");
    assert.deepEqual(read.errors, []);
    assert.equal(read.events.length, 1);
    const [event] = read.events;
    assert.ok(event);
    assertPeoplePython(event);
    assert.equal(event.summary, single.title);
    assert.equal(event.tzid, "Europe/Berlin");
    assert.equal(event.dtstart_local, "2026-03-04T11:00:00");
    assert.equal(event.dtstart_utc, utc(single.start));
  });

  test("a cancellation: the same checks, STATUS:CANCELLED and the next SEQUENCE in both parsers", (t) => {
    const cancellation = cancelIcs({ ...input(single), sequence: 1 });
    assertLines(cancellation);
    const { calendar, vevents } = readWithIcalJs(cancellation);
    assert.equal(calendar.getFirstPropertyValue("method"), "CANCEL");
    const [vevent] = vevents;
    assert.ok(vevent);
    assertPeopleIcalJs(vevent);
    assert.equal(vevent.getFirstPropertyValue("status"), "CANCELLED");
    if (skipWithoutPython(t)) return;
    const read = readWithPython(cancellation);
    assert.equal(read.method, "CANCEL");
    const [event] = read.events;
    assert.ok(event);
    assertPeoplePython(event);
    assert.equal(event.status, "CANCELLED");
    assert.equal(event.sequence, 1);
    assert.equal(event.dtstart_utc, utc(single.start));
  });

  const series = [
    {
      zone: "Asia/Kolkata",
      // Thursdays 10:00 IST (UTC+05:30, no daylight saving), until the end of 16 April.
      plan: plan({
        id: "weekly_status",
        title: "Weekly status",
        start: "2026-03-05T04:30:00.000Z",
        timeZone: "Asia/Kolkata",
        recurrence: { freq: "WEEKLY", interval: 1, until: "2026-04-16T12:30:00.000Z" },
      }),
      local: "2026-03-05T10:00:00",
      first: ["2026-03-05T04:30:00Z", "2026-03-12T04:30:00Z"],
      count: 7,
    },
    {
      zone: "Europe/Berlin",
      // Wednesdays 13:00 in Berlin: 12:00 UTC in winter, 11:00 UTC from 29 March (summer time).
      plan: plan({
        id: "weekly_status",
        title: "Weekly status",
        start: "2026-03-11T12:00:00.000Z",
        recurrence: { freq: "WEEKLY", interval: 1, until: "2026-04-16T15:00:00.000Z" },
      }),
      local: "2026-03-11T13:00:00",
      first: ["2026-03-11T12:00:00Z", "2026-03-18T12:00:00Z", "2026-03-25T12:00:00Z", "2026-04-01T11:00:00Z"],
      count: 6,
    },
  ];

  for (const s of series) {
    test(`a weekly series in ${s.zone} with UNTIL: both parsers expand it to the meetings the engine holds`, (t) => {
      const ics = inviteIcs(input(s.plan));
      assertLines(ics);
      const expected = occurrences(s.plan).map(utc);
      assert.equal(expected.length, s.count);
      assert.deepEqual(expected.slice(0, s.first.length), s.first);

      const { vevents } = readWithIcalJs(ics);
      const [vevent] = vevents;
      assert.ok(vevent);
      assertPeopleIcalJs(vevent);
      assert.equal(vevent.getFirstProperty("dtstart")?.getParameter("tzid"), s.zone);
      const rrule = vevent.getFirstPropertyValue("rrule") as ICAL.Recur;
      assert.equal(rrule.until?.toJSDate().toISOString(), s.plan.recurrence?.until);
      assert.deepEqual(expandIcalJs(vevent), expected);

      if (skipWithoutPython(t)) return;
      const [event] = readWithPython(ics).events;
      assert.ok(event);
      assertPeoplePython(event);
      assert.equal(event.tzid, s.zone);
      assert.equal(event.dtstart_local, s.local);
      assert.equal(event.dtstart_utc, utc(s.plan.start));
      assert.match(event.rrule ?? "", /FREQ=WEEKLY/);
      assert.match(event.rrule ?? "", new RegExp(`UNTIL=${utc(s.plan.recurrence?.until ?? "").replace(/[-:]/g, "")}`));
      assert.deepEqual(event.starts, expected);
    });
  }

  test("the remaining meetings of a series cancelled (a RECURRENCE-ID each): both parsers read each with its people", (t) => {
    const berlin = series[1]?.plan;
    assert.ok(berlin);
    const left = occurrences(berlin).slice(3);
    const ics = cancelIcs({ ...input(berlin), sequence: 1, instances: left });
    assertLines(ics);
    const { vevents } = readWithIcalJs(ics);
    assert.equal(vevents.length, left.length);
    for (const vevent of vevents) assertPeopleIcalJs(vevent);
    assert.deepEqual(
      vevents.map((v) => new ICAL.Event(v).recurrenceId?.toJSDate().toISOString()),
      left,
    );
    if (skipWithoutPython(t)) return;
    const read = readWithPython(ics);
    assert.equal(read.method, "CANCEL");
    assert.equal(read.events.length, left.length);
    for (const event of read.events) assertPeoplePython(event);
    assert.deepEqual(
      read.events.map((e) => e.recurrence_id),
      left.map(utc),
    );
  });
});
