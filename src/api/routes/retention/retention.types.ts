import { z } from "zod";

export const RetentionQuery = z.object({
  asOf: z.iso.date({ error: "must be a date, YYYY-MM-DD" }).optional().describe("The day to judge by (default: today, UTC)."),
  due: z
    .enum(["true", "false"])
    .optional()
    .describe("true: only records whose retention has ended (to be erased or reviewed); false: only those still kept."),
});

const RetentionItem = z.object({
  projectId: z.string(),
  clientId: z.string(),
  clientName: z.string(),
  playbook: z.object({ id: z.string(), version: z.string() }),
  records: z.array(z.string()).describe("Which records the rule keeps; empty: all records of the project."),
  keep: z.string().describe('The period as the playbook says it ("7 years").'),
  after: z.enum(["relationship_end", "project_closed"]),
  atEnd: z.enum(["erase_personal_data", "review"]),
  anchorDate: z
    .string()
    .nullable()
    .describe("When the period started counting (YYYY-MM-DD); null while the relationship or the project goes on."),
  disposeOn: z.string().nullable().describe("The first day the records may be disposed of; null while the anchor has not happened."),
  due: z.boolean().describe("The retention period has ended by asOf."),
});

export const RetentionList = z
  .object({ asOf: z.string(), items: z.array(RetentionItem) })
  .meta({ id: "RetentionList", description: "Each project's records under its playbook's retention rules, and when they may go." });
