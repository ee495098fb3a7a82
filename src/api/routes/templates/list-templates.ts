// GET /templates: every template of the published playbooks, with the saved overrides applied.
import { listTemplates } from "../../../notify/template-store.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { TemplateList, templateView } from "./template.types.ts";

export function listTemplatesRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/templates",
    {
      config: { access: "playbooks:read" },
      schema: {
        tags: ["templates"],
        operationId: "listTemplates",
        summary: "Message templates of the published playbooks, overrides applied",
        response: { 200: TemplateList },
      },
    },
    async () => {
      const notifications = notificationsOf(deps);
      const templates = await listTemplates(notifications.db, await notifications.playbooks());
      return { items: templates.map(templateView) };
    },
  );
}
