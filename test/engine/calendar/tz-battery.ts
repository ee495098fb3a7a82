// A fixed battery of calendar computations, run both in the test process and in child processes
// with other TZ settings: the business calendar must not depend on the host's time zone.
import {
  addDuration,
  buildCalendar,
  type CalendarSpec,
  dayDeadline,
  isHoliday,
  isWorkingTime,
  localDate,
  subtractDuration,
  workingMillisBetween,
} from "../../../src/engine/calendar/business-calendar.ts";

const SPECS: readonly CalendarSpec[] = [
  { timeZone: "America/New_York", workingDays: ["mon", "tue", "wed", "thu", "fri"], workingHours: "09:00-17:00", country: "US" },
  { timeZone: "Europe/Berlin", workingDays: ["mon", "tue", "wed", "thu", "fri"], workingHours: "08:30-17:30", country: "DE", region: "BY" },
  {
    timeZone: "Europe/London",
    workingDays: ["mon", "tue", "wed", "thu", "fri"],
    workingHours: "09:00-17:00",
    country: "GB",
    region: "ENG",
  },
  { timeZone: "Asia/Kolkata", workingDays: ["mon", "tue", "wed", "thu", "fri", "sat"], workingHours: "09:30-18:30", country: "IN" },
  { timeZone: "Asia/Jerusalem", workingDays: ["sun", "mon", "tue", "wed", "thu"], workingHours: "08:00-16:00", country: "IL" },
  { timeZone: "Pacific/Auckland", workingDays: ["mon", "tue", "wed", "thu", "fri"], workingHours: "09:00-17:00", country: "NZ" },
  { timeZone: "America/New_York", workingDays: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], workingHours: "01:30-03:00" },
];

export function battery(): string[] {
  const out: string[] = [];
  for (const spec of SPECS) {
    const cal = buildCalendar(spec);
    // Every 37 hours through 2026, so starts fall at all times of day and on every holiday.
    for (let t = Date.UTC(2025, 11, 20); t < Date.UTC(2027, 0, 10); t += 37 * 3_600_000) {
      const from = new Date(t);
      const day = localDate(cal, from);
      out.push(
        [
          spec.timeZone,
          from.toISOString(),
          day,
          JSON.stringify(isHoliday(cal, day)),
          isWorkingTime(cal, from),
          addDuration(cal, from, { amount: 2, unit: "day", business: true }).toISOString(),
          addDuration(cal, from, { amount: 4, unit: "hour", business: true }).toISOString(),
          subtractDuration(cal, from, { amount: 3, unit: "day", business: true }).toISOString(),
          addDuration(cal, from, { amount: 1, unit: "day", business: false }).toISOString(),
          addDuration(cal, from, { amount: 1, unit: "month", business: false }).toISOString(),
          dayDeadline(cal, from, 90).toISOString(),
          workingMillisBetween(cal, from, new Date(t + 10 * 86_400_000)),
        ].join(" "),
      );
    }
  }
  return out;
}
