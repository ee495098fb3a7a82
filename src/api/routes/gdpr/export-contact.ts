// GET /contacts/:id/export: everything Onboard holds about one client contact (GDPR Art. 15 access,
// Art. 20 portability), as JSON or CSV, for admins.
import { answerRows, exportRows } from "../../../compliance/export.ts";
import { principalOf } from "../../auth/authorization.ts";
import { contactExport } from "../../data/personal-export.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ContactExport, ExportQuery, SubjectParams } from "./gdpr.types.ts";
import { sendExport } from "./send-export.ts";

export function exportContact(app: Api, deps: ApiDeps): void {
  app.get(
    "/contacts/:id/export",
    {
      config: { access: "personal-data:read" },
      schema: {
        tags: ["gdpr"],
        operationId: "exportContact",
        summary: "Everything Onboard holds about a contact (GDPR Art. 15, 20), as JSON or CSV",
        params: SubjectParams,
        querystring: ExportQuery,
        // 200 is the JSON below (format=json), or text/csv sent past the schema.
        response: { 200: ContactExport, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const by = principalOf(request).user.id;
      const data = await contactExport(deps, request.params.id, by);
      return sendExport(deps, request, reply, { kind: "contact", id: data.contact.id, by }, request.query.format, {
        json: data,
        rows: () => [
          ...exportRows("contact", [{ ...data.contact, clientName: data.client.name }], { id: "id", at: "updatedAt" }),
          ...exportRows(
            "sign_in",
            data.signIns.map((s, i) => ({ n: String(i + 1), ...s })),
            { id: "n", at: "createdAt" },
          ),
          ...exportRows("comment", data.comments, { id: "id", at: "createdAt" }),
          ...exportRows("file", data.files, { id: "id", at: "createdAt" }),
          ...exportRows("mail", data.mail, { id: "id", at: "createdAt" }),
          ...exportRows("notification", data.notifications, { id: "id", at: "createdAt" }),
          ...exportRows("survey_answer", data.surveyAnswers, { id: "id", at: "answeredAt" }),
          ...answerRows(data.formAnswers),
          ...exportRows("data_request", data.dataRequests, { id: "id", at: "receivedAt" }),
        ],
      });
    },
  );
}
