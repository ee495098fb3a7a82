// Fetching deals through each CRM's REST API: webhooks carry only ids (HubSpot) and can be lost,
// so Onboard reads one deal on demand and lists deals won since a time for a reconciliation pull.
// Every answer comes back as the one CrmDeal shape.
import type { Instant } from "../engine/types.ts";
import type { CrmDeal, CrmKind } from "./deal.ts";
import { hubspotApi } from "./hubspot/rest.ts";
import { pipedriveApi } from "./pipedrive/rest.ts";
import type { CrmApiSettings } from "./request.ts";
import { salesforceApi } from "./salesforce/rest.ts";

export { CrmApiError, type CrmApiSettings } from "./request.ts";

export interface WonQuery {
  readonly since: Instant;
  /** Stage ids/names that mean won (HubSpot dealstage ids; Salesforce StageName; ignored by Pipedrive, which has status=won). */
  readonly wonStages: readonly string[];
  /** Extra deal fields to fetch (a mapping names them). */
  readonly fields: readonly string[];
  readonly accountFields: readonly string[];
  /** Stop after this many deals (bounded; default 500). */
  readonly limit?: number;
}

export interface CrmApi {
  fetchDeal(dealId: string, fields: readonly string[], accountFields: readonly string[]): Promise<CrmDeal>;
  listWon(query: WonQuery): Promise<CrmDeal[]>;
}

export function crmApi(kind: CrmKind, settings: CrmApiSettings): CrmApi {
  switch (kind) {
    case "hubspot":
      return hubspotApi(settings);
    case "pipedrive":
      return pipedriveApi(settings);
    case "salesforce":
      return salesforceApi(settings);
  }
}
