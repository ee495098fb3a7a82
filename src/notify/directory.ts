// Who a playbook role is on a project, with an address: the team member assigned to an internal
// role (their account's email), a contact assigned to a client role on this project, and the
// client's contacts who hold the role by default (the portal's contacts, migration 0005).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Instant, ProjectState } from "../engine/types.ts";
import type { NotifyDb } from "./tables.ts";

export interface Recipient {
  /** The user's id (also their people id) or the contact's id. */
  readonly id: string;
  readonly kind: "user" | "contact";
  readonly name: string;
  readonly address: string;
  /** The playbook roles the recipient holds on the project. */
  readonly roles: readonly string[];
}

export interface ProjectRef {
  readonly id: string;
  readonly clientId: string;
  readonly state: ProjectState;
}

/** The port the handlers resolve recipients through (a database in production, anything in tests). */
export interface Directory {
  /** Everyone holding `role` on the project; empty when nobody with an address does. */
  holders(project: ProjectRef, role: string): Promise<readonly Recipient[]>;
  /** A client contact by id (survey links are bound to one). */
  contact(id: string): Promise<(Recipient & { readonly clientId: string }) | undefined>;
}

export interface ContactInput {
  readonly id?: string;
  readonly clientId: string;
  readonly name: string;
  readonly email: string;
  readonly roles: readonly string[];
}

/** Add a client's contact (tests and the demo; the API has POST /clients/:id/contacts). */
export async function addContact(db: NotifyDb, contact: ContactInput, now: Instant): Promise<string> {
  const id = contact.id ?? randomUUID();
  await db
    .insertInto("contacts")
    .values({
      id,
      client_id: contact.clientId,
      name: contact.name,
      email: contact.email,
      title: null,
      roles: JSON.stringify(contact.roles),
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

function rolesOf(state: ProjectState, person: string, defaults: readonly string[] = []): string[] {
  const assigned = Object.entries(state.assignments)
    .filter(([, p]) => p === person)
    .map(([r]) => r);
  return [...new Set([...assigned, ...defaults])].sort();
}

export function databaseDirectory(db: NotifyDb): Directory {
  return {
    async holders(project, role) {
      const out: Recipient[] = [];
      const person = project.state.assignments[role];
      if (person !== undefined) {
        // users is the API's table (migration 0002): an account's id is its people id.
        const { rows } = await sql<{ id: string; name: string; email: string }>`
          SELECT id, name, email FROM users WHERE id = ${person} AND active`.execute(db);
        for (const row of rows)
          out.push({ id: row.id, kind: "user", name: row.name, address: row.email, roles: rolesOf(project.state, row.id) });
      }
      const contacts = await db
        .selectFrom("contacts")
        .selectAll()
        .where("client_id", "=", project.clientId)
        .where("active", "=", true)
        .where((eb) => eb.or([eb("id", "=", person ?? ""), sql<boolean>`roles @> ${JSON.stringify([role])}::jsonb`]))
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      for (const c of contacts)
        out.push({ id: c.id, kind: "contact", name: c.name, address: c.email, roles: rolesOf(project.state, c.id, c.roles) });
      return out;
    },
    async contact(id) {
      const c = await db.selectFrom("contacts").selectAll().where("id", "=", id).where("active", "=", true).executeTakeFirst();
      return c ? { id: c.id, kind: "contact", name: c.name, address: c.email, roles: c.roles, clientId: c.client_id } : undefined;
    },
  };
}
