// POST /data-requests: log a data subject's request (access or erasure) with its Art. 12(3) deadline.
import { principalOf } from "../../auth/authorization.ts";
import { logDataRequest } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { CreateDataRequestBody, DataRequest } from "./data-request.types.ts";

export function createDataRequestRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/data-requests",
    {
      config: { access: "privacy:write" },
      schema: {
        tags: ["privacy"],
        operationId: "createDataRequest",
        summary: "Log a data subject's request (GDPR access or erasure), due one month after receipt",
        body: CreateDataRequestBody,
        response: { 201: DataRequest, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const created = await logDataRequest(deps, request.body, principalOf(request).user.id);
      reply.header("location", `/data-requests/${encodeURIComponent(created.id)}`);
      return reply.code(201).send(created);
    },
  );
}
