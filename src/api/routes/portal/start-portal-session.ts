// POST /portal/api/sessions: consume a magic link (once) and start the contact's portal session.
// The emailed link opens a page that asks to confirm; only this POST uses the token up.

import { checkOrigin, unauthenticated } from "../../auth/authenticate.ts";
import { consumeMagicLink, setPortalCookies } from "../../auth/contact-sessions.ts";
import { getBranding } from "../../data/settings.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { PortalSession, PortalSessionBody } from "./portal.types.ts";

export function startPortalSession(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/sessions",
    {
      config: { access: "public", rateLimit: { max: deps.config.magicLinkRateLimit * 4, timeWindow: "1 minute" } },
      schema: {
        tags: ["portal"],
        operationId: "startPortalSession",
        summary: "Sign in to the portal with an emailed link's token",
        body: PortalSessionBody,
        response: { 200: PortalSession, ...problemResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      checkOrigin(request, deps);
      const session = await consumeMagicLink(deps.db, request.body.token, deps.clock());
      if (!session) throw unauthenticated("this sign-in link has been used or has expired: ask for a new one");
      setPortalCookies(request, reply, deps, session);
      const row = await deps.db
        .selectFrom("contacts")
        .innerJoin("clients", "clients.id", "contacts.client_id")
        .select(["contacts.id", "contacts.name", "contacts.email", "clients.id as client_id", "clients.name as client_name"])
        .where("contacts.id", "=", session.contactId)
        .executeTakeFirstOrThrow();
      return {
        contact: { id: row.id, name: row.name, email: row.email },
        client: { id: row.client_id, name: row.client_name },
        branding: await getBranding(deps.db),
        csrfToken: session.csrfToken,
      };
    },
  );
}
