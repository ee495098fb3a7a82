import { z } from "zod";
import { Slug } from "../common.types.ts";

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

export const GenericDealHeaders = z.looseObject({
  "onboard-signature": z
    .string()
    .optional()
    .describe(
      "t=<unix seconds>,v1=<hex HMAC-SHA256 of `<t>.` followed by the raw body, keyed with ONBOARD_WEBHOOK_SECRET>. " +
        "Refused (401) when it does not match, or t is more than 5 minutes old or more than a minute ahead.",
    ),
});

export const GenericDealBody = z
  .object({
    source: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, { error: "must be a lowercase CRM name such as salesforce (letters, digits, _ and -)" })
      .describe("The CRM the deal lives in: with deal_id, the business key a project is started at most once for."),
    deal_id: z.string().min(1).max(128).describe("The deal's id in that CRM."),
    stage: z
      .string()
      .min(1)
      .max(128)
      .describe(
        '"won" starts the project, and so does a stage the playbook lists in starts_on.crm_stages; any other stage is recorded and ignored.',
      ),
    amount: z.number().nonnegative().optional().describe("The deal's amount (fed to the playbook's deal.won rules); default 0."),
    client: z.object({
      id: Slug.describe("The client's id (the CRM account id)."),
      name: z.string().trim().min(1).max(200),
      time_zone: z.string().refine(isTimeZone, { error: "must be an IANA time zone such as Europe/Berlin" }),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as DE" })
        .optional(),
    }),
    playbook: z.object({
      id: z.string().min(1).max(128),
      version: z.string().min(1).max(64).optional().describe("Default: the latest published version."),
    }),
    facts: z.record(z.string(), z.unknown()).default({}).describe("The project's facts, checked against the playbook's declarations."),
    contacts: z
      .array(z.looseObject({ name: z.string().optional(), email: z.string().optional(), role: z.string().optional() }))
      .optional()
      .describe("Kept with the delivery record; not yet applied to the project."),
  })
  .meta({ id: "GenericDealWebhook", description: "A deal from any CRM, in Onboard's own format." });
export type GenericDealBody = z.infer<typeof GenericDealBody>;

export const DeliveryResult = z
  .object({
    deliveryId: z.string().describe("The delivery's record."),
    outcome: z.enum(["accepted", "duplicate", "ignored", "rejected"]),
    dealId: z.string().nullable(),
    projectId: z.string().nullable().describe("The project the deal started (now, or on an earlier delivery)."),
    reason: z.string().nullable(),
  })
  .meta({ id: "WebhookDeliveryResult" });

export const HubspotHeaders = z.looseObject({
  "x-hubspot-signature-v3": z
    .string()
    .optional()
    .describe("base64 HMAC-SHA256, keyed with HUBSPOT_CLIENT_SECRET, of method + full URI + raw body + the timestamp header."),
  "x-hubspot-request-timestamp": z.string().optional().describe("Milliseconds since the epoch; refused when more than 5 minutes old."),
});

export const HubspotEvent = z.looseObject({
  objectId: z.union([z.number().int(), z.string().min(1).max(64)]).describe("The deal's id."),
  subscriptionType: z
    .string()
    .describe('"deal.propertyChange", or "object.propertyChange" with objectTypeId "0-3" (deals), can start a project.'),
  objectTypeId: z.string().optional().describe('The object type of generic (object.*) events: "0-3" for deals.'),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional().describe("The new stage id; won when listed in HUBSPOT_WON_STAGES."),
  eventId: z.union([z.number(), z.string()]).optional(),
  portalId: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/, "a HubSpot portal id is a number")])
    .optional()
    .describe("The HubSpot account: deals are keyed by portal and id."),
  occurredAt: z.number().optional(),
});

export const HubspotBody = z
  .array(HubspotEvent)
  .min(1)
  .max(1000)
  .meta({
    id: "HubspotWebhookBatch",
    description:
      "HubSpot's batch of subscription events (ids and the changed property). With the connection's API token the deal and its " +
      "company are fetched: the client is the company. Without one the client is created from the deal id " +
      '(id "hubspot-<portal>-deal-<id>", name "HubSpot deal <id>"); rename it with PATCH /clients/{id}.',
  });

export const HubspotResult = z.object({ results: z.array(DeliveryResult) }).meta({ id: "HubspotWebhookResult" });

export const PipedriveHeaders = z.looseObject({
  authorization: z
    .string()
    .optional()
    .describe("Basic PIPEDRIVE_WEBHOOK_USER:PIPEDRIVE_WEBHOOK_PASSWORD, as set on the Pipedrive webhook."),
});

const PipedriveDeal = z.looseObject({
  id: z.union([z.number().int(), z.string().min(1).max(64)]).describe("The deal's id."),
  status: z.string().optional().describe('open, won, lost or deleted: a change to "won" starts the project.'),
  stage_id: z
    .union([z.number().int(), z.string().min(1).max(64)])
    .optional()
    .describe("The deal's stage: a change to a stage id the playbook lists in starts_on.crm_stages starts the project too."),
  title: z.string().optional(),
  org_name: z.string().nullable().optional(),
  value: z.number().nullable().optional(),
});

export const PipedriveBody = z
  .looseObject({
    event: z.string().optional().describe('v1: "updated.deal" (or "added.deal").'),
    meta: z
      .looseObject({
        action: z.string().optional().describe('v2: "change" or "create"; v1: "updated" or "added".'),
        entity: z.string().optional().describe('v2: "deal".'),
        object: z.string().optional().describe('v1: "deal".'),
        company_id: z
          .union([z.number().int().nonnegative(), z.string().min(1).max(64)])
          .optional()
          .describe("The Pipedrive company: deals are keyed by company and id."),
        version: z.string().optional(),
      })
      .optional(),
    data: PipedriveDeal.nullable().optional().describe("v2: the deal after the change."),
    current: PipedriveDeal.nullable().optional().describe("v1: the deal after the change."),
    previous: z.looseObject({}).nullable().optional().describe("The changed fields' old values (v2), or the deal before (v1)."),
  })
  .meta({
    id: "PipedriveWebhook",
    description:
      "A Pipedrive deal webhook, v2 (meta.action change/create, meta.entity deal, data, previous) or v1 (event updated.deal, " +
      "current, previous). Won per the connection's rules (default: status turns won). The client is the deal's organization " +
      "(pipedrive-<company>-org-<id>), named after it.",
  });
