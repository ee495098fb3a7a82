// GET /projects/:id/attachments: the project's files (metadata; download each from /attachments/:id).
import { z } from "zod";
import { listAttachments } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "../projects/project.types.ts";
import { Attachment } from "./attachment.types.ts";

export function listAttachmentsRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/attachments",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "listAttachments",
        summary: "A project's files",
        params: ProjectParams,
        response: { 200: z.object({ items: z.array(Attachment) }), ...problemResponses(404) },
      },
    },
    async (request) => {
      const project = await deps.service.getProject(request.params.id);
      return { items: await listAttachments(deps.db, project.id, false) };
    },
  );
}
