// POST /projects/:id/commands: one engine command on a project. If-Match is required (428 without
// it) and the store checks it under the row lock (412 when stale). The signed-in account acts with
// the playbook roles it holds on this project (CS operations and admins as managers); the engine
// refuses what those roles may not do (403). Idempotency-Key replays the first response.
import { actorFor, principalOf } from "../../auth/authorization.ts";
import { eventView } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { userKey } from "../../idempotency.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { Command, CommandHeaders, CommandOutcome } from "./command.types.ts";
import { ProjectParams } from "./project.types.ts";

export function runCommand(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/commands",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "runCommand",
        summary: "Run a command on a project (needs If-Match)",
        params: ProjectParams,
        headers: CommandHeaders,
        body: Command,
        response: { 200: CommandOutcome, ...problemResponses(400, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const { id } = request.params;
      // The roles read here belong to the version the store then requires: a stale read never acts.
      const project = await deps.service.getProject(id);
      const key = request.headers["idempotency-key"];
      const result = await deps.service
        .runCommand(id, {
          command: request.body,
          actor: actorFor(principal, project.state),
          expectedVersion,
          ...(key ? { idempotencyKey: userKey(principal.user.id, key) } : {}),
          now: deps.clock(),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });
      if (result.replayed) reply.header("idempotent-replayed", "true");
      reply.header("etag", etag(result.version));
      return {
        projectId: result.projectId,
        version: result.version,
        status: result.status,
        nextWakeAt: result.nextWakeAt ?? null,
        events: result.events.map(eventView),
        effects: result.effects.map((e) => ({ ...e })),
        replayed: result.replayed,
      };
    },
  );
}
