// Schemas of the client portal's API (/portal/api/*): what a client contact sends and sees.
import { z } from "zod";
import { FIELD_TYPES } from "../../../playbook/values.ts";
import { Branding } from "../../data/settings.ts";
import { Instant } from "../common.types.ts";

export const MagicLinkBody = z.object({ email: z.email({ error: "must be an email address" }).max(320) });
export const MagicLinkAccepted = z
  .object({ sent: z.literal(true) })
  .describe("Always the same answer, whether or not the address is a contact's: addresses cannot be probed.");

export const PortalSessionBody = z.object({ token: z.string().min(20).max(200).describe("The token from the emailed link.") });

export const PortalSession = z
  .object({
    contact: z.object({ id: z.string(), name: z.string(), email: z.string() }),
    client: z.object({ id: z.string(), name: z.string() }),
    branding: Branding,
    csrfToken: z.string().describe("Send it as X-CSRF-Token with every write (also in the onboard_portal_csrf cookie)."),
  })
  .meta({ id: "PortalSession" });

export const PortalProjectParams = z.object({ id: z.string().min(1).max(128) });

export const PortalProjectSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.string(),
    startedAt: Instant,
    goLiveAt: Instant.nullable(),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
    owed: z.number().int().describe("Items waiting for you."),
    overdue: z.number().int(),
  })
  .meta({ id: "PortalProjectSummary" });

const ChecklistItem = z.object({
  key: z.string(),
  text: z.string(),
  checked: z.boolean(),
  canTick: z.boolean(),
  readOnlyReason: z.string().nullable().describe("Why you cannot tick it, in words; null when you can."),
});
const SpecShape = {
  type: z.enum(FIELD_TYPES),
  options: z.array(z.string()).readonly().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  unit: z.string().optional(),
  min_length: z.number().int().optional(),
  max_length: z.number().int().optional(),
  pattern: z.string().optional(),
  pattern_hint: z.string().optional(),
  min_items: z.number().int().optional(),
  max_items: z.number().int().optional(),
};
const FieldSpec = z
  .object({
    ...SpecShape,
    fields: z.record(z.string(), z.object({ ...SpecShape, label: z.string(), required: z.boolean().optional() })).optional(),
  })
  .describe("The field's declared type and constraints, as the playbook says them (the portal checks answers with them).");
const FormField = z.object({
  id: z.string(),
  label: z.string(),
  type: z.string(),
  required: z.boolean(),
  requiredWhen: z.string().nullable().describe("Required only for some answers: the playbook's condition; null when not conditional."),
  options: z.array(z.string()).nullable(),
  help: z.string().nullable(),
  spec: FieldSpec,
  value: z.unknown(),
});

const PortalForm = z.object({ id: z.string(), title: z.string(), fields: z.array(FormField), canSubmit: z.boolean() });
const PortalGate = z.object({
  signOff: z.string(),
  approvers: z.array(
    z.object({
      role: z.string(),
      title: z.string(),
      decision: z.string().nullable(),
      at: Instant.nullable(),
      conditions: z.string().nullable().describe("Approved with these conditions."),
    }),
  ),
  canSignAs: z.array(z.string()),
});
const PortalItem = z
  .object({
    id: z.string().describe("Send it as `item` (`for` when ticking) in commands for this item."),
    label: z.string(),
    doneAt: Instant.nullable(),
    checklist: z.array(ChecklistItem),
    form: PortalForm.nullable(),
    gate: PortalGate.nullable(),
    canComplete: z.boolean(),
    actionNeeded: z.boolean(),
  })
  .meta({ id: "PortalItem" });

export const PortalStep = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: z.string(),
    description: z.string().nullable(),
    expectedResult: z.string().nullable(),
    status: z.string(),
    overdue: z.boolean(),
    dueAt: Instant.nullable(),
    completedAt: Instant.nullable(),
    owner: z.object({ title: z.string(), side: z.enum(["client", "vendor"]) }),
    checklist: z.array(ChecklistItem),
    form: PortalForm.nullable(),
    gate: PortalGate.nullable(),
    items: z
      .array(PortalItem)
      .nullable()
      .describe("A repeated step's items, each with its own checklist, form and sign-off (null: not repeated)."),
    canComplete: z.boolean(),
    actionNeeded: z.boolean(),
  })
  .meta({ id: "PortalStep" });

export const PortalProject = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.string(),
    version: z.number().int(),
    startedAt: Instant,
    goLiveAt: Instant.nullable(),
    timeZone: z.string(),
    progress: z.object({ done: z.number().int(), total: z.number().int() }),
    currentPhase: z.string().nullable(),
    phases: z.array(z.object({ id: z.string(), title: z.string(), steps: z.array(PortalStep) })),
    owed: z.array(z.object({ step: z.string(), title: z.string(), dueAt: Instant.nullable(), overdue: z.boolean() })),
    roles: z.array(z.string()).describe("Your roles on this project."),
  })
  .meta({ id: "PortalProject" });

const Ref = z.string().min(1).max(200);
const Comment = z.string().max(4000).optional();
const Item = Ref.optional().describe("For a repeated step: the item (its id) this is for; absent: the whole step.");

/** The commands a client contact may send; the engine still checks each against the playbook. */
export const PortalCommand = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("approve"),
      step: Ref,
      role: Ref,
      comment: Comment,
      item: Item,
      conditions: z.string().trim().min(1, { error: "write the conditions" }).max(4000).optional(),
    }),
    z.strictObject({
      type: z.literal("reject"),
      step: Ref,
      role: Ref,
      comment: z.string().trim().min(1, { error: "say why" }).max(4000),
      item: Item,
    }),
    z.strictObject({
      type: z.literal("withdraw_approval"),
      step: Ref,
      role: Ref,
      reason: z.string().trim().min(1, { error: "say why" }).max(4000),
      item: Item,
    }),
    z.strictObject({ type: z.literal("tick_checklist"), step: Ref, item: Ref, checked: z.boolean(), for: Item }),
    z.strictObject({ type: z.literal("submit_form"), step: Ref, values: z.record(z.string(), z.unknown()), item: Item }),
    z.strictObject({ type: z.literal("complete_step"), step: Ref, item: Item }),
    z.strictObject({ type: z.literal("answer_survey"), survey: Ref, score: z.number().min(0).max(10), comment: Comment }),
  ])
  .meta({ id: "PortalCommand" });

export const PortalSurvey = z
  .object({
    projectId: z.string(),
    projectTitle: z.string(),
    title: z.string(),
    expiresAt: Instant,
    token: z.string().describe("Opens /portal/survey#token=…, the same page the survey email links to."),
  })
  .meta({ id: "PortalSurvey" });

export const PortalComment = z
  .object({
    id: z.string(),
    stepId: z.string().nullable(),
    author: z.string(),
    fromClient: z.boolean(),
    body: z.string(),
    createdAt: Instant,
  })
  .meta({ id: "PortalComment" });
export const PortalCommentBody = z.object({ body: z.string().trim().min(1).max(8000), stepId: Ref.optional() });

export const PortalCommandOutcome = z
  .object({
    projectId: z.string(),
    version: z.number().int().describe("The project's version after the command (also the ETag)."),
    status: z.string(),
    replayed: z.boolean(),
  })
  .meta({ id: "PortalCommandOutcome" });

export const PortalAttachment = z
  .object({ id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number().int(), createdAt: Instant })
  .meta({ id: "PortalAttachment" });
