// The playbook language: one zod schema that validates a parsed YAML document into typed values
// and, through z.toJSONSchema, gives editors the same shape for autocompletion.
// Every object is strict (an unknown key is an error, never ignored). Time phrases are parsed here
// into typed values; cross-references and CEL conditions are checked afterwards by semantics.ts,
// which needs the whole document.

import { z } from "zod";
import { answerOr, parseClockTime, parseWeekday } from "./agreed.ts";
import { PROCEDURE_KINDS } from "./procedure-kind.ts";
import { parseRetentionPeriod, RETENTION_ANCHORS } from "./retention.ts";
import { type ParseResult, parseDeadline, parseDuration, parseTimeOfDay, parseWindow } from "./time-expressions.ts";
import { FIELD_TYPES } from "./values.ts";

function parsed<T>(parse: (input: string) => ParseResult<T>, description: string) {
  return z
    .string()
    .describe(description)
    .transform((input, ctx): T => {
      const result = parse(input);
      if (!result.ok) {
        ctx.addIssue({ code: "custom", message: result.message, params: { fix: result.fix } });
        return z.NEVER;
      }
      return result.value;
    });
}

const DurationText = parsed(parseDuration, 'A duration: "24h", "4 business hours", "2 business days", "2 weeks".');
const DeadlineText = parsed(
  parseDeadline,
  'A deadline: "24h" (after the step opens), "2 business days after start", "3 days before kickoff", "Day 90 after go_live".',
);
const TimeOfDayText = parsed(
  parseTimeOfDay,
  "A time of day on a 24-hour clock and whose time zone: \"15:00 client\" (the client's time zone, the project calendar's) or \"09:00 owner\" (the rule owner's; the client's while people have no time zone of their own).",
);
const WindowText = parsed(parseWindow, 'A window: "Days 1-2", "Week 1-2", "Weeks 5-12", "Day 70+", "Days 30-90 after go_live".');

const Id = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "ids are lower_snake_case: start with a letter, then letters, digits or _")
  .describe("An identifier in lower_snake_case.");
const DocumentId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.{}-]*$/, "document ids are letters, digits, '-', '_' and '.' (e.g. EMAIL-CS-001)")
  .describe("A document or template identifier such as EMAIL-CS-001.");
const Text = z.string().min(1, "must not be empty");
/**
 * Prose a procedure author writes (descriptions, instructions, expected results, checklist items):
 * a Markdown subset, read by prose.ts and shown the same way in every SOP format, the app and the portal.
 */
const Prose = Text.describe(
  'Markdown: paragraphs, "- " and "1. " lists, **strong**, *emphasis*, `code`, [links](https://example.com/guide), bare URLs and e-mail addresses. Links must be http, https or mailto; HTML is shown as text.',
);
/** A CEL expression, type-checked against the playbook's facts, parameters and forms when loaded. */
const Expression = Text.describe("A CEL expression, e.g. facts.user_count > 100 && facts.soc2_required");
const DateText = z
  .string()
  .regex(
    /^(\d{4}-\d{2}-\d{2}|\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})$/,
    "dates are written YYYY-MM-DD (or a {{parameter}} the adopting company fills in)",
  );
const Level = z.enum(["low", "medium", "high"]);

const Revision = z.strictObject({
  version: Text,
  date: DateText,
  author: Text.optional(),
  changes: Text,
});

const Approval = z.strictObject({
  role: Text.describe("The approving function, e.g. Process Owner, Quality Review."),
  name: z.string().optional(),
  title: z.string().optional(),
  date: DateText.optional(),
});

const Letterhead = z.strictObject({
  company_name: Text,
  address: Text.optional(),
  phone: Text.optional(),
  email: Text.optional(),
  website: Text.optional(),
});

const DocumentControl = z.strictObject({
  id: Text,
  title: Text,
  client_title: Text.optional().describe("What the client portal calls an onboarding on this playbook (default: neutral wording)."),
  version: Text,
  status: z.enum(["draft", "in_review", "approved", "retired"]).default("approved"),
  owner: Text,
  classification: z.enum(["public", "internal", "confidential", "restricted"]).default("internal"),
  effective: DateText,
  review: DateText.describe("The next review date."),
  last_review: DateText.optional(),
  prepared_by: Text.optional(),
  letterhead: Letterhead.optional(),
  revisions: z.array(Revision).default([]),
  approvals: z.array(Approval).default([]),
});

const Scope = z.strictObject({
  applies_to: z.array(Text).min(1),
  excludes: z.array(z.strictObject({ text: Text, see: Text.optional() })).default([]),
});

const Parameter = z.strictObject({
  type: z.enum(["string", "text", "integer", "number", "date", "email", "url"]),
  description: Text,
  default: z.union([z.string(), z.number()]).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});

