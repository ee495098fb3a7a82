import { z } from "zod";
import { ConnectionSecrets, ConnectionSettings } from "../../../crm/connection.ts";
import { CRM_KINDS, type CrmKind } from "../../../crm/deal.ts";
import type { StoredConnection } from "../../data/crm-connections.ts";
import { Instant, Slug } from "../common.types.ts";

export const ConnectionParams = z.object({ id: z.string().min(1).max(128) });

export const CrmConnection = z
  .object({
    id: z.string(),
    kind: z.enum(CRM_KINDS as [CrmKind, ...CrmKind[]]),
    managedBy: z.enum(["environment", "database"]).describe("environment: made from the server's variables, read-only."),
    settings: ConnectionSettings,
    secretsSet: z.object({
      hubspotClientSecret: z.boolean(),
      webhookUser: z.boolean(),
      webhookPassword: z.boolean(),
      apiToken: z.boolean(),
    }),
    webhookUrl: z.string().describe("The address to give the CRM."),
    version: z.number().int(),
    createdAt: Instant.nullable(),
    updatedAt: Instant.nullable(),
    reconciledAt: Instant.nullable(),
    reconciledThrough: Instant.nullable(),
    reconcileError: z.string().nullable(),
    refused: z
      .object({ count: z.number().int(), at: Instant, reason: z.string() })
      .nullable()
      .describe("Deliveries refused at the door (wrong credentials, signature or account): not in the delivery log, counted here."),
  })
  .meta({ id: "CrmConnection" });

export const CreateConnectionBody = z.object({
  id: Slug.describe("Part of the webhook address: /webhooks/crm/<id>."),
  kind: z.enum(CRM_KINDS as [CrmKind, ...CrmKind[]]),
  settings: ConnectionSettings,
  secrets: ConnectionSecrets.default({}),
});

export const UpdateConnectionBody = z.object({
  settings: ConnectionSettings.optional().describe("Replaces the whole settings."),
  secrets: ConnectionSecrets.optional().describe("The secrets given replace theirs; the others are kept."),
});

export const ReconcileResult = z
  .object({
    checked: z.number().int(),
    started: z.number().int(),
    duplicates: z.number().int(),
    ignored: z.number().int(),
    rejected: z.number().int(),
    through: Instant.nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "CrmReconcileResult" });

export function connectionView(connection: StoredConnection, origin: string): z.infer<typeof CrmConnection> {
  const legacy = connection.managedBy === "environment";
  return {
    id: connection.id,
    kind: connection.kind,
    managedBy: connection.managedBy,
    settings: connection.settings,
    secretsSet: {
      hubspotClientSecret: connection.secrets.hubspotClientSecret !== undefined,
      webhookUser: connection.secrets.webhookUser !== undefined,
      webhookPassword: connection.secrets.webhookPassword !== undefined,
      apiToken: connection.secrets.apiToken !== undefined,
    },
    webhookUrl: `${origin}${legacy ? `/webhooks/deals/${connection.kind}` : `/webhooks/crm/${encodeURIComponent(connection.id)}`}`,
    version: connection.version,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
    reconciledAt: connection.reconciledAt,
    reconciledThrough: connection.reconciledThrough,
    reconcileError: connection.reconcileError,
    refused: connection.refused,
  };
}
