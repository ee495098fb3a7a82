// GET /process-insights: where one playbook's onboardings spend their days (steps' actual vs planned
// time, waiting vs working, client vs internal, rework, breaches, bottlenecks), what really happened
// (directly-follows graph, variants) and how far each project kept to the procedure (conformance).
import { mineInsights } from "../../../mining/mine.ts";
import { processMapSvg } from "../../../mining/process-map.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { ProcessInsights, ProcessInsightsQuery } from "./process-insights.types.ts";

export function getProcessInsights(app: Api, deps: ApiDeps): void {
  app.get(
    "/process-insights",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["kpis"],
        operationId: "getProcessInsights",
        summary: "Where a playbook's onboardings spend their days, the paths they really took, and who deviates",
        querystring: ProcessInsightsQuery,
        response: { 200: ProcessInsights, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      const now = deps.clock();
      const insights = await mineInsights(deps.database.db, request.query, now);
      if (!insights) throw new HttpProblem("not_found", `no playbook "${request.query.playbook}"`);
      return {
        filter: request.query,
        asOf: now,
        ...insights,
        map: processMapSvg(insights, `What happened in ${insights.projects} onboardings of ${request.query.playbook}`),
        steps: [...insights.steps],
        bottlenecks: [...insights.bottlenecks],
        phases: [...insights.phases],
        edges: [...insights.edges],
        forecasts: [...insights.forecasts],
        choices: { segments: [...insights.choices.segments], csms: [...insights.choices.csms] },
        variants: { distinct: insights.variants.distinct, top: insights.variants.top.map((v) => ({ ...v, steps: [...v.steps] })) },
        conformance: {
          ...insights.conformance,
          worst: insights.conformance.worst.map((w) => ({
            ...w,
            deviations: w.deviations.map((d) => ({
              kind: d.kind,
              step: d.step,
              ...(d.at ? { at: d.at } : {}),
              ...(d.before ? { before: [...d.before] } : {}),
            })),
          })),
        },
      };
    },
  );
}