/** Client facts: typed inputs known when a project starts (from the CRM or the handoff form). */
const Fact = z.strictObject({
  type: z.enum(["bool", "int", "double", "string", "date", "datetime", "email", "url", "phone", "list"]),
  label: Text,
  description: Text.optional(),
  values: z.array(Text).min(1).optional().describe("For strings and lists: the allowed values."),
  min: z.number().optional().describe("For numbers: the smallest allowed value."),
  max: z.number().optional().describe("For numbers: the largest allowed value."),
  pattern: Text.optional().describe("For strings: a regular expression (RE2 syntax) the whole value must match."),
  default: z.union([z.boolean(), z.number(), z.string(), z.array(z.string())]).optional(),
  source: z.enum(["crm", "handoff", "client", "computed"]).default("handoff"),
});

const Weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
const Calendar = z.strictObject({
  working_days: z.array(Weekday).min(1).default(["mon", "tue", "wed", "thu", "fri"]),
  working_hours: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'working hours are "HH:MM-HH:MM", e.g. "09:00-17:00"')
    .default("09:00-17:00"),
  time_zone: Text.default("client").describe('"client" (the client\'s time zone fact) or an IANA zone.'),
  holidays: Text.default("client").describe('"client" (the client\'s country), an ISO country code, or "none".'),
  closures: z.array(z.strictObject({ from: DateText, to: DateText, label: Text })).default([]),
});

const AssignmentStrategy = z.enum([
  "territory",
  "segment",
  "specialization",
  "product",
  "complexity",
  "capacity",
  "least_loaded",
  "round_robin",
  "contract",
  "manual",
]);

const Assignment = z.strictObject({
  strategies: z.array(AssignmentStrategy).min(1).describe("Applied in order: filters first, then a picker."),
  match_on: z.array(Id).default([]).describe("Facts the filters match against (territory, segment ...)."),
  capacity: z.union([z.number().int().positive(), z.string()]).optional().describe("Active projects per person."),
  when_nobody_fits: z.enum(["notify_cs_ops", "leave_unassigned"]).default("notify_cs_ops"),
});

const Role = z.strictObject({
  title: Text,
  side: z
    .enum(["internal", "client", "system"])
    .describe(
      "internal: the team's people; client: the client's contacts; system: an automation (a risk engine, an onboarding system) whose service account holds the role and completes its steps through its API token. Write 'Risk Engine / Analyst' as raci: { responsible: [risk_engine, analyst], ... }. A system role never signs a gate.",
    ),
  description: Prose.optional(),
  responsibilities: z.array(Prose).default([]),
  assignment: Assignment.optional(),
  escalates_to: Id.optional(),
});

const Template = z.strictObject({
  title: Text,
  kind: z.enum(["email", "document", "form", "project", "report", "meeting", "checklist", "survey"]),
  subject: Text.optional(),
  body: Text.optional(),
});

const FieldType = z
  .enum(FIELD_TYPES)
  .describe(
    "string (one line), text (long), bool, int, double (a number, with `unit`), date, datetime, email, url, phone, " +
      "choice (one of `options`), choices (several of `options`), list (texts; `options` limits them), file, person (name and email), records (a table: `fields` are its columns).",
  );
const Count = z.number().int().nonnegative();
/** What every field may say about its value, records' columns included. */
const fieldShape = {
  label: Text,
  type: FieldType,
  required: z.boolean().default(false),
  options: z.array(Text).min(1).optional().describe("For choice, choices and list: the allowed values."),
  help: Text.optional(),
  unit: Text.optional().describe('For numbers: what they count, e.g. "users" or "EUR".'),
  min: z.number().optional().describe("For numbers: the smallest allowed value."),
  max: z.number().optional().describe("For numbers: the largest allowed value."),
  min_length: Count.optional().describe("For text: the fewest characters."),
  max_length: Count.optional().describe("For text: the most characters."),
  pattern: Text.optional().describe('For text: a regular expression (RE2 syntax) the whole answer must match, e.g. "[A-Z]{2}[0-9]{6}".'),
  pattern_hint: Text.optional().describe('How to say the pattern to a person: "a passport number, like AB123456".'),
  min_items: Count.optional().describe("For choices, list and records: the fewest items (rows)."),
  max_items: Count.optional().describe("For choices, list and records: the most items (rows)."),
  personal: z
    .boolean()
    .optional()
    .describe(
      "The answer is personal data (GDPR): listed in the register, exported on an access request, erased on erasure. " +
        "Default: true for person, email and phone fields, false otherwise.",
    ),
  purpose: Text.optional().describe("Why this personal data is collected, for the register (default: the form's title)."),
};
const RecordColumn = z.strictObject(fieldShape);
const FormField = z.strictObject({
  ...fieldShape,
  required_if: Expression.optional().describe(
    'Required only when this CEL condition holds for the answers, e.g. forms.kyc.risk_rating == "high".',
  ),
  fields: z.record(Id, RecordColumn).optional().describe("For records: the columns of each row."),
});

