// GET /projects/:id/migration?to=1.2: what moving the project to another version of its playbook
// would do (steps added, removed, changed) and what blocks it, without changing anything.
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { MigrationPlan, MigrationQuery } from "./migration.types.ts";
import { ProjectParams } from "./project.types.ts";

export function previewMigration(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/migration",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "previewMigration",
        summary: "Preview moving a project to another playbook version",
        params: ProjectParams,
        querystring: MigrationQuery,
        response: { 200: MigrationPlan, ...problemResponses(404) },
      },
    },
    async (request) => {
      const plan = await deps.service.previewMigration(request.params.id, request.query.to, deps.clock());
      return structuredClone(plan) as typeof MigrationPlan._zod.output;
    },
  );
}
