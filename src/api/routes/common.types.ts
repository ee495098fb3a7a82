// Schemas several endpoints share: instants, ids, and the Idempotency-Key header.
import { z } from "zod";

/**
 * Within what PostgreSQL's timestamptz reads: ISO-8601 also allows the year 0000 (PostgreSQL has
 * none) and offsets up to ±23:59 (PostgreSQL takes ±15:59); either answered 500 from the query.
 */
function storableInstant(text: string): boolean {
  const offset = /([+-])(\d\d):\d\d$/.exec(text);
  if (offset && Number(offset[2]) > 15) return false;
  const year = new Date(text).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

export const Instant = z.iso
  .datetime({ offset: true })
  .refine(storableInstant, { error: "must lie between the years 0001 and 9999 (UTC), with a UTC offset of at most ±15:59" })
  .describe("An ISO-8601 instant (UTC, e.g. 2026-03-02T09:00:00.000Z).");

/** An id chosen by a caller (clients, accounts): letters, digits and . _ : - */
export const Slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
  error: "use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit",
});

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe("Send the same key to retry safely: the first response is replayed; a different request with the same key is a 422.");

export const IdempotentHeaders = z.looseObject({ "idempotency-key": IdempotencyKey });

export const NoContent = z.undefined().describe("Done; no body.");
