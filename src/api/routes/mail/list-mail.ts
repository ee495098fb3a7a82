// GET /mail: the mail Onboard sent (or, without SMTP, keeps in its mail outbox), newest first.
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
      config: { access: "projects:read" },
      schema: {
        tags: ["mail"],
        operationId: "listMail",
        summary: "Mail sent or waiting in the mail outbox, newest first (filter by project)",
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
