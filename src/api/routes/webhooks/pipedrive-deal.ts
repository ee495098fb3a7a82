// Pipedrive's deal webhooks, v2 (the default for new webhooks) and v1, authenticated by the basic
// auth credentials set on the webhook (Pipedrive does not sign bodies). A deal turning won (by
// the connection's rules; Pipedrive's default: status won) starts a project once per deal.
// POST /webhooks/deals/pipedrive serves the connection the environment variables make.
import type { FastifyReply, FastifyRequest } from "fastify";
import { readPipedriveWebhook } from "../../../crm/pipedrive/webhook.ts";
import type { StoredConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { fetcherFor } from "../../webhooks/fetch-deal.ts";
import { takeDeal } from "../../webhooks/intake.ts";
import { countingRefusals } from "../../webhooks/refusals.ts";
import { deliveryRequestId, notConfigured, rawBodyOf, rejectMalformed, requireJson } from "../../webhooks/scope.ts";
import { verifyBasic } from "../../webhooks/signatures.ts";
import { unprocessable } from "../../webhooks/start-deal.ts";
import { environmentConnection } from "./connection-webhook.ts";
import { DeliveryResult, PipedriveBody, PipedriveHeaders } from "./webhook.types.ts";

const PIPEDRIVE = "pipedrive";

export async function receivePipedrive(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps, connection: StoredConnection) {
  const { webhookUser: user, webhookPassword: password } = connection.secrets;
  if (user === undefined || password === undefined)
    throw notConfigured(`Pipedrive connection ${connection.id}`, "its webhook user and password");
  await countingRefusals(deps, connection, () => verifyBasic({ user, password }, request.headers.authorization));
  requireJson(request);
  await rejectMalformed(request, deps, PIPEDRIVE, PipedriveBody, connection.id);
  const body = request.body as Record<string, unknown>;
  const raw = rawBodyOf(request).toString("utf8");
  const requestId = deliveryRequestId(request);
  const reading = readPipedriveWebhook(body);
  if ("ignored" in reading || "invalid" in reading) {
    const reason = "ignored" in reading ? reading.ignored : reading.invalid;
    const outcome = "ignored" in reading ? "ignored" : "rejected";
    const deliveryId = await recordDelivery(
      deps.db,
      {
        endpoint: PIPEDRIVE,
        source: PIPEDRIVE,
        outcome,
        reason,
        dealId: null,
        projectId: null,
        requestId,
        body: raw,
        connectionId: connection.id,
      },
      deps.clock(),
    );
    if ("invalid" in reading) throw unprocessable(reading.pointer, reading.invalid);
    return reply.code(200).send({ deliveryId, outcome, dealId: null, projectId: null, reason });
  }
  const result = await takeDeal(deps, {
    endpoint: PIPEDRIVE,
    requestId,
    body: raw,
    connection,
    deal: reading.deal,
    fetchDeal: fetcherFor(connection),
  });
  if ("problem" in result) throw result.problem;
  if (result.projectId) reply.header("location", `/projects/${encodeURIComponent(result.projectId)}`);
  return reply.code(result.outcome === "accepted" ? 201 : 200).send(result);
}

export function pipedriveDealWebhook(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhooks/deals/pipedrive",
    {
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      attachValidation: true,
      schema: {
        tags: ["webhooks"],
        operationId: "pipedriveDealWebhook",
        summary:
          "Pipedrive deal webhooks (v2 and v1), for the connection the environment variables make: a deal turning won starts a project once",
        description:
          "Basic auth with PIPEDRIVE_WEBHOOK_USER / PIPEDRIVE_WEBHOOK_PASSWORD (503 while unset or while CRM_DEFAULT_PLAYBOOK " +
          "is unset). 201: the project started; 200: a duplicate, or not a deal turning won (recorded as ignored with why).",
        headers: PipedriveHeaders,
        body: PipedriveBody,
        response: { 200: DeliveryResult, 201: DeliveryResult, ...problemResponses(401, 415, 422, 503) },
      },
    },
    async (request, reply) =>
      receivePipedrive(
        request,
        reply,
        deps,
        environmentConnection(deps, PIPEDRIVE, "PIPEDRIVE_WEBHOOK_USER and PIPEDRIVE_WEBHOOK_PASSWORD"),
      ),
  );
}
