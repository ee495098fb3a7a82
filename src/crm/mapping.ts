// From a won deal to what a project starts with: the client (the account, not the opportunity:
// one client, several onboardings), the playbook's facts in their declared types, the amount, and
// the person the deal owner is. Pure: a mapping that cannot be applied says which fact and field.
import type { Fact } from "../playbook/schema.ts";
import { type Connection, fieldOf, tenantOf } from "./connection.ts";
import { type CrmDeal, type CrmKind, VENDOR_FIELDS } from "./deal.ts";

const VENDOR_NAMES: Readonly<Record<CrmKind, string>> = { hubspot: "HubSpot", pipedrive: "Pipedrive", salesforce: "Salesforce" };
const ACCOUNT_NOUN: Readonly<Record<CrmKind, string>> = { hubspot: "company", pipedrive: "org", salesforce: "account" };

export function vendorName(kind: CrmKind): string {
  return VENDOR_NAMES[kind];
}

export interface MappedClient {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country?: string;
  /** Whether the name came from the account or a mapped field (false: a placeholder from the deal id). */
  readonly named: boolean;
}

/** The account's id, from the account fetched or the deal's account field. */
export function accountIdOf(kind: CrmKind, deal: CrmDeal): string | undefined {
  const id = deal.account?.id ?? deal.fields[VENDOR_FIELDS[kind].accountId];
  return id === null || id === undefined || id.trim() === "" || id === "0" ? undefined : id.trim();
}

const SLUG_UNSAFE = /[^A-Za-z0-9._:-]/g;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

let countryCodes: Map<string, string> | undefined;
/** ISO 3166 alpha-2 from a code or an English country name ("Germany", "United States"). */
export function countryCode(value: string): string | undefined {
  const text = value.trim();
  if (/^[A-Za-z]{2}$/.test(text)) return text.toUpperCase();
  if (!countryCodes) {
    countryCodes = new Map();
    const names = new Intl.DisplayNames(["en"], { type: "region" });
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        const name = names.of(code);
        if (name && name !== code) countryCodes.set(name.toLowerCase(), code);
      }
    for (const [alias, code] of [
      ["usa", "US"],
      ["united states of america", "US"],
      ["uk", "GB"],
      ["england", "GB"],
      ["deutschland", "DE"],
      ["brasil", "BR"],
      ["españa", "ES"],
      ["schweiz", "CH"],
      ["österreich", "AT"],
      ["nederland", "NL"],
    ] as const)
      countryCodes.set(alias, code);
  }
  return countryCodes.get(text.toLowerCase());
}

