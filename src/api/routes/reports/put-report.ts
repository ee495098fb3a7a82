// PUT /projects/:id/reports/:kind: save the report as edited before sending; GET then serves it.
import { metricsDb } from "../../../metrics/tables.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { fieldProblem, problemResponses } from "../../problems.ts";
import { ReportContent, ReportParams, SavedReport } from "./report.types.ts";

export function putReport(app: Api, deps: ApiDeps): void {
  app.put(
    "/projects/:id/reports/:kind",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["reports"],
        operationId: "putReport",
        summary: "Save a client report as edited",
        params: ReportParams,
        body: ReportContent,
        response: { 200: SavedReport, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const { id, kind } = request.params;
      if (request.body.kind !== kind) throw fieldProblem("/body/kind", `this is the ${kind} report`);
      await deps.service.getProject(id);
      const now = deps.clock();
      const by = request.principal?.user.id ?? "unknown";
      const content = JSON.stringify(request.body);
      await metricsDb(deps.database.db)
        .insertInto("project_reports")
        .values({ project_id: id, kind, content, edited_by: by, edited_at: now })
        .onConflict((oc) => oc.columns(["project_id", "kind"]).doUpdateSet({ content, edited_by: by, edited_at: now }))
        .execute();
      return { content: request.body, edited: { by, at: now } };
    },
  );
}
