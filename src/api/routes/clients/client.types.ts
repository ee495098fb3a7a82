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

export const Client = z
  .object({
    id: z.string(),
    name: z.string(),
    timeZone: z.string(),
    country: z.string().nullable(),
    region: z.string().nullable(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: "Client" });

export const CreateClientBody = z.object({
  id: Slug.optional().describe("Your id for the client (a CRM account id); generated when omitted."),
  name: z.string().trim().min(1).max(200),
  timeZone: z.string().refine(isTimeZone, { error: "must be an IANA time zone such as Europe/Berlin" }),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: "must be an ISO 3166-1 alpha-2 code such as DE" })
    .optional()
    .describe("For public holidays."),
  region: z.string().min(1).max(10).optional().describe("A subdivision for regional holidays (BY for Bavaria)."),
});

export const CreateClientHeaders = IdempotentHeaders;
export const ClientParams = z.object({ id: z.string().min(1).max(128) });
export const ListClientsQuery = z.object(PageQuery);
export const ClientPage = pageOf(Client);
