// POST /data-requests/:id/complete: an access request answered, or any request refused with why.
import { principalOf } from "../../auth/authorization.ts";
import { completeDataRequest } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { CompleteBody, DataRequest, DataRequestParams } from "./data-request.types.ts";

export function completeDataRequestRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/data-requests/:id/complete",
    {
      config: { access: "privacy:write" },
      schema: {
        tags: ["privacy"],
        operationId: "completeDataRequest",
        summary: "Mark a request answered (access) or refused (with the reason)",
        params: DataRequestParams,
        body: CompleteBody,
        response: { 200: DataRequest, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => completeDataRequest(deps, request.params.id, request.body, principalOf(request).user.id),
  );
}
