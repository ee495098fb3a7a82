// POST /projects: start a client's onboarding on a published playbook version. Roles are assigned
// from the directory, the first steps open with their deadlines. Idempotency-Key is the store's
// (Stripe semantics: a retry replays the first response; another body with the same key is a 422).
import { principalOf } from "../../auth/authorization.ts";
import { getClient } from "../../data/clients.ts";
import { contentHashOf } from "../../data/playbooks.ts";
import { eventView } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { userKey } from "../../idempotency.ts";
import { etag } from "../../preconditions.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";
import { CreatedProject, CreateProjectBody, CreateProjectHeaders } from "./project.types.ts";

export function createProject(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects",
    {
      config: { access: "projects:create" },
      schema: {
        tags: ["projects"],
        operationId: "createProject",
        summary: "Start a project for a client on a playbook version",
        headers: CreateProjectHeaders,
        body: CreateProjectBody,
        response: { 201: CreatedProject, ...problemResponses(400, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { body } = request;
      const client = await getClient(deps.db, body.clientId);
      if (!client) throw unknownReference("/body/clientId", `no client "${body.clientId}": create it with POST /clients first`);
      if ((await contentHashOf(deps.db, body.playbook.id, body.playbook.version)) === undefined) {
        throw unknownReference("/body/playbook", `playbook ${body.playbook.id} version ${body.playbook.version} is not published`);
      }
      const key = request.headers["idempotency-key"];
      const result = await deps.service.startProject({
        playbook: body.playbook,
        input: {
          ...(body.id ? { projectId: body.id } : {}),
          client: {
            id: client.id,
            name: client.name,
            timeZone: client.timeZone,
            ...(client.country ? { country: client.country } : {}),
            ...(client.region ? { region: client.region } : {}),
          },
          // The client's facts (answered on the client's page for this playbook) unless the body says otherwise.
          facts: { ...(client.playbookId === body.playbook.id ? client.facts : {}), ...body.facts },
          ...(body.params ? { params: body.params } : {}),
        },
        ...(key ? { idempotencyKey: userKey(principal.user.id, key) } : {}),
        now: deps.clock(),
      });
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("location", `/projects/${encodeURIComponent(result.projectId)}`);
      reply.header("etag", etag(result.version));
      return reply.code(201).send({
        project: {
          id: result.projectId,
          clientId: client.id,
          playbook: body.playbook,
          status: result.status,
          version: result.version,
          nextWakeAt: result.nextWakeAt ?? null,
        },
        events: result.events.map(eventView),
        effects: result.effects.map((e) => ({ ...e })),
      });
    },
  );
}

function unknownReference(pointer: string, detail: string): HttpProblem {
  const problem = fieldProblem(pointer, detail);
  return new HttpProblem("invalid", detail, { extensions: problem.extensions });
}