const Form = z.strictObject({
  title: Text,
  template: DocumentId.optional(),
  system: Text.optional().describe("Where the form lives, e.g. Salesforce."),
  fields: z.record(Id, FormField),
});

const SurveyQuestion = z.strictObject({
  id: Id,
  text: Text,
  type: z.enum(["nps", "csat", "rating", "text", "choice", "bool"]),
  options: z.array(Text).optional(),
  required: z.boolean().default(true),
});

const Survey = z.strictObject({
  title: Text,
  kind: z.enum(["nps", "csat", "custom"]),
  to: z.array(Id).min(1),
  send: DeadlineText.describe('When it goes out, e.g. "{{number_of_days}} days after completion".'),
  questions: z.array(SurveyQuestion).min(1),
});

const TrainingTrack = z.strictObject({
  title: Text,
  audience: Text,
  modules: z.array(Text).min(1),
  hours: z.number().positive().optional().describe("Omit where the procedure does not say."),
  required: z.boolean().default(true),
  when: Expression.optional(),
});

const Training = z.strictObject({
  pass_mark: z.number().min(0).max(100).optional().describe("Assessment score in percent needed to pass."),
  delivery: z.array(z.strictObject({ id: Id, title: Text, description: Text, when: Expression.optional() })).default([]),
  tracks: z.record(Id, TrainingTrack),
});

// Actions: one key each, so an unknown or misspelt action name is an unknown-key error with a suggestion.
const Recipients = z.array(Id).min(1);
/** Who else a mail names: a role (its holders on the project when the mail goes) or an email address. */
const MailParty = z
  .string()
  .regex(/^([a-z][a-z0-9_]*|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/, "write a role id (client_primary) or an email address (billing@example.com)")
  .describe("A role id (whoever holds it on the project when the mail goes) or an email address.");
const Action = z
  .strictObject({
    when: Expression.optional(),
    notify: z.strictObject({ to: Recipients, message: Text, channel: z.enum(["in_app", "email", "chat"]).default("in_app") }).optional(),
    email: z
      .strictObject({
        to: Recipients,
        template: DocumentId,
        attach_invite: Id.optional(),
        cc: z.array(MailParty).min(1).optional().describe("Copied on the mail: roles or addresses, e.g. [csm, finance@example.com]."),
        reply_to: MailParty.optional().describe("Where replies go: a role (its holder) or an address."),
        from: MailParty.optional().describe(
          "Who the mail is from: a role (its holder, e.g. csm) or an address; sent on behalf of the server's address (MAIL_FROM).",
        ),
      })
      .optional(),
    create_task: z.strictObject({ title: Text, owner: Id, due: DeadlineText.optional(), description: Text.optional() }).optional(),
    escalate: z.strictObject({ to: Id, reason: Text }).optional(),
    assign: z.strictObject({ role: Id }).optional(),
    start_project: z.strictObject({ playbook: Text.default("self") }).optional(),
    send_survey: z.strictObject({ survey: Id }).optional(),
    send_invite: z.strictObject({ meeting: Id }).optional(),
    activate: z.strictObject({ step: Id }).optional(),
    request_approval: z.strictObject({ from: Id, subject: Text }).optional(),
    set_health: z.strictObject({ status: z.enum(["green", "amber", "red"]), reason: Text }).optional(),
    hold: z.strictObject({ reason: Text }).optional(),
    log: z.strictObject({ message: Text }).optional(),
  })
  .superRefine((action, ctx) => {
    const keys = Object.keys(action).filter((key) => key !== "when");
    if (keys.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: keys.length === 0 ? "an action needs exactly one verb" : `an action has one verb, this one has ${keys.join(", ")}`,
        params: {
          fix: "write one of notify, email, create_task, escalate, assign, start_project, send_survey, send_invite, activate, request_approval, set_health, hold, log",
        },
      });
    }
  });

const Raci = z.strictObject({
  responsible: z.array(Id).min(1),
  accountable: Id.describe("Exactly one role is accountable."),
  consulted: z.array(Id).default([]),
  informed: z.array(Id).default([]),
});

const ChecklistItem = z.union([
  Prose,
  z.strictObject({
    id: Id.optional(),
    text: Prose,
    owner: Id.optional(),
    required: z.boolean().default(true),
    when: Expression.optional().describe("Only for clients where this holds (e.g. facts.data_migration)."),
    visible_to_client: z.boolean().optional(),
  }),
]);

const AgendaItem = z.strictObject({
  minutes: z.number().positive().optional(),
  topic: Text,
  description: Prose.optional(),
});

const Meeting = z.strictObject({
  length: DurationText.optional(),
  attendees: z.array(Id).default([]),
  agenda: z.array(AgendaItem).default([]),
  preparation: z.array(Text).default([]),
  during: z.array(Text).default([]),
});

