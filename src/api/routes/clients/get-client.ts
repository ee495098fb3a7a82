// GET /clients/:id: one client.
import { getClient } from "../../data/clients.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag } from "../../preconditions.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Client, ClientParams } from "./client.types.ts";

export function getClientRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/clients/:id",
    {
      config: { access: "clients:read" },
      schema: {
        tags: ["clients"],
        operationId: "getClient",
        summary: "One client",
        params: ClientParams,
        response: { 200: Client, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const client = await getClient(deps.db, request.params.id);
      if (!client) throw new HttpProblem("not_found", `no client "${request.params.id}"`);
      return reply.header("etag", etag(client.version)).send(client);
    },
  );
}
