// HubSpot CRM v3: a deal with its primary company, and deals won since a time through the search API.
// https://developers.hubspot.com/docs/guides/api/crm/objects/deals
import { z } from "zod";
import type { CrmAccount, CrmDeal } from "../deal.ts";
import { CrmApiError, type CrmApiSettings, type Requester, requester } from "../request.ts";
import type { CrmApi, WonQuery } from "../rest.ts";
import { distinct, fieldTexts, instantOf, sinceMs, wonLimit } from "../values.ts";

export const HUBSPOT_BASE_URL = "https://api.hubapi.com";

/** What every connection reads off a deal (VENDOR_FIELDS.hubspot) plus the change time. */
const DEAL_PROPERTIES = [
  "dealname",
  "dealstage",
  "amount",
  "pipeline",
  "closedate",
  "hubspot_owner_id",
  "deal_currency_code",
  "hs_lastmodifieddate",
];
const COMPANY_PROPERTIES = ["name", "country", "domain"];
/** HubSpot-defined association type "deal to primary company". */
const PRIMARY_COMPANY_TYPE_ID = 5;
const PRIMARY_COMPANY_TYPE = "deal_to_company";
/** The search API's page size ceiling. */
const SEARCH_PAGE = 100;

const Properties = z.record(z.string(), z.string().nullable());

const HubSpotObject = z.looseObject({
  id: z.string(),
  properties: Properties,
  updatedAt: z.string().optional(),
});

const AssociationType = z.looseObject({
  associationTypeId: z.number().optional(),
  typeId: z.number().optional(),
  label: z.string().nullish(),
});

const DealWithAssociations = HubSpotObject.extend({
  associations: z
    .looseObject({
      companies: z
        .looseObject({
          results: z.array(z.looseObject({ id: z.string(), type: z.string().optional(), types: z.array(AssociationType).optional() })),
        })
        .optional(),
    })
    .optional(),
});

const SearchPage = z.looseObject({
  results: z.array(HubSpotObject),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});

const AssociationsBatch = z.looseObject({
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: z.string() }),
      to: z.array(z.looseObject({ toObjectId: z.union([z.string(), z.number()]), associationTypes: z.array(AssociationType).default([]) })),
    }),
  ),
});

const ObjectsBatch = z.looseObject({ results: z.array(HubSpotObject) });

export function hubspotApi(settings: CrmApiSettings): CrmApi {
  const request = requester("hubspot", { ...settings, baseUrl: settings.baseUrl || HUBSPOT_BASE_URL }, "bearer");
  return {
    fetchDeal: (dealId, fields, accountFields) => fetchDeal(request, dealId, fields, accountFields),
    listWon: (query) => listWon(request, query),
  };
}

async function fetchDeal(
  request: Requester,
  dealId: string,
  fields: readonly string[],
  accountFields: readonly string[],
): Promise<CrmDeal> {
  if (!/^\d+$/.test(dealId))
    throw new CrmApiError("hubspot", `HubSpot deal ids are numbers, not ${JSON.stringify(dealId)}`, { retryable: false });
  const deal = await request(
    {
      path: `/crm/v3/objects/deals/${dealId}`,
      query: { properties: distinct([...DEAL_PROPERTIES, ...fields]).join(","), associations: "companies" },
    },
    DealWithAssociations,
  );
  const companies = deal.associations?.companies?.results ?? [];
  const primary = companies.find(
    (company) =>
      company.type === PRIMARY_COMPANY_TYPE ||
      company.types?.some((type) => (type.associationTypeId ?? type.typeId) === PRIMARY_COMPANY_TYPE_ID),
  );
  const companyId = (primary ?? companies[0])?.id;
  const account = companyId === undefined ? undefined : await company(request, companyId, accountFields);
  return dealOf(deal, companyId, account);
}

/** The company, or undefined when HubSpot no longer has it (deleted since the association was read). */
async function company(request: Requester, companyId: string, accountFields: readonly string[]): Promise<CrmAccount | undefined> {
  try {
    const found = await request(
      {
        path: `/crm/v3/objects/companies/${encodeURIComponent(companyId)}`,
        query: { properties: distinct([...COMPANY_PROPERTIES, ...accountFields]).join(",") },
      },
      HubSpotObject,
    );
    return accountOf(found);
  } catch (error) {
    if (error instanceof CrmApiError && error.status === 404) return undefined;
    throw error;
  }
}