const Gate = z
  .strictObject({
    approvers: z.array(Id).min(1),
    rule: z.enum(["any", "all"]).default("all"),
    sign_off: Text.describe("What the approvers sign, in words."),
    blocks: z.enum(["step", "phase"]).default("step").describe("phase: nothing in later phases starts until it passes."),
  })
  .describe(
    'A sign-off. Each approver approves, approves with conditions (written) or rejects (with a comment). Conditions read the outcome: gates.<step>.outcome is "approved", "approved_with_conditions", "rejected" or "pending" (also .comment, .conditions, .roles.<role>.outcome); a decision can branch on it, e.g. when: gates.plan_signoff.outcome == "rejected" with next: draft_plan, and the step it returns to shows the signer\'s comment.',
  );

const Branch = z.strictObject({
  label: Text,
  when: Expression.optional(),
  otherwise: z.literal(true).optional(),
  actions: z.array(Action).default([]),
  detour: z
    .array(Id)
    .min(1)
    .optional()
    .describe(
      "On-demand steps to do first, then carry on after the deciding step without deciding again (with next: continue), e.g. detour: [collect_documents].",
    ),
  next: Text.describe('"continue", "hold", "end" or the id of the step to go to.'),
});

const Decision = z.strictObject({
  question: Text,
  branches: z.array(Branch).min(2),
});

const Handoff = z.strictObject({
  from: Id,
  to: Id,
  information: z.array(Text).min(1),
});

const Deliverable = z.strictObject({
  title: Text,
  template: DocumentId.optional(),
  location: Text.optional(),
});

const Extension = z
  .strictObject({
    by: z
      .array(Id)
      .min(1)
      .optional()
      .describe("Roles that may extend the deadline. Default: the step's accountable role. CS operations always may, within the limits."),
    up_to: DurationText.optional().describe("How far past the original deadline all extensions together may go (e.g. 2 weeks)."),
    times: z.number().int().min(0).optional().describe("How many times it may be extended; 0: never."),
  })
  .describe("How, how often and by whom the step's deadline may be extended (“2 weeks by default, but can be extended once by 1 week”).");

const Repeat = z
  .strictObject({
    for_each: Expression.describe(
      "A CEL list, fixed when the step becomes reachable: a fact (facts.integrations), or a list or records field filled in an earlier step (forms.kyc.owners).",
    ),
    as: Id.default("item"),
    label: Expression.optional().describe(
      "What each item is called, a CEL string read from the item (e.g. item.name for a records row). Default: the item itself, or its row number.",
    ),
  })
  .describe(
    'Do the step once per item: each item has its own form, checklist and sign-off. e.g. {for_each: "forms.kyc.owners", label: "item.name"}',
  );

const Step = z.strictObject({
  id: Id,
  title: Text,
  client_title: Text.optional().describe("The step's title in the client portal, when the team's wording is not for the client."),
  kind: z.enum(["task", "meeting", "approval", "email", "review", "milestone", "handoff"]).default("task"),
  description: Prose.optional(),
  owner: Id,
  raci: Raci.optional(),
  after: z.array(Id).optional().describe("Steps that must finish first. Default: the step written before it."),
  when: Expression.optional().describe("Include the step only where this holds for the client."),
  optional: z.boolean().default(false),
  on_demand: z.boolean().default(false).describe("Opened only by a decision branch or an automation."),
  next: Id.optional().describe("For on-demand steps: where the flow returns when done."),
  per_occurrence: z
    .boolean()
    .default(false)
    .describe(
      "For on-demand steps rules open: each time (each issue, each change request) is its own occurrence with its own work; one that comes while another is open is added, never dropped.",
    ),
  visible_to_client: z.boolean().default(false),
  opens: DeadlineText.optional().describe("Opens at a scheduled time instead of when its predecessors finish."),
  due: DeadlineText.optional(),
  target: DeadlineText.optional().describe("A soft target, earlier than the hard deadline."),
  lasts: DurationText.optional().describe("How long the activity itself runs (e.g. enhanced support)."),
  extension: Extension.optional(),
  instructions: z.array(Prose).default([]),
  expected_result: Prose.optional(),
  deliverable: Deliverable.optional(),
  deliverables: z
    .array(Deliverable)
    .default([])
    .describe("Several deliverables of one step (use `deliverable:` for one); each with its own template and location."),
  template: DocumentId.optional(),
  email: z
    .strictObject({
      cc: z.array(MailParty).min(1).optional().describe("Copied on the step's email: roles or addresses."),
      reply_to: MailParty.optional().describe("Where replies go: a role (its holder) or an address."),
      from: MailParty.optional().describe(
        "Who the mail is from: a role (its holder) or an address; the server's address stays the Sender.",
      ),
    })
    .optional()
    .describe("For email steps (kind: email with a template): who else the mail names, e.g. { cc: [csm], reply_to: csm }."),
  checklist: z.array(ChecklistItem).default([]),
  form: Id.optional(),
  meeting: Meeting.optional(),
  gate: Gate.optional(),
  decision: Decision.optional(),
  handoff: Handoff.optional(),
  repeat: Repeat.optional(),
  training: z.array(Id).default([]).describe("Training tracks delivered; the pass mark gates completion."),
  survey: Id.optional(),
  compliance: Id.optional().describe("The compliance addendum this step belongs to."),
  systems: z.array(Text).default([]),
  go_live: z.boolean().default(false).describe("Completing this step is the client's go-live."),
  completes_project: z.boolean().default(false),
});

