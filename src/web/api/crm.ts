// The CRM connections API (/crm/connections) and delivery replay, typed here from the server's
// contract: the calls go through the same transport as every other (CSRF, problem+json as ApiError).
import { send } from "./client.ts";

export type CrmKind = "hubspot" | "pipedrive" | "salesforce";
export const CRM_KINDS: readonly CrmKind[] = ["hubspot", "pipedrive", "salesforce"];

export type WonRule = { kind: "message" } | { kind: "stages"; stages: string[] } | { kind: "field"; field: string; equals: string[] };

export interface PlaybookChoice {
  when?: { field: string; equals: string[] };
  playbook: string;
}

export interface ConnectionSettings {
  name: string;
  enabled: boolean;
  tenant?: string;
  won?: WonRule[];
  playbooks: PlaybookChoice[];
  client: { name?: string; timeZone?: string; country?: string; defaultTimeZone: string };
  facts: Record<string, string>;
  owners: { role?: string; people: Record<string, string> };
  reconcile: { enabled: boolean; everyMinutes: number; lookbackHours: number };
  apiBaseUrl?: string;
}

export interface ConnectionSecrets {
  hubspotClientSecret?: string;
  webhookUser?: string;
  webhookPassword?: string;
  apiToken?: string;
}
export type SecretName = keyof ConnectionSecrets;

export interface ConnectionView {
  id: string;
  kind: CrmKind;
  managedBy: "environment" | "database";
  settings: ConnectionSettings;
  secretsSet: Record<SecretName, boolean>;
  webhookUrl: string;
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
  reconciledAt: string | null;
  reconciledThrough: string | null;
  reconcileError: string | null;
}

export interface ReconcileResult {
  checked: number;
  started: number;
  duplicates: number;
  ignored: number;
  rejected: number;
  through: string | null;
  error: string | null;
}

export interface ReplayResult {
  deliveryId: string;
  outcome: "accepted" | "duplicate" | "ignored" | "rejected";
  dealId: string | null;
  projectId: string | null;
  reason: string | null;
}

export type DeliveryOutcome = "accepted" | "duplicate" | "ignored" | "rejected" | "failed";

export interface InboundDelivery {
  id: string;
  receivedAt: string;
  endpoint: string;
  source: string | null;
  outcome: DeliveryOutcome;
  reason: string | null;
  dealId: string | null;
  projectId: string | null;
  connectionId: string | null;
  replayOf: string | null;
  replayable: boolean;
}

const path = (id: string) => `/crm/connections/${encodeURIComponent(id)}`;

export async function listConnections(signal?: AbortSignal): Promise<ConnectionView[]> {
  return (await send<{ items: ConnectionView[] }>("GET", "/crm/connections", signal ? { signal } : {})).data.items;
}

export async function createConnection(body: {
  id: string;
  kind: CrmKind;
  settings: ConnectionSettings;
  secrets?: ConnectionSecrets;
}): Promise<ConnectionView> {
  return (await send<ConnectionView>("POST", "/crm/connections", { body })).data;
}

/** `version`: the one the form was filled from; another admin's save in between is refused (412). */
export async function updateConnection(
  id: string,
  version: number,
  body: { settings?: ConnectionSettings; secrets?: ConnectionSecrets },
): Promise<ConnectionView> {
  return (await send<ConnectionView>("PATCH", path(id), { body, headers: { "if-match": `"${version}"` } })).data;
}

export async function deleteConnection(id: string): Promise<void> {
  await send<undefined>("DELETE", path(id));
}

export async function reconcileConnection(id: string): Promise<ReconcileResult> {
  return (await send<ReconcileResult>("POST", `${path(id)}/reconcile`)).data;
}

export async function listDeliveries(
  filter: { outcome?: string; connection?: string; limit: number },
  signal?: AbortSignal,
): Promise<InboundDelivery[]> {
  return (await send<{ items: InboundDelivery[] }>("GET", "/webhooks/deliveries", { query: filter, ...(signal ? { signal } : {}) })).data
    .items;
}

export async function replayDelivery(id: string): Promise<ReplayResult> {
  return (await send<ReplayResult>("POST", `/webhooks/deliveries/${encodeURIComponent(id)}/replay`)).data;
}
