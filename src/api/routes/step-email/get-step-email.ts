// GET /projects/:id/steps/:step/email: the mail an email step sends, rendered for this project
// (recipients, subject, text and HTML) for its owner to check before sending it. 404 when the step
// is not an email step with a template; 422 when the client has no contact to send it to, or the
// template uses a placeholder this project has no value for.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { stepEmailDraft } from "./draft.ts";
import { draftView, StepEmailDraft, StepEmailParams } from "./step-email.types.ts";

export function getStepEmail(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/steps/:step/email",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getStepEmail",
        summary: "The email an email step sends, rendered for the project (a draft to check before sending)",
        params: StepEmailParams,
        response: { 200: StepEmailDraft, ...problemResponses(404, 422) },
      },
    },
    async (request, reply) => {
      const { id, step } = request.params;
      const draft = await stepEmailDraft(deps, id, step);
      reply.header("etag", etag(draft.projectVersion));
      return draftView(id, draft);
    },
  );
}