/** A step that carries out a procedure (a named block of steps) and then returns here. */
const CallStep = z
  .strictObject({
    id: Id.describe("The call's id: the block's steps run as <id>.<their id>, and its forms as <id>__<form id>."),
    call: Id.describe("The procedure (under `procedures:`, or from an `include:`d procedures file) to carry out here."),
    title: Text.optional().describe("What this call is called in the app (default: the procedure's title)."),
    description: Prose.optional(),
    after: z.array(Id).optional().describe("Steps that must finish first. Default: the step written before it."),
    when: Expression.optional().describe("Carry out the procedure only where this holds (every step of the block gets it)."),
    repeat: Repeat.optional().describe(
      'Carry out the procedure for each item ("repeat steps 1 to 5 for each relevant party"): every step of the block repeats per item, each item with its own answers, ticks and sign-offs.',
    ),
  })
  .describe(
    "Carry out a procedure here: its steps run in place of this one, then the flow continues with what follows the call. " +
      "Example: `- { id: edd_high_risk, call: enhanced_due_diligence, when: 'forms.kyc.risk_rating == \"high\"' }`.",
  )
  .meta({
    examples: [
      { id: "edd_high_risk", call: "enhanced_due_diligence", title: "EDD for a high risk rating", when: 'forms.kyc.risk_rating == "high"' },
    ],
  });

/** A step, or a call of a procedure. */
const StepOrCall = z.union([Step, CallStep]);

/** A named block of steps that several steps (and several playbooks) can carry out; it returns to its caller. */
const Procedure = z
  .strictObject({
    id: Id,
    title: Text,
    section: Text.optional().describe('The SOP section number it is written under, e.g. "4.3" (default: numbered after the phases).'),
    description: Prose.optional(),
    forms: z
      .record(Id, Form)
      .default({})
      .describe("Forms of the block, one per call: inside the block `forms.<id>` reads this call's answers."),
    outcome: Id.optional().describe(
      "The block's decision step whose branch is its outcome, read after the call as `calls.<call id>.outcome` (default: its last decision).",
    ),
    steps: z.array(StepOrCall).min(1),
    included_from: Text.optional().describe(
      "Written when a playbook is published: the procedures file (<id>@<version>) this block was copied from. Do not write it yourself.",
    ),
  })
  .describe(
    "A named block of steps, written once and carried out by `call:` steps wherever the procedure says so " +
      '("trigger the enhanced due diligence workflow (Section 4.3)"). When its last steps finish, the flow returns to what follows the call.',
  )
  .meta({
    examples: [
      {
        id: "enhanced_due_diligence",
        title: "Enhanced due diligence",
        section: "4.3",
        forms: { edd: { title: "EDD findings", fields: { verified: { label: "Source of funds verified", type: "bool" } } } },
        steps: [
          { id: "gather", title: "Collect source of funds evidence", owner: "analyst", form: "edd" },
          {
            id: "assess",
            title: "Assess the EDD findings",
            owner: "compliance",
            decision: {
              question: "Is the source of funds verified?",
              branches: [
                { label: "Approved", when: "forms.edd.verified", next: "continue" },
                { label: "Rejected", otherwise: true, next: "end" },
              ],
            },
          },
        ],
      },
    ],
  });

/** A file of procedures shared between playbooks (playbooks/procedures/<id>.yaml), included as `<id>@<version>`. */
export const ProceduresFileSchema = z
  .strictObject({
    onboard_procedures: z.literal(1).describe("The procedures file format version."),
    id: Id,
    version: Text.describe("Raise it when the procedures change; a playbook includes one version."),
    title: Text,
    procedures: z.array(Procedure).min(1),
  })
  .describe("Procedures shared between playbooks.");

const Phase = z.strictObject({
  id: Id,
  title: Text,
  client_title: Text.optional().describe("The phase's title in the client portal."),
  window: WindowText.optional().describe(
    "When the phase runs. Optional where the procedure gives none: its steps then get no phase deadline, only their own due:.",
  ),
  description: Prose.optional(),
  steps: z.array(StepOrCall).min(1),
});

