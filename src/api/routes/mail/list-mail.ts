// GET /mail: the mail log, newest first: who was sent what and when, for admins. Sign-in and survey
// links were redacted before the mail was recorded; the messages themselves went to their addressees.
import { z } from "zod";
import { listMail } from "../../../notify/mail-store.ts";
import { notifyDb } from "../../../notify/tables.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ListMailQuery, MailPage, mailSummary } from "./mail.types.ts";

export function listMailRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/mail",
    {
      config: { access: "mail:read" },
      schema: {
        tags: ["mail"],
        operationId: "listMail",
        summary: "The mail log (admins): mail sent, newest first, secrets redacted (filter by project)",
        querystring: ListMailQuery,
        response: { 200: MailPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, projectId } = request.query;
      const after = decodeCursor("mail", cursor, z.tuple([Instant, z.string()]));
      const rows = await listMail(notifyDb(deps.database), {
        projectId,
        before: after ? { createdAt: after[0], id: after[1] } : undefined,
        limit: limit + 1,
      });
      return paginate("mail", rows, limit, (m) => [m.createdAt, m.id], mailSummary);
    },
  );
}
