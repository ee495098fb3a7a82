// POST /webhooks/deliveries/:id/replay: a delivery that did not start a project (rejected for a
// playbook that was not published, a fact mapping, a CRM API that was down; ignored under won rules
// since changed; failed) is taken again, as received, with the connection as it is now. The replay
// is its own record pointing at the original; a deal that started its project meanwhile is a duplicate.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { CrmDeal } from "../../../crm/deal.ts";
import { getConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { table } from "../../webhooks/deliveries.ts";
import { fetcherFor } from "../../webhooks/fetch-deal.ts";
import { takeDeal } from "../../webhooks/intake.ts";
import { takeGenericDeal } from "../webhooks/generic-deal.ts";
import { DeliveryResult, GenericDealBody } from "../webhooks/webhook.types.ts";

/** Whether a delivery can be replayed, and if not why. */
export function replayability(row: { outcome: string; deal: unknown; endpoint: string; connection_id: string | null }): string | null {
  if (row.outcome === "accepted" || row.outcome === "duplicate") return "it started its project already";
  if (row.endpoint === "generic") return null;
  if (row.deal === null || row.connection_id === null)
    return "the delivery could not be read as a deal (see its reason): the CRM must send it again";
  return null;
}

export function replayDelivery(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhooks/deliveries/:id/replay",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["webhooks"],
        operationId: "replayInboundDelivery",
        summary: "Take a delivery that did not start a project again, once its cause is fixed",
        params: z.object({ id: z.string().min(1).max(128) }),
        response: { 200: DeliveryResult, 201: DeliveryResult, ...problemResponses(404, 409, 422) },
      },
    },
    async (request, reply) => {
      const row = await table(deps.db).selectFrom("webhook_deliveries").selectAll().where("id", "=", request.params.id).executeTakeFirst();
      if (!row) throw new HttpProblem("not_found", `no delivery "${request.params.id}"`);
      const why = replayability(row);
      if (why !== null) throw new HttpProblem("conflict", `delivery ${row.id} cannot be replayed: ${why}`);
      const requestId = `replay-${randomUUID()}`;
      let result: Awaited<ReturnType<typeof takeDeal>>;
      if (row.endpoint === "generic") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(row.body);
        } catch {
          throw new HttpProblem("conflict", `delivery ${row.id} cannot be replayed: its body is not JSON`);
        }
        const body = GenericDealBody.safeParse(parsed);
        if (!body.success)
          throw new HttpProblem(
            "conflict",
            `delivery ${row.id} cannot be replayed: its body is not a deal (${body.error.issues[0]?.message})`,
          );
        result = await takeGenericDeal(deps, body.data, row.body, requestId, row.id);
      } else {
        const connection = row.connection_id ? await getConnection(deps.db, deps.config.webhooks, row.connection_id) : undefined;
        if (!connection)
          throw new HttpProblem(
            "conflict",
            `delivery ${row.id} cannot be replayed: its connection "${row.connection_id}" no longer exists`,
          );
        const deal = (typeof row.deal === "string" ? JSON.parse(row.deal) : row.deal) as CrmDeal;
        result = await takeDeal(deps, {
          endpoint: row.endpoint,
          requestId,
          body: row.body,
          connection,
          deal,
          replayOf: row.id,
          fetchDeal: fetcherFor(connection),
        });
      }
      const { deliveryId, outcome, dealId, projectId, reason } = result;
      if (projectId) reply.header("location", `/projects/${encodeURIComponent(projectId)}`);
      return reply.code(outcome === "accepted" ? 201 : 200).send({ deliveryId, outcome, dealId, projectId, reason });
    },
  );
}
