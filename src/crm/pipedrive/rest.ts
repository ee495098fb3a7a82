// Pipedrive API v2: a deal with its organization, and deals won since a time (status=won, cursor paging).
// https://developers.pipedrive.com/docs/api/v1 (v2 endpoints) and https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide
import { z } from "zod";
import type { CrmAccount, CrmDeal, FieldValues } from "../deal.ts";
import { CrmApiError, type CrmApiSettings, type Requester, requester } from "../request.ts";
import type { CrmApi, WonQuery } from "../rest.ts";
import { fieldText, instantOf, sinceMs, wonLimit } from "../values.ts";

export const PIPEDRIVE_BASE_URL = "https://api.pipedrive.com";

const PAGE = 100;

const Entity = z.looseObject({
  id: z.number(),
  custom_fields: z.record(z.string(), z.unknown()).nullish(),
});

const Deal = Entity.extend({ org_id: z.number().nullish(), update_time: z.string().nullish() });

const One = <T extends z.ZodType>(data: T) => z.looseObject({ success: z.literal(true), data });

const DealPage = z.looseObject({
  success: z.literal(true),
  data: z.array(Deal),
  additional_data: z.looseObject({ next_cursor: z.string().nullish() }).nullish(),
});

/** Pipedrive's API token goes in x-api-token (v2 no longer takes it in the query string). */
export function pipedriveApi(settings: CrmApiSettings): CrmApi {
  const request = requester("pipedrive", { ...settings, baseUrl: settings.baseUrl || PIPEDRIVE_BASE_URL }, "x-api-token");
  // v2 returns every field, custom ones included, so the field lists need not be sent.
  return {
    fetchDeal: async (dealId) => {
      if (!/^\d+$/.test(dealId))
        throw new CrmApiError("pipedrive", `Pipedrive deal ids are numbers, not ${JSON.stringify(dealId)}`, { retryable: false });
      const { data } = await request({ path: `/api/v2/deals/${dealId}` }, One(Deal));
      return dealOf(data, data.org_id ? await organization(request, data.org_id) : undefined);
    },
    listWon: (query) => listWon(request, query),
  };
}

async function listWon(request: Requester, query: WonQuery): Promise<CrmDeal[]> {
  const limit = wonLimit(query.limit);
  // RFC 3339 without fractions, the form Pipedrive's docs show.
  const updatedSince = new Date(sinceMs(query.since)).toISOString().replace(/\.\d{3}Z$/, "Z");
  const deals: z.infer<typeof Deal>[] = [];
  let cursor: string | undefined;
  do {
    const page = await request(
      {
        path: "/api/v2/deals",
        query: {
          status: "won",
          updated_since: updatedSince,
          limit: String(Math.min(PAGE, limit - deals.length)),
          ...(cursor === undefined ? {} : { cursor }),
        },
      },
      DealPage,
    );
    deals.push(...page.data.slice(0, limit - deals.length));
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor !== undefined && deals.length < limit);

  const organizations = new Map<number, Promise<CrmAccount>>();
  const out: CrmDeal[] = [];
  for (const deal of deals) {
    let account: Promise<CrmAccount> | undefined;
    if (deal.org_id) {
      account = organizations.get(deal.org_id) ?? organization(request, deal.org_id);
      organizations.set(deal.org_id, account);
    }
    out.push(dealOf(deal, await account));
  }
  return out;
}

async function organization(request: Requester, orgId: number): Promise<CrmAccount> {
  const { data } = await request({ path: `/api/v2/organizations/${orgId}` }, One(Entity));
  return { id: String(data.id), fields: flatten(data) };
}

function dealOf(deal: z.infer<typeof Deal>, account: CrmAccount | undefined): CrmDeal {
  const occurredAt = instantOf(deal.update_time);
  return {
    kind: "pipedrive",
    tenant: undefined,
    dealId: String(deal.id),
    fields: flatten(deal),
    ...(account ? { account } : {}),
    complete: true,
    ...(occurredAt ? { occurredAt } : {}),
  };
}

/**
 * A v2 entity as text fields: top-level values by key, custom fields by their hash key, and an
 * address object as `address` (its value) plus `address_<part>` (address_country, address_locality, …)
 * — the names v1 and the webhooks use, so a mapping works whichever way the deal arrived. A custom
 * field object gives its value under the hash and its other parts as <hash>_<part>.
 */
function flatten(entity: Readonly<Record<string, unknown>>): FieldValues {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (key === "custom_fields") continue;
    if (key === "address" && value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [part, partValue] of Object.entries(value)) out[part === "value" ? "address" : `address_${part}`] = fieldText(partValue);
      continue;
    }
    out[key] = fieldText(value);
  }
  const custom = entity.custom_fields;
  if (custom && typeof custom === "object") {
    for (const [hash, value] of Object.entries(custom)) {
      out[hash] = fieldText(value);
      // A monetary, range or address field's other parts (currency, until, country…) as v1 named them.
      if (value !== null && typeof value === "object" && !Array.isArray(value) && "value" in value) {
        for (const [part, partValue] of Object.entries(value)) if (part !== "value") out[`${hash}_${part}`] = fieldText(partValue);
      }
    }
  }
  return out;
}
