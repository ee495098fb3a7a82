// POST /portal/api/projects/:id/comments: a contact writes to the team (always shared).
import { contactOf } from "../../auth/contact-sessions.ts";
import { addComment } from "../../data/comments.ts";
import { checkClientStep } from "../../data/step-refs.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject, contactView } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { PortalComment, PortalCommentBody, PortalProjectParams } from "./portal.types.ts";

export function addPortalComment(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/projects/:id/comments",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "addPortalComment",
        summary: "Write to the onboarding team",
        params: PortalProjectParams,
        body: PortalCommentBody,
        response: { 201: PortalComment, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const project = await contactProject(deps, contact, request.params.id);
      checkClientStep(await contactView(deps, contact, project), request.body.stepId, "/body/stepId");
      const { visibility: _shared, ...comment } = await addComment(
        deps.db,
        {
          projectId: project.id,
          stepId: request.body.stepId,
          author: { kind: "contact", id: contact.contactId, name: contact.name },
          body: request.body.body,
          visibility: "client",
        },
        deps.clock(),
      );
      return reply.code(201).send(comment);
    },
  );
}
