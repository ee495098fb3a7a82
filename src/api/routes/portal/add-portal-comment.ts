// POST /portal/api/projects/:id/comments: a contact writes to the team (always shared).
import type { Kysely } from "kysely";
import { enqueueKeyed } from "../../../store/index.ts";
import type { Schema } from "../../../store/schema.ts";
import { contactOf } from "../../auth/contact-sessions.ts";
import { clientActionNotices, keyed, quotedText } from "../../data/client-actions.ts";
import { addComment } from "../../data/comments.ts";
import { modelOf } from "../../data/playbooks.ts";
import { checkClientStep } from "../../data/step-refs.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactProject, contactView } from "../../portal/contact-projects.ts";
import { problemResponses } from "../../problems.ts";
import { PortalComment, PortalCommentBody, PortalProjectParams } from "./portal.types.ts";

export function addPortalComment(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/projects/:id/comments",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "addPortalComment",
        summary: "Write to the onboarding team",
        params: PortalProjectParams,
        body: PortalCommentBody,
        response: { 201: PortalComment, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const project = await contactProject(deps, contact, request.params.id);
      checkClientStep(await contactView(deps, contact, project), request.body.stepId, "/body/stepId");
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      const stepTitle = request.body.stepId ? model.steps.get(request.body.stepId)?.step.title : undefined;
      const notices = await clientActionNotices(deps.database.db, {
        model,
        state: project.state,
        contactName: contact.name,
        what: `wrote a message${stepTitle ? ` on ${quotedText(stepTitle)}` : ""}`,
      });
      // The message and the team's notices of it: one transaction.
      const { visibility: _shared, ...comment } = await deps.db.transaction().execute(async (trx) => {
        const added = await addComment(
          trx,
          {
            projectId: project.id,
            stepId: request.body.stepId,
            author: { kind: "contact", id: contact.contactId, name: contact.name },
            body: request.body.body,
            visibility: "client",
          },
          deps.clock(),
        );
        for (const n of keyed(notices, `comment:${added.id}`))
          await enqueueKeyed(trx as unknown as Kysely<Schema>, project.id, n.key, n.effect, deps.clock());
        return added;
      });
      if (notices.length > 0) deps.outboxQueued();
      return reply.code(201).send(comment);
    },
  );
}
