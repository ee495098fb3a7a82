// The CRM connection form as an admin fills it (text boxes, rows to add and remove) and its
// translation to the API's settings and back. Rows are sent as they are, empty ones included, so
// the server's error pointers (/body/settings/playbooks/2/playbook) name the row on screen.
import { ApiError } from "../api/client.ts";
import type { ConnectionSecrets, ConnectionSettings, ConnectionView, CrmKind, SecretName, WonRule } from "../api/crm.ts";

export interface WonRow {
  kind: WonRule["kind"];
  /** Stages or values, comma-separated. */
  values: string;
  field: string;
}
export interface ChoiceRow {
  field: string;
  /** Comma-separated. */
  equals: string;
  playbook: string;
}
export interface PairRow {
  key: string;
  value: string;
}

export interface ConnectionDraft {
  id: string;
  kind: CrmKind;
  name: string;
  enabled: boolean;
  tenant: string;
  /** Empty: the CRM's default won rule. */
  won: WonRow[];
  playbooks: ChoiceRow[];
  client: { name: string; timeZone: string; country: string; defaultTimeZone: string };
  /** fact id → CRM field. */
  facts: PairRow[];
  ownerRole: string;
  /** CRM owner id → person id. */
  owners: PairRow[];
  reconcile: { enabled: boolean; everyMinutes: string; lookbackHours: string };
  apiBaseUrl: string;
  /** Blank: keep the one set (on edit), or none (on add). */
  secrets: Record<SecretName, string>;
}

export const TENANT_LABEL: Readonly<Record<CrmKind, string>> = {
  hubspot: "HubSpot portal id",
  salesforce: "Salesforce organization id (00D…)",
  pipedrive: "Pipedrive company id",
};

export const KIND_NAME: Readonly<Record<CrmKind, string>> = { hubspot: "HubSpot", pipedrive: "Pipedrive", salesforce: "Salesforce" };

export const DEFAULT_WON_NOTE: Readonly<Record<CrmKind, string>> = {
  hubspot: "HubSpot's default: won when the deal stage is closedwon.",
  pipedrive: "Pipedrive's default: won when the deal's status is won.",
  salesforce:
    "Salesforce's default: won when IsWon is true or the stage is Closed Won; a message carrying neither is taken as won (the outbound message's rule decides).",
};

/** The secrets a CRM of this kind uses, with what each is for. */
export const SECRETS_OF: Readonly<Record<CrmKind, readonly { name: SecretName; label: string; hint: string; password: boolean }[]>> = {
  hubspot: [
    {
      name: "hubspotClientSecret",
      label: "HubSpot app client secret",
      hint: "Checks the signature (v3) of each delivery.",
      password: true,
    },
    {
      name: "apiToken",
      label: "API token (private app)",
      hint: 'Recommended: HubSpot\'s webhooks carry only ids, so without it clients are named "HubSpot deal <id>" and mapped facts stay empty. Also needed to reconcile.',
      password: true,
    },
  ],
  pipedrive: [
    { name: "webhookUser", label: "Webhook user", hint: "The HTTP auth user set on the Pipedrive webhook.", password: false },
    {
      name: "webhookPassword",
      label: "Webhook password",
      hint: "The HTTP auth password set on the Pipedrive webhook, 12 characters or more.",
      password: true,
    },
    {
      name: "apiToken",
      label: "API token",
      hint: "Recommended: webhooks v2 carry the organization's id only, so without it clients are named after the deal's title. Also needed to reconcile.",
      password: true,
    },
  ],
  salesforce: [
    {
      name: "apiToken",
      label: "API access token",
      hint: "Recommended: an Outbound Message carries the Opportunity's fields only, so without it clients are named after the opportunity (or a mapped field). Also needed to reconcile.",
      password: true,
    },
  ],
};

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const blankSecrets = (): Record<SecretName, string> => ({ hubspotClientSecret: "", webhookUser: "", webhookPassword: "", apiToken: "" });

export function emptyDraft(kind: CrmKind = "hubspot"): ConnectionDraft {
  return {
    id: "",
    kind,
    name: "",
    enabled: true,
    tenant: "",
    won: [],
    playbooks: [{ field: "", equals: "", playbook: "" }],
    client: { name: "", timeZone: "", country: "", defaultTimeZone: "UTC" },
    facts: [],
    ownerRole: "",
    owners: [],
    reconcile: { enabled: false, everyMinutes: "60", lookbackHours: "72" },
    apiBaseUrl: "",
    secrets: blankSecrets(),
  };
}

export function draftOf(view: ConnectionView): ConnectionDraft {
  const s = view.settings;
  return {
    id: view.id,
    kind: view.kind,
    name: s.name,
    enabled: s.enabled,
    tenant: s.tenant ?? "",
    won: (s.won ?? []).map((rule) =>
      rule.kind === "message"
        ? { kind: "message", values: "", field: "" }
        : rule.kind === "stages"
          ? { kind: "stages", values: rule.stages.join(", "), field: "" }
          : { kind: "field", values: rule.equals.join(", "), field: rule.field },
    ),
    playbooks: s.playbooks.map((c) => ({ field: c.when?.field ?? "", equals: c.when?.equals.join(", ") ?? "", playbook: c.playbook })),
    client: {
      name: s.client.name ?? "",
      timeZone: s.client.timeZone ?? "",
      country: s.client.country ?? "",
      defaultTimeZone: s.client.defaultTimeZone,
    },
    facts: Object.entries(s.facts).map(([key, value]) => ({ key, value })),
    ownerRole: s.owners.role ?? "",
    owners: Object.entries(s.owners.people).map(([key, value]) => ({ key, value })),
    reconcile: {
      enabled: s.reconcile.enabled,
      everyMinutes: String(s.reconcile.everyMinutes),
      lookbackHours: String(s.reconcile.lookbackHours),
    },
    apiBaseUrl: s.apiBaseUrl ?? "",
    secrets: blankSecrets(),
  };
}

