// Salesforce REST API v60.0: an Opportunity with its Account (sObject Rows), and Opportunities won
// since a time through one SOQL query, following nextRecordsUrl.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
import { z } from "zod";
import type { CrmAccount, CrmDeal, FieldValues } from "../deal.ts";
import { CrmApiError, type CrmApiSettings, type Requester, requester } from "../request.ts";
import type { CrmApi, WonQuery } from "../rest.ts";
import { fieldText, instantOf, sinceMs, wonLimit } from "../values.ts";

export const SALESFORCE_API = "/services/data/v60.0";

/** What every connection reads off an Opportunity (VENDOR_FIELDS.salesforce) plus the change time. */
const OPPORTUNITY_FIELDS = ["Id", "Name", "StageName", "IsWon", "Amount", "CloseDate", "OwnerId", "AccountId", "Type", "LastModifiedDate"];
const ACCOUNT_FIELDS = ["Name", "BillingCountry"];
/** A field API name, or a relationship path to one (Owner.Name); nothing that could end the select list. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** 15- or 18-character record id. */
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

const SObject = z.looseObject({ Id: z.string().optional() });
const Opportunity = SObject.extend({ AccountId: z.string().nullish(), LastModifiedDate: z.string().nullish() });

const QueryPage = z.looseObject({
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(Opportunity),
});

/** The instance URL is the base (https://mydomain.my.salesforce.com); the token is an OAuth access token. */
export function salesforceApi(settings: CrmApiSettings): CrmApi {
  const request = requester("salesforce", settings, "bearer");
  return {
    // sObject Rows without ?fields= returns every field, custom ones included, so the lists need not be sent.
    fetchDeal: async (dealId) => {
      if (!RECORD_ID.test(dealId)) throw refused(`Salesforce record ids are 15 or 18 letters and digits, not ${JSON.stringify(dealId)}`);
      const opportunity = await request({ path: `${SALESFORCE_API}/sobjects/Opportunity/${dealId}` }, Opportunity);
      const accountId = opportunity.AccountId;
      let account: CrmAccount | undefined;
      if (accountId) {
        if (!RECORD_ID.test(accountId)) throw refused(`Salesforce gave an AccountId that is not a record id: ${JSON.stringify(accountId)}`);
        const record = await request({ path: `${SALESFORCE_API}/sobjects/Account/${accountId}` }, SObject);
        account = { id: accountId, fields: flatten(record) };
      }
      return dealOf(dealId, opportunity, account);
    },
    listWon: (query) => listWon(request, query),
  };
}

async function listWon(request: Requester, query: WonQuery): Promise<CrmDeal[]> {
  const limit = wonLimit(query.limit);
  const soql = wonSoql(query, limit);
  const deals: CrmDeal[] = [];
  let page = await request({ path: `${SALESFORCE_API}/query`, query: { q: soql } }, QueryPage);
  for (;;) {
    for (const record of page.records.slice(0, limit - deals.length)) deals.push(dealFromQuery(record));
    if (page.done || !page.nextRecordsUrl || deals.length >= limit) return deals;
    // The locator is a path on the same instance; anything else would send the token elsewhere.
    if (!page.nextRecordsUrl.startsWith(`${SALESFORCE_API}/query/`))
      throw refused(`Salesforce gave a nextRecordsUrl outside the query API: ${page.nextRecordsUrl}`);
    page = await request({ path: page.nextRecordsUrl }, QueryPage);
  }
}

/** The SOQL for won Opportunities: names checked against FIELD_NAME, stage names quoted, so nothing in the query can change its meaning. */
export function wonSoql(query: WonQuery, limit: number): string {
  const fields = selectList([...OPPORTUNITY_FIELDS, ...query.fields]);
  const accountFields = selectList([...ACCOUNT_FIELDS, ...query.accountFields].map((name) => `Account.${checkedName(name)}`));
  const stages = query.wonStages.map(soqlString);
  const won = stages.length > 0 ? `(IsWon = true OR StageName IN (${stages.join(", ")}))` : "IsWon = true";
  // SOQL datetime literal: YYYY-MM-DDThh:mm:ssZ, no fractions; flooring the second keeps the bound inclusive.
  const since = new Date(sinceMs(query.since)).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `SELECT ${[...fields, ...accountFields.filter((name) => !fields.includes(name))].join(", ")} FROM Opportunity WHERE ${won} AND LastModifiedDate >= ${since} ORDER BY LastModifiedDate LIMIT ${limit}`;
}

function selectList(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    checkedName(name);
    // SOQL field names are case-insensitive and a repeated one fails the whole query.
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    out.push(name);
  }
  return out;
}

function checkedName(name: string): string {
  if (!FIELD_NAME.test(name)) throw refused(`not a Salesforce field name: ${JSON.stringify(name)}`);
  return name;
}

/** A SOQL string literal: backslash escapes for the quote, the backslash and the control characters SOQL names. */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (char) => {
    switch (char) {
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      case "\b":
        return "\\b";
      case "\f":
        return "\\f";
      default:
        return `\\${char}`;
    }
  });
  return `'${escaped}'`;
}

function dealFromQuery(record: z.infer<typeof Opportunity>): CrmDeal {
  const nested = record.Account;
  const account: CrmAccount | undefined =
    record.AccountId && nested !== null && typeof nested === "object" && !Array.isArray(nested)
      ? { id: record.AccountId, fields: flatten(nested as Record<string, unknown>) }
      : undefined;
  const { Account: _account, ...fields } = record;
  return dealOf(record.Id ?? "", fields, account);
}

function dealOf(dealId: string, record: z.infer<typeof Opportunity>, account: CrmAccount | undefined): CrmDeal {
  const occurredAt = instantOf(record.LastModifiedDate);
  return {
    kind: "salesforce",
    tenant: undefined,
    dealId: record.Id ?? dealId,
    fields: flatten(record),
    ...(account ? { account } : {}),
    complete: true,
    ...(occurredAt ? { occurredAt } : {}),
  };
}

/**
 * A record as text fields: scalars by API name, `attributes` (type and URL) left out, and a nested
 * object (a relationship such as Owner, or a compound field such as BillingAddress) as dotted names.
 */
function flatten(record: Readonly<Record<string, unknown>>, prefix = ""): FieldValues {
  const out: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === "attributes") continue;
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      Object.assign(out, flatten(value as Record<string, unknown>, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = fieldText(value);
  }
  return out;
}

function refused(message: string): CrmApiError {
  return new CrmApiError("salesforce", message, { retryable: false });
}
