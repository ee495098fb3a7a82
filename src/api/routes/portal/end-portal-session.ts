// DELETE /portal/api/session: sign out of the portal.
import { clearPortalCookies, contactOf, endContactSession } from "../../auth/contact-sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { NoContent } from "../common.types.ts";

export function endPortalSession(app: Api, deps: ApiDeps): void {
  app.delete(
    "/portal/api/session",
    {
      config: { access: "contact" },
      schema: { tags: ["portal"], operationId: "endPortalSession", summary: "Sign out of the portal", response: { 204: NoContent } },
    },
    async (request, reply) => {
      await endContactSession(deps.db, contactOf(request).tokenHash);
      clearPortalCookies(request, reply, deps);
      return reply.code(204).send();
    },
  );
}
