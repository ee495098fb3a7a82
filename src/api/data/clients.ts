// Clients: the companies being onboarded. The store keeps them (a project's start refreshes its
// client's row); the API creates and lists them.
import { randomUUID } from "node:crypto";
import type { Instant } from "../../engine/types.ts";
import { ConflictError, notFound } from "../../store/errors.ts";
import type { ApiDb } from "./tables.ts";

export interface ClientRecord {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country: string | null;
  readonly region: string | null;
  readonly domain: string | null;
  readonly segment: string | null;
  /** The playbook whose declared facts the client's facts answer (the form the team fills). */
  readonly playbookId: string | null;
  readonly facts: Record<string, FactInput>;
  /** When the business relationship ended (YYYY-MM-DD), which record retention counts from; null while it lasts. */
  readonly relationshipEndedOn: string | null;
  readonly relationshipEndReason: string | null;
  readonly version: number;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

export type FactInput = boolean | number | string | string[];

interface ClientRow {
  id: string;
  name: string;
  time_zone: string;
  country: string | null;
  region: string | null;
  domain: string | null;
  segment: string | null;
  playbook_id: string | null;
  facts: Record<string, unknown>;
  relationship_ended_on: string | null;
  relationship_end_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function recordOf(row: ClientRow): ClientRecord {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    country: row.country,
    region: row.region,
    domain: row.domain,
    segment: row.segment,
    playbookId: row.playbook_id,
    facts: row.facts as Record<string, FactInput>,
    relationshipEndedOn: row.relationship_ended_on,
    relationshipEndReason: row.relationship_end_reason,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface NewClient {
  readonly id?: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country?: string;
  readonly region?: string;
  readonly domain?: string;
  readonly segment?: string;
  readonly playbookId?: string;
  readonly facts?: Readonly<Record<string, FactInput>>;
}

export async function insertClient(db: ApiDb, client: NewClient, now: Instant): Promise<ClientRecord> {
  const id = client.id ?? randomUUID();
  const row = await db
    .insertInto("clients")
    .values({
      id,
      name: client.name,
      time_zone: client.timeZone,
      country: client.country ?? null,
      region: client.region ?? null,
      domain: client.domain ?? null,
      segment: client.segment ?? null,
      playbook_id: client.playbookId ?? null,
      facts: JSON.stringify(client.facts ?? {}),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new ConflictError(`client "${id}" already exists`, { field: "id" });
  return recordOf(row);
}

export async function getClient(db: ApiDb, id: string): Promise<ClientRecord | undefined> {
  const row = await db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? recordOf(row) : undefined;
}

export interface ClientChanges {
  readonly name?: string;
  readonly timeZone?: string;
  readonly country?: string | null;
  readonly region?: string | null;
  readonly domain?: string | null;
  readonly segment?: string | null;
  readonly playbookId?: string | null;
  readonly facts?: Readonly<Record<string, FactInput>>;
  readonly relationshipEndedOn?: string | null;
  readonly relationshipEndReason?: string | null;
}

/** Change a client at `expectedVersion` (If-Match); a concurrent edit is a conflict, never overwritten. */
export async function updateClient(
  db: ApiDb,
  id: string,
  changes: ClientChanges,
  expectedVersion: number,
  now: Instant,
): Promise<ClientRecord> {
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom("clients").select(["id", "version"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!before) throw notFound(`client ${id}`, { clientId: id });
    if (before.version !== expectedVersion) {
      throw new ConflictError(`client ${id} is at version ${before.version}, not ${expectedVersion}: reload it and decide again`, {
        expected: expectedVersion,
        current: before.version,
      });
    }
    const row = await trx
      .updateTable("clients")
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.timeZone !== undefined ? { time_zone: changes.timeZone } : {}),
        ...(changes.country !== undefined ? { country: changes.country } : {}),
        ...(changes.region !== undefined ? { region: changes.region } : {}),
        ...(changes.domain !== undefined ? { domain: changes.domain } : {}),
        ...(changes.segment !== undefined ? { segment: changes.segment } : {}),
        ...(changes.playbookId !== undefined ? { playbook_id: changes.playbookId } : {}),
        ...(changes.facts !== undefined ? { facts: JSON.stringify(changes.facts) } : {}),
        ...(changes.relationshipEndedOn !== undefined ? { relationship_ended_on: changes.relationshipEndedOn } : {}),
        ...(changes.relationshipEndReason !== undefined ? { relationship_end_reason: changes.relationshipEndReason } : {}),
        version: before.version + 1,
        updated_at: now,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return recordOf(row);
  });
}

/** Clients by name (then id) after the key `after`; `q` filters on name, domain or segment. */
export async function listClients(
  db: ApiDb,
  after: readonly [string, string] | undefined,
  limit: number,
  q?: string,
): Promise<ClientRecord[]> {
  let query = db.selectFrom("clients").selectAll().orderBy("name").orderBy("id").limit(limit);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb("name", "ilike", pattern), eb("domain", "ilike", pattern), eb("segment", "ilike", pattern)]));
  }
  if (after !== undefined) {
    const [name, id] = after;
    query = query.where((eb) => eb.or([eb("name", ">", name), eb.and([eb("name", "=", name), eb("id", ">", id)])]));
  }
  return (await query.execute()).map(recordOf);
}
