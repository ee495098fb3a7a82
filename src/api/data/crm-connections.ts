// CRM connections at rest (migration 0020), and the ones the server's variables make: HUBSPOT_*,
// PIPEDRIVE_*, SALESFORCE_* with CRM_DEFAULT_PLAYBOOK stand for one read-only connection per CRM,
// served at the original /webhooks/deals/<crm> addresses.
import type { ColumnType } from "kysely";
import { type Connection, ConnectionSecrets, ConnectionSettings } from "../../crm/connection.ts";
import type { CrmKind } from "../../crm/deal.ts";
import type { Instant } from "../../engine/types.ts";
import { AppError, ConflictError } from "../../store/index.ts";
import type { WebhookConfig } from "../config.ts";
import type { ApiDb } from "./tables.ts";

export interface CrmConnectionsTable {
  id: string;
  kind: CrmKind;
  settings: ColumnType<unknown, string, string>;
  secrets: ColumnType<unknown, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  reconciled_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  reconciled_through: ColumnType<Date | null, Date | string | null, Date | string | null>;
  reconcile_error: string | null;
  refused_count: ColumnType<number, number | undefined, number>;
  refused_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  refused_reason: string | null;
}

export function table(db: ApiDb) {
  return db.withTables<{ crm_connections: CrmConnectionsTable }>();
}

export interface StoredConnection extends Connection {
  readonly version: number;
  readonly createdAt: Instant | null;
  readonly updatedAt: Instant | null;
  readonly reconciledAt: Instant | null;
  readonly reconciledThrough: Instant | null;
  readonly reconcileError: string | null;
  /** Deliveries refused at the door (wrong credentials, another account): how many, the last one's time and why. */
  readonly refused: { readonly count: number; readonly at: Instant; readonly reason: string } | null;
}

/** The connections the environment variables make (id = the CRM's name), for the legacy addresses. */
export function environmentConnections(config: WebhookConfig): StoredConnection[] {
  const playbook = config.defaultPlaybook;
  if (playbook === undefined) return [];
  const ref = playbook.version ? `${playbook.id}@${playbook.version}` : playbook.id;
  const base = (kind: CrmKind, name: string, extra: Partial<ConnectionSettings>, secrets: ConnectionSecrets): StoredConnection => ({
    id: kind,
    kind,
    managedBy: "environment",
    settings: ConnectionSettings.parse({
      name,
      playbooks: [{ playbook: ref }],
      client: { defaultTimeZone: config.defaultTimeZone },
      ...extra,
    }),
    secrets,
    version: 1,
    createdAt: null,
    updatedAt: null,
    reconciledAt: null,
    reconciledThrough: null,
    reconcileError: null,
    refused: null,
  });
  const out: StoredConnection[] = [];
  if (config.hubspotClientSecret !== undefined)
    out.push(
      base(
        "hubspot",
        "HubSpot (environment variables)",
        { won: [{ kind: "stages", stages: [...config.hubspotWonStages] as [string, ...string[]] }] },
        { hubspotClientSecret: config.hubspotClientSecret },
      ),
    );
  if (config.pipedrive !== undefined)
    out.push(
      base(
        "pipedrive",
        "Pipedrive (environment variables)",
        {},
        { webhookUser: config.pipedrive.user, webhookPassword: config.pipedrive.password },
      ),
    );
  if (config.salesforceOrgId !== undefined)
    out.push(base("salesforce", "Salesforce (environment variables)", { tenant: config.salesforceOrgId }, {}));
  return out;
}

