// GET /attachments/:id: download a file, always as an attachment (never rendered inline: an
// uploaded HTML or SVG must not run in our origin), with nosniff; streamed from the file store.
import type { FastifyReply } from "fastify";
import { notFound } from "../../../store/errors.ts";
import { attachmentFile, sendAttachment } from "../../data/attachments.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { AttachmentParams } from "./attachment.types.ts";

export function downloadAttachment(app: Api, deps: ApiDeps): void {
  app.get(
    "/attachments/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "downloadAttachment",
        summary: "Download an attached file",
        params: AttachmentParams,
        response: { ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const file = await attachmentFile(deps.db, request.params.id);
      if (!file) throw notFound(`attachment ${request.params.id}`);
      // The file's bytes, not a JSON body: sent past the response schema, which documents the errors.
      return sendAttachment(reply as FastifyReply, deps.database, file);
    },
  );
}
