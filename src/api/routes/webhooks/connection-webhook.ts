// POST /webhooks/crm/:connectionId: the address a CRM connection made in the app gives its CRM.
// The connection's kind says how the delivery is authenticated and read (HubSpot signature v3,
// Pipedrive basic auth, Salesforce organization id), exactly as on the /webhooks/deals/<crm>
// addresses, which serve the connections the environment variables make.
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { environmentConnections, getConnection, type StoredConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { notConfigured } from "../../webhooks/scope.ts";
import { receiveHubspot } from "./hubspot-deal.ts";
import { receivePipedrive } from "./pipedrive-deal.ts";
import { fault, receiveSalesforce, SOAP_CONTENT_TYPES, soapFaults } from "./salesforce-deal.ts";

/** The connection the environment variables make for a CRM, or a 503 naming what to set. */
export function environmentConnection(
  deps: ApiDeps,
  kind: "hubspot" | "pipedrive" | "salesforce",
  secretVariable: string,
): StoredConnection {
  const settings = deps.config.webhooks;
  const name = { hubspot: "HubSpot", pipedrive: "Pipedrive", salesforce: "Salesforce" }[kind];
  const secretSet = { hubspot: settings.hubspotClientSecret, pipedrive: settings.pipedrive, salesforce: settings.salesforceOrgId }[kind];
  if (secretSet === undefined) throw notConfigured(name, secretVariable);
  const connection = environmentConnections(settings).find((c) => c.id === kind);
  if (!connection) throw notConfigured(name, "CRM_DEFAULT_PLAYBOOK");
  return connection;
}

const isSoap = (request: FastifyRequest) =>
  SOAP_CONTENT_TYPES.includes((request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "");

export function connectionWebhook(app: Api, deps: ApiDeps): void {
  app.post(
    "/webhooks/crm/:connectionId",
    {
      config: { access: "public", checksOwnBody: true, rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["webhooks"],
        operationId: "crmConnectionWebhook",
        summary: "A CRM connection's webhook: HubSpot batches, Pipedrive deal webhooks or Salesforce Outbound Messages",
        description:
          "Authenticated and read per the connection's kind, as on /webhooks/deals/<crm>. Every authenticated delivery is " +
          "recorded with the connection; what did not start a project can be replayed (POST /webhooks/deliveries/{id}/replay).",
        params: z.object({ connectionId: z.string().min(1).max(128) }),
        response: { ...problemResponses(401, 404, 415, 422, 503) },
      },
      // A Salesforce connection's refusals are SOAP faults, as Salesforce reads them.
      errorHandler: (error, request, reply) => {
        if (isSoap(request)) return soapFaults(error, request, reply);
        // Everything else is the app's problem+json, from the parent's handler.
        throw error;
      },
    },
    async (request: FastifyRequest<{ Params: { connectionId: string } }>, reply: FastifyReply) => {
      const connection = await getConnection(deps.db, deps.config.webhooks, request.params.connectionId);
      if (!connection) {
        if (isSoap(request)) return fault(reply, 404, "soapenv:Client", `no CRM connection "${request.params.connectionId}"`);
        throw new HttpProblem("not_found", `no CRM connection "${request.params.connectionId}"`);
      }
      if (connection.kind === "hubspot") return receiveHubspot(request, reply, deps, connection);
      if (connection.kind === "pipedrive") return receivePipedrive(request, reply, deps, connection);
      return receiveSalesforce(request, reply, deps, connection);
    },
  );
}
