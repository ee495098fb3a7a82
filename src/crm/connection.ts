// A CRM connection: how one CRM account's deals become onboardings. It says what "won" means there
// (the message itself, a stage list, a field's value), which playbook a deal runs (by pipeline,
// segment, product: any field), how the client and the playbook's facts are filled from the deal
// and its account, and who the CSM should be (the deal owner). Admins edit it in the app; the
// decisions below are pure functions of the connection and a CrmDeal.
import { z } from "zod";
import { type CrmDeal, type CrmKind, type FieldValues, VENDOR_FIELDS } from "./deal.ts";

const FieldName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^(account\.)?[A-Za-z0-9_][A-Za-z0-9_.:-]*$/, {
    error: "a CRM field's API name, e.g. dealstage, StageName, amount or account.BillingCountry",
  })
  .describe(
    "A deal field by the CRM's own API name; account.<field> reads the account (HubSpot company, Salesforce Account, Pipedrive organization).",
  );

const Values = z.array(z.string().trim().min(1).max(200)).min(1).max(100);

export const WonRule = z.discriminatedUnion("kind", [
  z
    .object({ kind: z.literal("message") })
    .describe("Every message means won: the CRM's own rule (a Salesforce workflow rule or flow) sends only won deals."),
  z
    .object({ kind: z.literal("stages"), stages: Values })
    .describe("Won when the deal's stage is one of these (stage ids or names, case-insensitive), e.g. closedwon, Closed Won, Ganho."),
  z
    .object({ kind: z.literal("field"), field: FieldName, equals: Values })
    .describe("Won when this field has one of these values (case-insensitive), e.g. IsWon = true, status = won."),
]);
export type WonRule = z.infer<typeof WonRule>;

const PlaybookRef = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9][A-Za-z0-9._+-]*)?$/, { error: "choose a playbook (its id, or id@version)" });

export const PlaybookChoice = z.object({
  when: z
    .object({ field: FieldName, equals: Values })
    .optional()
    .describe("Only for deals whose field has one of these values (pipeline, segment, product...); none: every deal."),
  playbook: PlaybookRef.describe("The playbook to run: id (its latest published version) or id@version."),
});
export type PlaybookChoice = z.infer<typeof PlaybookChoice>;

