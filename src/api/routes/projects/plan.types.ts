import { z } from "zod";
import { Instant } from "../common.types.ts";
import { CreateProjectBody } from "./project.types.ts";

export const PlanProjectBody = CreateProjectBody.omit({ id: true }).extend({
  startAt: Instant.optional().describe("When the project would start; default now."),
});

export const PlannedStep = z
  .object({
    id: z.string(),
    title: z.string(),
    phaseId: z.string(),
    phaseTitle: z.string(),
    owner: z.string().describe("The playbook role that owns the step."),
    ownerTitle: z.string(),
    startAt: Instant.nullable().describe("When the step is planned to open (null: it does not apply to this client)."),
    dueAt: Instant.nullable().describe("Its planned deadline, on the client's business calendar."),
    applies: z.boolean().describe("false: a conditional part the client's facts leave out, or an on-demand step."),
  })
  .meta({ id: "PlannedStep" });

export const ProjectPlan = z
  .object({
    startAt: Instant,
    goLiveAt: Instant.nullable().describe("The planned go-live (null: the playbook has no go-live milestone)."),
    completeAt: Instant.nullable().describe("When the last step is planned to finish."),
    timeZone: z.string().describe("The business calendar's zone the dates were planned on."),
    steps: z.array(PlannedStep).describe("Every step of the playbook, in the SOP's order."),
    assignments: z
      .array(z.object({ role: z.string(), roleTitle: z.string(), person: z.string().nullable(), personName: z.string().nullable() }))
      .describe("Who the playbook's assignment rules would pick for each internal role today."),
  })
  .meta({ id: "ProjectPlan" });
