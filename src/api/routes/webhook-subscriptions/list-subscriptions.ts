// GET /webhook-subscriptions: who receives Onboard's events, and whether delivery is healthy.
import { z } from "zod";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { Subscription, subscriptionOf } from "./subscription.types.ts";

export function listSubscriptions(app: Api, deps: ApiDeps): void {
  app.get(
    "/webhook-subscriptions",
    {
      config: { access: "integrations:read" },
      schema: {
        tags: ["webhooks"],
        operationId: "listWebhookSubscriptions",
        summary: "Outbound webhook subscriptions",
        response: { 200: z.object({ items: z.array(Subscription) }) },
      },
    },
    async () => {
      const rows = await deps.db.selectFrom("webhook_subscriptions").selectAll().orderBy("created_at").orderBy("id").execute();
      return { items: rows.map(subscriptionOf) };
    },
  );
}
