import { z } from "zod";
import { Instant } from "../common.types.ts";

const SubjectKind = z.enum(["contact", "client"]);

export const DataRequest = z
  .object({
    id: z.string(),
    kind: z.enum(["access", "erasure"]).describe("access: GDPR Art. 15 (an export); erasure: Art. 17."),
    subject: z.object({
      kind: SubjectKind,
      id: z.string(),
      name: z.string().nullable().describe('The subject\'s name now ("[redacted]" once erased; null when not in this database).'),
      clientId: z.string().nullable(),
    }),
    receivedAt: z.string(),
    dueAt: z.string().describe("One calendar month after receipt (Art. 12(3)), plus any extension."),
    overdue: z.boolean(),
    extendedMonths: z.number().int(),
    extensionReason: z.string().nullable(),
    loggedBy: z.string(),
    loggedAt: z.string(),
    channel: z.string().nullable(),
    note: z.string().nullable(),
    status: z.enum(["open", "completed", "refused"]),
    completedAt: z.string().nullable(),
    completedBy: z.string().nullable(),
    outcome: z.unknown().describe("What was done: the erasure's plan (counts per place), or why it was refused."),
  })
  .meta({ id: "DataRequest" });

export const DataRequestList = z.object({ items: z.array(DataRequest) });

export const DataRequestQuery = z.object({ status: z.enum(["open", "completed", "refused"]).optional() });

export const DataRequestParams = z.object({ id: z.string().min(1).max(100) });

const Text = (max: number) => z.string().trim().min(1).max(max);

export const CreateDataRequestBody = z.strictObject({
  kind: z.enum(["access", "erasure"]),
  subject: z.strictObject({ kind: SubjectKind, id: Text(200) }),
  receivedAt: Instant.optional().describe("When the request reached us (default: now); the deadline counts from it."),
  channel: Text(200).optional().describe("How it came: email, letter, phone, portal ..."),
  note: Text(2000).optional(),
});

export const ErasurePlan = z
  .object({
    subject: z.object({ kind: SubjectKind, id: z.string() }),
    projects: z.array(z.string()),
    places: z.array(z.object({ place: z.string(), records: z.number().int(), fields: z.number().int() })),
    total: z.number().int(),
  })
  .meta({ id: "ErasurePlan" });

export const ErasureBody = z.strictObject({
  dry_run: z.boolean().optional().describe("true: list what would be erased (counts per place, no values) and change nothing."),
});

export const ErasureResult = z.object({ dryRun: z.boolean(), plan: ErasurePlan, request: DataRequest });

export const CompleteBody = z.strictObject({
  outcome: z.enum(["completed", "refused"]),
  reason: Text(2000).optional().describe("Why it was refused (required then)."),
});

export const ExtendBody = z.strictObject({
  months: z.number().int().min(1).max(2),
  reason: Text(2000).describe("Why more time is necessary (Art. 12(3): complexity and number of requests)."),
});