const AGREED =
  " Or a form answer agreed with the client, forms.<form>.<field>: a choice field whose options are all such values; the cadence starts once it is answered and moves when the form is submitted again.";
const Cadence = z.strictObject({
  id: Id,
  title: Text,
  owner: Id,
  every: parsed(
    answerOr(parseDuration),
    `How often: "1 week", "2 weeks", "1 month", "2 business days".${AGREED} E.g. forms.kickoff.cadence_interval with options [weekly, bi-weekly, monthly].`,
  ),
  weekday: parsed(
    answerOr(parseWeekday),
    `The weekday each occurrence falls on: mon ... sun (or Monday ... Sunday).${AGREED} E.g. forms.kickoff.cadence_day.`,
  ).optional(),
  at: parsed(
    answerOr(parseClockTime),
    `The time of day of each occurrence, HH:MM in the client's time zone, e.g. "10:00".${AGREED} E.g. forms.kickoff.cadence_time.`,
  ).optional(),
  during: Id.optional().describe("The phase it runs in."),
  from: DeadlineText.optional(),
  until: DeadlineText.optional(),
  after_close: z
    .enum(["end", "continue"])
    .default("end")
    .describe(
      'continue: the cadence goes on after the project closes (steady-state check-ins), until its `until:`, which it then needs (e.g. "12 months after completion").',
    ),
  when: Expression.optional(),
  kind: z.enum(["meeting", "task", "report"]).default("meeting"),
  visible_to_client: z.boolean().default(true),
  agreed_with_client: z.boolean().default(false),
  instructions: z.array(Prose).default([]),
  expected_result: Prose.optional(),
  due: DeadlineText.optional().describe("Deadline for each occurrence's follow-up."),
  notice: DurationText.optional().describe(
    'A meeting series: how long before its first meeting the invitation goes out (default "2 business days"). The series is mailed when it is planned; one whose first meeting comes sooner starts with the first that leaves this notice.',
  ),
});

export const EVENT_TYPES = [
  "deal.won",
  "deal.reopened",
  "project.started",
  "project.on_hold",
  "project.completed",
  "project.go_live",
  "step.activated",
  "step.completed",
  "step.overdue",
  "step.target_missed",
  "gate.approved",
  "gate.rejected",
  "form.submitted",
  "meeting.scheduled",
  "training.completed",
  "survey.answered",
  "issue.opened",
  "issue.resolved",
  "change.requested",
  "milestone.reached",
] as const;

const Rule = z.strictObject({
  id: Id,
  title: Text,
  category: z.enum(["automation", "exception", "escalation"]),
  description: Prose.optional(),
  on: z.enum(EVENT_TYPES),
  step: Id.optional().describe("For step.*, gate.* and form events: which step."),
  when: Expression.optional(),
  after: DurationText.optional().describe("Wait this long; fire only if `until` has not happened."),
  until: z.enum(EVENT_TYPES).optional(),
  repeat_every: DurationText.optional().describe("Repeat the actions until `until` happens."),
  at: TimeOfDayText.optional().describe(
    'Fire at this time of day (after `after:` has passed, if given): "15:00 client" waits for the next 3 PM in the client\'s time zone. Repetitions keep the time of day.',
  ),
  owner: Id.optional(),
  actions: z.array(Action).min(1),
});

const KpiTarget = z
  .string()
  .regex(
    /^(<=|>=|<|>|=)\s*(\d+(\.\d+)?|\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})\s*(%|days?|hours?|\/5|\/10|\/week|per week|points?)?$/,
    'targets are a comparison and a number (or a {{parameter}}) with a unit: "< 45 days", ">= 90%", ">= 4.5/5", "<= {{target_days}} days"',
  );

/** Built-in measures computed from the event log (or manual). */
export const KPI_METRICS = [
  "time_to_go_live",
  "time_to_first_value",
  "time_to_onboard",
  "training_completion",
  "adoption_rate",
  "nps",
  "csat",
  "first_pass_uat_rate",
  "sla_compliance",
  "ticket_resolution_time",
  "ticket_volume",
  "retention_rate",
  "onboarding_completion_rate",
  "first_delivery_success_rate",
  "on_time_milestones",
  "time_to_step",
  "manual",
] as const;

export const KPI_FREQUENCIES = ["per_project", "per_interaction", "daily", "weekly", "monthly", "quarterly", "annually"] as const;

/** A moment of one project a KPI measures from or to: a step's completion or a date fact. */
const KpiMoment = z
  .union([
    z.strictObject({ step: Id.describe("The step whose completion is the moment.") }),
    z.strictObject({ fact: Id.describe("A date fact (e.g. go_live_date) whose day is the moment.") }),
  ])
  .describe("A step's completion ({ step: kickoff_call }) or a date fact ({ fact: go_live_date }).");

