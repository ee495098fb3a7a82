// GET /auth/session: who is signed in, what they may do, and (for a browser) the CSRF token again.
import { permissionsOf, principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { SessionResponse } from "./auth.types.ts";

export function getSession(app: Api, _deps: ApiDeps): void {
  app.get(
    "/auth/session",
    {
      config: { access: "account:read" },
      schema: {
        tags: ["auth"],
        operationId: "getSession",
        summary: "The signed-in account, its permissions and its credential",
        response: { 200: SessionResponse },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { credential } = principal;
      return {
        user: { ...principal.user, roles: [...principal.user.roles] },
        permissions: [...permissionsOf(principal)].sort(),
        credential:
          credential.kind === "session"
            ? { kind: "session" as const, expiresAt: credential.expiresAt, csrfToken: credential.csrfToken }
            : { kind: "token" as const, tokenId: credential.tokenId, scope: credential.scope },
      };
    },
  );
}
