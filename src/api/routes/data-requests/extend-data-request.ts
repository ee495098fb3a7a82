// POST /data-requests/:id/extend: more time, by up to two months in all, with the reason (Art. 12(3)).
import { extendDataRequest } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { DataRequest, DataRequestParams, ExtendBody } from "./data-request.types.ts";

export function extendDataRequestRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/data-requests/:id/extend",
    {
      config: { access: "privacy:write" },
      schema: {
        tags: ["privacy"],
        operationId: "extendDataRequest",
        summary: "Extend a request's deadline by one or two months (two in all), saying why",
        params: DataRequestParams,
        body: ExtendBody,
        response: { 200: DataRequest, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => extendDataRequest(deps, request.params.id, request.body),
  );
}
