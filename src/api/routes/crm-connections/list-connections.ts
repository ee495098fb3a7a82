// GET /crm/connections and GET /crm/connections/:id: the CRM connections, the environment's first
// (read-only), each with the webhook address to give its CRM and which secrets are set (never their values).

import { z } from "zod";
import { getConnection, listConnections } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ConnectionParams, CrmConnection, connectionView } from "./connection.types.ts";

export function listCrmConnections(app: Api, deps: ApiDeps): void {
  app.get(
    "/crm/connections",
    {
      config: { access: "integrations:read" },
      schema: {
        tags: ["crm"],
        operationId: "listCrmConnections",
        summary: "The CRM connections: how each CRM account's won deals become onboardings",
        response: { 200: z.object({ items: z.array(CrmConnection) }) },
      },
    },
    async (request) => {
      const origin = deps.config.publicUrl ?? `${request.protocol}://${request.host}`;
      return { items: (await listConnections(deps.db, deps.config.webhooks)).map((c) => connectionView(c, origin)) };
    },
  );
  app.get(
    "/crm/connections/:id",
    {
      config: { access: "integrations:read" },
      schema: {
        tags: ["crm"],
        operationId: "getCrmConnection",
        summary: "One CRM connection",
        params: ConnectionParams,
        response: { 200: CrmConnection, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const connection = await getConnection(deps.db, deps.config.webhooks, request.params.id);
      if (!connection) throw new HttpProblem("not_found", `no CRM connection "${request.params.id}"`);
      reply.header("etag", `"${connection.version}"`);
      return connectionView(connection, deps.config.publicUrl ?? `${request.protocol}://${request.host}`);
    },
  );
}
