// CRM answers carry numbers, booleans, nulls and nested values; a CrmDeal holds text. One way to turn them into text.
import type { Instant } from "../engine/types.ts";
import type { FieldValues } from "./deal.ts";

/** Scalars as the CRM writes them, null and absent as null, lists joined with ",", an object with a value: the value. */
export function fieldText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) {
    const items = value.map(fieldText).filter((item): item is string => item !== null);
    return items.join(",");
  }
  if (typeof value === "object" && "value" in value) return fieldText((value as { value: unknown }).value);
  return JSON.stringify(value);
}

/** Each entry as text, keys unchanged. */
export function fieldTexts(record: Readonly<Record<string, unknown>>): FieldValues {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(record)) out[key] = fieldText(value);
  return out;
}

/** The CRM's timestamp as an Instant (ISO 8601, UTC); unreadable: undefined. */
export function instantOf(value: string | null | undefined): Instant | undefined {
  if (!value) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** The names once each, in the order first given. */
export function distinct(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

/** Deals to fetch when the query names no bound. */
export const DEFAULT_WON_LIMIT = 500;

export function wonLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_WON_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, got ${limit}`);
  return limit;
}

/** The Instant as milliseconds; throws on text that is not a time, so no query goes out with a bad bound. */
export function sinceMs(since: Instant): number {
  const at = Date.parse(since);
  if (Number.isNaN(at)) throw new RangeError(`since is not a time: ${since}`);
  return at;
}
