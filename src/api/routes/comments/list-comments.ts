// GET /projects/:id/comments: the project's conversation, internal notes included.
import { z } from "zod";
import { listComments } from "../../data/comments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "../projects/project.types.ts";
import { Comment } from "./comment.types.ts";

export function listCommentsRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/comments",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "listComments",
        summary: "Comments on a project",
        params: ProjectParams,
        response: { 200: z.object({ items: z.array(Comment) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const project = await deps.service.getProject(request.params.id);
      return { items: await listComments(deps.db, project.id, false) };
    },
  );
}
