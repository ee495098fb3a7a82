// GET /webhook-subscriptions/:id/messages: the delivery log, newest first, every attempt with its
// answer or error.
import { z } from "zod";
import { notFound } from "../../../store/errors.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { DeliveryLog, SubscriptionParams } from "./subscription.types.ts";

export function listDeliveries(app: Api, deps: ApiDeps): void {
  app.get(
    "/webhook-subscriptions/:id/messages",
    {
      config: { access: "integrations:read" },
      schema: {
        tags: ["webhooks"],
        operationId: "listWebhookMessages",
        summary: "A subscription's delivery log",
        params: SubscriptionParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          status: z.enum(["pending", "delivered", "failed"]).optional(),
        }),
        response: { 200: DeliveryLog, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const exists = await deps.db.selectFrom("webhook_subscriptions").select("id").where("id", "=", id).executeTakeFirst();
      if (!exists) throw notFound(`webhook subscription ${id}`);
      let query = deps.db.selectFrom("webhook_messages").selectAll().where("subscription_id", "=", id);
      if (request.query.status) query = query.where("status", "=", request.query.status);
      const messages = await query.orderBy("created_at", "desc").orderBy("id").limit(request.query.limit).execute();
      const attempts =
        messages.length === 0
          ? []
          : await deps.db
              .selectFrom("webhook_attempts")
              .selectAll()
              .where(
                "message_id",
                "in",
                messages.map((m) => m.id),
              )
              .orderBy("attempt")
              .execute();
      return {
        items: messages.map((m) => ({
          id: m.id,
          eventType: m.event_type,
          projectId: m.project_id,
          status: m.status,
          attempts: attempts
            .filter((a) => a.message_id === m.id)
            .map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status: a.status, error: a.error, durationMs: a.duration_ms })),
          nextAttemptAt: m.status === "pending" ? m.next_attempt_at.toISOString() : null,
          createdAt: m.created_at.toISOString(),
          deliveredAt: m.delivered_at?.toISOString() ?? null,
        })),
      };
    },
  );
}
