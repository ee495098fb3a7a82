// GET /clients/:id/export: everything Onboard holds about one client (its record, contacts,
// projects, every form answer, what happened), as JSON or CSV, for admins.
import { answerRows, exportRows } from "../../../compliance/export.ts";
import { principalOf } from "../../auth/authorization.ts";
import { clientExport } from "../../data/personal-export.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ClientExport, ExportQuery, SubjectParams } from "./gdpr.types.ts";
import { sendExport } from "./send-export.ts";

export function exportClient(app: Api, deps: ApiDeps): void {
  app.get(
    "/clients/:id/export",
    {
      config: { access: "personal-data:read" },
      schema: {
        tags: ["gdpr"],
        operationId: "exportClient",
        summary: "Everything Onboard holds about a client (GDPR Art. 15, 20), as JSON or CSV",
        params: SubjectParams,
        querystring: ExportQuery,
        // 200 is the JSON below (format=json), or text/csv sent past the schema.
        response: { 200: ClientExport, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const by = principalOf(request).user.id;
      const data = await clientExport(deps, request.params.id, by);
      return sendExport(deps, request, reply, { kind: "client", id: data.client.id, by }, request.query.format, {
        json: data,
        rows: () => [
          ...exportRows("client", [data.client], { id: "id", at: "updatedAt" }),
          ...exportRows("contact", data.contacts, { id: "id", at: "updatedAt" }),
          ...exportRows(
            "project",
            data.projects.map((p) => ({ ...p, projectId: p.id })),
            { id: "id", at: "createdAt" },
          ),
          ...answerRows(data.formAnswers),
          ...exportRows(
            "event",
            data.events.map((e) => ({ ...e, n: String(e.seq) })),
            { id: "n", at: "at" },
          ),
          ...exportRows("comment", data.comments, { id: "id", at: "createdAt" }),
          ...exportRows("file", data.files, { id: "id", at: "createdAt" }),
          ...exportRows("mail", data.mail, { id: "id", at: "createdAt" }),
          ...exportRows("survey_answer", data.surveyAnswers, { id: "id", at: "answeredAt" }),
        ],
      });
    },
  );
}
