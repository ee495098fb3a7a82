// GET /data-requests: the requests, earliest deadline first (?status=open: those still to answer).
import { listDataRequests } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { DataRequestList, DataRequestQuery } from "./data-request.types.ts";

export function listDataRequestsRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/data-requests",
    {
      config: { access: "privacy:read" },
      schema: {
        tags: ["privacy"],
        operationId: "listDataRequests",
        summary: "Data subjects' requests with their due dates, earliest first",
        querystring: DataRequestQuery,
        response: { 200: DataRequestList, ...problemResponses(400) },
      },
    },
    async (request) => ({ items: await listDataRequests(deps, request.query.status) }),
  );
}
