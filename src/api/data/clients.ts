// Clients: the companies being onboarded. The store keeps them (a project's start refreshes its
// client's row); the API creates and lists them.
import { randomUUID } from "node:crypto";
import type { Instant } from "../../engine/types.ts";
import { ConflictError } from "../../store/index.ts";
import type { ApiDb } from "./tables.ts";

export interface ClientRecord {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country: string | null;
  readonly region: string | null;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

interface ClientRow {
  id: string;
  name: string;
  time_zone: string;
  country: string | null;
  region: string | null;
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

/** Clients by name (then id) after the key `after`. */
export async function listClients(db: ApiDb, after: readonly [string, string] | undefined, limit: number): Promise<ClientRecord[]> {
  let query = db.selectFrom("clients").selectAll().orderBy("name").orderBy("id").limit(limit);
  if (after !== undefined) {
    const [name, id] = after;
    query = query.where((eb) => eb.or([eb("name", ">", name), eb.and([eb("name", "=", name), eb("id", ">", id)])]));
  }
  return (await query.execute()).map(recordOf);
}
