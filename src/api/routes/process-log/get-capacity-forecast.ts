// GET /capacity-forecast: each CSM's load in the coming weeks by the go-live forecast, against the
// capacity they hold, the one with the most room next week first: who can take the next client.
import { z } from "zod";
import { mineCapacity } from "../../../mining/mine.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { Instant } from "../common.types.ts";

const CapacityForecast = z
  .object({
    asOf: Instant,
    weeks: z.array(Instant).describe("The start of each week in view; the first is now."),
    people: z.array(
      z.object({
        person: z.string(),
        name: z.string(),
        capacity: z.number().int().nullable().describe("Active onboardings they can hold (null: no limit set)."),
        running: z.array(z.number().int()).describe("Their onboardings still running at each week's start, by the median forecast."),
        freeNextWeek: z.number().int().nullable(),
        roomFrom: Instant.nullable().describe("The first week with room under their capacity."),
        unforecast: z.number().int().describe("Onboardings with no forecast (counted as running all along)."),
      }),
    ),
  })
  .meta({ id: "CapacityForecast" });

export function getCapacityForecast(app: Api, deps: ApiDeps): void {
  app.get(
    "/capacity-forecast",
    {
      config: { access: "projects:read" },
      schema: {
        tags: ["kpis"],
        operationId: "getCapacityForecast",
        summary: "Each CSM's forecast load by week against their capacity: who can take the next client",
        querystring: z.object({ weeks: z.coerce.number().int().min(1).max(26).default(8) }),
        response: { 200: CapacityForecast, ...problemResponses(400) },
      },
    },
    async (request) => {
      const now = deps.clock();
      const { weeks, people } = await mineCapacity(deps.database.db, now, request.query.weeks);
      return { asOf: now, weeks, people: people.map((p) => ({ ...p, running: [...p.running] })) };
    },
  );
}
