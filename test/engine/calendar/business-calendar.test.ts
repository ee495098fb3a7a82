// Due dates on real calendars, asserted as exact UTC instants so the expectations cannot drift
// with the machine's time zone. Local times in the comments are in the calendar's zone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Settings } from "luxon";
import {
  addDuration,
  type BusinessCalendar,
  buildCalendar,
  CalendarError,
  type CalendarSpec,
  type DurationLike,
  dayDeadline,
  isHoliday,
  isWorkingTime,
  localDate,
  nextWorkingInstant,
  subtractDuration,
  workingMillisBetween,
} from "../../../src/engine/calendar/business-calendar.ts";

const WEEK = ["mon", "tue", "wed", "thu", "fri"] as const;
const EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const HOUR = 3_600_000;

function calendar(spec: Partial<CalendarSpec> & Pick<CalendarSpec, "timeZone">): BusinessCalendar {
  return buildCalendar({ workingDays: WEEK, workingHours: "09:00-17:00", ...spec });
}

const businessDays = (amount: number): DurationLike => ({ amount, unit: "day", business: true });
const businessHours = (amount: number): DurationLike => ({ amount, unit: "hour", business: true });

function assertAt(actual: Date, expectedIso: string, message?: string): void {
  assert.equal(actual.toISOString(), new Date(expectedIso).toISOString(), message);
}

