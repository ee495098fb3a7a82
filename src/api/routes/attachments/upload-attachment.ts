// POST /projects/:id/attachments?fileName=…: the request body is the file, its Content-Type the
// file's type (accepted types and at most 10 MB; see data/attachments.ts).
import { principalOf } from "../../auth/authorization.ts";
import { checkAttachment, saveAttachment } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "../projects/project.types.ts";
import { Attachment, UploadQuery } from "./attachment.types.ts";

export function uploadAttachment(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/attachments",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "uploadAttachment",
        summary: "Attach a file to a project (the body is the file)",
        params: ProjectParams,
        querystring: UploadQuery,
        response: { 201: Attachment, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
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
          visibility: request.query.visibility,
          by: { kind: "user", id: user.id },
        },
        deps.clock(),
      );
      return reply.code(201).send(saved);
    },
  );
}
