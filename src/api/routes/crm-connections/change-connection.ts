// POST /crm/connections, PATCH and DELETE /crm/connections/:id: admins connect a CRM account.
// Saved only when it can work (check-connection.ts); the environment's connections are read-only.
import { z } from "zod";
import { deleteConnection, environmentConnections, getConnection, insertConnection, updateConnection } from "../../data/crm-connections.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { checkConnection } from "./check-connection.ts";
import { ConnectionParams, CreateConnectionBody, CrmConnection, connectionView, UpdateConnectionBody } from "./connection.types.ts";

function readOnly(deps: ApiDeps, id: string): void {
  if (environmentConnections(deps.config.webhooks).some((c) => c.id === id))
    throw new HttpProblem("conflict", `connection "${id}" is made from the server's environment variables: change them there`);
}

export function changeCrmConnections(app: Api, deps: ApiDeps): void {
  app.post(
    "/crm/connections",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["crm"],
        operationId: "createCrmConnection",
        summary: "Connect a CRM account: its won deals start onboardings through /webhooks/crm/<id>",
        body: CreateConnectionBody,
        response: { 201: CrmConnection, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) => {
      const { id, kind, settings, secrets } = request.body;
      readOnly(deps, id);
      await checkConnection(deps, kind, settings, secrets);
      const connection = await insertConnection(deps.db, { id, kind, settings, secrets }, deps.clock());
      reply.header("etag", etag(connection.version));
      return reply.code(201).send(connectionView(connection, deps.config.publicUrl ?? `${request.protocol}://${request.host}`));
    },
  );
  app.patch(
    "/crm/connections/:id",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["crm"],
        operationId: "updateCrmConnection",
        summary: "Change a CRM connection (needs If-Match with its version)",
        params: ConnectionParams,
        headers: z.looseObject({ "if-match": z.string().optional() }),
        body: UpdateConnectionBody,
        response: { 200: CrmConnection, ...problemResponses(404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      readOnly(deps, request.params.id);
      const expectedVersion = requiredVersion(request.headers["if-match"], "connection");
      const current = await getConnection(deps.db, deps.config.webhooks, request.params.id);
      if (!current) throw new HttpProblem("not_found", `no CRM connection "${request.params.id}"`);
      const settings = request.body.settings ?? current.settings;
      const secrets = { ...current.secrets, ...request.body.secrets };
      await checkConnection(deps, current.kind, settings, secrets);
      const connection = await updateConnection(
        deps.db,
        current.id,
        { settings, secrets: request.body.secrets ?? {}, expectedVersion },
        deps.clock(),
      ).catch((error: unknown) => {
        throw preconditionFailed(error);
      });
      reply.header("etag", etag(connection.version));
      return connectionView(connection, deps.config.publicUrl ?? `${request.protocol}://${request.host}`);
    },
  );
  app.delete(
    "/crm/connections/:id",
    {
      config: { access: "integrations:write" },
      schema: {
        tags: ["crm"],
        operationId: "deleteCrmConnection",
        summary: "Disconnect a CRM account (its deliveries stay in the log; projects it started stay)",
        params: ConnectionParams,
        response: { 204: z.null(), ...problemResponses(404, 409) },
      },
    },
    async (request, reply) => {
      readOnly(deps, request.params.id);
      if (!(await deleteConnection(deps.db, request.params.id)))
        throw new HttpProblem("not_found", `no CRM connection "${request.params.id}"`);
      return reply.code(204).send(null);
    },
  );
}
