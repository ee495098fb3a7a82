// GET /mail/:id: one message of the mail log with its text and HTML parts as recorded: its secrets
// (sign-in and survey links) redacted. Admins only.
import { getMail } from "../../../notify/mail-store.ts";
import { notifyDb } from "../../../notify/tables.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Mail, MailParams, mailView } from "./mail.types.ts";

export function getMailRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/mail/:id",
    {
      config: { access: "mail:read" },
      schema: {
        tags: ["mail"],
        operationId: "getMail",
        summary: "One message of the mail log (admins), secrets redacted",
        params: MailParams,
        response: { 200: Mail, ...problemResponses(404) },
      },
    },
    async (request) => {
      const mail = await getMail(notifyDb(deps.database), request.params.id);
      if (!mail) throw new HttpProblem("not_found", `no mail "${request.params.id}"`);
      return mailView(mail);
    },
  );
}
