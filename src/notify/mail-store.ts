// The mail_messages table: every message Onboard sends, keyed by the outbox delivery it came from.
// The mail log: what went, to whom and when, with secrets redacted (admins read it at GET /mail).
import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import { fromDb, fromDbOptional } from "../store/time.ts";
import { type MailAddress, type MailStore, type MailTransport, messageIdOf, type OutgoingMail, type StoredMail } from "./mailer.ts";
import type { MailMessagesTable, NotifyDb } from "./tables.ts";

type Row = Selectable<MailMessagesTable>;

function mailOf(row: Row): StoredMail {
  const from = parseFrom(row.from_address);
  return {
    id: row.id,
    key: row.key,
    ...(row.project_id ? { projectId: row.project_id } : {}),
    from,
    to: row.recipients,
    subject: row.subject,
    text: row.text_body,
    ...(row.html_body !== null ? { html: row.html_body } : {}),
    attachments: row.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.content, "base64"),
    })),
    messageId: messageIdOf(row.key, from),
    transport: row.transport,
    createdAt: fromDb(row.created_at),
    sentAt: fromDbOptional(row.sent_at),
  };
}

function formatFrom(from: MailAddress): string {
  return from.name ? `${JSON.stringify(from.name)} <${from.address}>` : from.address;
}

function parseFrom(text: string): MailAddress {
  const match = /^"((?:[^"\\]|\\.)*)" <(.+)>$/.exec(text);
  return match?.[1] !== undefined && match[2] ? { name: JSON.parse(`"${match[1]}"`) as string, address: match[2] } : { address: text };
}

export function mailStore(db: NotifyDb): MailStore {
  return {
    async record(mail: OutgoingMail, from: MailAddress, transport: MailTransport, now: string): Promise<StoredMail> {
      await db
        .insertInto("mail_messages")
        .values({
          id: randomUUID(),
          key: mail.key,
          project_id: mail.projectId ?? null,
          from_address: formatFrom(from),
          recipients: JSON.stringify(mail.to.map((a) => (a.name ? { name: a.name, address: a.address } : { address: a.address }))),
          subject: mail.subject,
          text_body: mail.text,
          html_body: mail.html ?? null,
          attachments: JSON.stringify(
            (mail.attachments ?? []).map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              content: Buffer.from(typeof a.content === "string" ? Buffer.from(a.content, "utf8") : a.content).toString("base64"),
            })),
          ),
          transport,
          created_at: now,
        })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      const row = await db.selectFrom("mail_messages").selectAll().where("key", "=", mail.key).executeTakeFirstOrThrow();
      return mailOf(row);
    },
    async markSent(id: string, now: string): Promise<void> {
      await db.updateTable("mail_messages").set({ sent_at: now }).where("id", "=", id).execute();
    },
  };
}

export interface MailFilter {
  readonly projectId?: string | undefined;
  /** Keyset: mail older than this (created_at, id). */
  readonly before?: { readonly createdAt: string; readonly id: string } | undefined;
  readonly limit?: number;
}

export async function listMail(db: NotifyDb, filter: MailFilter = {}): Promise<StoredMail[]> {
  let query = db
    .selectFrom("mail_messages")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit ?? 50);
  if (filter.projectId !== undefined) query = query.where("project_id", "=", filter.projectId);
  const before = filter.before;
  if (before)
    query = query.where((eb) =>
      eb.or([
        eb("created_at", "<", new Date(before.createdAt)),
        eb.and([eb("created_at", "=", new Date(before.createdAt)), eb("id", "<", before.id)]),
      ]),
    );
  return (await query.execute()).map(mailOf);
}

export async function getMail(db: NotifyDb, id: string): Promise<StoredMail | undefined> {
  const row = await db.selectFrom("mail_messages").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? mailOf(row) : undefined;
}
