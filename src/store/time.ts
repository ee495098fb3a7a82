// Instants cross the store as canonical ISO-8601 UTC strings with milliseconds (what
// `Date.prototype.toISOString` prints), so a value read back from a timestamptz column equals the
// value the engine produced, and hashes over instants are stable.
import type { Instant } from "../engine/types.ts";
import { AppError } from "./errors.ts";

/** `now` as given by a caller, canonicalized; refuses what is not an instant. */
export function instant(value: string | Date, field = "now"): Instant {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AppError("invalid", `${field} is not a valid instant: ${String(value)}`, { field });
  return new Date(ms).toISOString();
}

/** A timestamptz read from either driver (both return Date; strings are accepted for safety). */
export function fromDb(value: Date | string): Instant {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export function fromDbOptional(value: Date | string | null | undefined): Instant | undefined {
  return value === null || value === undefined ? undefined : fromDb(value);
}

export function addMs(at: Instant, ms: number): Instant {
  return new Date(Date.parse(at) + ms).toISOString();
}
