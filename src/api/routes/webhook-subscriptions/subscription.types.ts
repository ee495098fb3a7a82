import { z } from "zod";
import { OUTBOUND_EVENT_TYPES } from "../../../store/index.ts";
import { Instant } from "../common.types.ts";

export const EventTypes = z.array(z.enum(OUTBOUND_EVENT_TYPES)).min(1).max(OUTBOUND_EVENT_TYPES.length);

export const Subscription = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    allowPrivateNetwork: z.boolean(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "WebhookSubscription" });

export const CreatedSubscription = Subscription.extend({
  secret: z.string().describe("The Standard Webhooks signing secret (whsec_...): shown once, keep it safe."),
}).meta({ id: "CreatedWebhookSubscription" });

export const CreateSubscriptionBody = z.object({
  url: z.string().max(2000),
  description: z.string().max(500).default(""),
  eventTypes: EventTypes,
  allowPrivateNetwork: z
    .boolean()
    .default(false)
    .describe("Admins only: allow loopback and private-network targets (an internal service)."),
});

export const UpdateSubscriptionBody = z.object({
  url: z.string().max(2000).optional(),
  description: z.string().max(500).optional(),
  eventTypes: EventTypes.optional(),
  allowPrivateNetwork: z.boolean().optional(),
  enabled: z.boolean().optional().describe("Re-enabling clears the failure count."),
});

export const SubscriptionParams = z.object({ id: z.string().min(1).max(128) });

export const DeliveryLog = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        eventType: z.string(),
        projectId: z.string(),
        status: z.enum(["pending", "delivered", "failed"]),
        attempts: z.array(
          z.object({
            attempt: z.number().int(),
            at: Instant,
            status: z.number().int().nullable(),
            error: z.string().nullable(),
            durationMs: z.number().int(),
          }),
        ),
        nextAttemptAt: Instant.nullable(),
        createdAt: Instant,
        deliveredAt: Instant.nullable(),
      }),
    ),
  })
  .meta({ id: "WebhookDeliveryLog" });

export function subscriptionOf(row: {
  id: string;
  url: string;
  description: string;
  event_types: string[];
  allow_private_network: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
}) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    allowPrivateNetwork: row.allow_private_network,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
