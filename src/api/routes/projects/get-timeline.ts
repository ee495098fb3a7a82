// GET /projects/:id/timeline: the steps in playbook order by phase, with status, due dates and
// sign-offs, plus the engine's tasks and the issues.
import { z } from "zod";
import { modelOf } from "../../data/playbooks.ts";
import { timelineOf } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ProjectParams, ProjectStatus } from "./project.types.ts";

const Step = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: z.string(),
    owner: z.string(),
    status: z.string(),
    attempt: z.number().int(),
    overdue: z.boolean(),
    opensAt: Instant.nullable(),
    openedAt: Instant.nullable(),
    startedAt: Instant.nullable(),
    completedAt: Instant.nullable(),
    targetAt: Instant.nullable(),
    dueAt: Instant.nullable(),
    gate: z
      .object({
        approvers: z.array(z.string()),
        approvals: z.record(z.string(), z.object({ decision: z.string(), by: z.string(), at: Instant })),
      })
      .nullable(),
    items: z
      .record(z.string(), Instant.nullable())
      .nullable()
      .describe("A repeated step's items (for_each): each with when it was done, or null while open."),
  })
  .meta({ id: "TimelineStep" });

export const Timeline = z.object({
  projectId: z.string(),
  version: z.number().int(),
  status: ProjectStatus,
  phases: z.array(z.object({ id: z.string(), title: z.string(), steps: z.array(Step) })),
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      owner: z.string(),
      source: z.string(),
      createdAt: Instant,
      dueAt: Instant.nullable(),
      doneAt: Instant.nullable(),
    }),
  ),
  issues: z.array(z.object({ id: z.string(), severity: z.string(), title: z.string(), openedAt: Instant, resolvedAt: Instant.nullable() })),
});

export function getTimeline(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/timeline",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getTimeline",
        summary: "The project's steps with status and due dates, its tasks and issues",
        params: ProjectParams,
        response: { 200: Timeline, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const project = await deps.service.getProject(request.params.id);
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      reply.header("etag", etag(project.version));
      return { projectId: project.id, version: project.version, status: project.status, ...timelineOf(model, project.state, deps.clock()) };
    },
  );
}
