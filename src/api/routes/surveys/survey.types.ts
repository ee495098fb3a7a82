import { z } from "zod";
import { Instant } from "../common.types.ts";

export const SurveyParams = z.object({ token: z.string().min(10).max(2000).describe("The token of the survey link (after #token=).") });

export const SurveyForm = z
  .object({
    projectId: z.string(),
    survey: z.string(),
    title: z.string(),
    kind: z.string().describe("nps (score 0-10), csat (1-5) or custom (1-5)."),
    clientName: z.string(),
    contactName: z.string(),
    questions: z.array(
      z.object({ id: z.string(), text: z.string(), type: z.string(), options: z.array(z.string()).optional(), required: z.boolean() }),
    ),
    expiresAt: Instant,
    answered: z.boolean().describe("The link was used: it takes one answer."),
  })
  .meta({ id: "SurveyForm" });

export const SurveyAnswerBody = z.object({
  score: z.number().min(0).max(10).describe("The NPS (0-10) or satisfaction (1-5) score."),
  comment: z.string().max(5000).optional(),
  answers: z
    .record(z.string(), z.union([z.string().max(5000), z.number(), z.boolean()]))
    .optional()
    .describe("Other questions, by id."),
});

export const SurveyAnswered = z.object({ answered: z.literal(true) }).meta({ id: "SurveyAnswered" });
