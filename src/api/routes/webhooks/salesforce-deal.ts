// POST /webhooks/deals/salesforce: Salesforce Outbound Messages (SOAP) for Opportunities. A
// workflow or flow sends the Opportunity when it turns Closed Won; each Notification in the
// message becomes a won deal (once per Opportunity id). Outbound Messages are not signed: the
// organization id in the message must be ours (SALESFORCE_ORGANIZATION_ID), and the endpoint
// should be HTTPS. Salesforce keeps resending until it gets the ACK, so the ACK goes out only
// once every notification has been recorded; a malformed message gets a SOAP fault with why.
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { readOutboundMessage } from "../../../crm/salesforce/outbound-message.ts";
import { environmentConnections, type StoredConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { toProblem } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { fetcherFor } from "../../webhooks/fetch-deal.ts";
import { takeDeal } from "../../webhooks/intake.ts";
import { noteRefusal } from "../../webhooks/refusals.ts";
import { deliveryRequestId } from "../../webhooks/scope.ts";

const SALESFORCE = "salesforce";
const SOAP_TYPES = ["text/xml", "application/soap+xml"];

const ACK =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>' +
  "</soapenv:Body></soapenv:Envelope>";

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function fault(reply: FastifyReply, status: number, code: "soapenv:Client" | "soapenv:Server", reason: string) {
  return reply
    .code(status)
    .type("text/xml; charset=utf-8")
    .send(
      '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault>' +
        `<faultcode>${code}</faultcode><faultstring>${escapeXml(reason)}</faultstring>` +
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>",
    );
}

/** Salesforce reads SOAP faults: every refusal on its routes is one (the edge's 400s, 413, 415, 429 too). */
export function soapFaults(error: Error, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toProblem(error, request);
  if (status >= 500) request.log.error({ err: error }, "request failed");
  return fault(reply, status, status >= 500 ? "soapenv:Server" : "soapenv:Client", body.detail);
}

export const SOAP_CONTENT_TYPES = SOAP_TYPES;

export function salesforceDealWebhook(app: Api, deps: ApiDeps): void {
  app.addContentTypeParser(SOAP_TYPES, { parseAs: "string", bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
  app.post(
    "/webhooks/deals/salesforce",
    {
      config: { access: "public", rateLimit: { max: deps.config.webhookRateLimit, timeWindow: "1 minute" } },
      schema: {
        tags: ["webhooks"],
        operationId: "salesforceDealWebhook",
        summary: "Salesforce Outbound Messages: an Opportunity turning Closed Won starts a project once",
        description:
          "SOAP (text/xml) as Salesforce sends it; answers with the notificationsResponse ACK once every notification is " +
          "recorded, or a SOAP fault (400 unreadable, 401 another org, 422 malformed, 503 not configured, 500 retry later).",
        consumes: SOAP_TYPES,
        body: z.string().describe("The Outbound Message: a SOAP envelope of Opportunity notifications."),
      },
      // Salesforce reads SOAP faults: every refusal on this route is one (the edge's 400s, 415, 429 too).
      errorHandler: soapFaults,
    },
    async (request, reply) => {
      const connection = environmentConnections(deps.config.webhooks).find((c) => c.id === SALESFORCE);
      if (!connection)
        return fault(
          reply,
          503,
          "soapenv:Server",
          "Salesforce deals are not configured: set SALESFORCE_ORGANIZATION_ID and CRM_DEFAULT_PLAYBOOK",
        );
      return receiveSalesforce(request, reply, deps, connection);
    },
  );
}

/** One Outbound Message through a connection: every notification taken or recorded, then the ACK. */
export async function receiveSalesforce(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps, connection: StoredConnection) {
  const orgId = connection.settings.tenant?.slice(0, 15);
  if (orgId === undefined) return fault(reply, 503, "soapenv:Server", `Salesforce connection ${connection.id} names no organization id`);
  const raw = typeof request.body === "string" ? request.body : "";
  const requestId = deliveryRequestId(request);
  const message = readOutboundMessage(raw);
  if ("error" in message) {
    await recordDelivery(
      deps.db,
      {
        endpoint: SALESFORCE,
        source: SALESFORCE,
        outcome: "rejected",
        reason: message.error,
        dealId: null,
        projectId: null,
        requestId,
        body: raw,
        connectionId: connection.id,
      },
      deps.clock(),
    );
    return fault(reply, 422, "soapenv:Client", message.error);
  }
  // Not in the delivery log (anyone could send messages naming another org, and fill it); counted on the connection.
  if (message.orgId.slice(0, 15) !== orgId) {
    await noteRefusal(deps, connection, `a message from another Salesforce organization (${message.orgId.slice(0, 15)})`);
    return fault(reply, 401, "soapenv:Client", "the message is from another Salesforce organization");
  }
  const fetchDeal = fetcherFor(connection);
  for (const n of message.notifications) {
    const body = JSON.stringify({ notificationId: n.id, opportunity: n.deal.fields });
    try {
      await takeDeal(deps, { endpoint: SALESFORCE, requestId, body, connection, deal: n.deal, fetchDeal });
    } catch (error) {
      request.log.error({ err: error }, "salesforce notification failed");
      return fault(reply, 500, "soapenv:Server", "the message could not be processed now; Salesforce will resend it");
    }
  }
  // Rejected notifications (e.g. the playbook refuses the facts) are recorded; resending would not help.
  return reply.code(200).type("text/xml; charset=utf-8").send(ACK);
}
