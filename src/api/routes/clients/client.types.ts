import { z } from "zod";
import { PageQuery, pageOf } from "../../pagination.ts";
import { IdempotentHeaders, Instant, Slug } from "../common.types.ts";

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

const FactValue = z.union([z.boolean(), z.number(), z.string(), z.array(z.string())]);

export const Client = z
  .object({
    id: z.string(),
    name: z.string(),
    timeZone: z.string(),
    country: z.string().nullable(),
    region: z.string().nullable(),
    domain: z.string().nullable().describe("The client's web domain (acme.example)."),
    segment: z.string().nullable().describe("Enterprise, mid-market, SMB ... as the team segments its clients."),
    playbookId: z.string().nullable().describe("The playbook whose declared facts `facts` answers."),
    facts: z.record(z.string(), FactValue).describe("The client's facts, as the playbook declares them; they prefill each onboarding."),
    relationshipEndedOn: z
      .string()
      .nullable()
      .describe("When the business relationship ended (YYYY-MM-DD); record retention (`retention:` in the playbook) counts from it."),
    relationshipEndReason: z.string().nullable(),
    version: z.number().int().describe('Send it back as If-Match ("3") to change the client.'),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "Client" });

const TimeZone = z.string().refine(isTimeZone, { error: "must be an IANA time zone such as Europe/Berlin" });
const Country = z.string().regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as DE" });
const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: "must be a domain name such as acme.example" });
const Segment = z.string().trim().min(1).max(100);
const PlaybookId = z.string().min(1).max(200);
const Facts = z.record(z.string().min(1).max(100), FactValue);

export const CreateClientBody = z.object({
  id: Slug.optional().describe("Your id for the client (a CRM account id); generated when omitted."),
  name: z.string().trim().min(1).max(200),
  timeZone: TimeZone,
  country: Country.optional().describe("For public holidays."),
  region: z.string().min(1).max(10).optional().describe("A subdivision for regional holidays (BY for Bavaria)."),
  domain: Domain.optional(),
  segment: Segment.optional(),
  playbookId: PlaybookId.optional().describe("A published playbook: `facts` are checked against the facts its latest version declares."),
  facts: Facts.optional().describe("The client's facts the playbook declares (user_count, soc2_required ...)."),
});

export const UpdateClientBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: TimeZone.optional(),
    country: Country.nullable().optional().describe("null: no public holidays."),
    region: z.string().min(1).max(10).nullable().optional(),
    domain: Domain.nullable().optional(),
    segment: Segment.nullable().optional(),
    playbookId: PlaybookId.nullable().optional(),
    facts: Facts.optional().describe("Replaces the client's facts; checked against the playbook's declared facts."),
    relationshipEndedOn: z.iso
      .date({ error: "must be a date, YYYY-MM-DD" })
      .nullable()
      .optional()
      .describe("The day the business relationship ended (null: it goes on); record retention counts from it."),
    relationshipEndReason: z.string().trim().min(1).max(500).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: "change at least one field" });

export const UpdateClientHeaders = z.object({
  "if-match": z.string().optional().describe('The client\'s version from your last read, quoted: "3". Required.'),
});

export const CreateClientHeaders = IdempotentHeaders;
export const ClientParams = z.object({ id: z.string().min(1).max(128) });
export const ListClientsQuery = z.object({
  q: z.string().trim().max(200).optional().describe("Only clients whose name, domain or segment contains this (any case)."),
  ...PageQuery,
});
export const ClientPage = pageOf(Client);
