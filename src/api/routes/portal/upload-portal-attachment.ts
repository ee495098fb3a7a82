// POST /portal/api/projects/:id/attachments?fileName=…: a contact sends the team a file (shared).
import { contactOf } from "../../auth/contact-sessions.ts";
import { checkAttachment, saveAttachment } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { UploadQuery } from "../attachments/attachment.types.ts";
import { PortalAttachment, PortalProjectParams } from "./portal.types.ts";

export function uploadPortalAttachment(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/projects/:id/attachments",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "uploadPortalAttachment",
        summary: "Send the team a file (the body is the file)",
        params: PortalProjectParams,
        querystring: UploadQuery.omit({ visibility: true }),
        response: { 201: PortalAttachment, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const project = await contactProject(deps, contact, request.params.id);
      const bytes = request.body as Buffer;
      const contentType = checkAttachment(request.headers["content-type"], bytes);
      const saved = await saveAttachment(
        deps.db,
        {
          projectId: project.id,
          stepId: request.query.stepId,
          fileName: request.query.fileName,
          contentType,
          bytes,
          visibility: "client",
          by: { kind: "contact", id: contact.contactId },
        },
        deps.clock(),
      );
      return reply
        .code(201)
        .send({ id: saved.id, fileName: saved.fileName, contentType: saved.contentType, size: saved.size, createdAt: saved.createdAt });
    },
  );
}
