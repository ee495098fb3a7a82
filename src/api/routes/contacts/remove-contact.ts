// DELETE /clients/:id/contacts/:contactId: take a contact off the client's list. Their portal access
// ends at once; the record stays (hidden from the list) so the audit trail keeps their name.
import { principalOf } from "../../auth/authorization.ts";
import { removeContact } from "../../data/contacts.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { ContactParams } from "./contact.types.ts";

export function removeContactRoute(app: Api, deps: ApiDeps): void {
  app.delete(
    "/clients/:id/contacts/:contactId",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "removeContact",
        summary: "Remove a contact (their portal access ends; history keeps their name)",
        params: ContactParams,
        response: { 204: NoContent, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const { id: clientId, contactId } = request.params;
      await removeContact(deps.db, { clientId, contactId }, principalOf(request).user.id, deps.clock());
      return reply.code(204).send();
    },
  );
}
