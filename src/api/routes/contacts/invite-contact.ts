// POST /clients/:id/contacts/:contactId/invite: invite a contact to the portal. The sign-in link
// goes out through the same outbox path as a contact's own request (POST /portal/api/magic-links),
// with its per-contact limit; a contact whose access is revoked or who was removed gets nothing (409).
import { requestSignInLink } from "../../auth/contact-sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ContactParams, Invitation } from "./contact.types.ts";

export function inviteContactRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/clients/:id/contacts/:contactId/invite",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "inviteContact",
        summary: "Email a contact a sign-in link to the portal",
        params: ContactParams,
        response: { 202: Invitation, ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const { id: clientId, contactId } = request.params;
      const contact = await deps.db
        .selectFrom("contacts")
        .select(["email", "active", "removed_at"])
        .where("id", "=", contactId)
        .where("client_id", "=", clientId)
        .executeTakeFirst();
      if (!contact || contact.removed_at !== null) throw new HttpProblem("not_found", `no contact ${contactId} of client ${clientId}`);
      if (!contact.active) throw new HttpProblem("illegal_state", "this contact's portal access is revoked: restore it first");
      await requestSignInLink(deps.db, contact.email, deps.clock());
      deps.outboxQueued();
      return reply.code(202).send({ sent: true, email: contact.email });
    },
  );
}
