// POST /clients: a client to onboard.
import { principalOf } from "../../auth/authorization.ts";
import { checkClientFacts } from "../../data/client-facts.ts";
import { insertClient } from "../../data/clients.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { idempotent } from "../../idempotency.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { Client, CreateClientBody, CreateClientHeaders } from "./client.types.ts";

export function createClient(app: Api, deps: ApiDeps): void {
  app.post(
    "/clients",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "createClient",
        summary: "Create a client",
        headers: CreateClientHeaders,
        body: CreateClientBody,
        response: { 201: Client, ...problemResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const now = deps.clock();
      await checkClientFacts(deps, request.body.playbookId, request.body.facts);
      const result = await idempotent(
        deps.db,
        { scope: "client.create", key: request.headers["idempotency-key"], userId: principal.user.id, fingerprint: request.body, now },
        async (trx) => ({ response: { status: 201, body: await insertClient(trx, request.body, now) } }),
      );
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("location", `/clients/${encodeURIComponent(result.body.id)}`);
      reply.header("etag", etag(result.body.version));
      return reply.code(201).send(result.body);
    },
  );
}
