// POST /projects/:id/timeline/preview: what moving a step's deadline would move. The engine runs
// the extend_deadline command on the current state as this person (refused exactly as the real
// command would be, nothing stored), and the forecast before and after says which remaining steps
// and which go-live date move with it, so the timeline can show it before the CSM confirms.
import { z } from "zod";
import { forecast, forecastMoves } from "../../../engine/forecast.ts";
import { execute } from "../../../engine/index.ts";
import { coerceError } from "../../../store/index.ts";
import { actorFor, principalOf } from "../../auth/authorization.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";
import { ProjectParams } from "./project.types.ts";

export const ExtensionPreviewBody = z.object({
  step: z.string().min(1).max(200).describe("The open step whose deadline moves."),
  until: Instant.describe("The new deadline."),
  reason: z.string().max(2000).optional().describe("Not needed for a preview; the real command needs one."),
});

export const ExtensionPreview = z
  .object({
    projectId: z.string(),
    version: z.number().int().describe("The version previewed: send it as If-Match with the command."),
    step: z.object({ id: z.string(), title: z.string(), from: Instant.nullable(), to: Instant }),
    moves: z
      .array(z.object({ step: z.string(), title: z.string(), from: Instant, to: Instant }))
      .describe("Other remaining steps whose forecast finish moves."),
    goLive: z.object({ from: Instant.nullable(), to: Instant.nullable() }).describe("The forecast go-live before and after."),
  })
  .meta({ id: "ExtensionPreview" });

export function previewExtension(app: Api, deps: ApiDeps): void {
  app.post(
    "/projects/:id/timeline/preview",
    {
      config: { access: "projects:command" },
      schema: {
        tags: ["projects"],
        operationId: "previewExtension",
        summary: "What extending a step's deadline would move (nothing is stored)",
        params: ProjectParams,
        body: ExtensionPreviewBody,
        response: { 200: ExtensionPreview, ...problemResponses(400, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const project = await deps.service.getProject(request.params.id);
      const ctx = await deps.service.contextOf(project);
      const now = deps.clock();
      const { step, until } = request.body;
      const command = { type: "extend_deadline" as const, step, until, reason: request.body.reason?.trim() || "preview" };
      let after: typeof project.state;
      try {
        after = execute(ctx, project.state, command, actorFor(principalOf(request), project.state), now).state;
      } catch (error) {
        throw coerceError(error);
      }
      const moved = forecastMoves(forecast(ctx, project.state, now), forecast(ctx, after, now));
      const title = (id: string) => ctx.model.steps.get(id)?.step.title ?? id;
      return {
        projectId: project.id,
        version: project.version,
        step: { id: step, title: title(step), from: project.state.steps[step]?.dueAt ?? null, to: after.steps[step]?.dueAt ?? until },
        moves: moved.steps.filter((m) => m.step !== step).map((m) => ({ ...m, title: title(m.step) })),
        goLive: moved.goLive,
      };
    },
  );
}
