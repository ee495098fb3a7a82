// GET /tokens: your API tokens (never their secrets), revoked ones included.
import { z } from "zod";
import { listTokens } from "../../auth/api-tokens.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ListTokensQuery, TokenPage } from "./token.types.ts";

export function listTokensRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/tokens",
    {
      config: { access: "account:read" },
      schema: {
        tags: ["tokens"],
        operationId: "listTokens",
        summary: "Your API tokens",
        querystring: ListTokensQuery,
        response: { 200: TokenPage, ...problemResponses(400) },
      },
    },
    async (request) => tokenPage(deps, principalOf(request).user.id, request.query),
  );
}

/** A page of an account's tokens as the API shows them (never their secrets, nor whose they are). */
export async function tokenPage(deps: ApiDeps, userId: string, query: { cursor?: string | undefined; limit: number }) {
  const after = decodeCursor("tokens", query.cursor, z.tuple([z.string()]));
  const rows = await listTokens(deps.db, userId, after?.[0], query.limit + 1);
  return paginate(
    "tokens",
    rows,
    query.limit,
    (r) => [r.id],
    ({ userId: _userId, ...view }) => view,
  );
}
