// POST /data-requests/:id/erasure: { dry_run: true } lists what the erasure would erase (counts
// per place, never values) and changes nothing; without it, erases and completes the request.
import { principalOf } from "../../auth/authorization.ts";
import { carryOutErasure, getDataRequest, planErasure } from "../../data/data-requests.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { DataRequestParams, ErasureBody, ErasureResult } from "./data-request.types.ts";

export function eraseDataRequestRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/data-requests/:id/erasure",
    {
      config: { access: "privacy:write" },
      schema: {
        tags: ["privacy"],
        operationId: "eraseDataRequest",
        summary: "Preview (dry_run) or carry out an erasure request (GDPR Art. 17)",
        params: DataRequestParams,
        body: ErasureBody,
        response: { 200: ErasureResult, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => {
      if (request.body.dry_run) {
        const plan = await planErasure(deps, request.params.id);
        const current = await getDataRequest(deps, request.params.id);
        if (!current) throw new HttpProblem("not_found", `no data request "${request.params.id}"`);
        return { dryRun: true, plan: { ...plan, projects: [...plan.projects], places: [...plan.places] }, request: current };
      }
      const done = await carryOutErasure(deps, request.params.id, principalOf(request).user.id);
      return {
        dryRun: false,
        request: done.request,
        plan: { ...done.plan, projects: [...done.plan.projects], places: [...done.plan.places] },
      };
    },
  );
}