const Kpi = z.strictObject({
  id: Id,
  title: Text,
  metric: z
    .enum(KPI_METRICS)
    .describe(
      "A built-in measure computed from the event log, or manual (a person records its values). time_to_step: days from `from` (the start by default) to the completion of the step `to`.",
    ),
  from: KpiMoment.optional().describe(
    "time_to_step: where the count starts; the start of the project when omitted. A project whose `from` step was skipped or not applicable is left out.",
  ),
  to: z
    .strictObject({ step: Id })
    .optional()
    .describe(
      "time_to_step: the step whose completion ends the count, e.g. { step: kickoff_call } for days from the start to the first meeting. Projects where it was skipped or is not applicable are left out of the figure; those not there yet are not counted.",
    ),
  days: z
    .enum(["calendar", "business"])
    .default("calendar")
    .describe("time_to_step: count calendar days, or business days on the client's business calendar."),
  first_value: KpiMoment.optional().describe(
    "time_to_first_value: the moment of first value, a step's completion or a date fact. Omitted: a step whose id or title says 'first value' or 'value review', else go-live.",
  ),
  target: KpiTarget.optional(),
  frequency: z.enum(KPI_FREQUENCIES),
  source: z.enum(["automatic", "manual"]).default("automatic"),
  definition: Text.optional(),
  edge_rules: z.array(Text).default([]),
  owner: Id.optional(),
});

const Risk = z.strictObject({
  id: Id,
  risk: Text,
  impact: Level,
  probability: Level,
  mitigation: Text,
  owner: Id.optional(),
  controls: z.array(Text).default([]),
});

const ComplianceItem = z.strictObject({
  id: Id,
  text: Text,
  at: z.array(Id).default([]).describe("Steps where it is collected or checked."),
  owner: Id.optional(),
});

const Addendum = z.strictObject({
  id: Id,
  title: Text,
  framework: z.enum(["soc2", "gdpr", "hipaa", "iso27001", "internal", "other"]),
  applies_when: Expression.optional().describe("Omit when it applies to every client."),
  description: Prose.optional(),
  evidence: z.array(ComplianceItem).default([]),
  checks: z.array(ComplianceItem).default([]),
  approvals: z.array(z.strictObject({ role: Id, text: Text })).default([]),
  package: z.array(Text).default([]).describe("What is compiled and given to the client."),
});

const Retention = z.strictObject({
  keep: parsed(parseRetentionPeriod, 'A retention period: "7 years", "18 months", "90 days".').describe(
    "How long the records are kept, counted from `after`.",
  ),
  after: z
    .enum(RETENTION_ANCHORS)
    .describe(
      "What the period counts from: the end of the business relationship with the client (recorded on the client), or the project's closing.",
    ),
  records: z.array(Text).default([]).describe("Which records (e.g. identification documents); empty: all records of the project."),
  basis: Prose.optional().describe("The legal or policy basis, e.g. “AML record keeping (Directive (EU) 2015/849, Art. 40)”."),
  at_end: z
    .enum(["erase_personal_data", "review"])
    .default("erase_personal_data")
    .describe("What happens when the period ends: the personal data is erased, or the records are reviewed for disposal."),
});

const Reference = z.strictObject({
  id: Text,
  title: Text,
  kind: z.enum(["template", "sop", "document", "system", "link"]).default("document"),
  url: z.string().url().optional(),
});