function fromRow(row: {
  id: string;
  kind: CrmKind;
  settings: unknown;
  secrets: unknown;
  version: number;
  created_at: Date;
  updated_at: Date;
  reconciled_at: Date | null;
  reconciled_through: Date | null;
  reconcile_error: string | null;
  refused_count: number;
  refused_at: Date | null;
  refused_reason: string | null;
}): StoredConnection {
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return {
    id: row.id,
    kind: row.kind,
    managedBy: "database",
    settings: ConnectionSettings.parse(json(row.settings)),
    secrets: ConnectionSecrets.parse(json(row.secrets)),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    reconciledAt: row.reconciled_at?.toISOString() ?? null,
    reconciledThrough: row.reconciled_through?.toISOString() ?? null,
    reconcileError: row.reconcile_error,
    refused:
      row.refused_at === null ? null : { count: row.refused_count, at: row.refused_at.toISOString(), reason: row.refused_reason ?? "" },
  };
}

export async function listConnections(db: ApiDb, config: WebhookConfig): Promise<StoredConnection[]> {
  const rows = await table(db).selectFrom("crm_connections").selectAll().orderBy("id").execute();
  return [...environmentConnections(config), ...rows.map(fromRow)];
}

export async function getConnection(db: ApiDb, config: WebhookConfig, id: string): Promise<StoredConnection | undefined> {
  const fromEnv = environmentConnections(config).find((c) => c.id === id);
  if (fromEnv) return fromEnv;
  const row = await table(db).selectFrom("crm_connections").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function insertConnection(
  db: ApiDb,
  connection: { id: string; kind: CrmKind; settings: ConnectionSettings; secrets: ConnectionSecrets },
  now: Instant,
): Promise<StoredConnection> {
  const row = await table(db)
    .insertInto("crm_connections")
    .values({
      id: connection.id,
      kind: connection.kind,
      settings: JSON.stringify(connection.settings),
      secrets: JSON.stringify(connection.secrets),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError(`a CRM connection "${connection.id}" exists already`, { field: "id" });
  return fromRow(row);
}

/** Replace the settings (and merge the secrets given) at `expectedVersion`; a concurrent edit is a conflict. */
export async function updateConnection(
  db: ApiDb,
  id: string,
  change: { settings: ConnectionSettings; secrets: ConnectionSecrets; expectedVersion: number | undefined },
  now: Instant,
): Promise<StoredConnection> {
  return db.transaction().execute(async (trx) => {
    const current = await table(trx).selectFrom("crm_connections").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
    if (!current) throw new AppError("not_found", `no CRM connection "${id}"`);
    if (change.expectedVersion !== undefined && current.version !== change.expectedVersion)
      throw new ConflictError(`the connection changed (version ${current.version}, not ${change.expectedVersion}): reload it`, {
        expected: change.expectedVersion,
        current: current.version,
      });
    const secrets = {
      ...ConnectionSecrets.parse(typeof current.secrets === "string" ? JSON.parse(current.secrets) : current.secrets),
      ...change.secrets,
    };
    const row = await table(trx)
      .updateTable("crm_connections")
      .set({
        settings: JSON.stringify(change.settings),
        secrets: JSON.stringify(secrets),
        version: current.version + 1,
        updated_at: now,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return fromRow(row);
  });
}

export async function deleteConnection(db: ApiDb, id: string): Promise<boolean> {
  const result = await table(db).deleteFrom("crm_connections").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function recordReconciliation(
  db: ApiDb,
  id: string,
  outcome: { at: Instant; through: Instant | null; error: string | null },
): Promise<void> {
  await table(db)
    .updateTable("crm_connections")
    .set({
      reconciled_at: outcome.at,
      ...(outcome.through ? { reconciled_through: outcome.through } : {}),
      reconcile_error: outcome.error,
    })
    .where("id", "=", id)
    .execute();
}

/** A delivery refused at the door: counted on the connection, with why (environment connections are not stored). */
export async function recordRefusal(db: ApiDb, id: string, reason: string, now: Instant): Promise<void> {
  await table(db)
    .updateTable("crm_connections")
    .set((eb) => ({ refused_count: eb("refused_count", "+", 1), refused_at: now, refused_reason: reason.slice(0, 500) }))
    .where("id", "=", id)
    .execute();
}
