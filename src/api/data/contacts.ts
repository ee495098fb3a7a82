// A client's contacts: the people who sign in to the portal. Revoking a contact's access (or
// removing the contact) ends their portal sessions and burns their unused sign-in links in the same
// transaction, so access ends at once; the row stays, so history keeps the name. Edits are guarded
// by the contact's version (If-Match), checked in the UPDATE itself.
import type { Instant } from "../../engine/types.ts";
import { AppError, ConflictError, notFound } from "../../store/errors.ts";
import type { ApiDb } from "./tables.ts";

export interface ContactChanges {
  readonly name?: string;
  readonly email?: string;
  readonly title?: string | null;
  readonly roles?: readonly string[];
  readonly active?: boolean;
}

interface ContactRow {
  id: string;
  client_id: string;
  name: string;
  email: string;
  title: string | null;
  roles: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
  deactivated_at: Date | null;
  deactivated_by: string | null;
  removed_at: Date | null;
  version: number;
}

export interface ContactView {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly email: string;
  readonly title: string | null;
  readonly roles: string[];
  readonly active: boolean;
  readonly version: number;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
  readonly deactivatedAt: Instant | null;
  readonly deactivatedBy: string | null;
  readonly removedAt: Instant | null;
}

export function contactView(row: ContactRow): ContactView {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    email: row.email,
    title: row.title,
    roles: row.roles,
    active: row.active,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    deactivatedAt: row.deactivated_at?.toISOString() ?? null,
    deactivatedBy: row.deactivated_by,
    removedAt: row.removed_at?.toISOString() ?? null,
  };
}

/** End every way in a contact has: portal sessions and sign-in links not yet used. */
async function revokeAccess(db: ApiDb, contactId: string): Promise<void> {
  await db.deleteFrom("contact_sessions").where("contact_id", "=", contactId).execute();
  await db.deleteFrom("magic_links").where("contact_id", "=", contactId).where("used_at", "is", null).execute();
}

async function current(db: ApiDb, clientId: string, contactId: string): Promise<ContactRow> {
  const row = await db
    .selectFrom("contacts")
    .selectAll()
    .where("id", "=", contactId)
    .where("client_id", "=", clientId)
    .where("removed_at", "is", null)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound(`contact ${contactId} of client ${clientId}`, { clientId, contactId });
  return row;
}

/** Change a contact at `expectedVersion`; deactivating ends their access at once. */
export async function updateContact(
  db: ApiDb,
  ids: { readonly clientId: string; readonly contactId: string },
  changes: ContactChanges,
  expectedVersion: number,
  by: string,
  now: Instant,
): Promise<ContactView> {
  return db.transaction().execute(async (trx) => {
    const before = await current(trx, ids.clientId, ids.contactId);
    const deactivating = changes.active === false && before.active;
    const updated = await trx
      .updateTable("contacts")
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.roles !== undefined ? { roles: JSON.stringify([...new Set(changes.roles)]) } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        ...(deactivating ? { deactivated_at: now, deactivated_by: by } : {}),
        version: before.version + 1,
        updated_at: now,
      })
      .where("id", "=", ids.contactId)
      .where("version", "=", expectedVersion)
      .returningAll()
      .executeTakeFirst()
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === "23505")
          throw new AppError("conflict", `another contact of client ${ids.clientId} has this email`, { field: "email" });
        throw error;
      });
    if (!updated) {
      throw new ConflictError(
        `contact ${ids.contactId} is at version ${before.version}, not ${expectedVersion}: reload it and decide again`,
        {
          expected: expectedVersion,
          current: before.version,
        },
      );
    }
    // A changed address must not keep links mailed to the old one, nor sessions started from them.
    if (deactivating || (changes.email !== undefined && changes.email.toLowerCase() !== before.email.toLowerCase()))
      await revokeAccess(trx, ids.contactId);
    return contactView(updated);
  });
}

/** Remove a contact from the client's list: access ends; the row stays for history. Removing twice is fine. */
export async function removeContact(
  db: ApiDb,
  ids: { readonly clientId: string; readonly contactId: string },
  by: string,
  now: Instant,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("contacts")
      .select(["id", "active", "removed_at", "version"])
      .where("id", "=", ids.contactId)
      .where("client_id", "=", ids.clientId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound(`contact ${ids.contactId} of client ${ids.clientId}`, { clientId: ids.clientId, contactId: ids.contactId });
    if (row.removed_at !== null) return;
    await trx
      .updateTable("contacts")
      .set({
        active: false,
        removed_at: now,
        ...(row.active ? { deactivated_at: now, deactivated_by: by } : {}),
        version: row.version + 1,
        updated_at: now,
      })
      .where("id", "=", ids.contactId)
      .execute();
    await revokeAccess(trx, ids.contactId);
  });
}
