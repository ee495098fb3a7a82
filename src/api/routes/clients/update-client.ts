// PATCH /clients/:id: rename a client, change its domain, time zone, holidays, segment or facts.
// Guarded by the client's version (If-Match), like contacts: a concurrent edit is a 412, never
// silently overwritten. Facts are checked against the playbook they answer.
import { checkClientFacts } from "../../data/client-facts.ts";
import { getClient, updateClient } from "../../data/clients.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Client, ClientParams, UpdateClientBody, UpdateClientHeaders } from "./client.types.ts";

export function updateClientRoute(app: Api, deps: ApiDeps): void {
  app.patch(
    "/clients/:id",
    {
      config: { access: "clients:write" },
      schema: {
        tags: ["clients"],
        operationId: "updateClient",
        summary: "Change a client",
        params: ClientParams,
        headers: UpdateClientHeaders,
        body: UpdateClientBody,
        response: { 200: Client, ...problemResponses(400, 404, 409, 412, 428) },
      },
    },
    async (request, reply) => {
      const expected = requiredVersion(request.headers["if-match"], "client");
      const { body } = request;
      const before = await getClient(deps.db, request.params.id);
      if (!before) throw new HttpProblem("not_found", `no client "${request.params.id}"`);
      if (body.facts !== undefined || body.playbookId !== undefined) {
        const playbookId = body.playbookId === undefined ? before.playbookId : body.playbookId;
        await checkClientFacts(deps, playbookId, body.facts ?? (body.playbookId === null ? {} : before.facts));
      }
      const changes = body.playbookId === null && body.facts === undefined ? { ...body, facts: {} } : body;
      const client = await updateClient(deps.db, request.params.id, changes, expected, deps.clock()).catch((error: unknown) => {
        throw preconditionFailed(error);
      });
      return reply.header("etag", etag(client.version)).send(client);
    },
  );
}
