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
    async (request) => {
      const { cursor, limit } = request.query;
      const after = decodeCursor("tokens", cursor, z.tuple([z.string()]));
      const rows = await listTokens(deps.db, principalOf(request).user.id, after?.[0], limit + 1);
      return paginate(
        "tokens",
        rows,
        limit,
        (r) => [r.id],
        ({ userId: _userId, ...view }) => view,
      );
    },
  );
}
