// PATCH /webhook-subscriptions/:id: change the URL or events, disable, or re-enable after fixing.
// An admin's permission to call a private-network address belongs to that URL: whoever else changes
// the URL gets a subscription checked as public again.

import { notFound } from "../../../store/errors.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { checkWebhookUrl } from "../../outbound/network-guard.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { Subscription, SubscriptionParams, subscriptionOf, UpdateSubscriptionBody } from "./subscription.types.ts";

export function updateSubscription(app: Api, deps: ApiDeps): void {
  app.patch(
    "/webhook-subscriptions/:id",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["webhooks"],
        operationId: "updateWebhookSubscription",
        summary: "Change, disable or re-enable a subscription",
        params: SubscriptionParams,
        body: UpdateSubscriptionBody,
        response: { 200: Subscription, ...problemResponses(400, 403, 404) },
      },
    },
    async (request) => {
      const { user } = principalOf(request);
      const current = await deps.db.selectFrom("webhook_subscriptions").selectAll().where("id", "=", request.params.id).executeTakeFirst();
      if (!current) throw notFound(`webhook subscription ${request.params.id}`);
      const body = request.body;
      const admin = user.roles.includes("admin");
      const url = body.url ?? current.url;
      const movesUrl = url !== current.url;
      // Kept only for the URL the admin allowed it for; a new URL needs an admin's say again.
      const allowPrivate = body.allowPrivateNetwork ?? (current.allow_private_network && (!movesUrl || admin));
      if (allowPrivate && !admin && (movesUrl || !current.allow_private_network)) {
        throw new HttpProblem("forbidden", "only an admin may allow private-network webhook targets");
      }
      const wrong = checkWebhookUrl(url, allowPrivate);
      if (wrong) throw fieldProblem("/body/url", wrong);
      const reenabled = body.enabled === true && !current.enabled;
      const row = await deps.db
        .updateTable("webhook_subscriptions")
        .set({
          url,
          allow_private_network: allowPrivate,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.eventTypes ? { event_types: JSON.stringify(body.eventTypes) } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.enabled === false ? { disabled_reason: `disabled by ${user.name}` } : {}),
          ...(reenabled ? { disabled_reason: null, consecutive_failures: 0 } : {}),
          updated_at: deps.clock(),
        })
        .where("id", "=", current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return subscriptionOf(row);
    },
  );
}
