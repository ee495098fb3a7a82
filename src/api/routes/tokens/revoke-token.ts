// DELETE /tokens/:id: revoke one of your API tokens (whoever manages accounts may revoke anyone's). It stops working at once.
import { revokeToken } from "../../auth/api-tokens.ts";
import { allows, principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { TokenParams } from "./token.types.ts";

export function revokeTokenRoute(app: Api, deps: ApiDeps): void {
  app.delete(
    "/tokens/:id",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["tokens"],
        operationId: "revokeToken",
        summary: "Revoke an API token",
        params: TokenParams,
        response: { 204: NoContent, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await deps.db.transaction().execute((trx) =>
        revokeToken(
          trx,
          request.params.id,
          // Whoever may manage accounts may revoke any account's tokens.
          { userId: principal.user.id, anyone: allows(principal, "users:write") },
          deps.clock(),
        ),
      );
      return reply.code(204).send();
    },
  );
}
