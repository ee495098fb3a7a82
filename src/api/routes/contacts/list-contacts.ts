// GET /clients/:id/contacts: the client's people, who sign in to the portal (removed ones on request).
import { z } from "zod";
import { notFound } from "../../../store/errors.ts";
import { contactView } from "../../data/contacts.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ClientContactParams, Contact, ListContactsQuery } from "./contact.types.ts";

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
        querystring: ListContactsQuery,
        response: { 200: z.object({ items: z.array(Contact) }), ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const client = await deps.db.selectFrom("clients").select("id").where("id", "=", request.params.id).executeTakeFirst();
      if (!client) throw notFound(`client ${request.params.id}`, { clientId: request.params.id });
      let query = deps.db.selectFrom("contacts").selectAll().where("client_id", "=", client.id).orderBy("name").orderBy("id");
      if (request.query.include !== "removed") query = query.where("removed_at", "is", null);
      return { items: (await query.execute()).map(contactView) };
    },
  );
}
