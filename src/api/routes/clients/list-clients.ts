// GET /clients: clients by name.
import { z } from "zod";
import { listClients } from "../../data/clients.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { ClientPage, ListClientsQuery } from "./client.types.ts";

export function listClientsRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/clients",
    {
      config: { access: "clients:read" },
      schema: {
        tags: ["clients"],
        operationId: "listClients",
        summary: "List clients",
        querystring: ListClientsQuery,
        response: { 200: ClientPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, q } = request.query;
      const after = decodeCursor("clients", cursor, z.tuple([z.string(), z.string()]));
      const rows = await listClients(deps.db, after, limit + 1, q || undefined);
      return paginate(
        "clients",
        rows,
        limit,
        (c) => [c.name, c.id],
        (c) => c,
      );
    },
  );
}
