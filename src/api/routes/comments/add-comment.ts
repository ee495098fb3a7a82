// POST /projects/:id/comments: a note for the team, or (visibility client) a message the client
// sees in the portal.
import { principalOf } from "../../auth/authorization.ts";
import { addComment } from "../../data/comments.ts";
import { checkProjectStep } from "../../data/step-refs.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "../projects/project.types.ts";
import { Comment, CommentBody } from "./comment.types.ts";

export function addCommentRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/comments",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "addComment",
        summary: "Comment on a project",
        params: ProjectParams,
        body: CommentBody,
        response: { 201: Comment, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      checkProjectStep(project.state, request.body.stepId, "/body/stepId");
      const comment = await addComment(
        deps.db,
        {
          projectId: project.id,
          stepId: request.body.stepId,
          author: { kind: "user", id: user.id, name: user.name },
          body: request.body.body,
          visibility: request.body.visibility,
        },
        deps.clock(),
      );
      return reply.code(201).send(comment);
    },
  );
}
