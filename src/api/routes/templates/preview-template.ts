// POST /templates/:id/preview: the template (saved, or an unsaved draft) rendered with a real
// project's data, as its recipient would receive it. A draft is checked like a save (422 naming
// the placeholder or the include/render/layout tag); rendering runs in the template threads with a
// time limit (422 when the template runs past it; 503 with Retry-After when every thread is busy
// and the queue is full), so a runaway template stalls nobody else.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { notificationsOf } from "../mail/notifications-of.ts";
import { templateRefusal } from "./refusal.ts";
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
        response: { 200: Preview, ...problemResponses(400, 404, 422, 503) },
      },
    },
    async (request) => {
      const { projectId, contactId, subject, body } = request.body;
      try {
        return await notificationsOf(deps).preview(projectId, request.params.id, { contactId, subject, body });
      } catch (error) {
        throw templateRefusal(error);
      }
    },
  );
}
