// GET /projects/:id: a project with its ETag (its version); If-None-Match gives a 304.
import { z } from "zod";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag, notModified } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
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
      return reply.code(200).send(projectView(project));
    },
  );
}
