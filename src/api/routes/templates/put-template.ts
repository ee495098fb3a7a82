// PUT /templates/:id: save a user-authored version of a playbook template. Refused (422, naming the
// field and the placeholder) when a placeholder has no value in a playbook declaring the template,
// and (naming the tag and its line) when it would include, render or lay out another template.
import { listTemplates, saveOverride } from "../../../notify/template-store.ts";
import { principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { templateRefusal } from "./refusal.ts";
import { MessageTemplate, PutTemplateBody, TemplateParams, templateView } from "./template.types.ts";

export function putTemplate(app: Api, deps: ApiDeps): void {
  app.put(
    "/templates/:id",
    {
      config: { access: "playbooks:write" },
      schema: {
        tags: ["templates"],
        operationId: "putTemplate",
        summary: "Save a template's subject and body (Liquid), replacing the playbook's text",
        params: TemplateParams,
        body: PutTemplateBody,
        response: { 200: MessageTemplate, ...problemResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const notifications = notificationsOf(deps);
      const playbooks = await notifications.playbooks();
      const by = principalOf(request).user.id;
      try {
        await saveOverride(notifications.db, playbooks, { id: request.params.id, ...request.body }, by, deps.clock());
      } catch (error) {
        throw templateRefusal(error);
      }
      const saved = (await listTemplates(notifications.db, playbooks)).find((t) => t.id === request.params.id);
      if (!saved) throw new HttpProblem("not_found", `no template "${request.params.id}"`);
      return templateView(saved);
    },
  );
}
