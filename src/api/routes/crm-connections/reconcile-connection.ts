// POST /crm/connections/:id/reconcile: pull now the deals won in the connection's look-back window
// and start what a lost webhook missed (the scheduler does it every reconcile.everyMinutes).
import { getConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { reconcileConnection } from "../../webhooks/reconcile.ts";
import { ConnectionParams, ReconcileResult } from "./connection.types.ts";

export function reconcileCrmConnection(app: Api, deps: ApiDeps): void {
  app.post(
    "/crm/connections/:id/reconcile",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["crm"],
        operationId: "reconcileCrmConnection",
        summary: "Pull the deals won recently through the CRM's REST API and start what no webhook started",
        params: ConnectionParams,
        response: { 200: ReconcileResult, ...problemResponses(404) },
      },
    },
    async (request) => {
      const connection = await getConnection(deps.db, deps.config.webhooks, request.params.id);
      if (!connection) throw new HttpProblem("not_found", `no CRM connection "${request.params.id}"`);
      return reconcileConnection(deps, connection, deps.clock());
    },
  );
}
