// GET /projects/:id/reports/:kind: the 90-day success review or the go-live summary of a client, as
// HTML, PDF or the JSON content to edit; pre-filled until someone saves edits (PUT).

import type { FastifyReply } from "fastify";
import { reportHtml } from "../../../metrics/reports.ts";
import type { launchChromium } from "../../../render/chromium.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ReportParams, ReportQuery, SavedReport } from "./report.types.ts";
import { reportOf } from "./report-data.ts";

export function getReport(app: Api, deps: ApiDeps): void {
  app.get(
    "/projects/:id/reports/:kind",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["reports"],
        operationId: "getReport",
        summary: "A client report (90-day success review, go-live summary) as HTML, PDF or JSON",
        params: ReportParams,
        querystring: ReportQuery,
        // 200 is the JSON content (format=json), or text/html or application/pdf sent past the schema.
        response: { 200: SavedReport, ...problemResponses(404, 503) },
      },
    },
    async (request, reply) => {
      const report = await reportOf(deps, request.params.id, request.params.kind);
      if (request.query.format === "json") {
        const c = report.content;
        return {
          ...report,
          content: { ...c, metrics: [...c.metrics], wins: [...c.wins], challenges: [...c.challenges], nextSteps: [...c.nextSteps] },
        };
      }
      const html = reportHtml(report.content);
      if (request.query.format === "html") return (reply as FastifyReply).header("content-type", "text/html; charset=utf-8").send(html);
      let browser: Awaited<ReturnType<typeof launchChromium>>;
      try {
        const { launchChromium } = await import("../../../render/chromium.ts");
        browser = await launchChromium();
      } catch (error) {
        throw new HttpProblem("unavailable", `PDF needs Chromium: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        const pdf = await browser.printPdf(html, { fitSelector: ".report-fit" });
        return (reply as FastifyReply)
          .header("content-type", "application/pdf")
          .header("content-disposition", `attachment; filename="${request.params.kind}-${request.params.id}.pdf"`)
          .send(Buffer.from(pdf));
      } finally {
        await browser.close();
      }
    },
  );
}
