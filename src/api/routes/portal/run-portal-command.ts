// POST /portal/api/projects/:id/commands: a client contact signs a gate, ticks their checklist
// items, fills a form, completes their step or answers a survey. The contact acts with their
// client-side playbook roles only; the engine decides whether those roles may do it.
import { contactOf } from "../../auth/contact-sessions.ts";
import { clientActionNotices, describeClientCommand, keyed } from "../../data/client-actions.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { contactRolesOn } from "../../portal/client-view.ts";
import { contactProject } from "../../portal/contact-projects.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { CommandHeaders } from "../projects/command.types.ts";
import { PortalCommand, PortalCommandOutcome, PortalProjectParams } from "./portal.types.ts";

export function runPortalCommand(app: Api, deps: ApiDeps): void {
  app.post(
    "/portal/api/projects/:id/commands",
    {
      config: { access: "contact" },
      schema: {
        tags: ["portal"],
        operationId: "runPortalCommand",
        summary: "Approve, reject, tick, fill in, complete or answer (needs If-Match)",
        params: PortalProjectParams,
        headers: CommandHeaders,
        body: PortalCommand,
        response: { 200: PortalCommandOutcome, ...problemResponses(400, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const contact = contactOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const project = await contactProject(deps, contact, request.params.id);
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      const roles = contactRolesOn(model, project.state, contact);
      const key = request.headers["idempotency-key"];
      // The team hears what the client did (in the app, and by email or chat as each person prefers).
      const what = describeClientCommand(model, request.body);
      const notices =
        what === null ? [] : await clientActionNotices(deps.database.db, { model, state: project.state, contactName: contact.name, what });
      const result = await deps.service
        .runCommand(project.id, {
          command: request.body,
          actor: {
            id: contact.contactId,
            kind: "contact",
            roles,
            ...(contact.authentication ? { authentication: contact.authentication } : {}),
          },
          expectedVersion,
          ...(key ? { idempotencyKey: `contact:${contact.contactId}:${key}` } : {}),
          now: deps.clock(),
          ...(notices.length > 0 ? { deliver: (done) => keyed(notices, `${done.projectId}@${done.version}`) } : {}),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("etag", etag(result.version));
      // Not the events and effects: they name the vendor's internal steps and people.
      return { projectId: result.projectId, version: result.version, status: result.status, replayed: result.replayed };
    },
  );
}
