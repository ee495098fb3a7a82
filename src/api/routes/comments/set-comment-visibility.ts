// PUT /projects/:id/comments/:comment/visibility: share a team comment with the client in the
// portal, or make it internal again; recorded in the project's item changes.

import { notFound } from "../../../store/errors.ts";
import { principalOf } from "../../auth/authorization.ts";
import { listComments } from "../../data/comments.ts";
import { setItemVisibility } from "../../data/item-changes.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Comment, CommentParams, VisibilityBody } from "./comment.types.ts";

export function setCommentVisibilityRoute(app: Api, deps: ApiDeps): void {
  app.put(
    "/projects/:id/comments/:comment/visibility",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "setCommentVisibility",
        summary: "Share a comment with the client, or make it internal again",
        params: CommentParams,
        body: VisibilityBody,
        response: { 200: Comment, ...problemResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      const ids = { projectId: project.id, itemId: request.params.comment };
      await setItemVisibility(deps.db, "comment", ids, request.body.visibility, { kind: "user", id: user.id }, deps.clock());
      const comment = (await listComments(deps.db, project.id, false)).find((c) => c.id === ids.itemId);
      if (!comment) throw notFound(`comment ${ids.itemId} of project ${project.id}`);
      return comment;
    },
  );
}