function assertCalendarError(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CalendarError, `expected a CalendarError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.field, field);
    assert.ok(error.message.includes(field), `the message names ${field}: ${error.message}`);
    return true;
  });
}

const newYork = calendar({ timeZone: "America/New_York", country: "US" });

describe("business days in New York (US holidays)", () => {
  test("2 business days from Friday 15:00 over a weekend is Tuesday 15:00", () => {
    // Fri 2026-02-06 15:00 EST -> Tue 2026-02-10 15:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-06T20:00Z"), businessDays(2)), "2026-02-10T20:00Z");
  });

  test("1 business day from Friday 20:00 is Monday 17:00, not Tuesday morning", () => {
    // Fri 2026-02-06 20:00 EST -> Mon 2026-02-09 17:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-07T01:00Z"), businessDays(1)), "2026-02-09T22:00Z");
  });

  test("counting from a Saturday starts on Monday morning", () => {
    // Sat 2026-02-07 12:00 -> 16 business hours from Mon 09:00 -> Tue 2026-02-10 17:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-07T17:00Z"), businessDays(2)), "2026-02-10T22:00Z");
  });

  test("Thanksgiving is skipped, the day after is not a federal holiday", () => {
    // Wed 2026-11-25 10:00 EST: 7 h Wed, Thu off, 8 h Fri, 1 h Mon -> Mon 2026-11-30 10:00 EST
    assertAt(addDuration(newYork, new Date("2026-11-25T15:00Z"), businessDays(2)), "2026-11-30T15:00Z");
    assert.deepEqual(isHoliday(newYork, "2026-11-26"), { holiday: true, name: "Thanksgiving Day" });
    assert.deepEqual(isHoliday(newYork, "2026-11-27"), { holiday: false });
  });

  test("an observed holiday: Independence Day 2026 is a Saturday, observed on Friday July 3", () => {
    assert.deepEqual(isHoliday(newYork, "2026-07-03"), { holiday: true, name: "Independence Day (substitute day)" });
    // Thu 2026-07-02 15:00 EDT: 2 h Thu, Fri off, 6 h Mon -> Mon 2026-07-06 15:00 EDT
    assertAt(addDuration(newYork, new Date("2026-07-02T19:00Z"), businessDays(1)), "2026-07-06T19:00Z");
  });

  test("a regional holiday: California adds the day after Thanksgiving", () => {
    const california = calendar({ timeZone: "America/Los_Angeles", country: "US", region: "CA" });
    assert.equal(isHoliday(california, "2026-11-27").holiday, true);
    // Wed 2026-11-25 10:00 PST: 7 h Wed, Thu and Fri off, 8 h Mon, 1 h Tue -> Tue 2026-12-01 10:00 PST
    assertAt(addDuration(california, new Date("2026-11-25T18:00Z"), businessDays(2)), "2026-12-01T18:00Z");
  });

  test("over the spring-forward weekend (2026-03-08) the local time of day is kept", () => {
    // Fri 2026-03-06 15:00 EST -> Tue 2026-03-10 15:00 EDT
    assertAt(addDuration(newYork, new Date("2026-03-06T20:00Z"), businessDays(2)), "2026-03-10T19:00Z");
    // Fri 15:00 EST + 4 business hours -> Mon 2026-03-09 11:00 EDT
    assertAt(addDuration(newYork, new Date("2026-03-06T20:00Z"), businessHours(4)), "2026-03-09T15:00Z");
  });

  test("fractional business days are business time", () => {
    // Mon 2026-02-09 09:00 EST + 12 business hours -> Tue 13:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-09T14:00Z"), businessDays(1.5)), "2026-02-10T18:00Z");
  });

  test("business weeks are working days x business days", () => {
    assert.equal(newYork.workingWeekMillis, 5 * 8 * HOUR);
    // Wed 2026-02-04 10:00 EST + 1 business week -> Wed 2026-02-11 10:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-04T15:00Z"), { amount: 1, unit: "week", business: true }), "2026-02-11T15:00Z");
  });

  test("business months are refused", () => {
    assertCalendarError(
      () => addDuration(newYork, new Date("2026-02-04T15:00Z"), { amount: 1, unit: "month", business: true }),
      "invalid_duration",
      "unit",
    );
  });
});

describe("business hours", () => {
  test("4 business hours from Friday 15:00 is Monday 11:00", () => {
    assertAt(addDuration(newYork, new Date("2026-02-06T20:00Z"), businessHours(4)), "2026-02-09T16:00Z");
  });

  test("4 business hours from Friday 15:00 before a Monday holiday is Tuesday 11:00", () => {
    // Mon 2026-02-16 is Washington's Birthday
    assert.equal(isHoliday(newYork, "2026-02-16").holiday, true);
    assertAt(addDuration(newYork, new Date("2026-02-13T20:00Z"), businessHours(4)), "2026-02-17T16:00Z");
  });

  test("across a day boundary", () => {
    // Wed 2026-02-04 16:00 EST: 1 h Wed, 3 h Thu -> Thu 12:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-04T21:00Z"), businessHours(4)), "2026-02-05T17:00Z");
  });

  test("a result landing exactly at the end of the working day stays at 17:00", () => {
    // Fri 2026-02-06 13:00 EST + 4 business hours -> Fri 17:00 EST
    assertAt(addDuration(newYork, new Date("2026-02-06T18:00Z"), businessHours(4)), "2026-02-06T22:00Z");
  });

  test("business minutes", () => {
    // Fri 2026-02-06 16:45 EST + 30 business minutes -> Mon 09:15 EST
    assertAt(addDuration(newYork, new Date("2026-02-06T21:45Z"), { amount: 30, unit: "minute", business: true }), "2026-02-09T14:15Z");
  });

  test("zero business time is the next working instant", () => {
    assertAt(addDuration(newYork, new Date("2026-02-07T17:00Z"), businessHours(0)), "2026-02-09T14:00Z");
    assertAt(addDuration(newYork, new Date("2026-02-09T16:00Z"), businessHours(0)), "2026-02-09T16:00Z");
  });
});

describe("subtracting business time", () => {
  test("3 business days before Monday 10:00 is Wednesday 10:00", () => {
    assertAt(subtractDuration(newYork, new Date("2026-02-09T15:00Z"), businessDays(3)), "2026-02-04T15:00Z");
  });

  test("3 business days before a Monday 09:00 kickoff is Wednesday 09:00", () => {
    assertAt(subtractDuration(newYork, new Date("2026-02-09T14:00Z"), businessDays(3)), "2026-02-04T14:00Z");
  });

  test("over a holiday: 1 business day before Friday after Thanksgiving 10:00 is Wednesday 10:00", () => {
    assertAt(subtractDuration(newYork, new Date("2026-11-27T15:00Z"), businessDays(1)), "2026-11-25T15:00Z");
  });

  test("from a weekend, counting back starts at Friday 17:00", () => {
    assertAt(subtractDuration(newYork, new Date("2026-02-07T17:00Z"), businessDays(1)), "2026-02-06T14:00Z");
    assertAt(subtractDuration(newYork, new Date("2026-02-09T16:00Z"), businessHours(4)), "2026-02-06T20:00Z");
  });

  test("a result landing exactly on the start of the working day stays at 09:00", () => {
    assertAt(subtractDuration(newYork, new Date("2026-02-06T22:00Z"), businessHours(8)), "2026-02-06T14:00Z");
  });

  test("subtracting zero business time from outside working time is the end of the previous working window", () => {
    assertAt(subtractDuration(newYork, new Date("2026-02-07T17:00Z"), businessHours(0)), "2026-02-06T22:00Z");
    assertAt(subtractDuration(newYork, new Date("2026-02-09T14:00Z"), businessHours(0)), "2026-02-09T14:00Z");
  });

  test("a negative amount goes the other way", () => {
    assertAt(addDuration(newYork, new Date("2026-02-09T15:00Z"), businessDays(-3)), "2026-02-04T15:00Z");
    assertAt(subtractDuration(newYork, new Date("2026-02-06T20:00Z"), businessDays(-2)), "2026-02-10T20:00Z");
  });
});

describe("calendar (non-business) time", () => {
  test("1 day across spring-forward keeps 10:00; 24 hours does not", () => {
    // Sat 2026-03-07 10:00 EST
    const saturday = new Date("2026-03-07T15:00Z");
    assertAt(addDuration(newYork, saturday, { amount: 1, unit: "day", business: false }), "2026-03-08T14:00Z");
    assertAt(addDuration(newYork, saturday, { amount: 24, unit: "hour", business: false }), "2026-03-08T15:00Z");
    assertAt(subtractDuration(newYork, new Date("2026-03-08T14:00Z"), { amount: 1, unit: "day", business: false }), "2026-03-07T15:00Z");
  });

  test("a local time the clocks skip moves forward", () => {
    // Sat 2026-03-07 02:30 EST + 1 day -> 02:30 does not exist on Sunday -> 03:30 EDT
    assertAt(addDuration(newYork, new Date("2026-03-07T07:30Z"), { amount: 1, unit: "day", business: false }), "2026-03-08T07:30Z");
  });

  test("weeks and months are wall-clock; a month clamps to its last day", () => {
    assertAt(addDuration(newYork, new Date("2026-03-02T15:00Z"), { amount: 1, unit: "week", business: false }), "2026-03-09T14:00Z");
    assertAt(addDuration(newYork, new Date("2026-01-31T15:00Z"), { amount: 1, unit: "month", business: false }), "2026-02-28T15:00Z");
  });

  test("minutes and hours are exact elapsed time", () => {
    assertAt(addDuration(newYork, new Date("2026-11-01T05:30Z"), { amount: 90, unit: "minute", business: false }), "2026-11-01T07:00Z");
    assertAt(subtractDuration(newYork, new Date("2026-11-01T07:00Z"), { amount: 1.5, unit: "hour", business: false }), "2026-11-01T05:30Z");
  });
});

describe("the United Kingdom and Germany", () => {
  const london = calendar({ timeZone: "Europe/London", country: "GB", region: "ENG" });
  const berlin = calendar({ timeZone: "Europe/Berlin", country: "DE" });

  test("a UK bank holiday: Spring bank holiday 2026-05-25", () => {
    assert.deepEqual(isHoliday(london, "2026-05-25"), { holiday: true, name: "Spring bank holiday" });
    // Fri 2026-05-22 12:00 BST: 5 h Fri, Mon off, 8 h Tue, 3 h Wed -> Wed 2026-05-27 12:00 BST
    assertAt(addDuration(london, new Date("2026-05-22T11:00Z"), businessDays(2)), "2026-05-27T11:00Z");
  });

  test("a UK substitute day: Boxing Day 2026 is a Saturday, observed Monday 28th", () => {
    assert.equal(isHoliday(london, "2026-12-28").holiday, true);
  });

  test("Tag der Deutschen Einheit (2025-10-03, a Friday)", () => {
    assert.equal(isHoliday(berlin, "2025-10-03").holiday, true);
    assert.equal(isHoliday(berlin, "2026-10-03").holiday, true);
    // Thu 2025-10-02 14:00 CEST: 3 h Thu, Fri off, 8 h Mon, 5 h Tue -> Tue 2025-10-07 14:00 CEST
    assertAt(addDuration(berlin, new Date("2025-10-02T12:00Z"), businessDays(2)), "2025-10-07T12:00Z");
  });

  test("a German state holiday: Epiphany in Bavaria, not in Berlin", () => {
    const bavaria = calendar({ timeZone: "Europe/Berlin", country: "DE", region: "BY" });
    // Mon 2026-01-05 16:00 CET + 1 business day
    assertAt(addDuration(bavaria, new Date("2026-01-05T15:00Z"), businessDays(1)), "2026-01-07T15:00Z");
    assertAt(addDuration(berlin, new Date("2026-01-05T15:00Z"), businessDays(1)), "2026-01-06T15:00Z");
  });

  test("over spring-forward in Berlin (2026-03-29)", () => {
    // Fri 2026-03-27 15:00 CET -> Tue 2026-03-31 15:00 CEST
    assertAt(addDuration(berlin, new Date("2026-03-27T14:00Z"), businessDays(2)), "2026-03-31T13:00Z");
  });

  test("over fall-back in Berlin (2026-10-25)", () => {
    // Fri 2026-10-23 15:00 CEST -> Tue 2026-10-27 15:00 CET
    assertAt(addDuration(berlin, new Date("2026-10-23T13:00Z"), businessDays(2)), "2026-10-27T14:00Z");
    assertAt(subtractDuration(berlin, new Date("2026-10-27T14:00Z"), businessDays(2)), "2026-10-23T13:00Z");
  });

  test("working hours that contain the change are an hour shorter or longer", () => {
    const night = calendar({ timeZone: "Europe/Berlin", workingDays: EVERY_DAY, workingHours: "01:00-05:00" });
    // 2026-03-29: 01:00 CET (00:00Z) to 05:00 CEST (03:00Z)
    assert.equal(workingMillisBetween(night, new Date("2026-03-28T22:00Z"), new Date("2026-03-29T12:00Z")), 3 * HOUR);
    // 2026-10-25: 01:00 CEST (2026-10-24T23:00Z) to 05:00 CET (04:00Z)
    assert.equal(workingMillisBetween(night, new Date("2026-10-24T22:00Z"), new Date("2026-10-25T12:00Z")), 5 * HOUR);
    // 4 business hours from 01:00 on the short night end at 02:00 the next night (3 h + 1 h)
    assertAt(addDuration(night, new Date("2026-03-29T00:00Z"), businessHours(4)), "2026-03-30T00:00Z");
  });

  test("round the clock: a business day is 24 elapsed hours, a calendar day keeps the time of day", () => {
    const always = calendar({ timeZone: "Europe/Berlin", workingDays: EVERY_DAY, workingHours: "00:00-24:00" });
    assert.equal(always.workingDayMillis, 24 * HOUR);
    // Sat 2026-03-28 12:00 CET
    const saturday = new Date("2026-03-28T11:00Z");
    assertAt(addDuration(always, saturday, businessDays(1)), "2026-03-29T11:00Z");
    assertAt(addDuration(always, saturday, { amount: 1, unit: "day", business: false }), "2026-03-29T10:00Z");
    assert.equal(workingMillisBetween(always, saturday, new Date("2026-04-04T11:00Z")), 7 * 24 * HOUR);
  });
});

describe("wall times the clocks skip or repeat (New York)", () => {
  test("a window starting in the spring-forward gap starts when the gap ends", () => {
    const cal = calendar({ timeZone: "America/New_York", workingDays: EVERY_DAY, workingHours: "02:30-05:00" });
    // 2026-03-08 02:30 does not exist -> 03:30 EDT (07:30Z); 05:00 EDT = 09:00Z
    assertAt(nextWorkingInstant(cal, new Date("2026-03-08T05:00Z")), "2026-03-08T07:30Z");
    assert.equal(workingMillisBetween(cal, new Date("2026-03-08T05:00Z"), new Date("2026-03-08T12:00Z")), 1.5 * HOUR);
  });

  test("a window starting in the repeated hour starts at its first occurrence", () => {
    const cal = calendar({ timeZone: "America/New_York", workingDays: EVERY_DAY, workingHours: "01:30-03:00" });
    // 2026-11-01 01:30 EDT (05:30Z), 03:00 EST (08:00Z)
    assertAt(nextWorkingInstant(cal, new Date("2026-11-01T04:00Z")), "2026-11-01T05:30Z");
    assert.equal(workingMillisBetween(cal, new Date("2026-11-01T04:00Z"), new Date("2026-11-01T12:00Z")), 2.5 * HOUR);
  });
});

describe("no clock", () => {
  test("the repeated hour resolves the same whatever today's date (luxon's fromObject would not)", () => {
    // DateTime.fromObject seeds its offset guess with Settings.now(), so 01:30 on 2026-11-01 in
    // New York comes out EST in January and EDT in July; the calendar must not.
    const original = Settings.now;
    try {
      const results = [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)].map((now) => {
        Settings.now = () => now;
        const cal = calendar({ timeZone: "America/New_York", workingDays: EVERY_DAY, workingHours: "01:30-03:00" });
        return nextWorkingInstant(cal, new Date("2026-11-01T04:00Z")).toISOString();
      });
      assert.deepEqual(results, ["2026-11-01T05:30:00.000Z", "2026-11-01T05:30:00.000Z"]);
    } finally {
      Settings.now = original;
    }
  });
});

describe("company closures and extra holidays", () => {
  const shutdown = calendar({
    timeZone: "America/New_York",
    country: "US",
    closures: [{ from: "2026-12-24", to: "2026-12-31", label: "Winter shutdown" }],
  });

  test("a closure and New Year's Day are skipped", () => {
    // Wed 2026-12-23 15:00 EST: 2 h, closed Dec 24-31, Jan 1 holiday, 8 h Mon Jan 4, 6 h Tue -> Tue 2027-01-05 15:00 EST
    assertAt(addDuration(shutdown, new Date("2026-12-23T20:00Z"), businessDays(2)), "2027-01-05T20:00Z");
    assert.deepEqual(isHoliday(shutdown, "2026-12-28"), { holiday: true, name: "Winter shutdown" });
    assert.deepEqual(isHoliday(shutdown, "2026-12-25"), { holiday: true, name: "Christmas Day" });
    assert.equal(isWorkingTime(shutdown, new Date("2026-12-29T16:00Z")), false);
  });

  test("an extra holiday", () => {
    const cal = calendar({ timeZone: "America/New_York", extraHolidays: ["2026-02-09"] });
    assert.deepEqual(isHoliday(cal, "2026-02-09"), { holiday: true });
    // Fri 2026-02-06 15:00 EST: 2 h Fri, Mon off, 6 h Tue -> Tue 15:00 EST
    assertAt(addDuration(cal, new Date("2026-02-06T20:00Z"), businessDays(1)), "2026-02-10T20:00Z");
  });
});

describe("Day N", () => {
  test("Day 90 landing on a Sunday is due at the end of Monday", () => {
    // Mon 2026-01-05 + 90 days = Sun 2026-04-05 -> Mon 2026-04-06 17:00 EDT
    assertAt(dayDeadline(newYork, new Date("2026-01-05T15:00Z"), 90), "2026-04-06T21:00Z");
  });

  test("Day 90 landing on Easter Sunday in Germany skips Easter Monday", () => {
    const berlin = calendar({ timeZone: "Europe/Berlin", country: "DE" });
    assertAt(dayDeadline(berlin, new Date("2026-01-05T09:00Z"), 90), "2026-04-07T15:00Z");
  });

  test("Day N on a working day is the end of that day, counted from the anchor's local date", () => {
    assertAt(dayDeadline(newYork, new Date("2026-02-02T15:00Z"), 3), "2026-02-05T22:00Z");
    assertAt(dayDeadline(newYork, new Date("2026-02-02T15:00Z"), 0), "2026-02-02T22:00Z");
    // 2026-02-06T03:00Z is Thu 2026-02-05 22:00 EST, so Day 1 is Friday
    assertAt(dayDeadline(newYork, new Date("2026-02-06T03:00Z"), 1), "2026-02-06T22:00Z");
  });

  test("Day N must be a whole number", () => {
    assertCalendarError(() => dayDeadline(newYork, new Date("2026-02-02T15:00Z"), 1.5), "invalid_duration", "day");
  });
});

describe("other working weeks and zones", () => {
  test("a Sunday-Thursday week (Asia/Jerusalem)", () => {
    const cal = calendar({ timeZone: "Asia/Jerusalem", workingDays: ["sun", "mon", "tue", "wed", "thu"] });
    // Thu 2026-02-05 15:00 IST: 2 h Thu, Fri and Sat off, 8 h Sun, 6 h Mon -> Mon 2026-02-09 15:00 IST
    assertAt(addDuration(cal, new Date("2026-02-05T13:00Z"), businessDays(2)), "2026-02-09T13:00Z");
    assert.equal(isWorkingTime(cal, new Date("2026-02-06T08:00Z")), false);
    assert.equal(isWorkingTime(cal, new Date("2026-02-08T08:00Z")), true);
  });

  test("a Sunday-Thursday week with Israeli holidays: Passover 2026-04-02", () => {
    const cal = calendar({ timeZone: "Asia/Jerusalem", workingDays: ["sun", "mon", "tue", "wed", "thu"], country: "IL" });
    assert.equal(isHoliday(cal, "2026-04-02").holiday, true);
    // Wed 2026-04-01 15:00 IDT: 2 h Wed, Thu holiday, Fri and Sat off, 6 h Sun -> Sun 2026-04-05 15:00 IDT
    assertAt(addDuration(cal, new Date("2026-04-01T12:00Z"), businessDays(1)), "2026-04-05T12:00Z");
  });

  test("a half-hour offset (Asia/Kolkata) with Indian holidays", () => {
    const kolkata = calendar({ timeZone: "Asia/Kolkata", workingHours: "09:30-18:30", country: "IN" });
    // Fri 2026-02-06 16:30 IST: 2 h Fri, 2 h Mon -> Mon 2026-02-09 11:30 IST
    assertAt(addDuration(kolkata, new Date("2026-02-06T11:00Z"), businessHours(4)), "2026-02-09T06:00Z");
    // Fri 2026-01-23 16:30 IST + 1 business day (9 h): 2 h Fri, Republic Day Mon, 7 h Tue -> Tue 16:30 IST
    assertAt(addDuration(kolkata, new Date("2026-01-23T11:00Z"), businessDays(1)), "2026-01-27T11:00Z");
    assert.equal(localDate(kolkata, new Date("2026-02-06T18:29Z")), "2026-02-06");
    assert.equal(localDate(kolkata, new Date("2026-02-06T18:30Z")), "2026-02-07");
  });

  test("a quarter-hour offset (Asia/Kathmandu)", () => {
    const kathmandu = calendar({ timeZone: "Asia/Kathmandu", workingDays: EVERY_DAY });
    // 09:00 NPT = 03:15Z
    assertAt(nextWorkingInstant(kathmandu, new Date("2026-02-06T00:00Z")), "2026-02-06T03:15Z");
  });
});

describe("queries", () => {
  test("isWorkingTime: [09:00, 17:00)", () => {
    assert.equal(isWorkingTime(newYork, new Date("2026-02-06T14:00Z")), true);
    assert.equal(isWorkingTime(newYork, new Date("2026-02-06T21:59:59.999Z")), true);
    assert.equal(isWorkingTime(newYork, new Date("2026-02-06T22:00Z")), false);
    assert.equal(isWorkingTime(newYork, new Date("2026-02-07T15:00Z")), false);
  });

  test("nextWorkingInstant", () => {
    assertAt(nextWorkingInstant(newYork, new Date("2026-02-06T22:00Z")), "2026-02-09T14:00Z");
    assertAt(nextWorkingInstant(newYork, new Date("2026-02-06T15:00Z")), "2026-02-06T15:00Z");
    assertAt(nextWorkingInstant(newYork, new Date("2026-02-13T22:00Z")), "2026-02-17T14:00Z");
  });

  test("workingMillisBetween", () => {
    assert.equal(workingMillisBetween(newYork, new Date("2026-02-06T20:00Z"), new Date("2026-02-09T16:00Z")), 4 * HOUR);
    assert.equal(workingMillisBetween(newYork, new Date("2026-02-09T16:00Z"), new Date("2026-02-06T20:00Z")), -4 * HOUR);
    assert.equal(workingMillisBetween(newYork, new Date("2026-02-07T16:00Z"), new Date("2026-02-07T16:00Z")), 0);
    // January 2026: 22 weekdays minus New Year's Day and Martin Luther King Jr. Day
    assert.equal(workingMillisBetween(newYork, new Date("2026-01-01T05:00Z"), new Date("2026-02-01T05:00Z")), 20 * 8 * HOUR);
  });

  test("localDate is the date in the calendar's zone", () => {
    assert.equal(localDate(newYork, new Date("2026-02-07T04:59Z")), "2026-02-06");
    assert.equal(localDate(newYork, new Date("2026-02-07T05:00Z")), "2026-02-07");
  });

  test("the calendar is immutable and normalised", () => {
    const cal = calendar({ timeZone: "UTC", workingDays: ["fri", "mon", "mon"], country: "de" });
    assert.ok(Object.isFrozen(cal));
    assert.ok(Object.isFrozen(cal.workingDays));
    assert.deepEqual(cal.workingDays, ["mon", "fri"]);
    assert.equal(cal.country, "DE");
    assert.equal(cal.workingWeekMillis, 2 * 8 * HOUR);
  });

  test("country none means no public holidays", () => {
    const cal = calendar({ timeZone: "America/New_York", country: "none" });
    assert.deepEqual(isHoliday(cal, "2026-11-26"), { holiday: false });
    assert.equal(cal.country, undefined);
  });
});

describe("errors", () => {
  test("an unknown time zone", () => {
    assertCalendarError(() => calendar({ timeZone: "Mars/Olympus_Mons" }), "invalid_time_zone", "timeZone");
    assertCalendarError(() => calendar({ timeZone: "client" }), "invalid_time_zone", "timeZone");
  });

  test("an unknown country or region", () => {
    assertCalendarError(() => calendar({ timeZone: "UTC", country: "XX" }), "invalid_country", "country");
    assertCalendarError(() => calendar({ timeZone: "UTC", country: "client" }), "invalid_country", "country");
    assertCalendarError(() => calendar({ timeZone: "UTC", country: "US", region: "ZZ" }), "invalid_region", "region");
    assertCalendarError(() => calendar({ timeZone: "UTC", region: "CA" }), "invalid_region", "region");
  });

  test("bad working hours or days", () => {
    for (const hours of ["17:00-09:00", "9-5", "09:00-09:00", "09:00-24:30", "25:00-26:00", "09:00 - 17:00"]) {
      assertCalendarError(() => calendar({ timeZone: "UTC", workingHours: hours }), "invalid_working_hours", "workingHours");
    }
    assertCalendarError(() => calendar({ timeZone: "UTC", workingDays: [] }), "invalid_working_days", "workingDays");
    assertCalendarError(
      () => calendar({ timeZone: "UTC", workingDays: ["mon", "friday" as "fri"] }),
      "invalid_working_days",
      "workingDays[1]",
    );
  });

  test("bad dates", () => {
    assertCalendarError(
      () => calendar({ timeZone: "UTC", closures: [{ from: "2026-02-30", to: "2026-03-02", label: "x" }] }),
      "invalid_date",
      "closures[0].from",
    );
    assertCalendarError(
      () => calendar({ timeZone: "UTC", closures: [{ from: "2026-03-02", to: "2026-03-01", label: "x" }] }),
      "invalid_date",
      "closures[0]",
    );
    assertCalendarError(() => calendar({ timeZone: "UTC", extraHolidays: ["2026-1-1"] }), "invalid_date", "extraHolidays[0]");
    assertCalendarError(() => isHoliday(newYork, "tomorrow"), "invalid_date", "localDate");
  });

  test("bad instants and amounts", () => {
    assertCalendarError(() => addDuration(newYork, new Date(Number.NaN), businessDays(1)), "invalid_instant", "from");
    assertCalendarError(
      () => addDuration(newYork, new Date("2026-02-06T20:00Z"), businessDays(Number.POSITIVE_INFINITY)),
      "invalid_duration",
      "amount",
    );
    assertCalendarError(() => addDuration(newYork, new Date("2026-02-06T20:00Z"), businessDays(1e6)), "out_of_range", "amount");
  });

  test("a calendar without any working time throws instead of looping", () => {
    const closed = calendar({
      timeZone: "Europe/Berlin",
      closures: [{ from: "2026-01-01", to: "2046-12-31", label: "closed for good" }],
    });
    const start = new Date("2026-02-06T12:00Z");
    assertCalendarError(() => addDuration(closed, start, businessHours(1)), "no_working_time", "calendar");
    assertCalendarError(() => subtractDuration(closed, new Date("2040-01-01T12:00Z"), businessHours(1)), "no_working_time", "calendar");
    assertCalendarError(() => nextWorkingInstant(closed, start), "no_working_time", "calendar");
    assertCalendarError(() => dayDeadline(closed, start, 5), "no_working_time", "calendar");
    assert.equal(workingMillisBetween(closed, start, new Date("2036-02-06T12:00Z")), 0);
    assert.equal(isWorkingTime(closed, start), false);
  });
});

describe("speed", () => {
  test("due dates are cheap enough for the engine's hot path", () => {
    const start = performance.now();
    let n = 0;
    for (let i = 0; i < 20_000; i++) {
      const from = new Date(Date.UTC(2026, 0, 1) + (i % 2_000) * 3_700_000);
      addDuration(newYork, from, businessDays(1 + (i % 10)));
      n++;
    }
    const perSecond = n / ((performance.now() - start) / 1000);
    // Locally ~200k/s; the bound only catches an accidental O(days^2) or per-call holiday lookups.
    assert.ok(perSecond > 5_000, `${Math.round(perSecond)} due dates per second`);
  });
});
