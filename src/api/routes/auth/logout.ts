// POST /auth/logout: end this session (the cookie is cleared and the session deleted).
import { clearSessionCookies } from "../../auth/authenticate.ts";
import { principalOf } from "../../auth/authorization.ts";
import { deleteSession } from "../../auth/sessions.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { NoContent } from "../common.types.ts";

export function logout(app: Api, deps: ApiDeps): void {
  app.post(
    "/auth/logout",
    {
      config: { access: "account:write" },
      schema: { tags: ["auth"], operationId: "logout", summary: "Sign out of this session", response: { 204: NoContent } },
    },
    async (request, reply) => {
      const { credential } = principalOf(request);
      if (credential.kind === "session") await deleteSession(deps.db, credential.tokenHash);
      clearSessionCookies(request, reply, deps);
      return reply.code(204).send();
    },
  );
}
