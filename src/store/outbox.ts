// The transactional outbox: effects are written in the same transaction as the events that caused
// them, and delivered afterwards, at least once. A dispatcher claims due rows with SKIP LOCKED and a
// lease renewed while the handler runs (the claim commits at once: no transaction stays open while
// a handler talks to the world), hands each to the handler for its kind, then marks it delivered,
// or schedules a retry with exponential backoff and jitter, or gives up after maxAttempts. Every
// attempt is a deliveries row.
// A dispatcher that dies mid-delivery loses nothing: the lease expires and another one retries.
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Effect, Instant } from "../engine/types.ts";
import type { Database } from "./database.ts";
import { Poller, type PollerEvents, type Sleep, systemClock, systemSleep } from "./poller.ts";
import { currentRequestId } from "./request-context.ts";
import type { Schema } from "./schema.ts";
import { addMs, fromDb } from "./time.ts";

/**
 * Mail composed outside the engine (an email step's message, written by whoever completes the
 * step), kept in the outbox with the command that sends it, and delivered like the engine's effects.
 */
export interface MailEffect {
  readonly kind: "send_mail";
  readonly to: readonly { readonly name?: string; readonly address: string }[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Who else the mail names (an email step's `email:`), resolved to addresses when it was queued. */
  readonly cc?: readonly { readonly name?: string; readonly address: string }[];
  readonly replyTo?: { readonly name?: string; readonly address: string };
  readonly from?: { readonly name?: string; readonly address: string };
}

/**
 * A client portal sign-in link asked for by email address. The request only queues this; the
 * delivery finds the address's contacts, applies their limits and mails each a link, so the request
 * does the same work, and answers alike, whether or not the address belongs to anyone.
 */
export interface SignInLinkEffect {
  readonly kind: "send_sign_in_link";
  readonly email: string;
}

/** What the outbox delivers: the engine's effects, and mail the adapters compose. */
export type OutboxEffect = Effect | MailEffect | SignInLinkEffect;

/** An outbox row: due at once, under `key`, with the id of the request queuing it (if any). */
function outboxRow(projectId: string | null, key: string, effect: OutboxEffect, now: Instant) {
  const requestId = currentRequestId();
  return {
    id: randomUUID(),
    delivery_key: key,
    project_id: projectId,
    kind: effect.kind,
    effect: JSON.stringify(effect),
    next_attempt_at: now,
    created_at: now,
    // Named only when there is one: work outside requests writes what it wrote before 0024.
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}

/** Write a command's effects. `version` is the project's version after the command. */
export async function enqueueEffects(
  trx: Kysely<Schema>,
  projectId: string,
  version: number,
  eventCount: number,
  effects: readonly Effect[],
  now: Instant,
): Promise<void> {
  if (effects.length === 0) return;
  // The key is stable for a retried delivery and unique per effect: receivers deduplicate on it.
  // A command that produced effects but no events leaves the version unchanged, so `now` tells it
  // apart from the command that reached this version.
  const base = eventCount > 0 ? `${projectId}@${version}` : `${projectId}@${version}+${now}`;
  await trx
    .insertInto("outbox")
    .values(effects.map((effect, i) => outboxRow(projectId, `${base}#${i + 1}`, effect, now)))
    .execute();
}

/** Write one effect under a key of the caller's, in the caller's transaction (the command's); null: about no project. */
export async function enqueueKeyed(
  trx: Kysely<Schema>,
  projectId: string | null,
  key: string,
  effect: OutboxEffect,
  now: Instant,
): Promise<void> {
  await trx
    .insertInto("outbox")
    .values(outboxRow(projectId, key, effect, now))
    .execute();
}

export interface Delivery {
  readonly outboxId: string;
  /** Stable across retries: pass it downstream (an Idempotency-Key header, a message id). */
  readonly key: string;
  readonly projectId: string | undefined;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The HTTP request whose command queued it (X-Request-Id): log and send it with the delivery. */
  readonly requestId?: string | undefined;
  /** Aborted when the lease is lost or runs out unrenewed: after that another dispatcher may deliver it again. */
  readonly signal: AbortSignal;
}

export type EffectHandler<K extends OutboxEffect["kind"]> = (
  effect: Extract<OutboxEffect, { kind: K }>,
  delivery: Delivery,
) => Promise<void>;
export type EffectHandlers = { readonly [K in OutboxEffect["kind"]]?: EffectHandler<K> };

export interface Backoff {
  /** Delay before the second attempt. */
  readonly baseMs: number;
  /** Longest delay between attempts. */
  readonly maxMs: number;
}

export interface DispatchOptions {
  readonly handlers: EffectHandlers;
  readonly batchSize?: number;
  /** Attempts before an effect is marked failed (default 8). */
  readonly maxAttempts?: number;
  readonly backoff?: Backoff;
  /** In [0, 1): the jitter source, injected so tests are exact. */
  readonly random?: () => number;
  /**
   * How long a claim is exclusive without renewal (default 1 minute). A running delivery renews it
   * every third of it, so a dispatcher that dies mid-delivery is taken over within about a lease.
   */
  readonly leaseMs?: number;
  /** When each attempt finishes (default: the dispatch's `now`). */
  readonly clock?: () => Instant;
  /** Claim only effects of these kinds (default: every kind). */
  readonly kinds?: readonly OutboxEffect["kind"][];
  /** Told each attempt's outcome once it is recorded (for the log and metrics). */
  readonly attempted?: (attempt: DeliveryAttempt) => void;
}

/** One finished attempt, as the dispatcher reports it. */
export interface DeliveryAttempt {
  readonly kind: string;
  readonly key: string;
  readonly projectId: string | undefined;
  readonly requestId: string | undefined;
  readonly attempt: number;
  /** retried: failed with attempts left, or deferred (not counted as an attempt). */
  readonly outcome: Outcome;
  readonly error: string | undefined;
}

export interface DispatchResult {
  readonly claimed: number;
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
}

export const DEFAULT_LEASE_MS = 60_000;

export const DEFAULT_BACKOFF: Backoff = { baseMs: 30_000, maxMs: 6 * 3_600_000 };

/**
 * Thrown by a handler whose effect cannot go out yet and is not failing (a meeting invitation
 * waiting for its organizer or attendees to exist): the row waits until `until` and is tried again
 * then, without using up an attempt, with `message` as its last error (what it waits for). Such a
 * wait is not an attempt, so no deliveries row records it.
 */
export class DeliveryDeferred extends Error {
  readonly until: Instant;
  constructor(message: string, until: Instant) {
    super(message);
    this.name = "DeliveryDeferred";
    this.until = until;
  }
}

/**
 * Delay after failed attempt `attempt` (1-based): base * 2^(attempt-1), capped, with "equal jitter"
 * (half fixed, half random) so retries of many effects spread out but still grow.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

function message(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

interface Claimed {
  id: string;
  delivery_key: string;
  project_id: string | null;
  kind: string;
  effect: unknown;
  attempts: number;
  request_id: string | null;
}

async function claim(
  db: Kysely<Schema>,
  now: Instant,
  batchSize: number,
  maxAttempts: number,
  leaseMs: number,
  kinds: readonly string[] | undefined,
): Promise<Claimed[]> {
  // A dispatcher that died holding the last allowed attempt: its lease expired, nothing may retry.
  await db
    .updateTable("outbox")
    .set({ status: "failed", last_error: "the last attempt did not finish (its dispatcher stopped)" })
    .where("status", "=", "pending")
    .where("attempts", ">=", maxAttempts)
    .where("next_attempt_at", "<=", new Date(now))
    .execute();
  return db
    .updateTable("outbox")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), next_attempt_at: addMs(now, leaseMs) }))
    .where("id", "in", (eb) => {
      const due = eb.selectFrom("outbox").select("id").where("status", "=", "pending").where("next_attempt_at", "<=", new Date(now));
      return (kinds === undefined ? due : due.where("kind", "in", kinds.length > 0 ? [...kinds] : [""]))
        .orderBy("next_attempt_at")
        .orderBy("created_at")
        .limit(batchSize)
        .forUpdate()
        .skipLocked();
    })
    .returning(["id", "delivery_key", "project_id", "kind", "effect", "attempts", "request_id"])
    .execute();
}

export type Outcome = "delivered" | "retried" | "failed";

/**
 * Keep a claim while its handler runs: every third of the lease the claim is renewed for a whole
 * lease (guarded by the attempt number, as every write of ours is), so a live dispatcher's slow
 * delivery is never taken over, and one that died is, a lease after its last renewal. The handler's
 * signal aborts when the lease is lost (another dispatcher claimed the row) or runs out unrenewed
 * (the database was unreachable meanwhile).
 */
function holdLease(
  db: Kysely<Schema>,
  row: Claimed,
  options: Pick<Required<DispatchOptions>, "leaseMs" | "clock">,
  controller: AbortController,
): { release(): Promise<void> } {
  const leaseMs = Math.min(options.leaseMs, 2 ** 31 - 1);
  let expiry = setTimeout(() => controller.abort(new Error("the delivery lease ran out")), leaseMs);
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    try {
      const renewed = await db
        .updateTable("outbox")
        .set({ next_attempt_at: addMs(options.clock(), leaseMs) })
        .where("id", "=", row.id)
        .where("attempts", "=", row.attempts)
        .where("status", "=", "pending")
        .executeTakeFirst();
      if (controller.signal.aborted) return;
      if (Number(renewed.numUpdatedRows) === 0) {
        controller.abort(new Error("the delivery lease was lost: another dispatcher has claimed this effect"));
        return;
      }
      clearTimeout(expiry);
      expiry = setTimeout(() => controller.abort(new Error("the delivery lease ran out")), leaseMs);
    } catch {
      // Unreachable for now: the lease runs on until it expires, then the handler is aborted.
    }
  };
  const heartbeat = setInterval(
    () => {
      renewing ??= renew().finally(() => {
        renewing = undefined;
      });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  return {
    async release() {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      await renewing;
    },
  };
}

async function deliver(
  db: Kysely<Schema>,
  row: Claimed,
  options: Required<Omit<DispatchOptions, "batchSize" | "kinds" | "attempted">>,
  startedAt: Instant,
): Promise<{ outcome: Outcome; error: string | undefined }> {
  const effect = row.effect as OutboxEffect;
  const handler = options.handlers[effect.kind] as EffectHandler<OutboxEffect["kind"]> | undefined;
  let error: string | undefined;
  let deferred: DeliveryDeferred | undefined;
  const controller = new AbortController();
  const lease = holdLease(db, row, options, controller);
  try {
    // An unknown kind is a failure like any other: a newer dispatcher may know it by the next retry.
    if (!handler) throw new Error(`no handler for effects of kind "${effect.kind}"`);
    await handler(effect, {
      outboxId: row.id,
      key: row.delivery_key,
      projectId: row.project_id ?? undefined,
      attempt: row.attempts,
      requestId: row.request_id ?? undefined,
      signal: controller.signal,
    });
  } catch (e) {
    if (e instanceof DeliveryDeferred) deferred = e;
    else error = message(e);
  } finally {
    await lease.release();
  }
  if (deferred) {
    await db
      .updateTable("outbox")
      .set((eb) => ({ attempts: eb("attempts", "-", 1), next_attempt_at: deferred.until, last_error: deferred.message }))
      .where("id", "=", row.id)
      .where("attempts", "=", row.attempts)
      .where("status", "=", "pending")
      .execute();
    return { outcome: "retried", error: deferred.message };
  }
  const finishedAt = options.clock();
  const outcome: Outcome = error === undefined ? "delivered" : row.attempts >= options.maxAttempts ? "failed" : "retried";
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("deliveries")
      .values({
        outbox_id: row.id,
        attempt: row.attempts,
        started_at: startedAt,
        finished_at: finishedAt,
        outcome: error === undefined ? "delivered" : "failed",
        error: error ?? null,
      })
      .execute();
    const update =
      outcome === "delivered"
        ? { status: "delivered" as const, delivered_at: finishedAt, last_error: null }
        : outcome === "failed"
          ? { status: "failed" as const, last_error: error ?? null }
          : { next_attempt_at: addMs(finishedAt, backoffDelay(row.attempts, options.backoff, options.random)), last_error: error ?? null };
    // Guarded by the attempt number: if our lease ran out and another dispatcher claimed the row,
    // its bookkeeping wins (our attempt is still recorded above).
    await trx
      .updateTable("outbox")
      .set(update)
      .where("id", "=", row.id)
      .where("attempts", "=", row.attempts)
      .where("status", "=", "pending")
      .execute();
  });
  return { outcome, error };
}

/** Claim and deliver one batch of due effects at `now`. */
export async function dispatchOutbox(database: Database, now: Instant, options: DispatchOptions): Promise<DispatchResult> {
  const full = {
    handlers: options.handlers,
    maxAttempts: options.maxAttempts ?? 8,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    random: options.random ?? Math.random,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    clock: options.clock ?? (() => now),
  };
  const rows = await claim(database.db, now, options.batchSize ?? 20, full.maxAttempts, full.leaseMs, options.kinds);
  const outcomes = await Promise.all(
    rows.map(async (row) => {
      const { outcome, error } = await deliver(database.db, row, full, now);
      options.attempted?.({
        kind: row.kind,
        key: row.delivery_key,
        projectId: row.project_id ?? undefined,
        requestId: row.request_id ?? undefined,
        attempt: row.attempts,
        outcome,
        error,
      });
      return outcome;
    }),
  );
  return {
    claimed: rows.length,
    delivered: outcomes.filter((o) => o === "delivered").length,
    retried: outcomes.filter((o) => o === "retried").length,
    failed: outcomes.filter((o) => o === "failed").length,
  };
}

export interface OutboxEntry {
  readonly id: string;
  readonly key: string;
  readonly projectId: string | undefined;
  readonly effect: OutboxEffect;
  readonly status: "pending" | "delivered" | "failed";
  readonly attempts: number;
  readonly nextAttemptAt: Instant;
  readonly lastError: string | undefined;
  readonly deliveredAt: Instant | undefined;
}

export async function listOutbox(db: Kysely<Schema>, filter: { readonly projectId?: string } = {}): Promise<OutboxEntry[]> {
  let query = db.selectFrom("outbox").selectAll().orderBy("created_at").orderBy("delivery_key");
  if (filter.projectId !== undefined) query = query.where("project_id", "=", filter.projectId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    key: r.delivery_key,
    projectId: r.project_id ?? undefined,
    effect: r.effect as OutboxEffect,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: fromDb(r.next_attempt_at),
    lastError: r.last_error ?? undefined,
    deliveredAt: r.delivered_at ? fromDb(r.delivered_at) : undefined,
  }));
}

export interface OutboxDispatcherOptions extends DispatchOptions {
  /** Pause between polls when nothing more is due (default 2 s). */
  readonly intervalMs?: number;
  readonly sleep?: Sleep;
  readonly on?: PollerEvents<DispatchResult>;
}

/** Polls dispatchOutbox until stopped; stop() lets the deliveries in progress finish first. */
export class OutboxDispatcher extends Poller<DispatchResult> {
  constructor(database: Database, options: OutboxDispatcherOptions) {
    const batchSize = options.batchSize ?? 20;
    const clock = options.clock ?? systemClock;
    super({
      work: (now) => dispatchOutbox(database, now, { ...options, batchSize, clock }),
      busy: (result) => result.claimed >= batchSize,
      intervalMs: options.intervalMs ?? 2_000,
      clock,
      sleep: options.sleep ?? systemSleep,
      ...(options.on ? { on: options.on } : {}),
    });
  }
}
