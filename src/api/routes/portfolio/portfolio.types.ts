import { z } from "zod";
import { PORTFOLIO_SORTS } from "../../../metrics/portfolio.ts";
import { PageQuery } from "../../pagination.ts";
import { Instant } from "../common.types.ts";
import { ForecastBand } from "../process-log/process-insights.types.ts";

export const Health = z.enum(["green", "amber", "red"]);
const Status = z.enum(["active", "on_hold", "cancelled", "closed"]);

export const PortfolioQuery = z.object({
  status: z
    .string()
    .regex(/^(active|on_hold|cancelled|closed)(,(active|on_hold|cancelled|closed))*$/, {
      error: "one or more of active, on_hold, cancelled, closed, comma separated",
    })
    .optional()
    .describe("Statuses to list, comma separated (default active,on_hold: the onboardings in progress)."),
  csm: z.string().min(1).max(200).optional().describe("Person id of the CSM (the playbook's CSM-like role)."),
  segment: z.string().min(1).max(200).optional(),
  playbook: z.string().min(1).max(200).optional().describe("Playbook id."),
  health: Health.optional(),
  phase: z.string().min(1).max(200).optional().describe("Phase id (as in counts.phases)."),
  deviates: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional()
    .describe(
      "true: only onboardings that deviate from their playbook (a step skipped or redone by a person, done out of order, or missing).",
    ),
  sort: z
    .enum(PORTFOLIO_SORTS)
    .default("health")
    .describe("health: worst first; next_due: next milestone soonest first; started; client; target_go_live; overdue."),
  order: z.enum(["asc", "desc"]).default("asc"),
  ...PageQuery,
});

const Ref = z.object({ id: z.string(), name: z.string() });

export const PortfolioItem = z
  .object({
    projectId: z.string(),
    client: z.object({ id: z.string(), name: z.string(), country: z.string().nullable() }),
    playbook: z.object({ id: z.string(), version: z.string() }),
    status: Status,
    phase: z.object({ id: z.string(), title: z.string(), index: z.number().int() }).nullable(),
    csm: Ref.nullable().describe("The person holding the playbook's CSM-like role."),
    segment: z.string().nullable(),
    startedAt: Instant,
    targetGoLiveAt: Instant.nullable().describe(
      "Start + the playbook's time-to-go-live target (+ time on hold), else the go-live step's deadline.",
    ),
    goLiveAt: Instant.nullable(),
    nextMilestone: z.object({ step: z.string(), title: z.string(), dueAt: Instant.nullable() }).nullable(),
    overdueSteps: z.number().int(),
    blockedGates: z.number().int(),
    missedMilestones: z.number().int(),
    openIssues: z.number().int(),
    nps: z.number().nullable().describe("Latest NPS answer (0-10)."),
    csat: z.number().nullable().describe("Latest CSAT answer (1-5)."),
    health: Health,
    healthReasons: z.array(z.string()).describe("Why it is red or amber (rules in src/metrics/health.ts)."),
    version: z.number().int(),
    updatedAt: Instant,
    deviations: z
      .number()
      .int()
      .describe("How many times it departed from its playbook (GET /process-insights lists them); 0 when it kept to it."),
    forecast: ForecastBand.nullable().describe(
      "Go-live forecast from comparable onboardings of its playbook; null once live, when not active, or with too little history.",
    ),
  })
  .meta({ id: "PortfolioItem" });

export const PortfolioCounts = z
  .object({
    total: z.number().int(),
    health: z.object({ red: z.number().int(), amber: z.number().int(), green: z.number().int() }),
    status: z.record(z.string(), z.number().int()),
    phases: z.array(z.object({ phase: z.string(), title: z.string(), index: z.number().int(), count: z.number().int() })),
  })
  .describe("For the filters without health and phase: the counts behind the dashboard's health and phase links.")
  .meta({ id: "PortfolioCounts" });

export const PortfolioPage = z.object({
  items: z.array(PortfolioItem),
  nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page."),
  counts: PortfolioCounts,
  asOf: Instant,
});
