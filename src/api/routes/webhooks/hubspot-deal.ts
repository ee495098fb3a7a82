// HubSpot's webhook batches (signature v3): deal.propertyChange and the generic
// object.propertyChange of deals (objectTypeId 0-3). HubSpot sends ids and the changed property;
// with an API token the connection fetches the deal and its company, so the client is the company
// by its name and the mapped facts are filled. Each event is recorded; the batch answers 200
// unless an event failed unexpectedly (then 500, and HubSpot's retry is deduplicated).
// POST /webhooks/deals/hubspot serves the connection the environment variables make.
import type { FastifyReply, FastifyRequest } from "fastify";
import { wonFieldsOf } from "../../../crm/connection.ts";
import { readHubspotEvent } from "../../../crm/hubspot/webhook.ts";
import type { StoredConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { fetcherFor } from "../../webhooks/fetch-deal.ts";
import { takeDeal } from "../../webhooks/intake.ts";
import { countingRefusals } from "../../webhooks/refusals.ts";
import { deliveryRequestId, notConfigured, rawBodyOf, rejectMalformed, requireJson } from "../../webhooks/scope.ts";
import { hubspotUri, verifyHubspot } from "../../webhooks/signatures.ts";
import type { DealResult } from "../../webhooks/start-deal.ts";
import { environmentConnection } from "./connection-webhook.ts";
import { HubspotBody, HubspotHeaders, HubspotResult } from "./webhook.types.ts";

export const HUBSPOT = "hubspot";

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** One HubSpot batch through a connection: authenticated, read, each event taken or recorded. */
export async function receiveHubspot(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps, connection: StoredConnection) {
  const secret = connection.secrets.hubspotClientSecret;
  if (secret === undefined) throw notConfigured(`HubSpot connection ${connection.id}`, "its app client secret");
  requireJson(request);
  // The URI HubSpot called: the public origin behind a proxy, else the one this request names.
  const origin = deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
  await countingRefusals(deps, connection, () =>
    verifyHubspot(
      secret,
      {
        signature: header(request.headers["x-hubspot-signature-v3"]),
        timestamp: header(request.headers["x-hubspot-request-timestamp"]),
      },
      request.method,
      hubspotUri(`${origin}${request.url}`),
      rawBodyOf(request),
      Date.parse(deps.clock()),
    ),
  );
  await rejectMalformed(request, deps, HUBSPOT, HubspotBody, connection.id);
  const events = HubspotBody.parse(request.body);
  const requestId = deliveryRequestId(request);
  const fetchDeal = fetcherFor(connection);
  // Only a change of what the won rules read (the stage, a won field) can start a project
  // (the stage also for starts_on); with "every message" rules, every change is taken.
  const everyMessage = (connection.settings.won ?? []).some((r) => r.kind === "message");
  const wonFields = new Set([...wonFieldsOf(connection), "dealstage"]);
  const results: DealResult[] = [];
  let failure: unknown;
  for (const event of events) {
    const body = JSON.stringify(event);
    const read = readHubspotEvent(event);
    const reading =
      "deal" in read && read.creation && !fetchDeal
        ? { ignored: "a deal was created: without an API token the connection cannot tell whether it was created won" }
        : "deal" in read && !read.creation && !everyMessage && event.propertyName && !wonFields.has(event.propertyName)
          ? {
              ignored: `a change of ${event.propertyName}, which does not say whether the deal is won (only a change of ${[...wonFields].join(" or ")} does)`,
            }
          : read;
    if ("ignored" in reading) {
      const dealId = String(event.objectId);
      const source = event.portalId === undefined ? HUBSPOT : `${HUBSPOT}:${event.portalId}`;
      const deliveryId = await recordDelivery(
        deps.db,
        {
          endpoint: HUBSPOT,
          source,
          outcome: "ignored",
          reason: reading.ignored,
          dealId,
          projectId: null,
          requestId,
          body,
          connectionId: connection.id,
        },
        deps.clock(),
      );
      results.push({ deliveryId, outcome: "ignored", dealId, projectId: null, reason: reading.ignored });
      continue;
    }
    try {
      const result = await takeDeal(deps, { endpoint: HUBSPOT, requestId, body, connection, deal: reading.deal, fetchDeal });
      // A rejected event is recorded; the rest of the batch goes on.
      results.push({
        deliveryId: result.deliveryId,
        outcome: result.outcome,
        dealId: result.dealId,
        projectId: result.projectId,
        reason: result.reason,
      });
    } catch (error) {
      // Recorded as failed; after the batch, a 500 makes HubSpot retry (the events done are deduplicated).
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return reply.code(200).send({ results });
}

export function hubspotDealWebhook(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhooks/deals/hubspot",
    {
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      attachValidation: true,
      schema: {
        tags: ["webhooks"],
        operationId: "hubspotDealWebhook",
        summary: "HubSpot deal changes, for the connection the environment variables make: a won deal starts a project once",
        description:
          "Signature v3 (HUBSPOT_CLIENT_SECRET; 503 while unset or while CRM_DEFAULT_PLAYBOOK is unset). deal.propertyChange and " +
          "object.propertyChange (objectTypeId 0-3) events; won stages: HUBSPOT_WON_STAGES (default closedwon). Deals are keyed " +
          "by portal and id. Without an API token the client is created from the deal id; a connection made in the app " +
          "(POST /crm/connections, served at /webhooks/crm/<id>) fetches the deal and its company. Every event is recorded.",
        headers: HubspotHeaders,
        body: HubspotBody,
        response: { 200: HubspotResult, ...problemResponses(401, 415, 422, 500, 503) },
      },
    },
    async (request, reply) => receiveHubspot(request, reply, deps, environmentConnection(deps, HUBSPOT, "HUBSPOT_CLIENT_SECRET")),
  );
}
