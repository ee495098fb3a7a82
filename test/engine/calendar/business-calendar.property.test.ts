// Properties of business-time arithmetic over random calendars, instants and amounts. The zones
// include the awkward ones: half- and quarter-hour offsets, a 30-minute DST shift
// (Australia/Lord_Howe) and DST changes at midnight (America/Santiago).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  addDuration,
  type BusinessCalendar,
  buildCalendar,
  type CalendarSpec,
  isWorkingTime,
  nextWorkingInstant,
  subtractDuration,
  type Weekday,
  workingMillisBetween,
} from "../../../src/engine/calendar/business-calendar.ts";

const ZONES = [
  "America/New_York",
  "Europe/Berlin",
  "Europe/London",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/St_Johns",
  "Pacific/Auckland",
  "Asia/Jerusalem",
  "UTC",
] as const;
const DAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const HOUR = 3_600_000;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2028, 0, 1);

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

const localDateText = fc
  .integer({ min: Date.UTC(2025, 0, 1) / 86_400_000, max: Date.UTC(2027, 11, 31) / 86_400_000 })
  .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));

const specArb: fc.Arbitrary<CalendarSpec> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    workingDays: fc.subarray([...DAYS], { minLength: 1 }),
    // Quarter-hour boundaries, start strictly before end, "24:00" allowed.
    hours: fc.integer({ min: 0, max: 95 }).chain((start) => fc.tuple(fc.constant(start), fc.integer({ min: start + 1, max: 96 }))),
    country: fc.constantFrom(undefined, "US", "GB", "DE", "IN", "none"),
    closures: fc.array(
      fc.tuple(localDateText, fc.integer({ min: 0, max: 20 })).map(([from, length]) => ({
        from,
        to: new Date(Date.parse(from) + length * 86_400_000).toISOString().slice(0, 10),
        label: "closure",
      })),
      { maxLength: 2 },
    ),
  })
  .map(({ timeZone, workingDays, hours: [start, end], country, closures }) => ({
    timeZone,
    workingDays,
    workingHours: `${hhmm(start * 15)}-${hhmm(end * 15)}`,
    ...(country === undefined ? {} : { country }),
    closures,
  }));

const calendarArb: fc.Arbitrary<BusinessCalendar> = specArb.map((spec) => buildCalendar(spec));
const instantArb = fc.integer({ min: FROM, max: TO }).map((t) => new Date(t));
const minutesArb = fc.integer({ min: 0, max: 6_000 });

const bminutes = (amount: number) => ({ amount, unit: "minute", business: true }) as const;
const RUNS = { numRuns: 300 };

describe("business time properties", () => {
  test("add then subtract returns to the same working instant", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, (cal, t, n) => {
        const start = nextWorkingInstant(cal, t);
        assert.ok(isWorkingTime(cal, start));
        const end = addDuration(cal, start, bminutes(n));
        assert.equal(subtractDuration(cal, end, bminutes(n)).toISOString(), start.toISOString());
      }),
      RUNS,
    );
  });

  test("add and subtract are monotonic in the amount", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, minutesArb, (cal, t, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        assert.ok(addDuration(cal, t, bminutes(small)) <= addDuration(cal, t, bminutes(large)));
        assert.ok(subtractDuration(cal, t, bminutes(small)) >= subtractDuration(cal, t, bminutes(large)));
      }),
      RUNS,
    );
  });

  test("workingMillisBetween(from, from + N business hours) is N hours", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 200 }), (cal, t, n) => {
        const end = addDuration(cal, t, { amount: n, unit: "hour", business: true });
        assert.equal(workingMillisBetween(cal, t, end), n * HOUR);
        const start = subtractDuration(cal, t, { amount: n, unit: "hour", business: true });
        assert.equal(workingMillisBetween(cal, start, t), n * HOUR);
      }),
      RUNS,
    );
  });

  test("N business days are N working days' worth of business time", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 0, max: 30 }), (cal, t, n) => {
        const end = addDuration(cal, t, { amount: n, unit: "day", business: true });
        assert.equal(workingMillisBetween(cal, t, end), n * cal.workingDayMillis);
      }),
      RUNS,
    );
  });

  test("a positive amount ends on working time: the millisecond before the result is working time", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 6_000 }), (cal, t, n) => {
        const end = addDuration(cal, t, bminutes(n));
        assert.ok(isWorkingTime(cal, new Date(end.getTime() - 1)));
        const start = subtractDuration(cal, t, bminutes(n));
        assert.ok(isWorkingTime(cal, start));
      }),
      RUNS,
    );
  });

  test("workingMillisBetween is additive and antisymmetric", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, instantArb, (cal, a, b, c) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];
        assert.equal(workingMillisBetween(cal, x, y) + workingMillisBetween(cal, y, z), workingMillisBetween(cal, x, z));
        assert.equal(workingMillisBetween(cal, z, x), 0 - workingMillisBetween(cal, x, z));
      }),
      { numRuns: 100 },
    );
  });
});
