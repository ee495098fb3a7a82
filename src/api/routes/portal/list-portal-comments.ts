// GET /portal/api/projects/:id/comments: the conversation shared with the client.
import { z } from "zod";
import { contactOf } from "../../auth/contact-sessions.ts";
import { listComments } from "../../data/comments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { PortalComment, PortalProjectParams } from "./portal.types.ts";

export function listPortalComments(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/projects/:id/comments",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "listPortalComments",
        summary: "Comments shared with you",
        params: PortalProjectParams,
        response: { 200: z.object({ items: z.array(PortalComment) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const project = await contactProject(deps, contactOf(request), request.params.id);
      const items = await listComments(deps.db, project.id, true);
      return { items: items.map(({ visibility: _internal, ...c }) => c) };
    },
  );
}
