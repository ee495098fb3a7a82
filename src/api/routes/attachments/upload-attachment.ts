// POST /projects/:id/attachments?fileName=…: the request body is the file, its Content-Type the
// file's type (accepted types and at most 10 MB; see data/attachments.ts). Streamed into the file
// store; 413 past the size limit or the client's file quota, with nothing stored.
import type { IncomingMessage } from "node:http";
import { principalOf } from "../../auth/authorization.ts";
import { saveAttachment } from "../../data/attachments.ts";
import { checkProjectStep } from "../../data/step-refs.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { ProjectParams } from "../projects/project.types.ts";
import { Attachment, UploadQuery } from "./attachment.types.ts";
import { declaredLength } from "./scope.ts";

export function uploadAttachment(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/attachments",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "uploadAttachment",
        summary: "Attach a file to a project (the body is the file)",
        description:
          "The body is the file, sent as is with its type as Content-Type (at most 10 MB). 413 when it is larger, or when the " +
          "client's files would pass their quota (problem type quota-exceeded, with quotaBytes and usedBytes).",
        params: ProjectParams,
        querystring: UploadQuery,
        response: { 201: Attachment, ...problemResponses(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { user } = principalOf(request);
      const project = await deps.service.getProject(request.params.id);
      checkProjectStep(project.state, request.query.stepId, "/query/stepId");
      const saved = await saveAttachment(
        deps.database.files,
        deps.db,
        deps.config.limits.clientFileQuotaBytes,
        {
          projectId: project.id,
          clientId: project.clientId,
          stepId: request.query.stepId,
          fileName: request.query.fileName,
          contentType: request.headers["content-type"],
          declaredBytes: declaredLength(request.headers),
          body: request.body as IncomingMessage,
          visibility: request.query.visibility,
          by: { kind: "user", id: user.id },
        },
        deps.clock(),
      );
      return reply.code(201).send(saved);
    },
  );
}
