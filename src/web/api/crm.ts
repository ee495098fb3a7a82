// The CRM connections API (/crm/connections) and delivery replay, named for the admin pages: the
// shapes are the generated OpenAPI types, the calls the typed client (CSRF, problem+json as ApiError).
import { api, type Schemas } from "./client.ts";

export type ConnectionView = Schemas["CrmConnection"];
export type CrmKind = ConnectionView["kind"];
export type ConnectionSettings = ConnectionView["settings"];
export type WonRule = NonNullable<ConnectionSettings["won"]>[number];
export type SecretName = keyof ConnectionView["secretsSet"];
export type ConnectionSecrets = Partial<Record<SecretName, string>>;
export type ReconcileResult = Schemas["CrmReconcileResult"];
export type ReplayResult = Schemas["WebhookDeliveryResult"];
export type InboundDelivery = Schemas["InboundWebhookDelivery"];
export type DeliveryOutcome = InboundDelivery["outcome"];

export const CRM_KINDS: readonly CrmKind[] = ["hubspot", "pipedrive", "salesforce"];

export async function listConnections(signal?: AbortSignal): Promise<ConnectionView[]> {
  return (await api.get("/crm/connections", signal ? { signal } : {})).data.items;
}

export async function createConnection(body: {
  id: string;
  kind: CrmKind;
  settings: ConnectionSettings;
  secrets?: ConnectionSecrets;
}): Promise<ConnectionView> {
  return (await api.post("/crm/connections", { body })).data;
}

/** `version`: the one the form was filled from; another admin's save in between is refused (412). */
export async function updateConnection(
  id: string,
  version: number,
  body: { settings?: ConnectionSettings; secrets?: ConnectionSecrets },
): Promise<ConnectionView> {
  return (await api.patch("/crm/connections/{id}", { path: { id }, body, headers: { "if-match": `"${version}"` } })).data;
}

export async function deleteConnection(id: string): Promise<void> {
  await api.delete("/crm/connections/{id}", { path: { id } });
}

export async function reconcileConnection(id: string): Promise<ReconcileResult> {
  return (await api.post("/crm/connections/{id}/reconcile", { path: { id } })).data;
}

export async function listDeliveries(
  filter: { outcome?: DeliveryOutcome | undefined; connection?: string | undefined; limit: number },
  signal?: AbortSignal,
): Promise<InboundDelivery[]> {
  const query = {
    limit: filter.limit,
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.connection ? { connection: filter.connection } : {}),
  };
  return (await api.get("/webhooks/deliveries", { query, ...(signal ? { signal } : {}) })).data.items;
}

export async function replayDelivery(id: string): Promise<ReplayResult> {
  return (await api.post("/webhooks/deliveries/{id}/replay", { path: { id } })).data;
}
