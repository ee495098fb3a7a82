import { z } from "zod";
import type { StoredMail } from "../../../notify/mailer.ts";
import { PageQuery, pageOf } from "../../pagination.ts";
import { Instant } from "../common.types.ts";

const Address = z.object({ name: z.string().optional(), address: z.string() });

export const MailSummary = z
  .object({
    id: z.string(),
    key: z.string().describe("The outbox delivery (and recipient) it came from; also its Message-ID."),
    messageId: z.string(),
    projectId: z.string().nullable(),
    from: Address,
    to: z.array(Address),
    subject: z.string(),
    transport: z
      .enum(["outbox", "smtp", "folder"])
      .describe(
        "smtp: handed to the SMTP server; folder: written to MAIL_DIR as an .eml file (no SMTP configured); outbox: kept in the app (before 0.2).",
      ),
    attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number().int() })),
    createdAt: Instant,
    sentAt: Instant.nullable(),
  })
  .meta({ id: "MailSummary" });

export const Mail = MailSummary.extend({
  text: z.string().describe("As recorded: sign-in and survey links read [redacted]; the addressee got them whole."),
  html: z.string().nullable(),
}).meta({ id: "Mail" });

export const ListMailQuery = z.object({ projectId: z.string().min(1).max(200).optional(), ...PageQuery });
export const MailPage = pageOf(MailSummary);
export const MailParams = z.object({ id: z.string().min(1).max(200) });

export function mailSummary(mail: StoredMail): z.infer<typeof MailSummary> {
  return {
    id: mail.id,
    key: mail.key,
    messageId: mail.messageId,
    projectId: mail.projectId ?? null,
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : { address: mail.from.address },
    to: mail.to.map((a) => (a.name ? { name: a.name, address: a.address } : { address: a.address })),
    subject: mail.subject,
    transport: mail.transport,
    attachments: (mail.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: typeof a.content === "string" ? Buffer.byteLength(a.content) : a.content.byteLength,
    })),
    createdAt: mail.createdAt,
    sentAt: mail.sentAt ?? null,
  };
}

export function mailView(mail: StoredMail): z.infer<typeof Mail> {
  return { ...mailSummary(mail), text: mail.text, html: mail.html ?? null };
}
