// POST /templates/:id/preview: the template (saved, or an unsaved draft) rendered with a real
// project's data, as its recipient would receive it.
import { checkTemplate } from "../../../notify/templates.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { Preview, PreviewBody, TemplateParams } from "./template.types.ts";

export function previewTemplate(app: Api, deps: ApiDeps): void {
  app.post(
    "/templates/:id/preview",
    {
      // A POST: read-only tokens may not call it (writes are every method but GET); who works
      // projects may preview the mail they send.
      config: { access: "projects:command" },
      schema: {
        tags: ["templates"],
        operationId: "previewTemplate",
        summary: "Render a template with a project's data",
        params: TemplateParams,
        body: PreviewBody,
        response: { 200: Preview, ...problemResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const notifications = notificationsOf(deps);
      const { projectId, contactId, subject, body } = request.body;
      const project = await deps.service.getProject(projectId);
      const playbook = (await deps.service.contextOf(project)).model.playbook;
      const declared = playbook.templates[request.params.id];
      const draft =
        body !== undefined || subject !== undefined
          ? {
              id: request.params.id,
              kind: declared?.kind ?? "email",
              subject: subject ?? declared?.subject,
              body: body ?? declared?.body ?? "",
            }
          : undefined;
      if (draft) {
        const problems = checkTemplate(draft, playbook);
        if (problems.length > 0)
          throw new HttpProblem("invalid", problems[0]?.message ?? "the template is refused", {
            extensions: { errors: problems.map((p) => ({ pointer: `/body/${p.field}`, detail: p.message, placeholder: p.placeholder })) },
          });
      }
      const recipient = contactId ? await notifications.contactRecipient(contactId) : await notifications.firstClientContact(projectId);
      return notifications.renderTemplate(projectId, request.params.id, {
        ...(recipient ? { recipient } : {}),
        ...(draft ? { template: draft } : {}),
      });
    },
  );
}
