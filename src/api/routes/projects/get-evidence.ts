// GET /projects/:id/evidence: the project's evidence package for an auditor's sample request, a
// ZIP signed by the audit key (summary PDF and JSON, raw events, checkpoint and inclusion proofs,
// the procedure's source); `onboard evidence verify` checks it offline with the server's vkey.
// For the team roles that read projects, never for clients. Writes a checkpoint when the latest
// does not cover the project's newest event.
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { buildEvidencePackage } from "../../data/evidence.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ProjectParams } from "./project.types.ts";

export function getEvidenceRoute(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/evidence",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["projects"],
        operationId: "getEvidencePackage",
        summary: "The project's evidence package: a ZIP signed by the audit key, verifiable offline",
        params: ProjectParams,
        produces: ["application/zip"],
        response: { 200: z.string().describe("A ZIP archive (application/zip)."), ...problemResponses(404, 503) },
      },
    },
    async (request, reply) => {
      const key = deps.auditKey;
      if (!key) throw new HttpProblem("unavailable", "evidence packages are signed by the audit key: set AUDIT_SIGNING_KEY");
      const built = await buildEvidencePackage(deps.database, key, request.params.id, deps.clock());
      return (reply as FastifyReply)
        .header("content-type", "application/zip")
        .header("content-disposition", `attachment; filename="${built.fileName}"`)
        .header("cache-control", "no-store")
        .header("x-evidence-summary", built.summary.rendering.summary)
        .send(Buffer.from(built.zip));
    },
  );
}
