// PATCH /clients/:id/contacts/:contactId: rename, re-address, change roles, or revoke (active:false)
// and restore portal access. Revoking ends the contact's sessions and unused links at once.
import { principalOf } from "../../auth/authorization.ts";
import { updateContact } from "../../data/contacts.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { Contact, ContactParams, UpdateContactBody, UpdateContactHeaders } from "./contact.types.ts";

export function updateContactRoute(app: Api, deps: ApiDeps): void {
  app.patch(
    "/clients/:id/contacts/:contactId",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "updateContact",
        summary: "Change a contact, or revoke or restore their portal access",
        params: ContactParams,
        headers: UpdateContactHeaders,
        body: UpdateContactBody,
        response: { 200: Contact, ...problemResponses(400, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const expected = requiredVersion(request.headers["if-match"], "contact");
      const { id: clientId, contactId } = request.params;
      const contact = await updateContact(
        deps.db,
        { clientId, contactId },
        request.body,
        expected,
        principalOf(request).user.id,
        deps.clock(),
      ).catch((error: unknown) => {
        throw preconditionFailed(error);
      });
      return reply.header("etag", etag(contact.version)).send(contact);
    },
  );
}
