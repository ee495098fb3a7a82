// The REST side of a connection: with an API token, a deal a webhook named by id is fetched whole,
// with its account (src/crm/rest.ts does the vendor's calls).
import { apiBaseOf, type Connection, fieldsNamed } from "../../crm/connection.ts";
import { type CrmApi, crmApi } from "../../crm/rest.ts";
import type { DealFetcher } from "./intake.ts";

/** The connection's REST API, or undefined without an API token (or, for Salesforce, an instance URL). */
export function apiOf(connection: Connection): CrmApi | undefined {
  const token = connection.secrets.apiToken;
  const baseUrl = apiBaseOf(connection);
  if (token === undefined || baseUrl === undefined) return undefined;
  return crmApi(connection.kind, { baseUrl, token, timeoutMs: 10_000 });
}

/** How the connection fetches deals, or undefined when it cannot. */
export function fetcherFor(connection: Connection): DealFetcher | undefined {
  const api = apiOf(connection);
  if (!api) return undefined;
  const named = fieldsNamed(connection);
  return async (_connection, dealId) => api.fetchDeal(dealId, named.deal, named.account);
}
