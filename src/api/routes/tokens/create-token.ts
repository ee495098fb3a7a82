// POST /tokens: an API token for scripts, scoped read or write. The secret is in this response only.
import { createToken } from "../../auth/api-tokens.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { idempotent } from "../../idempotency.ts";
import { problemResponses } from "../../problems.ts";
import { CreatedToken, CreateTokenBody, CreateTokenHeaders } from "./token.types.ts";

export function createTokenRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/tokens",
    {
      config: { access: "account:write" },
      schema: {
        tags: ["tokens"],
        operationId: "createToken",
        summary: "Create an API token (the secret is shown once)",
        headers: CreateTokenHeaders,
        body: CreateTokenBody,
        response: { 201: CreatedToken, ...problemResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const now = deps.clock();
      const result = await idempotent(
        deps.db,
        { scope: "token.create", key: request.headers["idempotency-key"], userId: principal.user.id, fingerprint: request.body, now },
        async (trx) => {
          const { record, token } = await createToken(
            trx,
            { userId: principal.user.id, name: request.body.name, scope: request.body.scope, expiresInDays: request.body.expiresInDays },
            now,
            principal.user.id,
          );
          const { userId: _userId, ...view } = record;
          // The replay keeps everything but the secret, which exists nowhere but in this response.
          return { response: { status: 201, body: { ...view, token } }, stored: { status: 201, body: view } };
        },
      );
      if (result.replayed) reply.header("idempotent-replayed", "true");
      return reply.code(201).send(result.body);
    },
  );
}