function text(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The client a won deal belongs to: its account when the CRM says which, else the deal itself. */
export function mapClient(connection: Connection, deal: CrmDeal): MappedClient {
  const { kind, settings } = connection;
  const fields = VENDOR_FIELDS[kind];
  const tenant = deal.tenant ?? tenantOf(connection);
  const accountId = accountIdOf(kind, deal);
  const scope = kind === "salesforce" || !tenant ? kind : `${kind}-${tenant}`;
  // Salesforce record ids say their object by their prefix (001: Account), so the id stands alone.
  const accountKey = kind === "salesforce" ? accountId : `${ACCOUNT_NOUN[kind]}-${accountId}`;
  const id = (accountId ? `${scope}-${accountKey}` : `${scope}-deal-${deal.dealId}`).replace(SLUG_UNSAFE, "_").slice(0, 128);
  const mappedName = settings.client.name ? text(fieldOf(deal, settings.client.name)) : undefined;
  const accountName =
    text(deal.account ? fieldOf(deal, `account.${fields.accountName}`) : undefined) ??
    // Pipedrive's deal carries its organization's name; Salesforce's message may carry Account.Name.
    text(deal.fields.org_name) ??
    text(deal.fields["Account.Name"]);
  const dealName = text(deal.fields[fields.name]);
  const name = mappedName ?? accountName ?? dealName;
  const zoneValue = settings.client.timeZone ? text(fieldOf(deal, settings.client.timeZone)) : undefined;
  const timeZone = zoneValue && isTimeZone(zoneValue) ? zoneValue : settings.client.defaultTimeZone;
  const countryValue = settings.client.country
    ? text(fieldOf(deal, settings.client.country))
    : text(deal.account ? fieldOf(deal, `account.${fields.accountCountry}`) : undefined);
  const country = countryValue ? countryCode(countryValue) : undefined;
  return {
    id,
    name: (name ?? `${VENDOR_NAMES[kind]} deal ${deal.dealId}`).slice(0, 200),
    timeZone,
    ...(country ? { country } : {}),
    named: name !== undefined,
  };
}

/** The deal's amount as a number (0 when absent or not a number). */
export function amountOf(kind: CrmKind, deal: CrmDeal): number {
  const value = deal.fields[VENDOR_FIELDS[kind].amount];
  const amount = value === null || value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(amount) && amount >= 0 ? amount : 0;
}

export type FactMapping = { readonly facts: Record<string, unknown> } | { readonly error: string; readonly fact: string };

const TRUE = new Set(["true", "yes", "1", "on", "y"]);
const FALSE = new Set(["false", "no", "0", "off", "n"]);

/** A CRM date (ISO date, ISO date-time or epoch milliseconds, HubSpot's habit) as year-month-day. */
function dateOf(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  if (/^\d{10,14}$/.test(value)) return new Date(Number(value)).toISOString().slice(0, 10);
  return undefined;
}

function convert(fact: Fact, value: string): { value: unknown } | { error: string } {
  switch (fact.type) {
    case "int":
    case "double": {
      const n = Number(value.replace(/[\s,_]/g, ""));
      if (!Number.isFinite(n)) return { error: `"${value}" is not a number` };
      return { value: fact.type === "int" ? Math.round(n) : n };
    }
    case "bool": {
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return { value: true };
      if (FALSE.has(v)) return { value: false };
      return { error: `"${value}" is neither true nor false` };
    }
    case "date": {
      const date = dateOf(value.trim());
      return date ? { value: date } : { error: `"${value}" is not a date` };
    }
    case "datetime": {
      const v = value.trim();
      if (/^\d{10,14}$/.test(v)) return { value: new Date(Number(v)).toISOString() };
      return Number.isNaN(Date.parse(v)) ? { error: `"${value}" is not a date and time` } : { value: v };
    }
    case "list": {
      // HubSpot's multiple checkboxes separate with ";", Pipedrive's multiple options with ",".
      const items = value
        .split(/[;,]/)
        .map((s) => s.trim())
        .filter(Boolean);
      return { value: fact.values ? items.map((i) => fact.values?.find((v) => v.toLowerCase() === i.toLowerCase()) ?? i) : items };
    }
    default: {
      const v = value.trim();
      // A choice matches its declared value whatever the CRM's capitals.
      return { value: fact.values?.find((option) => option.toLowerCase() === v.toLowerCase()) ?? v };
    }
  }
}

/** The playbook's facts from the connection's mapping; the engine then checks them as for any start. */
export function mapFacts(connection: Connection, deal: CrmDeal, declared: Readonly<Record<string, Fact>>): FactMapping {
  const facts: Record<string, unknown> = {};
  for (const [factId, field] of Object.entries(connection.settings.facts)) {
    const fact = declared[factId];
    // A mapping for a fact this playbook does not declare serves another playbook of the connection.
    if (!fact) continue;
    const value = fieldOf(deal, field);
    if (value === undefined || value === null || value.trim() === "") continue;
    const converted = convert(fact, value);
    if ("error" in converted) return { fact: factId, error: `fact ${factId} from ${field}: ${converted.error}` };
    facts[factId] = converted.value;
  }
  return { facts };
}

/** The person the deal's owner is in Onboard, when the connection says. */
export function ownerPerson(connection: Connection, deal: CrmDeal): string | undefined {
  const owner = text(deal.fields[VENDOR_FIELDS[connection.kind].owner]);
  return owner ? connection.settings.owners.people[owner] : undefined;
}
