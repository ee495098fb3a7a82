// A deal as Onboard reads it from any CRM: the vendor's payloads (webhooks, REST answers) are
// parsed at the edge into this one shape, and everything after (what counts as won, which
// playbook, the client's name, the facts) works on it. Field names stay the CRM's own (HubSpot
// property names, Salesforce field API names, Pipedrive keys) so a connection's mapping can name
// any field the admin sees in their CRM, custom ones included.
import type { Instant } from "../engine/types.ts";

export type CrmKind = "hubspot" | "pipedrive" | "salesforce";
export const CRM_KINDS: readonly CrmKind[] = ["hubspot", "pipedrive", "salesforce"];

/** Field values as text (numbers and booleans as the CRM writes them); null: sent empty. */
export type FieldValues = Readonly<Record<string, string | null>>;

/** The organization the deal was won with: HubSpot company, Salesforce Account, Pipedrive organization. */
export interface CrmAccount {
  readonly id: string;
  readonly fields: FieldValues;
}

export interface CrmDeal {
  readonly kind: CrmKind;
  /** The CRM account the data lives in: HubSpot portalId, Salesforce organization id (15 characters), Pipedrive company_id. */
  readonly tenant: string | undefined;
  readonly dealId: string;
  /** The deal's fields by the CRM's own names. */
  readonly fields: FieldValues;
  /** The fields before this change, where the CRM says (Pipedrive's previous); absent: unknown. */
  readonly previous?: FieldValues;
  /** The account, when the payload or the REST API gave it. */
  readonly account?: CrmAccount;
  /** false: the payload carried only ids and the changed property (HubSpot); fetch the deal for the rest. */
  readonly complete: boolean;
  /** When the CRM says the change happened. */
  readonly occurredAt?: Instant;
}

/** The fields each CRM uses for what every connection needs; a connection's mapping can name others. */
export interface VendorFields {
  readonly stage: string;
  readonly amount: string;
  readonly name: string;
  readonly owner: string;
  readonly accountId: string;
  readonly pipeline: string | undefined;
  readonly closeDate: string;
  readonly currency: string | undefined;
  /** The account's name field. */
  readonly accountName: string;
  /** The account's country field (ISO code or country name). */
  readonly accountCountry: string;
}

export const VENDOR_FIELDS: Readonly<Record<CrmKind, VendorFields>> = {
  hubspot: {
    stage: "dealstage",
    amount: "amount",
    name: "dealname",
    owner: "hubspot_owner_id",
    accountId: "associatedcompanyid",
    pipeline: "pipeline",
    closeDate: "closedate",
    currency: "deal_currency_code",
    accountName: "name",
    accountCountry: "country",
  },
  pipedrive: {
    stage: "stage_id",
    amount: "value",
    name: "title",
    owner: "owner_id",
    accountId: "org_id",
    pipeline: "pipeline_id",
    closeDate: "won_time",
    currency: "currency",
    accountName: "name",
    accountCountry: "address_country",
  },
  salesforce: {
    stage: "StageName",
    amount: "Amount",
    name: "Name",
    owner: "OwnerId",
    accountId: "AccountId",
    pipeline: "Type",
    closeDate: "CloseDate",
    currency: "CurrencyIsoCode",
    accountName: "Name",
    accountCountry: "BillingCountry",
  },
};
