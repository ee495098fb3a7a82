// Delivers outbound webhook messages: claims due ones with SKIP LOCKED and a lease (so several
// servers can run it), signs and posts each, logs every attempt, and retries failures on the
// Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with jitter. A message
// that fails every attempt is marked failed; a subscription whose deliveries keep failing is
// disabled with the reason, for an admin to fix and re-enable.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import { Poller, type PollerEvents, type Sleep, systemClock, systemSleep } from "../../store/poller.ts";
import type { ApiDb } from "../data/tables.ts";
import { type DeliveryOutcome, postWebhook } from "./deliver.ts";
import { signatureHeaders } from "./signing.ts";

export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

export interface WebhookDispatchOptions {
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly timeoutMs?: number;
  /** Consecutive failed attempts after which a subscription is disabled (default 40, ~5 messages' worth). */
  readonly disableAfter?: number;
  /** Delays before the 2nd, 3rd ... attempts. */
  readonly schedule?: readonly number[];
  /** In [0, 1): jitter source (±10 % of each delay). */
  readonly random?: () => number;
  /** When each attempt finishes (default: the round's `now`). */
  readonly clock?: () => Instant;
  readonly post?: typeof postWebhook;
}

export interface WebhookDispatchResult {
  readonly claimed: number;
  readonly delivered: number;
  readonly retried: number;
  readonly failed: number;
  readonly disabled: readonly string[];
}

const addMs = (at: Instant, ms: number) => new Date(Date.parse(at) + ms).toISOString();

interface Claimed {
  id: string;
  subscription_id: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
  request_id: string | null;
}

async function claim(db: ApiDb, now: Instant, batchSize: number, leaseMs: number): Promise<Claimed[]> {
  const result = await sql<Claimed>`
    UPDATE webhook_messages SET attempts = attempts + 1, lease_until = ${addMs(now, leaseMs)}::timestamptz,
      next_attempt_at = ${addMs(now, leaseMs)}::timestamptz
    WHERE id IN (
      SELECT m.id FROM webhook_messages m JOIN webhook_subscriptions s ON s.id = m.subscription_id
      WHERE m.status = 'pending' AND m.next_attempt_at <= ${now}::timestamptz AND s.enabled
      ORDER BY m.next_attempt_at LIMIT ${batchSize}
      FOR UPDATE OF m SKIP LOCKED)
    RETURNING id, subscription_id, payload, attempts, created_at, request_id`.execute(db);
  return result.rows;
}

export async function dispatchWebhooks(db: ApiDb, now: Instant, options: WebhookDispatchOptions = {}): Promise<WebhookDispatchResult> {
  const schedule = options.schedule ?? RETRY_SCHEDULE_MS;
  const disableAfter = options.disableAfter ?? 40;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? (() => now);
  const post = options.post ?? postWebhook;
  const claimed = await claim(db, now, options.batchSize ?? 20, options.leaseMs ?? 120_000);
  if (claimed.length === 0) return { claimed: 0, delivered: 0, retried: 0, failed: 0, disabled: [] };
  const subscriptions = new Map(
    (
      await db
        .selectFrom("webhook_subscriptions")
        .select(["id", "url", "secret", "allow_private_network"])
        .where(
          "id",
          "in",
          claimed.map((c) => c.subscription_id),
        )
        .execute()
    ).map((s) => [s.id, s]),
  );
  const counts = { delivered: 0, retried: 0, failed: 0 };
  const disabled: string[] = [];
  await Promise.all(
    claimed.map(async (message) => {
      const subscription = subscriptions.get(message.subscription_id);
      if (!subscription) return;
      const body = JSON.stringify(message.payload);
      const started = performance.now();
      const sentAt = clock();
      const headers = {
        ...signatureHeaders(subscription.secret, message.id, Math.floor(Date.parse(sentAt) / 1000), body),
        // The request whose command recorded the event: the receiver's logs can name it.
        ...(message.request_id ? { "x-request-id": message.request_id } : {}),
      };
      const outcome: DeliveryOutcome = await post(subscription.url, body, headers, {
        allowPrivate: subscription.allow_private_network,
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const finished = clock();
      await db
        .insertInto("webhook_attempts")
        .values({
          id: randomUUID(),
          message_id: message.id,
          attempt: message.attempts,
          at: finished,
          status: outcome.status,
          error: outcome.error,
          duration_ms: Math.round(performance.now() - started),
        })
        .execute();
      if (outcome.ok) {
        counts.delivered++;
        await db
          .updateTable("webhook_messages")
          .set({ status: "delivered", delivered_at: finished, last_status: outcome.status, last_error: null, lease_until: null })
          .where("id", "=", message.id)
          .execute();
        await db.updateTable("webhook_subscriptions").set({ consecutive_failures: 0 }).where("id", "=", subscription.id).execute();
        return;
      }
      const delay = schedule[message.attempts - 1];
      const giveUp = delay === undefined;
      if (giveUp) counts.failed++;
      else counts.retried++;
      await db
        .updateTable("webhook_messages")
        .set({
          status: giveUp ? "failed" : "pending",
          next_attempt_at: giveUp ? finished : addMs(finished, Math.round(delay * (0.9 + 0.2 * random()))),
          last_status: outcome.status,
          last_error: outcome.error,
          lease_until: null,
        })
        .where("id", "=", message.id)
        .execute();
      const updated = await db
        .updateTable("webhook_subscriptions")
        .set((eb) => ({ consecutive_failures: eb("consecutive_failures", "+", 1), updated_at: finished }))
        .where("id", "=", subscription.id)
        .returning(["consecutive_failures", "enabled"])
        .executeTakeFirst();
      if (updated?.enabled && updated.consecutive_failures >= disableAfter) {
        await db
          .updateTable("webhook_subscriptions")
          .set({
            enabled: false,
            disabled_reason: `disabled after ${updated.consecutive_failures} failed deliveries in a row; last: ${outcome.error ?? "unknown"}`,
            updated_at: finished,
          })
          .where("id", "=", subscription.id)
          .execute();
        disabled.push(subscription.id);
      }
    }),
  );
  return { claimed: claimed.length, ...counts, disabled };
}

export class WebhookDispatcher extends Poller<WebhookDispatchResult> {
  constructor(
    db: ApiDb,
    options: WebhookDispatchOptions & {
      readonly intervalMs?: number;
      readonly clock?: () => Instant;
      readonly sleep?: Sleep;
      readonly on?: PollerEvents<WebhookDispatchResult>;
    } = {},
  ) {
    const batchSize = options.batchSize ?? 20;
    super({
      work: (now) => dispatchWebhooks(db, now, { ...options, batchSize }),
      busy: (result) => result.claimed >= batchSize,
      intervalMs: options.intervalMs ?? 2_000,
      clock: options.clock ?? systemClock,
      sleep: options.sleep ?? systemSleep,
      ...(options.on ? { on: options.on } : {}),
    });
  }
}