/** A number box's text as a number; an empty or bad one is sent as NaN (null in JSON), for the server to name at its field. */
function numberOf(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text.trim());
}

function optional<K extends string>(key: K, text: string): { [P in K]?: string } {
  const value = text.trim();
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

export function settingsOf(draft: ConnectionDraft): ConnectionSettings {
  const won = draft.won.map((row): WonRule => {
    if (row.kind === "message") return { kind: "message" };
    if (row.kind === "stages") return { kind: "stages", stages: list(row.values) };
    return { kind: "field", field: row.field.trim(), equals: list(row.values) };
  });
  return {
    name: draft.name.trim(),
    enabled: draft.enabled,
    ...optional("tenant", draft.tenant),
    ...(won.length > 0 ? { won } : {}),
    playbooks: draft.playbooks.map((row) => ({
      ...(row.field.trim() || row.equals.trim() ? { when: { field: row.field.trim(), equals: list(row.equals) } } : {}),
      playbook: row.playbook.trim(),
    })),
    client: {
      ...optional("name", draft.client.name),
      ...optional("timeZone", draft.client.timeZone),
      ...optional("country", draft.client.country),
      defaultTimeZone: draft.client.defaultTimeZone.trim() || "UTC",
    },
    // A row left blank is no mapping (the add button leaves one behind).
    facts: Object.fromEntries(filled(draft.facts).map((row) => [row.key.trim(), row.value.trim()])),
    owners: {
      ...optional("role", draft.ownerRole),
      people: Object.fromEntries(filled(draft.owners).map((row) => [row.key.trim(), row.value.trim()])),
    },
    reconcile: {
      enabled: draft.reconcile.enabled,
      everyMinutes: numberOf(draft.reconcile.everyMinutes),
      lookbackHours: numberOf(draft.reconcile.lookbackHours),
    },
    ...optional("apiBaseUrl", draft.apiBaseUrl),
  };
}

/** The secrets typed in, for this kind only; blank ones are left out (kept on edit). */
export function secretsOf(draft: ConnectionDraft): ConnectionSecrets {
  const out: ConnectionSecrets = {};
  for (const { name } of SECRETS_OF[draft.kind]) {
    const value = draft.secrets[name];
    if (value.trim() !== "") out[name] = value;
  }
  return out;
}

/**
 * The server's field errors by their pointer under the body, without "/body"
 * ("/body/settings/playbooks/0/playbook" → "settings/playbooks/0/playbook").
 */
export function errorsByPointer(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) {
    const key = e.pointer.replace(/^\/body\/?/, "").replace(/\/+$/, "");
    out[key] = out[key] ? `${out[key]}; ${e.detail}` : e.detail;
  }
  return out;
}

/** The errors at `prefix` or under it (a row's errors, a rule's), joined. */
export function errorUnder(errors: Record<string, string>, prefix: string): string | undefined {
  const found = Object.entries(errors)
    .filter(([key]) => key === prefix || key.startsWith(`${prefix}/`))
    .map(([, detail]) => detail);
  return found.length > 0 ? found.join("; ") : undefined;
}

/** The pointers the form shows at a field (and under it), for the draft as it is now. */
export function fieldPointers(draft: ConnectionDraft): string[] {
  const out = [
    "id",
    "kind",
    "settings/name",
    "settings/tenant",
    "settings/client/name",
    "settings/client/timeZone",
    "settings/client/country",
    "settings/client/defaultTimeZone",
    "settings/owners/role",
    "settings/reconcile/everyMinutes",
    "settings/reconcile/lookbackHours",
    "settings/apiBaseUrl",
    ...SECRETS_OF[draft.kind].map((s) => `secrets/${s.name}`),
  ];
  for (const [i, rule] of draft.won.entries()) {
    out.push(`settings/won/${i}/kind`);
    if (rule.kind === "field") out.push(`settings/won/${i}/field`, `settings/won/${i}/equals`);
    if (rule.kind === "stages") out.push(`settings/won/${i}/stages`);
  }
  for (const i of draft.playbooks.keys())
    out.push(`settings/playbooks/${i}/when/field`, `settings/playbooks/${i}/when/equals`, `settings/playbooks/${i}/playbook`);
  for (const row of draft.facts) out.push(`settings/facts/${row.key.trim()}`);
  for (const row of draft.owners) out.push(`settings/owners/people/${row.key.trim()}`);
  return out;
}

/** The errors no field of the form shows (a whole list's, an object's), with where they point, in words. */
export function unclaimedErrors(errors: Record<string, string>, draft: ConnectionDraft): string[] {
  const shown = fieldPointers(draft);
  return Object.entries(errors)
    .filter(([key]) => !shown.some((s) => key === s || key.startsWith(`${s}/`)))
    .map(
      ([key, detail]) =>
        `${
          key
            ? key
                .replace(/^settings\//, "")
                .split("/")
                .join(" › ")
            : "the connection"
        }: ${detail}`,
    );
}

function filled(rows: readonly PairRow[]): PairRow[] {
  return rows.filter((row) => row.key.trim() !== "" || row.value.trim() !== "");
}
