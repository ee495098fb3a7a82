// DELETE /projects/:id/comments/:comment: its author takes a comment back within the grace period
// (15 minutes); recorded in the project's item changes.
import { principalOf } from "../../auth/authorization.ts";
import { deleteItem } from "../../data/item-changes.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { NoContent } from "../common.types.ts";
import { CommentParams } from "./comment.types.ts";

export function deleteCommentRoute(app: Api, deps: ApiDeps): void {
  app.delete(
    "/projects/:id/comments/:comment",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "deleteComment",
        summary: "Delete your own comment (within 15 minutes of posting it)",
        params: CommentParams,
        response: { 204: NoContent, ...problemResponses(403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      await deleteItem(
        deps.db,
        "comment",
        { projectId: project.id, itemId: request.params.comment, clientId: project.clientId },
        { kind: "user", id: user.id },
        deps.clock(),
      );
      return reply.code(204).send();
    },
  );
}