export const ConnectionSettings = z.object({
  name: z.string().trim().min(1).max(120).describe("How admins know it, e.g. HubSpot EU portal."),
  enabled: z.boolean().default(true),
  tenant: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .describe(
      "The CRM account: HubSpot portal id, Salesforce organization id, Pipedrive company id. Deliveries from another account are refused; required for Salesforce and for reconciliation.",
    ),
  won: z
    .array(WonRule)
    .min(1)
    .max(10)
    .optional()
    .describe(
      "What means won (any rule that matches). Default: HubSpot stage closedwon; Pipedrive status won; Salesforce IsWon or stage Closed Won, or the message itself when it carries neither field.",
    ),
  playbooks: z.array(PlaybookChoice).min(1).max(50).describe("The first choice that matches a deal decides its playbook."),
  client: z
    .object({
      name: FieldName.optional().describe("Default: the account's name, else the deal's name."),
      timeZone: FieldName.optional().describe("A field holding an IANA time zone; default: defaultTimeZone."),
      country: FieldName.optional().describe("A field holding an ISO 3166 country code; default: the account's country when it is a code."),
      defaultTimeZone: z.string().trim().min(1).max(64).default("UTC"),
    })
    .default({ defaultTimeZone: "UTC" }),
  facts: z
    .record(
      z.string().regex(/^[a-z][a-z0-9_]*$/, { error: "a fact id as the playbook declares it (lowercase letters, digits and _)" }),
      FieldName,
    )
    .default({})
    .describe("Playbook fact id → the field that fills it, converted to the fact's declared type."),
  owners: z
    .object({
      role: z.string().trim().min(1).max(64).optional().describe("The playbook role the deal owner's person takes; default csm."),
      people: z
        .record(z.string().min(1, { error: "give the CRM's owner id" }).max(64), z.string().min(1, { error: "choose a person" }).max(128))
        .default({})
        .describe("CRM owner id → Onboard person id."),
    })
    .default({ people: {} }),
  reconcile: z
    .object({
      enabled: z.boolean().default(false),
      everyMinutes: z.number().int().min(5).max(1440).default(60),
      lookbackHours: z.number().int().min(1).max(720).default(72),
    })
    .default({ enabled: false, everyMinutes: 60, lookbackHours: 72 })
    .describe("A scheduled pull of recently won deals through the CRM's REST API, for webhooks that were lost; needs apiToken."),
  apiBaseUrl: z
    .url()
    .max(300)
    .optional()
    .describe("REST API origin: HubSpot https://api.hubapi.com; Pipedrive https://<company>.pipedrive.com; Salesforce the instance URL."),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;

/** Secrets are written, never read back. */
export const ConnectionSecrets = z.object({
  hubspotClientSecret: z.string().trim().min(1).max(512).optional().describe("HubSpot: the app's client secret (signature v3)."),
  webhookUser: z.string().trim().min(1).max(256).optional().describe("Pipedrive: the basic auth user set on the webhook."),
  webhookPassword: z
    .string()
    .min(12, { error: "must have at least 12 characters" })
    .max(256)
    .optional()
    .describe("Pipedrive: the basic auth password (12+ characters)."),
  apiToken: z.string().trim().min(1).max(2048).optional().describe("A REST API token: fetches what webhooks leave out, and reconciles."),
});
export type ConnectionSecrets = z.infer<typeof ConnectionSecrets>;

export interface Connection {
  readonly id: string;
  readonly kind: CrmKind;
  readonly settings: ConnectionSettings;
  readonly secrets: ConnectionSecrets;
  /** "environment": built from the server's variables (read-only); "database": made in the app. */
  readonly managedBy: "environment" | "database";
}

export const DEFAULT_WON: Readonly<Record<CrmKind, readonly WonRule[]>> = {
  hubspot: [{ kind: "stages", stages: ["closedwon"] }],
  pipedrive: [{ kind: "field", field: "status", equals: ["won"] }],
  salesforce: [
    { kind: "field", field: "IsWon", equals: ["true"] },
    { kind: "stages", stages: ["Closed Won"] },
  ],
};

/** A field of the deal, or of its account with the account. prefix; undefined: not in what we have. */
export function fieldOf(deal: CrmDeal, name: string): string | null | undefined {
  if (name.startsWith("account.")) {
    const key = name.slice("account.".length);
    if (key === "id") return deal.account?.id;
    return deal.account ? lookup(deal.account.fields, key) : undefined;
  }
  return lookup(deal.fields, name);
}

function lookup(fields: FieldValues, name: string): string | null | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export type WonDecision =
  | { readonly won: true; readonly why: string }
  | { readonly won: false; readonly why: string }
  /** The rules read fields the payload does not carry: fetch the deal, or say which fields to send. */
  | { readonly won: "unknown"; readonly missing: readonly string[] };

/** Whether the deal is won under the connection's rules. */
export function decideWon(connection: Connection, deal: CrmDeal): WonDecision {
  const explicit = connection.settings.won;
  const rules = explicit ?? DEFAULT_WON[connection.kind];
  const stageField = VENDOR_FIELDS[connection.kind].stage;
  const missing: string[] = [];
  for (const rule of rules) {
    if (rule.kind === "message") return { won: true, why: "every message of this connection means won" };
    const field = rule.kind === "stages" ? stageField : rule.field;
    const value = fieldOf(deal, field);
    if (value === undefined) {
      missing.push(field);
      continue;
    }
    const wanted = rule.kind === "stages" ? rule.stages : rule.equals;
    if (value !== null && wanted.some((w) => same(w, value))) return { won: true, why: `${field} is ${value}` };
  }
  if (missing.length === rules.filter((r) => r.kind !== "message").length) {
    // Salesforce's default: a message carrying none of the fields comes from a rule that is itself the won condition.
    if (explicit === undefined && connection.kind === "salesforce")
      return { won: true, why: "the message carries neither IsWon nor StageName: the outbound message's rule is the won condition" };
    return { won: "unknown", missing };
  }
  const said = rules
    .filter((r) => r.kind !== "message")
    .map((r) => {
      const field = r.kind === "stages" ? stageField : r.field;
      const value = fieldOf(deal, field);
      return `${field} is ${value === undefined ? "not sent" : value === null ? "empty" : `"${value}"`}`;
    });
  return { won: false, why: `not won: ${said.join(", ")}` };
}

/** Whether this change made the deal won (a deal already won before it, per previous, is not news). */
export function wasAlreadyWon(connection: Connection, deal: CrmDeal): boolean {
  if (!deal.previous) return false;
  const before: CrmDeal = { ...deal, fields: { ...deal.fields, ...deal.previous } };
  // Only fields the previous values speak of can say it was won before.
  const rules = connection.settings.won ?? DEFAULT_WON[connection.kind];
  const stageField = VENDOR_FIELDS[connection.kind].stage;
  const spoken = rules.some((r) => r.kind !== "message" && Object.hasOwn(deal.previous ?? {}, r.kind === "stages" ? stageField : r.field));
  return spoken && decideWon(connection, before).won === true;
}

/** The playbook the deal runs, or why none. */
export function choosePlaybook(
  connection: Connection,
  deal: CrmDeal,
): { readonly id: string; readonly version?: string; readonly choice: number } | { readonly none: string } {
  for (const [i, choice] of connection.settings.playbooks.entries()) {
    if (choice.when) {
      const value = fieldOf(deal, choice.when.field);
      if (value === undefined || value === null || !choice.when.equals.some((w) => same(w, value))) continue;
    }
    const [id, version] = choice.playbook.split("@") as [string, string | undefined];
    return { id, ...(version ? { version } : {}), choice: i };
  }
  const tried = connection.settings.playbooks
    .map((c) => (c.when ? `${c.when.field} = ${c.when.equals.join("/")} (is ${fieldOf(deal, c.when.field) ?? "not sent"})` : ""))
    .filter(Boolean);
  return { none: `no playbook choice matches: ${tried.join("; ")}` };
}

/** The deal and account fields a connection reads, for the REST API to fetch. */
export function fieldsNamed(connection: Connection): { readonly deal: string[]; readonly account: string[] } {
  const { settings, kind } = connection;
  const names = [
    ...(settings.won ?? DEFAULT_WON[kind]).map((r) =>
      r.kind === "field" ? r.field : r.kind === "stages" ? VENDOR_FIELDS[kind].stage : "",
    ),
    ...settings.playbooks.map((c) => c.when?.field ?? ""),
    settings.client.name ?? "",
    settings.client.timeZone ?? "",
    settings.client.country ?? "",
    ...Object.values(settings.facts),
  ].filter(Boolean);
  const deal = new Set<string>();
  const account = new Set<string>();
  for (const name of names) {
    if (name.startsWith("account.")) account.add(name.slice("account.".length));
    else deal.add(name);
  }
  account.delete("id");
  return { deal: [...deal], account: [...account] };
}

/** Where the connection's REST API is: as set, else the vendor's public API (Salesforce has none: its instance URL). */
export function apiBaseOf(connection: Connection): string | undefined {
  if (connection.settings.apiBaseUrl) return connection.settings.apiBaseUrl.replace(/\/+$/, "");
  if (connection.kind === "hubspot") return "https://api.hubapi.com";
  if (connection.kind === "pipedrive") return "https://api.pipedrive.com";
  return undefined;
}

/** The CRM account as deliveries name it: Salesforce sends the 15-character form of an organization id. */
export function tenantOf(connection: Connection): string | undefined {
  const tenant = connection.settings.tenant;
  return tenant && connection.kind === "salesforce" ? tenant.slice(0, 15) : tenant;
}

/** The deal fields the connection's won rules read (none for "every message"). */
export function wonFieldsOf(connection: Connection): string[] {
  const rules = connection.settings.won ?? DEFAULT_WON[connection.kind];
  return rules.flatMap((r) => (r.kind === "field" ? [r.field] : r.kind === "stages" ? [VENDOR_FIELDS[connection.kind].stage] : []));
}
