// Record retention a procedure prescribes ("keep all records for 7 years after the business
// relationship ends"): the period, what it counts from, and when a project's records are due for
// disposal. Pure: the client's relationship end and the project's closing are inputs.
import { DateTime } from "luxon";

export const RETENTION_ANCHORS = ["relationship_end", "project_closed"] as const;
export type RetentionAnchor = (typeof RETENTION_ANCHORS)[number];

export interface RetentionPeriod {
  readonly amount: number;
  readonly unit: "year" | "month" | "day";
  readonly text: string;
}

const PERIOD_RE = /^(\d+)\s*(years?|yrs?|months?|days?)$/i;

export function parseRetentionPeriod(input: string): { ok: true; value: RetentionPeriod } | { ok: false; message: string; fix: string } {
  const text = input.trim();
  const match = PERIOD_RE.exec(text);
  if (!match)
    return {
      ok: false,
      message: `"${input}" is not a retention period`,
      fix: 'write a number of years, months or days: "7 years", "18 months"',
    };
  const word = (match[2] ?? "").toLowerCase();
  const unit = word.startsWith("y") ? "year" : word.startsWith("m") ? "month" : "day";
  return { ok: true, value: { amount: Number(match[1]), unit, text } };
}

export function describePeriod(period: RetentionPeriod): string {
  return `${period.amount} ${period.unit}${period.amount === 1 ? "" : "s"}`;
}

/**
 * The day a project's records may be disposed of: the anchor's calendar date plus the period
 * (calendar arithmetic: 29 February plus a year is 28 February). Undefined while the anchor has not
 * happened: records of a client still served are kept.
 */
export function disposalDate(period: RetentionPeriod, anchorDate: string | undefined): string | undefined {
  if (anchorDate === undefined) return undefined;
  const day = DateTime.fromISO(anchorDate.slice(0, 10), { zone: "utc" });
  if (!day.isValid) return undefined;
  return day.plus({ [`${period.unit}s`]: period.amount }).toISODate() ?? undefined;
}
