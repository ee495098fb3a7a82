// The record of inbound CRM deliveries (migration 0003) and the deal → project lookup.
import { randomUUID } from "node:crypto";
import type { ColumnType } from "kysely";
import type { Instant } from "../../engine/types.ts";
import type { ApiDb } from "../data/tables.ts";

export type Outcome = "accepted" | "duplicate" | "ignored" | "rejected" | "failed";
/** The route it came through; "reconcile": found by a connection's scheduled pull. */
export type Endpoint = "generic" | "hubspot" | "pipedrive" | "salesforce" | "reconcile";

export interface WebhookDeliveriesTable {
  id: string;
  endpoint: Endpoint;
  source: string | null;
  received_at: ColumnType<Date, Date | string, Date | string>;
  outcome: Outcome;
  reason: string | null;
  deal_id: string | null;
  project_id: string | null;
  request_id: string;
  body: string;
  connection_id: string | null;
  deal: ColumnType<unknown, string | null, string | null> | null;
  replay_of: string | null;
}

export interface Delivery {
  readonly endpoint: Endpoint;
  readonly source: string | null;
  readonly outcome: Outcome;
  readonly reason: string | null;
  readonly dealId: string | null;
  readonly projectId: string | null;
  readonly requestId: string;
  readonly body: string;
  /** The CRM connection it came through (src/crm/connection.ts). */
  readonly connectionId?: string | undefined;
  /** The deal as read (a CrmDeal), which a replay starts from. */
  readonly deal?: unknown;
  /** The delivery this one replays. */
  readonly replayOf?: string | undefined;
}

export function table(db: ApiDb) {
  return db.withTables<{ webhook_deliveries: WebhookDeliveriesTable }>();
}

/**
 * Text as the log can hold it: what was received may carry a NUL (a body that is not JSON) or a lone
 * surrogate, which text columns cannot store; each becomes U+FFFD, the rest is kept as received.
 */
function storable<T extends string | null>(text: T): T {
  return (text === null ? null : text.replaceAll("\u0000", "\uFFFD").toWellFormed()) as T;
}

/** Record one delivery; returns its id. */
export async function recordDelivery(db: ApiDb, delivery: Delivery, now: Instant): Promise<string> {
  const id = `whd_${randomUUID()}`;
  await table(db)
    .insertInto("webhook_deliveries")
    .values({
      id,
      endpoint: delivery.endpoint,
      source: storable(delivery.source),
      received_at: now,
      outcome: delivery.outcome,
      reason: storable(delivery.reason),
      deal_id: storable(delivery.dealId),
      project_id: delivery.projectId,
      request_id: delivery.requestId,
      body: storable(delivery.body),
      connection_id: delivery.connectionId ?? null,
      deal: delivery.deal === undefined ? null : storable(JSON.stringify(delivery.deal)),
      replay_of: delivery.replayOf ?? null,
    })
    .execute();
  return id;
}

/** The project a deal started, if any (UNIQUE (deal_source, deal_id) makes it at most one). */
export async function projectOfDeal(db: ApiDb, source: string, dealId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("projects")
    .select("id")
    .where("deal_source", "=", source)
    .where("deal_id", "=", dealId)
    .executeTakeFirst();
  return row?.id;
}

/** The most recently published version of a playbook. */
export async function latestVersion(db: ApiDb, playbookId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("playbook_versions")
    .select("version")
    .where("playbook_id", "=", playbookId)
    .orderBy("published_at", "desc")
    .orderBy("version", "desc")
    .executeTakeFirst();
  return row?.version;
}
