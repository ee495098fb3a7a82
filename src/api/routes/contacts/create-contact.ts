// POST /clients/:id/contacts: add a person of the client (they can then ask for a portal link).
import { randomUUID } from "node:crypto";
import { AppError, notFound } from "../../../store/errors.ts";
import { contactView } from "../../data/contacts.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ClientContactParams, Contact, CreateContactBody } from "./contact.types.ts";

export function createContact(app: Api, deps: ApiDeps): void {
  app.post(
    "/clients/:id/contacts",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "createContact",
        summary: "Add a contact to a client",
        params: ClientContactParams,
        body: CreateContactBody,
        response: { 201: Contact, ...problemResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const client = await deps.db.selectFrom("clients").select("id").where("id", "=", request.params.id).executeTakeFirst();
      if (!client) throw notFound(`client ${request.params.id}`, { clientId: request.params.id });
      const now = deps.clock();
      const body = request.body;
      const row = await deps.db
        .insertInto("contacts")
        .values({
          id: body.id ?? randomUUID(),
          client_id: client.id,
          name: body.name,
          email: body.email,
          title: body.title ?? null,
          roles: JSON.stringify(body.roles),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          const code = (error as { code?: unknown }).code;
          if (code === "23505") throw new AppError("conflict", `a contact with this id or email already exists for client ${client.id}`);
          throw error;
        });
      return reply.code(201).send(contactView(row));
    },
  );
}
