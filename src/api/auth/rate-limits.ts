// Limits that must hold for every process sharing the database and for requests that arrive at the
// same moment: a fixed-window counter per bucket ("login:ada@example.com"), taken in one statement.
// The conditional upsert either adds a hit below the limit or changes nothing, so a burst of
// concurrent requests on PostgreSQL can never take more slots than the limit (a count followed by
// an insert could: each request counts before any inserts).
import { sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import type { ApiDb } from "../data/tables.ts";

export interface Limit {
  /** Hits allowed per window. */
  readonly max: number;
  readonly windowMs: number;
}

export interface Taken {
  readonly allowed: boolean;
  /** When the window ends (a Retry-After for a refusal). */
  readonly resetAt: Instant;
}

function windowOf(now: Instant, windowMs: number): { start: Instant; end: Instant } {
  const at = Date.parse(now);
  const start = at - (at % windowMs);
  return { start: new Date(start).toISOString(), end: new Date(start + windowMs).toISOString() };
}

/** Take one hit of `bucket`'s current window; not allowed (and nothing counted) when it is full. */
export async function takeHit(db: ApiDb, bucket: string, limit: Limit, now: Instant): Promise<Taken> {
  const { start, end } = windowOf(now, limit.windowMs);
  if (limit.max <= 0) return { allowed: false, resetAt: end };
  const { rows } = await sql<{ hits: number }>`
    INSERT INTO rate_limit_hits (bucket, window_start, hits) VALUES (${bucket}, ${start}, 1)
    ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
    WHERE rate_limit_hits.hits < ${limit.max}
    RETURNING hits`.execute(db);
  return { allowed: rows.length === 1, resetAt: end };
}

/** Whether `bucket` has room in its current window, without taking a hit. */
export async function hasRoom(db: ApiDb, bucket: string, limit: Limit, now: Instant): Promise<Taken> {
  const { start, end } = windowOf(now, limit.windowMs);
  const row = await db
    .selectFrom("rate_limit_hits")
    .select("hits")
    .where("bucket", "=", bucket)
    .where("window_start", "=", new Date(start))
    .executeTakeFirst();
  return { allowed: (row?.hits ?? 0) < limit.max, resetAt: end };
}

/** Forget `bucket`'s hits (a successful sign-in clears its failures). */
export async function clearHits(db: ApiDb, bucket: string): Promise<void> {
  await db.deleteFrom("rate_limit_hits").where("bucket", "=", bucket).execute();
}

/** Drop windows that ended before `before` (run now and then; the table stays small). */
export async function pruneHits(db: ApiDb, before: Instant): Promise<number> {
  const result = await db.deleteFrom("rate_limit_hits").where("window_start", "<", new Date(before)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
