// POST /projects/:id/migration: move a project to another published version of its playbook
// (CS operations). Needs If-Match; refused with the preview's blockers while there are any; one
// logged project.migrated event with the reason.

import { z } from "zod";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, preconditionFailed, requiredVersion } from "../../preconditions.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { CommandHeaders } from "./command.types.ts";
import { MigrateBody, MigrationPlan } from "./migration.types.ts";
import { ProjectParams } from "./project.types.ts";

export function migrateProject(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/migration",
    {
      config: { access: "projects:migrate" },
      schema: {
        tags: ["projects"],
        operationId: "migrateProject",
        summary: "Move a project to another playbook version (needs If-Match)",
        params: ProjectParams,
        headers: CommandHeaders,
        body: MigrateBody,
        response: { 200: z.object({ version: z.number().int(), plan: MigrationPlan }), ...problemResponses(400, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expectedVersion = requiredVersion(request.headers["if-match"]);
      const { id } = request.params;
      const plan = await deps.service.previewMigration(id, request.body.to, deps.clock());
      if (plan.blockers.length > 0) {
        throw new HttpProblem("invalid", `the project cannot move to ${request.body.to}: ${plan.blockers.join("; ")}`, {
          extensions: { errors: plan.blockers.map((detail) => ({ pointer: "/body/to", detail })) },
        });
      }
      const project = await deps.service.getProject(id);
      const result = await deps.service
        .migrateProject(id, {
          toVersion: request.body.to,
          actor: actorFor(principal, project.state),
          reason: request.body.reason,
          expectedVersion,
          now: deps.clock(),
        })
        .catch((error: unknown) => {
          throw preconditionFailed(error);
        });
      reply.header("etag", etag(result.version));
      return { version: result.version, plan: structuredClone(result.plan) as typeof MigrationPlan._zod.output };
    },
  );
}
