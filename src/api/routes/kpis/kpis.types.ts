import { z } from "zod";
import { Instant } from "../common.types.ts";

export const KpisQuery = z.object({
  playbook: z.string().min(1).max(200).optional().describe("Playbook id."),
  csm: z.string().min(1).max(200).optional().describe("Person id of the CSM."),
  segment: z.string().min(1).max(200).optional(),
  from: Instant.optional().describe("Projects that started at or after this instant."),
  to: Instant.optional().describe("Projects that started before this instant."),
});

const Num = z.number().nullable();
const Rate = z.object({ due: z.number().int(), met: z.number().int(), rate: Num.describe("Percent; null without data.") });
const Distribution = z.object({
  count: z.number().int(),
  medianDays: Num,
  p90Days: Num,
  buckets: z.array(z.object({ label: z.string(), from: z.number(), to: Num, count: z.number().int() })),
});
const Rag = z.enum(["green", "amber", "red"]);

export const KpiReport = z
  .object({
    filter: KpisQuery,
    projects: z.object({
      total: z.number().int(),
      active: z.number().int(),
      onHold: z.number().int(),
      live: z.number().int(),
      closed: z.number().int(),
      cancelled: z.number().int(),
    }),
    timeToGoLive: Distribution,
    timeToFirstValue: Distribution,
    slaCompliance: Rate,
    onTimeMilestones: Rate,
    firstPassUat: Rate,
    trainingCompletion: Rate,
    nps: z.object({
      answers: z.number().int(),
      promoters: z.number().int(),
      passives: z.number().int(),
      detractors: z.number().int(),
      score: Num,
    }),
    csat: z.object({ answers: z.number().int(), average: Num }),
    adoption: z.object({ reviews: z.number().int(), average: Num }),
    targets: z
      .array(
        z.object({
          playbook: z.string(),
          kpi: z.string(),
          title: z.string(),
          metric: z.string(),
          target: z.string().nullable(),
          value: Num,
          unit: z.string(),
          status: Rag.nullable().describe(
            "green: meets the target; amber: misses by at most 10%; red: beyond; null: no target or no data.",
          ),
          note: z.string().nullable(),
          manual: z
            .boolean()
            .describe(
              "Recorded by a person (POST /kpis/{playbook}/{kpi}/values): the value is the latest recorded, not measured from the log.",
            ),
        }),
      )
      .describe("Each playbook's own KPIs against their targets."),
    series: z.object({
      timeToGoLiveByMonth: z.array(z.object({ month: z.string(), count: z.number().int(), medianDays: Num })),
      daysPerPhase: z.array(
        z.object({
          playbook: z.string(),
          phase: z.string(),
          title: z.string(),
          projects: z.number().int(),
          medianDays: Num,
          averageDays: Num,
        }),
      ),
      slaBreachesByStep: z.array(
        z.object({
          playbook: z.string(),
          step: z.string(),
          title: z.string(),
          due: z.number().int(),
          breached: z.number().int(),
          compliance: Num,
        }),
      ),
    }),
    asOf: Instant,
  })
  .meta({ id: "KpiReport" });
