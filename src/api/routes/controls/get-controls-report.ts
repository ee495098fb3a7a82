// GET /reports/controls?from=&to=: the period report of access and change control (SOC 2 CC6.1 and
// CC8.1) as a signed package (a ZIP whose manifest the audit key signs; compliance/package.ts):
// report.json, CSVs and a readable summary.html. Admins only; it names every account.
import type { FastifyReply } from "fastify";
import { z } from "zod";
import { controlsReportPackage } from "../../../compliance/controls-data.ts";
import { periodBounds } from "../../../compliance/controls-report.ts";
import { openSummaryPrinter } from "../../data/summary-printer.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { fieldProblem, HttpProblem, problemResponses } from "../../problems.ts";

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "a date: YYYY-MM-DD" })
  .describe("A day (UTC), YYYY-MM-DD.");
export const ControlsReportQuery = z.object({ from: Day, to: Day });

export function getControlsReport(app: Api, deps: ApiDeps): void {
  app.get(
    "/reports/controls",
    {
      config: { access: "controls:read" },
      schema: {
        tags: ["audit"],
        operationId: "getControlsReport",
        summary: "The access and change control report of a period (SOC 2 CC6.1, CC8.1), as a signed ZIP package",
        querystring: ControlsReportQuery,
        produces: ["application/zip"],
        response: { ...problemResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const { from, to } = request.query;
      try {
        periodBounds({ from, to });
      } catch (error) {
        const message = (error as Error).message;
        throw fieldProblem(message.startsWith("to:") ? "/query/to" : "/query/from", message);
      }
      const key = deps.auditKey;
      if (!key)
        throw new HttpProblem("unavailable", "no audit signing key is configured (AUDIT_SIGNING_KEY): the package cannot be signed");
      const printing = await openSummaryPrinter();
      let zip: Uint8Array;
      try {
        zip = await controlsReportPackage(deps.database.db, { from, to }, key, deps.clock(), printing.printer);
      } finally {
        await printing.close();
      }
      // The package's bytes, not a JSON body: sent past the response schema, which documents the errors.
      return (reply as FastifyReply)
        .header("content-type", "application/zip")
        .header("content-disposition", `attachment; filename="controls-report-${from}-to-${to}.zip"`)
        .header("x-content-type-options", "nosniff")
        .header("cache-control", "no-store")
        .send(Buffer.from(zip));
    },
  );
}
