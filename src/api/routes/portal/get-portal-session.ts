// GET /portal/api/session: the signed-in contact, their company and the vendor's branding.
import { contactOf } from "../../auth/contact-sessions.ts";
import { getBranding } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { PortalSession } from "./portal.types.ts";

export function getPortalSession(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/session",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "getPortalSession",
        summary: "Who is signed in to the portal",
        response: { 200: PortalSession },
      },
    },
    async (request) => {
      const contact = contactOf(request);
      const client = await deps.db
        .selectFrom("clients")
        .select(["id", "name"])
        .where("id", "=", contact.clientId)
        .executeTakeFirstOrThrow();
      return {
        contact: { id: contact.contactId, name: contact.name, email: contact.email },
        client,
        branding: await getBranding(deps.db),
        csrfToken: contact.csrfToken,
      };
    },
  );
}
