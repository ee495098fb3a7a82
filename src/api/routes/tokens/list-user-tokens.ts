// GET /users/:id/tokens: another account's API tokens (never their secrets), revoked ones included,
// for whoever manages accounts: to see what a departing colleague's scripts hold, and revoke it
// (DELETE /tokens/:id).
import { getUser } from "../../auth/users.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { UserParams } from "../users/user.types.ts";
import { tokenPage } from "./list-tokens.ts";
import { ListTokensQuery, TokenPage } from "./token.types.ts";

export function listUserTokensRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/users/:id/tokens",
    {
      config: { access: "users:read" },
      schema: {
        tags: ["tokens"],
        operationId: "listUserTokens",
        summary: "An account's API tokens",
        params: UserParams,
        querystring: ListTokensQuery,
        response: { 200: TokenPage, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const user = await getUser(deps.db, request.params.id);
      if (!user) throw new HttpProblem("not_found", `no account "${request.params.id}"`);
      return tokenPage(deps, user.id, request.query);
    },
  );
}
