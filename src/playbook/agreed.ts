// Values a procedure leaves to be agreed with the client during the run: "the cadence call schedule
// determined with the customer by the end of the kickoff". A cadence's interval, weekday and time
// of day are either written in the playbook ("1 week", "tue", "10:00") or name a form answer
// (`forms.kickoff.cadence_interval`) that is read when, and each time, the form is submitted.
// The form field must be a choice whose options are all values of the right kind (lint checks it).
import { type Duration, type ParseResult, parseDuration } from "./time-expressions.ts";

/** A form answer a value comes from: `forms.<form>.<field>`. */
export interface FormAnswer {
  readonly kind: "answer";
  readonly form: string;
  readonly field: string;
  readonly text: string;
}

const ANSWER_RE = /^forms\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/;

export function isAnswer(value: unknown): value is FormAnswer {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "answer";
}

/** `forms.<form>.<field>`, or undefined when the text is not written as a form answer. */
export function parseAnswer(input: string): FormAnswer | undefined {
  const text = input.trim();
  const match = ANSWER_RE.exec(text);
  return match ? { kind: "answer", form: match[1] ?? "", field: match[2] ?? "", text } : undefined;
}

/** Either a form answer or a value `parse` reads. */
export function answerOr<T>(parse: (input: string) => ParseResult<T>): (input: string) => ParseResult<T | FormAnswer> {
  return (input) => {
    const answer = parseAnswer(input);
    if (answer) return { ok: true, value: answer };
    if (input.trim().startsWith("forms.")) {
      return {
        ok: false,
        message: `"${input}" is not a form answer`,
        fix: "name a form field: forms.<form>.<field>, e.g. forms.kickoff.cadence_day",
      };
    }
    return parse(input);
  };
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const WEEKDAY_NAMES: Readonly<Record<Weekday, string>> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** "tue", "Tue", "Tuesday", "tuesdays": the weekday. */
export function parseWeekday(input: string): ParseResult<Weekday> {
  const word = input.trim().toLowerCase().replace(/s$/, "");
  const day = WEEKDAYS.find((d) => d === word || WEEKDAY_NAMES[d].toLowerCase() === word);
  return day
    ? { ok: true, value: day }
    : {
        ok: false,
        message: `"${input}" is not a weekday`,
        fix: "write a weekday: mon, tue, wed, thu, fri, sat, sun (or Monday ... Sunday)",
      };
}

export function weekdayName(day: Weekday): string {
  return WEEKDAY_NAMES[day];
}

/** "10:00", "9:30", "14:30": minutes after midnight. */
export function parseClockTime(input: string): ParseResult<{ readonly minutes: number; readonly text: string }> {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(input.trim());
  if (!match)
    return {
      ok: false,
      message: `"${input}" is not a time of day`,
      fix: 'write the time as HH:MM on a 24-hour clock, e.g. "10:00" or "14:30"',
    };
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  const text = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${match[2]}`;
  return { ok: true, value: { minutes, text } };
}

const INTERVAL_WORDS: Readonly<Record<string, string>> = {
  daily: "1 day",
  weekly: "1 week",
  biweekly: "2 weeks",
  "bi-weekly": "2 weeks",
  fortnightly: "2 weeks",
  monthly: "1 month",
};

/**
 * An agreed interval is a fixed one: a number and a unit ("2 weeks", "every 2 weeks"), or one of
 * daily, weekly, bi-weekly (fortnightly), monthly; not a {{parameter}}.
 */
export function parseInterval(input: string): ParseResult<Duration> {
  const words = input.trim().toLowerCase();
  const plain = INTERVAL_WORDS[words] ?? words.replace(/^every\s+/, "").replace(/^(week|day|month|business day)$/, "1 $1");
  const parsed = parseDuration(plain);
  if (!parsed.ok) return parsed;
  if (parsed.value.amount.kind !== "literal" || parsed.value.amount.value <= 0) {
    return {
      ok: false,
      message: `"${input}" is not a fixed interval`,
      fix: 'write a positive number and a unit, e.g. "1 week", "2 weeks"',
    };
  }
  return { ok: true, value: { ...parsed.value, text: input.trim() } };
}
