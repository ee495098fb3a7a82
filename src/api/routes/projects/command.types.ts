// The body of POST /projects/:id/commands: one engine command, discriminated by `type`. Every
// command a person sends is here; the scheduler's `tick` is not (time is the scheduler's input).
import { z } from "zod";
import { Instant } from "../common.types.ts";
import { Effect, Event, ProjectStatus } from "./project.types.ts";

const Ref = z.string().min(1).max(200);
const Reason = z.string().trim().min(1, { error: "say why" }).max(4000);
const Comment = z.string().max(4000).optional();
/** The item of a repeated step (`repeat: for_each`) the command is for: its id (the text, or the row number). */
const Item = Ref.optional().describe("For a repeated step: the item (its id) this is for; absent: the whole step.");
/** Approved with conditions: what the signer requires, written out (the outcome approved_with_conditions). */
const Conditions = z
  .string()
  .trim()
  .min(1, { error: "write the conditions" })
  .max(4000)
  .optional()
  .describe("Approve with these conditions (the gate's outcome is approved_with_conditions).");

export const Command = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("assign"), role: Ref, person: Ref }).describe("Assign a playbook role (CS operations)."),
    z.strictObject({ type: z.literal("start_step"), step: Ref }),
    z.strictObject({ type: z.literal("tick_checklist"), step: Ref, item: Ref, checked: z.boolean(), for: Item }),
    z.strictObject({ type: z.literal("submit_form"), step: Ref, values: z.record(z.string(), z.unknown()), item: Item }),
    z
      .strictObject({ type: z.literal("approve"), step: Ref, role: Ref, comment: Comment, item: Item, conditions: Conditions })
      .describe("Sign off as the named role; with `conditions`, approved with those conditions."),
    z.strictObject({ type: z.literal("reject"), step: Ref, role: Ref, comment: Comment, item: Item }),
    z
      .strictObject({ type: z.literal("withdraw_approval"), step: Ref, role: Ref, reason: Reason })
      .describe("Take back your role's sign-off (or rejection) of a step that is still open."),
    z.strictObject({ type: z.literal("complete_step"), step: Ref, item: Item }),
    z.strictObject({ type: z.literal("record_decision"), step: Ref, branch: Ref }),
    z.strictObject({ type: z.literal("skip_step"), step: Ref, reason: Reason }),
    z.strictObject({ type: z.literal("extend_deadline"), step: Ref, until: Instant, reason: Reason }),
    z.strictObject({ type: z.literal("reopen_step"), step: Ref, reason: Reason }),
    z.strictObject({ type: z.literal("activate_step"), step: Ref, reason: Reason }),
    z.strictObject({ type: z.literal("hold"), reason: Reason }),
    z.strictObject({ type: z.literal("resume"), reason: Reason.optional() }),
    z.strictObject({ type: z.literal("cancel"), reason: Reason }),
    z.strictObject({ type: z.literal("reopen"), reason: Reason }),
    z.strictObject({ type: z.literal("go_live") }),
    z.strictObject({ type: z.literal("open_issue"), severity: Ref, title: z.string().trim().min(1).max(500) }),
    z.strictObject({ type: z.literal("resolve_issue"), issue: Ref }),
    z
      .strictObject({ type: z.literal("retry_incident"), incident: Ref })
      .describe("Evaluate a failed condition again after fixing the data or the playbook version (CS operations)."),
    z.strictObject({
      type: z.literal("request_change"),
      kind: Ref,
      delayDays: z.number().int().min(0).max(3650),
      billable: z.boolean(),
      inScope: z.boolean(),
      reason: Reason,
    }),
    z.strictObject({ type: z.literal("answer_survey"), survey: Ref, score: z.number().min(0).max(100), comment: Comment }),
    z.strictObject({ type: z.literal("record_training"), track: Ref, person: Ref, score: z.number().min(0).max(100) }),
    z.strictObject({ type: z.literal("complete_task"), task: Ref }),
    z.strictObject({ type: z.literal("set_health"), health: z.enum(["green", "amber", "red"]), reason: Reason }),
  ])
  .meta({ id: "Command" });

export const CommandHeaders = z.looseObject({
  "if-match": z.string().max(100).optional().describe('Required: the project\'s ETag from your last read, e.g. "7". Without it: 428.'),
  "idempotency-key": z.string().min(1).max(200).optional().describe("Retry safely: the first response is replayed."),
});

export const CommandOutcome = z.object({
  projectId: z.string(),
  version: z.number().int().describe("The project's version after the command (also the ETag)."),
  status: ProjectStatus,
  nextWakeAt: Instant.nullable(),
  events: z.array(Event),
  effects: z.array(Effect),
  replayed: z.boolean().describe("This is the stored response of an earlier request with the same Idempotency-Key."),
});