async function listWon(request: Requester, query: WonQuery): Promise<CrmDeal[]> {
  if (query.wonStages.length === 0)
    throw new CrmApiError("hubspot", "HubSpot needs the won stage ids to list won deals", { retryable: false });
  const limit = wonLimit(query.limit);
  const since = sinceMs(query.since);
  const properties = distinct([...DEAL_PROPERTIES, ...query.fields]);
  const deals: z.infer<typeof HubSpotObject>[] = [];
  let after: string | undefined;
  do {
    const page = await request(
      {
        method: "POST",
        path: "/crm/v3/objects/deals/search",
        body: {
          filterGroups: [
            {
              filters: [
                { propertyName: "dealstage", operator: "IN", values: [...query.wonStages] },
                { propertyName: "hs_lastmodifieddate", operator: "GTE", value: String(since) },
              ],
            },
          ],
          sorts: [{ propertyName: "hs_lastmodifieddate", direction: "ASCENDING" }],
          properties,
          limit: Math.min(SEARCH_PAGE, limit - deals.length),
          ...(after === undefined ? {} : { after }),
        },
      },
      SearchPage,
    );
    deals.push(...page.results.slice(0, limit - deals.length));
    after = page.paging?.next?.after;
  } while (after !== undefined && deals.length < limit);

  const accounts = await accountsOf(request, deals, query.accountFields);
  return deals.map((deal) => {
    const company = accounts.get(deal.id);
    return dealOf(deal, company?.companyId, company?.account);
  });
}

/** Each deal's primary (else first) company, two batch calls per hundred deals. */
async function accountsOf(
  request: Requester,
  deals: readonly z.infer<typeof HubSpotObject>[],
  accountFields: readonly string[],
): Promise<Map<string, { readonly companyId: string; readonly account: CrmAccount | undefined }>> {
  const companyOfDeal = new Map<string, string>();
  for (let start = 0; start < deals.length; start += SEARCH_PAGE) {
    const batch = deals.slice(start, start + SEARCH_PAGE);
    const associations = await request(
      { method: "POST", path: "/crm/v4/associations/deals/companies/batch/read", body: { inputs: batch.map((deal) => ({ id: deal.id })) } },
      AssociationsBatch,
    );
    for (const result of associations.results) {
      const primary = result.to.find((to) =>
        to.associationTypes.some((type) => (type.typeId ?? type.associationTypeId) === PRIMARY_COMPANY_TYPE_ID),
      );
      const chosen = primary ?? result.to[0];
      if (chosen) companyOfDeal.set(result.from.id, String(chosen.toObjectId));
    }
  }
  const companyIds = distinct(companyOfDeal.values());
  const companies = new Map<string, CrmAccount>();
  for (let start = 0; start < companyIds.length; start += SEARCH_PAGE) {
    const batch = await request(
      {
        method: "POST",
        path: "/crm/v3/objects/companies/batch/read",
        body: {
          properties: distinct([...COMPANY_PROPERTIES, ...accountFields]),
          propertiesWithHistory: [],
          inputs: companyIds.slice(start, start + SEARCH_PAGE).map((id) => ({ id })),
        },
      },
      ObjectsBatch,
    );
    for (const company of batch.results) companies.set(company.id, accountOf(company));
  }
  // A company the batch read did not return (deleted since) still names the deal's company id.
  return new Map([...companyOfDeal].map(([dealId, companyId]) => [dealId, { companyId, account: companies.get(companyId) }]));
}

function accountOf(company: z.infer<typeof HubSpotObject>): CrmAccount {
  return { id: company.id, fields: fieldTexts(company.properties) };
}

function dealOf(deal: z.infer<typeof HubSpotObject>, companyId: string | undefined, account: CrmAccount | undefined): CrmDeal {
  const occurredAt = instantOf(deal.properties.hs_lastmodifieddate) ?? instantOf(deal.updatedAt);
  return {
    kind: "hubspot",
    tenant: undefined,
    dealId: deal.id,
    fields: { ...fieldTexts(deal.properties), associatedcompanyid: companyId ?? null },
    ...(account ? { account } : {}),
    complete: true,
    ...(occurredAt ? { occurredAt } : {}),
  };
}
