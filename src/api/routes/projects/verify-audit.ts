// GET /projects/:id/audit: recompute the project's hash chain and report edits, deletions,
// reorderings and forgeries (erasures recorded in the chain keep it valid). What the chain alone
// cannot show (truncation, a recomputed chain) needs the signed checkpoints: onboard audit verify --against.
import { z } from "zod";
import { AUDIT_PROBLEM_KINDS, verifyAudit } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ProjectParams } from "./project.types.ts";

export const AuditReport = z
  .object({
    projectId: z.string(),
    version: z.number().int(),
    events: z.number().int(),
    redacted: z.number().int(),
    intact: z.boolean(),
    problems: z.array(z.object({ kind: z.enum(AUDIT_PROBLEM_KINDS), seq: z.number().int(), message: z.string() })),
  })
  .meta({ id: "AuditReport" });

export function verifyAuditRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/audit",
    {
      config: { access: "audit:read" },
      schema: {
        tags: ["projects"],
        operationId: "verifyAudit",
        summary: "Verify the project's audit trail (its hash chain)",
        params: ProjectParams,
        response: { 200: AuditReport, ...problemResponses(404) },
      },
    },
    async (request) => {
      const report = await verifyAudit(deps.database, request.params.id);
      const project = report.projects[0];
      if (!project) throw new HttpProblem("not_found", `no project "${request.params.id}"`);
      return { ...project, problems: [...project.problems] };
    },
  );
}
