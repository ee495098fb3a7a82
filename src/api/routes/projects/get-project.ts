// GET /projects/:id: a project with its ETag (its version); If-None-Match gives a 304.
import { z } from "zod";
import { projectHealth } from "../../../metrics/portfolio.ts";
import { rebuildSummaries } from "../../../metrics/projection.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, notModified } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { table } from "../../webhooks/deliveries.ts";
import { Project, ProjectParams, projectView } from "./project.types.ts";

export function getProject(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getProject",
        summary: "One project (ETag: its version)",
        params: ProjectParams,
        headers: z.looseObject({ "if-none-match": z.string().optional() }),
        response: { 200: Project, 304: z.undefined().describe("Not modified"), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const project = await deps.service.getProject(request.params.id);
      reply.header("etag", etag(project.version));
      if (notModified(request.headers["if-none-match"], project.version)) return reply.code(304).send();
      // Health is the portfolio's row (a passing deadline re-derived first, as GET /portfolio does).
      await rebuildSummaries(deps.database.db, deps.clock(), { limit: 200, reviewOnly: true });
      const verdict = await projectHealth(deps.database.db, project.id);
      return reply.code(200).send({ ...projectView(project, verdict), origin: await originOf(deps, project.id) });
    },
  );
}

/** The won deal that started the project, and the CRM connection it came through. */
async function originOf(deps: ApiDeps, projectId: string) {
  const row = await deps.db.selectFrom("projects").select(["deal_source", "deal_id"]).where("id", "=", projectId).executeTakeFirst();
  if (!row?.deal_source || !row.deal_id) return null;
  const delivery = await table(deps.db)
    .selectFrom("webhook_deliveries")
    .select("connection_id")
    .where("project_id", "=", projectId)
    .where("outcome", "=", "accepted")
    .executeTakeFirst();
  return { source: row.deal_source, dealId: row.deal_id, connectionId: delivery?.connection_id ?? null };
}
