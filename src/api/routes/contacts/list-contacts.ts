// GET /clients/:id/contacts: the client's people, who sign in to the portal.
import { z } from "zod";
import { notFound } from "../../../store/errors.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ClientContactParams, Contact } from "./contact.types.ts";

export function listContacts(app: Api, deps: ApiDeps): void {
  app.get(
    "/clients/:id/contacts",
    {
      config: { access: "clients:read" },
      schema: {
        tags: ["clients"],
        operationId: "listContacts",
        summary: "A client's contacts",
        params: ClientContactParams,
        response: { 200: z.object({ items: z.array(Contact) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const client = await deps.db.selectFrom("clients").select("id").where("id", "=", request.params.id).executeTakeFirst();
      if (!client) throw notFound(`client ${request.params.id}`, { clientId: request.params.id });
      const rows = await deps.db.selectFrom("contacts").selectAll().where("client_id", "=", client.id).orderBy("name").execute();
      return { items: rows.map(contactOf) };
    },
  );
}

export function contactOf(row: {
  id: string;
  client_id: string;
  name: string;
  email: string;
  title: string | null;
  roles: string[];
  active: boolean;
  created_at: Date;
}) {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    email: row.email,
    title: row.title,
    roles: row.roles,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}
