// GET /projects/:id/timeline: the steps in playbook order by phase, with status, due dates and
// sign-offs, plus the engine's tasks and the issues.
import { z } from "zod";
import { forecast } from "../../../engine/forecast.ts";
import { forecastsFor } from "../../../mining/mine.ts";
import { modelOf } from "../../data/playbooks.ts";
import { timelineOf } from "../../data/projects.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { etag } from "../../preconditions.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ForecastBand } from "../process-log/process-insights.types.ts";
import { Incident, ProjectParams, ProjectStatus } from "./project.types.ts";

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
    forecastStartAt: Instant.nullable().describe("When it opened or is forecast to open (null: left out or on demand)."),
    forecastFinishAt: Instant.nullable().describe(
      "When it finished or is forecast to, re-planned from now on the client's business calendar.",
    ),
    critical: z.boolean().describe("On the chain of steps that decides the go-live."),
    dependsOn: z.array(z.string()).describe("Steps it waits for (ids of steps in this timeline)."),
    gate: z
      .object({
        approvers: z.array(z.string()),
        approvals: z.record(
          z.string(),
          z.object({
            decision: z.string(),
            by: z.string(),
            at: Instant,
            comment: z.string().nullable(),
            conditions: z.string().nullable().describe("Approved with these conditions."),
          }),
        ),
        outcome: z
          .enum(["approved", "approved_with_conditions", "rejected", "pending"])
          .describe("The sign-off as a whole, as conditions read it (gates.<step>.outcome)."),
      })
      .nullable(),
    returned: z
      .object({ role: z.string(), comment: z.string() })
      .nullable()
      .describe("A rejected sign-off sent the work back here: the role that rejected it and its comment."),
    items: z
      .record(z.string(), Instant.nullable())
      .nullable()
      .describe("A repeated step's items (for_each): each with when it was done, or null while open."),
    itemLabels: z
      .record(z.string(), z.string())
      .nullable()
      .describe("What each item is called (a records row's label:), where it is not its id."),
    itemWork: z
      .record(
        z.string(),
        z.object({
          values: z.record(z.string(), z.unknown()),
          checklist: z.record(z.string(), z.boolean()),
          approvals: z.record(
            z.string(),
            z.object({
              decision: z.string(),
              by: z.string(),
              at: Instant,
              comment: z.string().nullable(),
              conditions: z.string().nullable(),
            }),
          ),
        }),
      )
      .nullable()
      .describe("Each item's own form answers, checklist ticks and sign-offs (over the step's own, which count for every item)."),
  })
  .meta({ id: "TimelineStep" });

const HistoryForecast = z.object({
  goLive: ForecastBand.nullable().describe("Null when too few comparable onboardings went live."),
  milestones: z.array(z.object({ step: z.string(), title: z.string(), forecast: ForecastBand.nullable() })),
  wentLive: z.number().int().describe("Onboardings of this playbook that went live, to learn from."),
  needed: z.number().int().describe("Comparable onboardings a forecast needs."),
});

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
  incidents: z.array(Incident),
  forecast: z
    .object({
      asOf: Instant,
      goLiveAt: Instant.nullable().describe("The go-live that happened, or its forecast."),
      goLiveStep: z.string().nullable(),
      criticalPath: z.array(z.string()).describe("Remaining steps that decide the go-live, first first."),
      history: HistoryForecast.nullable().describe(
        "What comparable onboardings of the same playbook took from the same progress (src/mining/forecast.ts); null unless active and not live yet.",
      ),
    })
    .describe("The forward plan (src/engine/forecast.ts), and the forecast from history beside it."),
});

/** The timeline with the forecast of every step. */
export function withForecast(
  base: ReturnType<typeof timelineOf>,
  plan: ReturnType<typeof forecast>,
  dependencies: ReadonlyMap<string, readonly string[]>,
) {
  const byStep = new Map(plan.steps.map((s) => [s.step, s]));
  const present = new Set(base.phases.flatMap((p) => p.steps.map((s) => s.id)));
  return {
    ...base,
    phases: base.phases.map((phase) => ({
      ...phase,
      steps: phase.steps.map((step) => {
        const f = byStep.get(step.id);
        return {
          ...step,
          forecastStartAt: f?.startAt ?? null,
          forecastFinishAt: f?.finishAt ?? null,
          critical: f?.critical ?? false,
          dependsOn: (dependencies.get(step.id) ?? []).filter((d) => present.has(d)),
        };
      }),
    })),
    forecast: { asOf: plan.asOf, goLiveAt: plan.goLiveAt, goLiveStep: plan.goLiveStep, criticalPath: [...plan.criticalPath] },
  };
}

export function getTimeline(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/timeline",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getTimeline",
        summary: "The project's steps with status, due and forecast dates, dependencies and critical path; its tasks and issues",
        params: ProjectParams,
        response: { 200: Timeline, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const project = await deps.service.getProject(request.params.id);
      const model = await modelOf(deps, project.playbook.id, project.playbook.version);
      reply.header("etag", etag(project.version));
      const now = deps.clock();
      const ctx = await deps.service.contextOf(project);
      const plan = withForecast(timelineOf(model, project.state, now), forecast(ctx, project.state, now), ctx.dependencies);
      const history = (await forecastsFor(deps.database.db, [project.id], now)).get(project.id);
      return {
        projectId: project.id,
        version: project.version,
        status: project.status,
        ...plan,
        forecast: {
          ...plan.forecast,
          history: history
            ? { ...history, milestones: history.milestones.map((m) => ({ step: m.step, title: m.title, forecast: m.forecast ?? null })) }
            : null,
        },
      };
    },
  );
}
