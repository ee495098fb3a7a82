import { z } from "zod";
import { REPORT_KINDS } from "../../../metrics/reports.ts";
import { Instant } from "../common.types.ts";

export const ReportParams = z.object({ id: z.string().min(1).max(200), kind: z.enum(REPORT_KINDS) });
export const ReportQuery = z.object({
  format: z
    .enum(["html", "pdf", "json"])
    .default("html")
    .describe("html (default), pdf (printed by Chromium) or json (the content, to edit)."),
});

const Text = z.string().max(2000);
export const ReportContent = z
  .object({
    kind: z.enum(REPORT_KINDS),
    title: z.string().min(1).max(300),
    client: z.string().max(300),
    playbook: z.string().max(300),
    preparedAt: Instant,
    metrics: z
      .array(
        z.object({
          label: z.string().min(1).max(200),
          value: z.string().max(200),
          target: z.string().max(200).nullable(),
          status: z.enum(["green", "amber", "red"]).nullable(),
        }),
      )
      .max(50),
    wins: z.array(Text).max(50),
    challenges: z.array(Text).max(50),
    nextSteps: z.array(Text).max(50),
    notes: z.string().max(20_000),
  })
  .meta({ id: "ReportContent" });

export const SavedReport = z.object({
  content: ReportContent,
  edited: z.object({ by: z.string(), at: Instant }).nullable().describe("Who saved the edits last; null: the pre-filled draft."),
});
