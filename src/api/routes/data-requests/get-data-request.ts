// GET /data-requests/:id: one request.
import { getDataRequest } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { DataRequest, DataRequestParams } from "./data-request.types.ts";

export function getDataRequestRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/data-requests/:id",
    {
      config: { access: "privacy:read" },
      schema: {
        tags: ["privacy"],
        operationId: "getDataRequest",
        summary: "One data subject's request",
        params: DataRequestParams,
        response: { 200: DataRequest, ...problemResponses(404) },
      },
    },
    async (request) => {
      const found = await getDataRequest(deps, request.params.id);
      if (!found) throw new HttpProblem("not_found", `no data request "${request.params.id}"`);
      return found;
    },
  );
}
