// A cadence agreed with the client reads its interval, weekday or time of day from a form answer.
// That answer steers when meetings happen, so it must be a choice among values the engine can read:
// a free-text "every other Tuesday-ish" would leave the cadence never starting.
import { type FormAnswer, isAnswer, parseClockTime, parseInterval, parseWeekday } from "../../playbook/agreed.ts";
import type { Playbook } from "../../playbook/schema.ts";
import type { ParseResult } from "../../playbook/time-expressions.ts";
import type { LintFinding, LintRule } from "../rule.ts";

const KINDS = [
  {
    key: "every",
    what: "interval",
    parse: parseInterval as (text: string) => ParseResult<unknown>,
    example: "[weekly, bi-weekly, monthly]",
  },
  {
    key: "weekday",
    what: "weekday",
    parse: parseWeekday as (text: string) => ParseResult<unknown>,
    example: "[Monday, Tuesday, Wednesday]",
  },
  { key: "at", what: "time of day", parse: parseClockTime as (text: string) => ParseResult<unknown>, example: '["09:00", "14:00"]' },
] as const;

export const cadenceAgreedAnswer: LintRule = {
  id: "cadence/agreed-answer",
  severity: "error",
  kind: "correctness",
  description:
    "A cadence agreed with the client reads a choice field whose options are all valid intervals, weekdays or times, in a form some step collects.",
  *check(model) {
    const playbook = model.playbook;
    const collected = new Set(model.order.map(({ step }) => step.form).filter((f): f is string => f !== undefined));
    for (const [i, cadence] of playbook.cadences.entries()) {
      for (const kind of KINDS) {
        const answer: unknown = cadence[kind.key];
        if (!isAnswer(answer)) continue;
        yield* checkAnswer(playbook.forms, collected, answer, kind, ["cadences", i, kind.key]);
      }
    }
  },
};

function* checkAnswer(
  forms: Playbook["forms"],
  collected: ReadonlySet<string>,
  answer: FormAnswer,
  kind: (typeof KINDS)[number],
  path: (string | number)[],
): Iterable<LintFinding> {
  const field = forms[answer.form]?.fields[answer.field];
  if (!field) return; // the loader reports the unknown reference
  if (field.type !== "choice" || !field.options) {
    yield {
      path,
      message: `the ${kind.what} is agreed in ${answer.text}, a ${field.type} field: only a choice among valid values can be read`,
      fix: `make ${answer.field} a choice with options such as ${kind.example}`,
    };
    return;
  }
  const bad = field.options.filter((o) => !kind.parse(o).ok);
  if (bad.length > 0) {
    yield {
      path,
      message: `${answer.text} offers ${bad.map((o) => `"${o}"`).join(", ")}, which ${bad.length === 1 ? "is not a" : "are not"} ${kind.what}${bad.length === 1 ? "" : "s"} the engine can read`,
      fix: `use options such as ${kind.example}`,
    };
  }
  if (!collected.has(answer.form)) {
    yield {
      path,
      message: `no step collects the form "${answer.form}", so the cadence would never start`,
      fix: `add form: ${answer.form} to the step where the schedule is agreed (e.g. the kickoff)`,
    };
  }
}

/**
 * `notice:` says how long before its first meeting a series' invitation goes out: it means something
 * only for a meeting cadence, and a notice of minutes or hours would put a series in calendars at
 * the short notice it is there to prevent.
 */
export const cadenceNotice: LintRule = {
  id: "cadence/notice",
  severity: "warning",
  kind: "correctness",
  description: "A cadence's `notice:` belongs to a meeting series, and is at least a day.",
  *check(model) {
    for (const [i, cadence] of model.playbook.cadences.entries()) {
      const notice = cadence.notice;
      if (notice === undefined) continue;
      const path = ["cadences", i, "notice"];
      if (cadence.kind !== "meeting")
        yield {
          path,
          message: `"${cadence.id}" is a ${cadence.kind} cadence: nobody is invited to it, so its notice is never used`,
          fix: "remove notice:, or make it kind: meeting",
        };
      else if (notice.unit === "minute" || notice.unit === "hour")
        yield {
          path,
          message: `a notice of ${notice.text} would mail the series "${cadence.id}" hours before its first meeting`,
          fix: 'give a notice of days, e.g. "2 business days"',
        };
    }
  },
};
