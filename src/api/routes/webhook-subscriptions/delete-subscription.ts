// DELETE /webhook-subscriptions/:id: stop sending and forget the subscription and its log.
import { notFound } from "../../../store/errors.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { SubscriptionParams } from "./subscription.types.ts";

export function deleteSubscription(app: Api, deps: ApiDeps): void {
  app.delete(
    "/webhook-subscriptions/:id",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["webhooks"],
        operationId: "deleteWebhookSubscription",
        summary: "Delete a subscription and its delivery log",
        params: SubscriptionParams,
        response: { 204: NoContent, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const deleted = await deps.db.transaction().execute(async (trx) => {
        const messages = trx.selectFrom("webhook_messages").select("id").where("subscription_id", "=", id);
        await trx.deleteFrom("webhook_attempts").where("message_id", "in", messages).execute();
        await trx.deleteFrom("webhook_messages").where("subscription_id", "=", id).execute();
        return trx.deleteFrom("webhook_subscriptions").where("id", "=", id).executeTakeFirst();
      });
      if (Number(deleted.numDeletedRows) === 0) throw notFound(`webhook subscription ${id}`);
      return reply.code(204).send();
    },
  );
}
