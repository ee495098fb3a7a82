// GET /projects: projects in the order they started, filtered by status, client or playbook.
import { z } from "zod";
import { listProjectSummaries } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { decodeCursor, paginate } from "../../pagination.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ListProjectsQuery, ProjectPage } from "./project.types.ts";

export function listProjects(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "listProjects",
        summary: "List projects",
        querystring: ListProjectsQuery,
        response: { 200: ProjectPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { cursor, limit, ...filter } = request.query;
      const after = decodeCursor("projects", cursor, z.tuple([Instant, z.string()]));
      const rows = await listProjectSummaries(deps.db, filter, after, limit + 1);
      return paginate(
        "projects",
        rows,
        limit,
        (p) => [p.createdAt, p.id],
        (p) => p,
      );
    },
  );
}
