import { z } from "zod";
import { Instant } from "../common.types.ts";

export const ProcessInsightsQuery = z.object({
  playbook: z.string().min(1).max(200).describe("Playbook id: the insights are of one playbook's onboardings."),
  version: z.string().min(1).max(100).optional().describe("Only projects on this version (default: every version)."),
  csm: z.string().min(1).max(200).optional().describe("Person id of the CSM."),
  segment: z.string().min(1).max(200).optional(),
  from: Instant.optional().describe("Projects that started at or after this instant."),
  to: Instant.optional().describe("Projects that started before this instant."),
});

const Days = z.number().nullable();
const Spread = z.object({ medianDays: Days, p90Days: Days });
const DeviationKind = z.enum(["skipped", "out_of_order", "repeated", "missing"]);

export const ProcessInsights = z
  .object({
    filter: ProcessInsightsQuery,
    asOf: Instant,
    projects: z.number().int(),
    ended: z.number().int().describe("Projects that completed or closed."),
    steps: z.array(
      z.object({
        step: z.string(),
        title: z.string(),
        phase: z.string().nullable(),
        side: z.enum(["client", "internal"]).describe("Whose ball: the step owner's side."),
        visits: z.number().int(),
        projects: z.number().int(),
        actual: Spread.describe("Opened → ended, visits that ended."),
        planned: Spread.describe("Opened → the deadline it opened with."),
        waiting: Spread.extend({ totalDays: z.number() }).describe("Opened → started."),
        working: Spread.extend({ totalDays: z.number() }).describe("Started → ended."),
        breaches: z.number().int(),
        rework: z.number().int().describe("Visits after the first."),
        delayDays: z.number().describe("Days past deadlines, all visits."),
        delayShare: z.number().describe("Share (0..1) of all the delay."),
      }),
    ),
    bottlenecks: z.array(z.object({ step: z.string(), title: z.string(), delayDays: z.number(), share: z.number() })),
    time: z.object({ waitingDays: z.number(), workingDays: z.number(), clientDays: z.number(), internalDays: z.number() }),
    phases: z.array(z.object({ phase: z.string(), title: z.string(), projects: z.number().int(), medianDays: Days, p90Days: Days })),
    edges: z
      .array(z.object({ from: z.string(), to: z.string(), count: z.number().int(), medianDays: Days, inPlaybook: z.boolean() }))
      .describe('Directly-follows: one step completed right after another; "(start)" and "(end)" bound each project.'),
    variants: z
      .object({
        distinct: z.number().int(),
        top: z.array(z.object({ steps: z.array(z.string()), count: z.number().int(), share: z.number(), medianDays: Days })),
      })
      .describe("The orders steps were completed in, of the projects that ended; share is of those."),
    forecasts: z
      .array(
        z.object({
          projectId: z.string(),
          clientName: z.string(),
          plannedGoLiveAt: Instant.nullable().describe(
            "The target go-live: start + the playbook's time-to-go-live target (+ time on hold), else the go-live step's deadline.",
          ),
          p10: Instant,
          p50: Instant.describe("The median forecast go-live."),
          p90: Instant,
          anchor: z.string().describe('The step the forecast reckons from ("(start)": the start).'),
          basis: z.number().int().describe("How many comparable onboardings it rests on."),
        }),
      )
      .describe("Go-live forecasts of the active onboardings not live yet, soonest first (at most 100): p10-p90 is the 80% interval."),
    waiting: z.object({
      total: z.number().int().describe("Active onboardings not live yet."),
      unforecast: z.number().int().describe("Of those, how many have no forecast."),
      wentLive: z.number().int().describe("Onboardings that went live, to learn from."),
      needed: z.number().int().describe("Comparable onboardings a forecast needs."),
      goLiveStep: z.boolean().describe("Whether the playbook marks a go-live step at all (without one there is nothing to forecast)."),
    }),
    choices: z
      .object({ segments: z.array(z.string()), csms: z.array(z.object({ id: z.string(), name: z.string() })) })
      .describe("The segments and CSMs of the playbook's onboardings, whatever the filter: what the figures can be filtered by."),
    map: z
      .string()
      .describe("The process map of what happened, as SVG (arrows the playbook draws solid, others dashed; the worst bottlenecks red)."),
    conformance: z.object({
      medianFitness: z.number().nullable(),
      deviating: z.number().int(),
      byKind: z.record(DeviationKind, z.number().int()),
      worst: z.array(
        z.object({
          projectId: z.string(),
          clientName: z.string(),
          fitness: z.number(),
          deviations: z.array(
            z.object({ kind: DeviationKind, step: z.string(), at: Instant.optional(), before: z.array(z.string()).optional() }),
          ),
        }),
      ),
    }),
  })
  .meta({ id: "ProcessInsights" });

export const ForecastBand = z
  .object({
    p10: Instant,
    p50: Instant.describe("The median."),
    p90: Instant,
    anchor: z.string().describe('The step it reckons from: the latest finished with enough history ("(start)": the start).'),
    basis: z.number().int().describe("How many comparable onboardings it rests on."),
  })
  .describe("An 80% interval (p10 to p90) and the median.")
  .meta({ id: "ForecastBand" });
