// GET /kpis: the KPIs of a set of projects (playbook, CSM, segment, start period) from the
// portfolio read model, each playbook's own targets in red/amber/green, and the chart series.
import { computeKpis } from "../../../metrics/kpis.ts";
import { latestPlaybookDocuments, rebuildSummaries } from "../../../metrics/projection.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { KpiReport, KpisQuery } from "./kpis.types.ts";

export function getKpis(app: Api, deps: ApiDeps): void {
  app.get(
    "/kpis",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["kpis"],
        operationId: "getKpis",
        summary: "KPIs of a set of projects, with targets and chart series",
        querystring: KpisQuery,
        response: { 200: KpiReport, ...problemResponses(400) },
      },
    },
    async (request) => {
      const now = deps.clock();
      await rebuildSummaries(deps.database.db, now, { limit: 200, reviewOnly: true });
      const db = deps.database.db;
      const report = await computeKpis(db, request.query, (ids) => latestPlaybookDocuments(db, ids));
      return {
        filter: request.query,
        ...report,
        timeToGoLive: { ...report.timeToGoLive, buckets: [...report.timeToGoLive.buckets] },
        timeToFirstValue: { ...report.timeToFirstValue, buckets: [...report.timeToFirstValue.buckets] },
        targets: [...report.targets],
        series: {
          timeToGoLiveByMonth: [...report.series.timeToGoLiveByMonth],
          daysPerPhase: [...report.series.daysPerPhase],
          slaBreachesByStep: [...report.series.slaBreachesByStep],
        },
        asOf: now,
      };
    },
  );
}
