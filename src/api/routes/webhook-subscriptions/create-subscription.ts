// POST /webhook-subscriptions: subscribe a URL to some of Onboard's events. The URL is checked
// against SSRF now and again at every delivery; only an admin may allow private-network targets.
import { randomUUID } from "node:crypto";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { checkWebhookUrl } from "../../outbound/network-guard.ts";
import { newWebhookSecret } from "../../outbound/signing.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { CreatedSubscription, CreateSubscriptionBody, subscriptionOf } from "./subscription.types.ts";

export function createSubscription(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhook-subscriptions",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["webhooks"],
        operationId: "createWebhookSubscription",
        summary: "Subscribe a URL to Onboard's events (Standard Webhooks signatures)",
        body: CreateSubscriptionBody,
        response: { 201: CreatedSubscription, ...problemResponses(400, 403) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const body = request.body;
      if (body.allowPrivateNetwork && !user.roles.includes("admin")) {
        throw new HttpProblem("forbidden", "only an admin may allow private-network webhook targets");
      }
      const wrong = checkWebhookUrl(body.url, body.allowPrivateNetwork);
      if (wrong) throw fieldProblem("/body/url", wrong);
      const now = deps.clock();
      const secret = newWebhookSecret();
      const row = await deps.db
        .insertInto("webhook_subscriptions")
        .values({
          id: randomUUID(),
          url: body.url,
          description: body.description,
          event_types: JSON.stringify(body.eventTypes),
          secret,
          allow_private_network: body.allowPrivateNetwork,
          enabled: true,
          created_by: user.id,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).send({ ...subscriptionOf(row), secret });
    },
  );
}
