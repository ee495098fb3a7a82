// GET /portal/api/projects/:id/attachments: the files shared with the client.
import { z } from "zod";
import { contactOf } from "../../auth/contact-sessions.ts";
import { listAttachments } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { PortalAttachment, PortalProjectParams } from "./portal.types.ts";

export function listPortalAttachments(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/projects/:id/attachments",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "listPortalAttachments",
        summary: "Files shared with you",
        params: PortalProjectParams,
        response: { 200: z.object({ items: z.array(PortalAttachment) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const project = await contactProject(deps, contactOf(request), request.params.id);
      const items = await listAttachments(deps.db, project.id, true);
      return {
        items: items.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size, createdAt: a.createdAt })),
      };
    },
  );
}
