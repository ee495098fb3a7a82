// POST /webhooks/deals/salesforce: Salesforce Outbound Messages (SOAP) for Opportunities. A
// workflow or flow sends the Opportunity when it turns Closed Won; each Notification in the
// message becomes a won deal (once per Opportunity id). Outbound Messages are not signed: the
// organization id in the message must be ours (SALESFORCE_ORGANIZATION_ID), and the endpoint
// should be HTTPS. Salesforce keeps resending until it gets the ACK, so the ACK goes out only
// once every notification has been recorded; a malformed message gets a SOAP fault with why.
import { XMLParser } from "fast-xml-parser";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { toProblem } from "../../problems.ts";
import { recordDelivery } from "../../webhooks/deliveries.ts";
import { deliveryRequestId } from "../../webhooks/scope.ts";
import { startsOnStage, startWonDeal } from "../../webhooks/start-deal.ts";

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

function fault(reply: FastifyReply, status: number, code: "soapenv:Client" | "soapenv:Server", reason: string) {
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

interface Notification {
  readonly id: string;
  readonly opportunityId: string;
  readonly accountId: string | undefined;
  readonly name: string | undefined;
  readonly stage: string | undefined;
  readonly isWon: boolean;
  readonly amount: number;
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, parseTagValue: false, processEntities: true });

/** The message's organization id and notifications, or why it cannot be read. */
export function readOutboundMessage(xml: string): { orgId: string; notifications: Notification[] } | { error: string } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    return { error: `the body is not XML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "object" && v && "#text" in v ? String(v["#text"]) : undefined);
  const envelope = doc.Envelope as Record<string, unknown> | undefined;
  const notifications = (envelope?.Body as Record<string, unknown> | undefined)?.notifications as Record<string, unknown> | undefined;
  if (!notifications) return { error: "not a Salesforce Outbound Message: no soapenv:Envelope/Body/notifications" };
  const orgId = text(notifications.OrganizationId);
  if (!orgId) return { error: "the message has no OrganizationId" };
  const list = [notifications.Notification ?? []].flat() as Record<string, unknown>[];
  if (list.length === 0) return { error: "the message has no Notification" };
  const read: Notification[] = [];
  for (const [i, n] of list.entries()) {
    const sObject = n.sObject as Record<string, unknown> | undefined;
    const type = sObject ? String(sObject["@_type"] ?? "") : "";
    if (!sObject || !/(^|:)Opportunity$/.test(type))
      return { error: `Notification ${i + 1} does not carry an Opportunity (xsi:type ${type || "missing"})` };
    const opportunityId = text(sObject.Id);
    const id = text(n.Id);
    if (!opportunityId || !id) return { error: `Notification ${i + 1} lacks its Id or the Opportunity's Id` };
    const amount = Number(text(sObject.Amount) ?? 0);
    read.push({
      id,
      opportunityId,
      accountId: text(sObject.AccountId),
      name: text(sObject.Name),
      stage: text(sObject.StageName),
      isWon: text(sObject.IsWon) === "true",
      amount: Number.isFinite(amount) ? amount : 0,
    });
  }
  return { orgId, notifications: read };
}

export function salesforceDealWebhook(app: Api, deps: ApiDeps): void {
  const settings = deps.config.webhooks;
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
      errorHandler: (error, request, reply) => {
        const { status, body } = toProblem(error, request);
        if (status >= 500) request.log.error({ err: error }, "request failed");
        return fault(reply, status, status >= 500 ? "soapenv:Server" : "soapenv:Client", body.detail);
      },
    },
    async (request, reply) => {
      const orgId = settings.salesforceOrgId;
      if (orgId === undefined || settings.defaultPlaybook === undefined) {
        return fault(
          reply,
          503,
          "soapenv:Server",
          "Salesforce deals are not configured: set SALESFORCE_ORGANIZATION_ID and CRM_DEFAULT_PLAYBOOK",
        );
      }
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
          },
          deps.clock(),
        );
        return fault(reply, 422, "soapenv:Client", message.error);
      }
      // Not recorded: anyone could send messages naming another org, and fill the log.
      if (message.orgId.slice(0, 15) !== orgId)
        return fault(reply, 401, "soapenv:Client", "the message is from another Salesforce organization");
      for (const n of message.notifications) {
        const body = JSON.stringify({ notificationId: n.id, opportunity: n });
        const won = n.isWon || n.stage === "Closed Won";
        // A stage before won starts a project where the playbook says so (starts_on: crm_stages, StageName).
        if (!won && !(n.stage !== undefined && (await startsOnStage(deps, settings.defaultPlaybook, n.stage)))) {
          await recordDelivery(
            deps.db,
            {
              endpoint: SALESFORCE,
              source: SALESFORCE,
              outcome: "ignored",
              reason: `stage "${n.stage ?? "(none)"}" is not Closed Won, nor a stage the playbook starts on`,
              dealId: n.opportunityId,
              projectId: null,
              requestId,
              body,
            },
            deps.clock(),
          );
          continue;
        }
        try {
          await startWonDeal(deps, {
            endpoint: SALESFORCE,
            requestId,
            body,
            deal: { source: SALESFORCE, dealId: n.opportunityId, stage: n.stage ?? "Closed Won", amount: n.amount, won },
            client: {
              id: `salesforce-${n.accountId ?? n.opportunityId}`,
              name: (n.name ?? `Salesforce opportunity ${n.opportunityId}`).slice(0, 200),
              timeZone: settings.defaultTimeZone,
            },
            playbook: settings.defaultPlaybook,
            facts: {},
            playbookPointer: "/config/CRM_DEFAULT_PLAYBOOK",
          });
        } catch (error) {
          request.log.error({ err: error }, "salesforce notification failed");
          return fault(reply, 500, "soapenv:Server", "the message could not be processed now; Salesforce will resend it");
        }
      }
      // Rejected notifications (e.g. the playbook refuses the facts) are recorded; resending would not help.
      return reply.code(200).type("text/xml; charset=utf-8").send(ACK);
    },
  );
}
