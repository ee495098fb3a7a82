// POST /portal/api/projects/:id/attachments?fileName=…: a contact sends the team a file (shared).
// Streamed into the file store like the team's uploads, against the same client quota (413), and
// at most PORTAL_UPLOADS_PER_HOUR per contact (429).
import type { IncomingMessage } from "node:http";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { enqueueKeyed } from "../../../store/index.ts";
import type { Schema } from "../../../store/schema.ts";
import { contactOf } from "../../auth/contact-sessions.ts";
import { saveAttachment } from "../../data/attachments.ts";
import { clientActionNotices, keyed, quotedText } from "../../data/client-actions.ts";
import { modelOf } from "../../data/playbooks.ts";
import { checkClientStep } from "../../data/step-refs.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject, contactView } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { UploadQuery } from "../attachments/attachment.types.ts";
import { declaredLength } from "../attachments/scope.ts";
import { PortalAttachment, PortalProjectParams } from "./portal.types.ts";

export function uploadPortalAttachment(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/projects/:id/attachments",
    {
      config: {
        access: "contact",
        // Counted per contact, after the session is checked (onRequest), before any byte is read.
        rateLimit: {
          max: deps.config.limits.portalUploadsPerHour,
          timeWindow: "1 hour",
          hook: "preHandler",
          keyGenerator: (request: FastifyRequest) => `portal-upload:${request.contact?.contactId ?? request.ip}`,
        },
      },
      schema: {
        tags: ["portal"],
        operationId: "uploadPortalAttachment",
        summary: "Send the team a file (the body is the file)",
        description:
          "The body is the file, sent as is with its type as Content-Type (at most 10 MB). 413 when it is larger, or when your " +
          "company's files would pass their quota (problem type quota-exceeded); 429 past the uploads allowed per hour.",
        params: PortalProjectParams,
        querystring: UploadQuery.omit({ visibility: true }),
        response: { 201: PortalAttachment, ...problemResponses(400, 404, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const project = await contactProject(deps, contact, request.params.id);
      checkClientStep(await contactView(deps, contact, project), request.query.stepId, "/query/stepId");
      // The team hears of the file in the transaction that records it.
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      const stepTitle = request.query.stepId ? model.steps.get(request.query.stepId)?.step.title : undefined;
      const notices = await clientActionNotices(deps.database.db, {
        model,
        state: project.state,
        contactName: contact.name,
        what: `sent a file, ${quotedText(request.query.fileName)}${stepTitle ? ` for ${quotedText(stepTitle)}` : ""}`,
      });
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
          visibility: "client",
          by: { kind: "contact", id: contact.contactId },
          alsoWrite: async (trx, attachmentId) => {
            for (const n of keyed(notices, `file:${attachmentId}`))
              await enqueueKeyed(trx as unknown as Kysely<Schema>, project.id, n.key, n.effect, deps.clock());
          },
        },
        deps.clock(),
      );
      if (notices.length > 0) deps.outboxQueued();
      return reply
        .code(201)
        .send({ id: saved.id, fileName: saved.fileName, contentType: saved.contentType, size: saved.size, createdAt: saved.createdAt });
    },
  );
}
