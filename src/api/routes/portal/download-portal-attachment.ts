// GET /portal/api/projects/:id/attachments/:attachment: download a file shared with the client.
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { notFound } from "../../../store/errors.ts";
import { contactOf } from "../../auth/contact-sessions.ts";
import { attachmentFile, sendAttachment } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";

export function downloadPortalAttachment(app: Api, deps: ApiDeps): void {
  app.get(
    "/portal/api/projects/:id/attachments/:attachment",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "downloadPortalAttachment",
        summary: "Download a file shared with you",
        params: z.object({ id: z.string().min(1).max(128), attachment: z.string().min(1).max(128) }),
        response: { ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const project = await contactProject(deps, contactOf(request), request.params.id);
      const file = await attachmentFile(deps.db, request.params.attachment);
      if (!file || file.projectId !== project.id || file.visibility !== "client") throw notFound(`attachment ${request.params.attachment}`);
      return sendAttachment(reply as FastifyReply, deps.database, file);
    },
  );
}
