// The mail of an email step (GET and POST /projects/:id/steps/:step/email): who it goes to and
// what it says, and what the owner may change before sending it.
import { z } from "zod";
import type { StepEmail as StepEmailOf } from "../../../notify/notifications.ts";
import { Event, ProjectStatus } from "../projects/project.types.ts";

export const StepEmailParams = z.object({
  id: z.string().min(1).max(200),
  step: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, {
    error: "a step id such as send_welcome_email (or edd_pep.gather, a step of a call)",
  }),
});

export const StepEmailRecipient = z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    roles: z.array(z.string()).describe("The playbook roles the contact holds on the project."),
  })
  .meta({ id: "StepEmailRecipient" });

const MailAddress = z.object({ name: z.string().optional(), address: z.string() }).meta({ id: "MailAddress" });

export const StepEmailDraft = z
  .object({
    projectId: z.string(),
    step: z.string(),
    title: z.string().describe("The step's title."),
    template: z.string().describe("The template the step sends (a saved override takes precedence over the playbook's text)."),
    status: z.string().describe("The step's status: only an open or started step can be sent and completed."),
    version: z.number().int().describe("The project's version the draft was rendered at: send it as If-Match (quoted)."),
    to: z.array(StepEmailRecipient).min(1),
    cc: z.array(MailAddress).optional().describe("Copied, as the step's email: names them (roles resolved to whoever holds them now)."),
    replyTo: MailAddress.optional().describe("Where replies go, as the step's email: says."),
    from: MailAddress.optional().describe("Who the mail is from, as the step's email: says; the server's address stays the Sender."),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
  })
  .meta({ id: "StepEmailDraft" });

export const SendStepEmailHeaders = z.looseObject({
  "if-match": z.string().max(100).optional().describe('Required: the project\'s ETag from your last read, e.g. "7". Without it: 428.'),
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .describe("Required: a retried POST with the same key completes nothing and queues nothing twice."),
});

/** One line, no control characters: it becomes a mail header. */
const Subject = z
  .string()
  .trim()
  .min(1, { error: "the subject is empty" })
  .max(998)
  .regex(/^[^\p{Cc}]*$/u, { error: "the subject must be one line" });

export const SendStepEmailBody = z
  .strictObject({
    subject: Subject.optional().describe("An edited subject instead of the rendered one."),
    text: z
      .string()
      .max(64_000)
      .refine((t) => t.trim() !== "", { error: "the text is empty" })
      .optional()
      .describe("An edited plain text instead of the rendered one; the HTML part is then this text, escaped."),
  })
  .meta({ id: "SendStepEmail" });

export const StepEmailSent = z
  .object({
    projectId: z.string(),
    version: z.number().int().describe("The project's version after the step completed (also the ETag)."),
    status: ProjectStatus,
    mail: z.object({
      key: z
        .string()
        .describe(
          "The mail's key. It was queued with the step's completion (the same transaction) and goes out within seconds, retried while the mail server is unreachable; GET /mail lists it with the project's id once sent.",
        ),
      to: z.array(StepEmailRecipient),
      subject: z.string(),
    }),
    events: z.array(Event),
    replayed: z.boolean().describe("This repeats an earlier request with the same Idempotency-Key: nothing was queued again."),
  })
  .meta({ id: "StepEmailSent" });

export function recipientView(r: StepEmailOf["to"][number]): z.infer<typeof StepEmailRecipient> {
  return { id: r.id, name: r.name, address: r.address, roles: [...r.roles] };
}

export function draftView(projectId: string, draft: StepEmailOf): z.infer<typeof StepEmailDraft> {
  return {
    projectId,
    step: draft.step,
    title: draft.title,
    template: draft.template,
    status: draft.status,
    version: draft.projectVersion,
    to: draft.to.map(recipientView),
    ...(draft.cc ? { cc: draft.cc.map((a) => ({ ...a })) } : {}),
    ...(draft.replyTo ? { replyTo: { ...draft.replyTo } } : {}),
    ...(draft.from ? { from: { ...draft.from } } : {}),
    subject: draft.message.subject,
    text: draft.message.text,
    html: draft.message.html,
  };
}
