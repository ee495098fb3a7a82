// POST /webhooks/deals/generic: a won deal in Onboard's own format, from any CRM or integration
// platform, signed with ONBOARD_WEBHOOK_SECRET. Starts the client's project once per deal.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { deliveryRequestId, notConfigured, rawBodyOf, rejectMalformed } from "../../webhooks/scope.ts";
import { GENERIC_SIGNATURE_HEADER, verifyGeneric } from "../../webhooks/signatures.ts";
import { type DealResult, type Rejected, startsOnStage, startWonDeal } from "../../webhooks/start-deal.ts";
import { DeliveryResult, GenericDealBody, GenericDealHeaders } from "./webhook.types.ts";

export function genericDealWebhook(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhooks/deals/generic",
    {
      // Authenticated by the body's signature, not by a session or token.
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      attachValidation: true,
      schema: {
        tags: ["webhooks"],
        operationId: "genericDealWebhook",
        summary: "A won deal in Onboard's format: starts the client's project once per source + deal id",
        description:
          `Signed: the ${GENERIC_SIGNATURE_HEADER} header carries t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + raw body> ` +
          "keyed with ONBOARD_WEBHOOK_SECRET (503 while unset). 201: the project started; 200: the deal had already " +
          "started one (a retry, a concurrent duplicate) or the stage is neither won nor one the playbook starts on (starts_on: crm_stages). Every authenticated delivery is recorded.",
        headers: GenericDealHeaders,
        body: GenericDealBody,
        response: { 200: DeliveryResult, 201: DeliveryResult, ...problemResponses(401, 422, 503) },
      },
      preValidation: async (request) => {
        const secret = deps.config.webhooks.genericSecret;
        if (secret === undefined) throw notConfigured("Generic deal", "ONBOARD_WEBHOOK_SECRET");
        const header = request.headers[GENERIC_SIGNATURE_HEADER];
        verifyGeneric(secret, Array.isArray(header) ? header[0] : header, rawBodyOf(request), Date.parse(deps.clock()));
      },
    },
    async (request, reply) => {
      await rejectMalformed(request, deps, "generic");
      const result = await takeGenericDeal(deps, request.body, rawBodyOf(request).toString("utf8"), deliveryRequestId(request));
      if ("problem" in result) throw result.problem;
      if (result.projectId) reply.header("location", `/projects/${encodeURIComponent(result.projectId)}`);
      return reply.code(result.outcome === "accepted" ? 201 : 200).send(result);
    },
  );
}

/** A deal in Onboard's own format, received now or replayed from the delivery log. */
export async function takeGenericDeal(
  deps: ApiDeps,
  body: GenericDealBody,
  raw: string,
  requestId: string,
  replayOf?: string,
): Promise<DealResult | Rejected> {
  const won = body.stage.toLowerCase() === "won";
  // A stage before won starts a project where the playbook says so (starts_on: crm_stages).
  if (!won && !(await startsOnStage(deps, body.playbook, body.stage))) {
    const reason = `stage "${body.stage}" is not won, nor a stage playbook ${body.playbook.id} starts on`;
    const deliveryId = await recordDelivery(
      deps.db,
      {
        endpoint: "generic",
        source: body.source,
        outcome: "ignored",
        reason,
        dealId: body.deal_id,
        projectId: null,
        requestId,
        body: raw,
        replayOf,
      },
      deps.clock(),
    );
    return { deliveryId, outcome: "ignored" as const, dealId: body.deal_id, projectId: null, reason };
  }
  const result = await startWonDeal(deps, {
    endpoint: "generic",
    requestId,
    body: raw,
    deal: { source: body.source, dealId: body.deal_id, stage: won ? "won" : body.stage, amount: body.amount ?? 0, won },
    client: {
      id: body.client.id,
      name: body.client.name,
      timeZone: body.client.time_zone,
      ...(body.client.country ? { country: body.client.country } : {}),
    },
    playbook: body.playbook,
    facts: body.facts,
    playbookPointer: "/body/playbook",
    replayOf,
  });
  return result;
}
