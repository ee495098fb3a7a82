// POST /webhooks/deals/hubspot: HubSpot's webhook subscription (deal.propertyChange on dealstage),
// signature v3. HubSpot batches events and sends only ids: a deal moving into a stage listed in
// HUBSPOT_WON_STAGES starts a project for a client created from the deal id with a placeholder name
// (rename it afterwards), on CRM_DEFAULT_PLAYBOOK, with no facts. Each event is recorded; the batch
// answers 200 unless an event failed unexpectedly (then 500, and HubSpot's retry is deduplicated).
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { deliveryRequestId, notConfigured, rawBodyOf, rejectMalformed } from "../../webhooks/scope.ts";
import { hubspotUri, verifyHubspot } from "../../webhooks/signatures.ts";
import { type DealResult, startsOnStage, startWonDeal } from "../../webhooks/start-deal.ts";
import { HubspotBody, HubspotHeaders, HubspotResult } from "./webhook.types.ts";

export const HUBSPOT = "hubspot";

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function hubspotDealWebhook(app: Api, deps: ApiDeps): void {
  const settings = deps.config.webhooks;
  app.post(
    "/webhooks/deals/hubspot",
    {
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      attachValidation: true,
      schema: {
        tags: ["webhooks"],
        operationId: "hubspotDealWebhook",
        summary: "HubSpot deal stage changes: a won stage starts a project once per deal",
        description:
          "Signature v3 (HUBSPOT_CLIENT_SECRET; 503 while unset or while CRM_DEFAULT_PLAYBOOK is unset). Won stages: " +
          "HUBSPOT_WON_STAGES (default closedwon). HubSpot sends no client: the client is created as hubspot-deal-<id> " +
          '"HubSpot deal <id>" in CRM_DEFAULT_TIME_ZONE, the project starts on CRM_DEFAULT_PLAYBOOK (latest version ' +
          "unless id@version) with no facts and amount 0. Every event is recorded: accepted, duplicate, ignored or rejected.",
        headers: HubspotHeaders,
        body: HubspotBody,
        response: { 200: HubspotResult, ...problemResponses(401, 422, 500, 503) },
      },
      preValidation: async (request) => {
        const secret = settings.hubspotClientSecret;
        if (secret === undefined) throw notConfigured("HubSpot", "HUBSPOT_CLIENT_SECRET");
        if (settings.defaultPlaybook === undefined) throw notConfigured("HubSpot", "CRM_DEFAULT_PLAYBOOK");
        // The URI HubSpot called: the public origin behind a proxy, else the one this request names.
        const origin = deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
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
        );
      },
    },
    async (request, reply) => {
      await rejectMalformed(request, deps, HUBSPOT);
      const playbook = settings.defaultPlaybook;
      if (playbook === undefined) throw notConfigured("HubSpot", "CRM_DEFAULT_PLAYBOOK");
      const requestId = deliveryRequestId(request);
      const results: DealResult[] = [];
      let failure: unknown;
      for (const event of request.body) {
        const dealId = String(event.objectId);
        const body = JSON.stringify(event);
        const ignore = async (reason: string) => {
          const deliveryId = await recordDelivery(
            deps.db,
            { endpoint: HUBSPOT, source: HUBSPOT, outcome: "ignored", reason, dealId, projectId: null, requestId, body },
            deps.clock(),
          );
          results.push({ deliveryId, outcome: "ignored", dealId, projectId: null, reason });
        };
        if (event.subscriptionType !== "deal.propertyChange" || event.propertyName !== "dealstage") {
          await ignore(`${event.subscriptionType}${event.propertyName ? ` of ${event.propertyName}` : ""} is not a deal stage change`);
          continue;
        }
        const stage = event.propertyValue ?? "";
        const won = settings.hubspotWonStages.includes(stage);
        // A stage before won starts a project where the playbook says so (starts_on: crm_stages, HubSpot stage ids).
        if (!won && !(await startsOnStage(deps, playbook, stage))) {
          await ignore(
            `stage "${stage}" is not a won stage (HUBSPOT_WON_STAGES: ${settings.hubspotWonStages.join(", ")}), nor one the playbook starts on`,
          );
          continue;
        }
        try {
          const result = await startWonDeal(deps, {
            endpoint: HUBSPOT,
            requestId,
            body,
            deal: { source: HUBSPOT, dealId, stage, amount: 0, won },
            client: { id: `hubspot-deal-${dealId}`, name: `HubSpot deal ${dealId}`, timeZone: settings.defaultTimeZone },
            playbook,
            facts: {},
            playbookPointer: "/config/CRM_DEFAULT_PLAYBOOK",
          });
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
    },
  );
}
