import { z } from "zod";

export const FourEyesSetting = z
  .object({
    required: z
      .boolean()
      .describe("Publishing an uploaded playbook version needs a second person's approval (built-in playbooks are exempt)."),
    changedAt: z.string().nullable(),
    changedBy: z.string().nullable(),
  })
  .meta({ id: "FourEyesSetting" });

export const PutFourEyesBody = z.object({ required: z.boolean() });

export const Submission = z
  .object({
    submissionId: z.string(),
    id: z.string().describe("The playbook's id."),
    version: z.string(),
    title: z.string(),
    contentHash: z.string(),
    file: z.string().nullable(),
    submittedBy: z.string().describe("The uploader: never its approver."),
    submittedAt: z.string(),
    status: z.enum(["pending", "approved", "rejected"]),
    reviewedBy: z.string().nullable(),
    reviewedAt: z.string().nullable(),
    comment: z.string().nullable().describe("The approver's comment, or the reason for a rejection."),
    previousVersion: z.string().nullable().describe("The latest published version of the playbook, to diff against."),
  })
  .meta({ id: "PlaybookSubmission", description: "An uploaded playbook version awaiting (or past) a second person's decision." });

export const PendingList = z.object({ items: z.array(Submission) });

export const SubmissionParams = z.object({ submissionId: z.string().min(1).max(200) });
export const ApproveBody = z.object({ comment: z.string().trim().max(2000).optional() });
export const RejectBody = z.object({ reason: z.string().trim().min(1, { error: "say why the version is rejected" }).max(2000) });
