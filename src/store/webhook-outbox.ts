// Outbound webhooks, the store's half: when a command records events that subscribers may follow,
// one message per (event, enabled subscription) is written in the same transaction, so a message
// exists exactly when its event does. Delivery (signing, HTTP, retries) lives in the API layer.
import { type Kysely, sql } from "kysely";
import type { Instant } from "../engine/types.ts";
import { payloadOf, type StoredEvent } from "./event-log.ts";
import { currentRequestId } from "./request-context.ts";
import type { Schema } from "./schema.ts";

/** The events a subscription may ask for: the milestones other systems act on. */
export const OUTBOUND_EVENT_TYPES = [
  "project.started",
  "project.on_hold",
  "project.cancelled",
  "project.go_live",
  "project.completed",
  "step.completed",
  "step.overdue",
  "step.target_missed",
  "gate.approved",
  "gate.rejected",
  "survey.answered",
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

const OUTBOUND = new Set<string>(OUTBOUND_EVENT_TYPES);

/** Events of this type become webhook messages for the subscriptions that follow it. */
export function isOutbound(type: string): boolean {
  return OUTBOUND.has(type);
}

/**
 * The Standard Webhooks payload of an event: type, timestamp, data. How a signer authenticated
 * (a sign-off's `authentication`: a magic link's address, an SSO issuer) is the auditor's, not
 * the subscribers': it stays in the audit trail.
 */
export function webhookPayload(projectId: string, stored: StoredEvent): { type: string; timestamp: string; data: Record<string, unknown> } {
  const { event } = stored;
  const { authentication: _authentication, ...payload } = payloadOf(event);
  return { type: event.type, timestamp: event.at, data: { projectId, seq: stored.seq, actor: event.actor, ...payload } };
}

export async function enqueueWebhookMessages(
  trx: Kysely<Schema>,
  projectId: string,
  stored: readonly StoredEvent[],
  now: Instant,
): Promise<void> {
  const wanted = stored.filter((s) => OUTBOUND.has(s.event.type));
  if (wanted.length === 0) return;
  // One statement for all events: each joins the subscriptions that follow its type.
  const rows = wanted.map((s) => sql`(${s.seq}::integer, ${s.event.type}::text, ${JSON.stringify(webhookPayload(projectId, s))}::jsonb)`);
  // The request's id is named only when there is one: work outside requests writes what it wrote before 0024.
  const requestId = currentRequestId();
  const requestColumn = requestId === undefined ? sql`` : sql`, request_id`;
  const requestValue = requestId === undefined ? sql`` : sql`, ${requestId}::text`;
  await sql`
    INSERT INTO webhook_messages (id, subscription_id, project_id, event_seq, event_type, payload, status, next_attempt_at, created_at${requestColumn})
    SELECT gen_random_uuid()::text, s.id, ${projectId}, e.seq, e.type, e.payload, 'pending', ${now}::timestamptz, ${now}::timestamptz${requestValue}
    FROM (VALUES ${sql.join(rows)}) AS e (seq, type, payload)
    JOIN webhook_subscriptions s ON s.enabled AND s.event_types ? e.type
    ON CONFLICT (subscription_id, project_id, event_seq) DO NOTHING`.execute(trx);
}