export const PlaybookSchema = z
  .strictObject({
    onboard: z.literal(1).describe("The playbook language version."),
    id: Id,
    kind: z
      .enum(PROCEDURE_KINDS)
      .default("onboarding")
      .describe(
        "What the procedure is; the SOP's wording follows it (e.g. account_handoff: “the account handoff starts … for an existing client”).",
      ),
    trigger: Prose.optional().describe(
      "What starts the procedure, in the SOP's words (e.g. “The account's CSM leaves or changes portfolio.”). Rules that start projects are printed as well.",
    ),
    document: DocumentControl,
    purpose: Prose,
    scope: Scope,
    definitions: z.array(z.strictObject({ term: Text, meaning: Prose })).default([]),
    prerequisites: z.array(Prose).default([]),
    references: z.array(Reference).default([]),
    parameters: z.record(Id, Parameter).default({}),
    facts: z.record(Id, Fact).default({}),
    starts_on: z
      .strictObject({
        crm_stages: z
          .array(Text)
          .min(1)
          .describe(
            'Deal stages that start a project before the deal is won, as the CRM names them: the stage name ("5 - Negotiating") for the generic webhook and Salesforce, the stage id for HubSpot and Pipedrive. Matched without regard to case.',
          ),
      })
      .optional()
      .describe("When a CRM deal starts a project besides being won: a won deal always does. One project per deal either way."),
    calendar: Calendar.default({
      working_days: ["mon", "tue", "wed", "thu", "fri"],
      working_hours: "09:00-17:00",
      time_zone: "client",
      holidays: "client",
      closures: [],
    }),
    roles: z.record(Id, Role),
    templates: z.record(DocumentId, Template).default({}),
    forms: z.record(Id, Form).default({}),
    surveys: z.record(Id, Survey).default({}),
    training: Training.optional(),
    include: z
      .array(z.string().regex(/^[a-z][a-z0-9_]*@[^@\s]+$/, 'an include is "<procedures file id>@<version>", e.g. "kyc_procedures@1.0"'))
      .default([])
      .describe(
        'Procedures files shared between playbooks, as "<id>@<version>" (playbooks/procedures/<id>.yaml). Publishing copies them into `procedures:`, so a published version never changes under its projects.',
      ),
    procedures: z.array(Procedure).default([]),
    phases: z.array(Phase).min(1),
    cadences: z.array(Cadence).default([]),
    rules: z.array(Rule).default([]),
    kpis: z.array(Kpi).default([]),
    risks: z.array(Risk).default([]),
    compliance: z.array(Addendum).default([]),
    quality_controls: z.strictObject({ in_process: z.array(Text).default([]), final: z.array(Text).default([]) }).optional(),
    systems: z.array(z.strictObject({ name: Text, purpose: Text })).default([]),
    rollout: z.array(z.strictObject({ when: Text, activity: Text })).default([]),
    change_management: z.array(Text).default([]),
    retention: z.array(Retention).default([]).describe("How long the procedure's records are kept, and what then."),
    appendices: z.array(z.strictObject({ id: Id, title: Text, body: Text })).default([]),
  })
  .describe("An Onboard playbook: one file that is the SOP, the live project and its KPIs.");

/** A playbook as written: phases may call procedures. */
export type RawPlaybook = z.output<typeof PlaybookSchema>;
export type PlaybookInput = z.input<typeof PlaybookSchema>;
export type RawPhase = RawPlaybook["phases"][number];
export type Step = z.output<typeof Step>;
export type CallStep = z.output<typeof CallStep>;
export type Procedure = z.output<typeof Procedure>;
export type ProceduresFile = z.output<typeof ProceduresFileSchema>;
export type Phase = Omit<RawPhase, "steps"> & { steps: Step[] };

/** Where a procedure is carried out, after its call was expanded into ordinary steps. */
export interface CallSite {
  /** The call's id as its steps are prefixed ("edd_high_risk", or "outer.inner" when nested). */
  readonly id: string;
  /** Its name in conditions: `calls.<key>.outcome` ("edd_high_risk", or "outer__inner"). */
  readonly key: string;
  readonly procedure: string;
  readonly title: string;
  /** The call's own condition, as written (its steps carry it too). */
  readonly when?: string;
  readonly description?: string;
  /** The call this one is nested in. */
  readonly parent?: string;
  readonly phase: string;
  /** The expanded steps, nested calls' included, in written order. */
  readonly steps: readonly string[];
  readonly entries: readonly string[];
  readonly exits: readonly string[];
  /** The expanded decision step whose branch is the call's outcome. */
  readonly outcome?: string;
}

/**
 * A playbook as it runs: every call expanded into ordinary steps (`<call>.<step>`), the procedures
 * kept as written for the SOP, and where each call is.
 */
export type Playbook = Omit<RawPlaybook, "phases"> & { phases: Phase[]; calls: readonly CallSite[] };
export type Role = Playbook["roles"][string];
export type Rule = Playbook["rules"][number];
export type Action = Rule["actions"][number];
export type Cadence = Playbook["cadences"][number];
export type Kpi = Playbook["kpis"][number];
export type Addendum = Playbook["compliance"][number];
export type Fact = Playbook["facts"][string];
export type Form = Playbook["forms"][string];
export type EventType = (typeof EVENT_TYPES)[number];
export type Deliverable = NonNullable<Step["deliverable"]>;

/** A step's deliverables, whether written as one `deliverable:` or a `deliverables:` list. */
export function deliverablesOf(step: Pick<Step, "deliverable" | "deliverables">): Deliverable[] {
  return [...(step.deliverable ? [step.deliverable] : []), ...step.deliverables];
}

/**
 * Where every Onboard server serves the schema (GET /schema/playbook.schema.json, public). The `$id`
 * is this path, a reference resolved against the server the editor fetched it from: the same
 * document whether written by `onboard schema` or served, and stable for as long as the language
 * is `onboard: 1`.
 */
export const PLAYBOOK_SCHEMA_PATH = "/schema/playbook.schema.json";

/** The JSON Schema editors use to autocomplete playbooks; generated from the same zod source. */
export function playbookJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(PlaybookSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { $schema, $id: PLAYBOOK_SCHEMA_PATH, title: "Onboard playbook (onboard: 1)", ...rest };
}
