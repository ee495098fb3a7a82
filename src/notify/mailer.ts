// The one way Onboard sends email. With SMTP configured, through nodemailer; without it, into the
// mail outbox table that the app shows, so the embedded default works with no mail server.

export interface MailAddress {
  readonly name?: string;
  readonly address: string;
}

export interface MailAttachment {
  readonly filename: string;
  readonly content: string | Uint8Array;
  readonly contentType: string;
}

export interface OutgoingMail {
  readonly to: readonly MailAddress[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments?: readonly MailAttachment[];
  /** Stable across retries: becomes the Message-ID, so a retried send is recognisable downstream. */
  readonly key: string;
  /** The project it is about, when there is one (the app lists a project's mail). */
  readonly projectId?: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** The sender of every message (MAIL_FROM). */
export type MailFrom = MailAddress;

/** "Name <address>" or a bare address. */
export function parseMailAddress(text: string): MailAddress | undefined {
  const trimmed = text.trim();
  const named = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(trimmed);
  if (named?.[2]) return named[1] ? { name: named[1], address: named[2] } : { address: named[2] };
  return /^[^\s@<>]+@[^\s@<>]+$/.test(trimmed) ? { address: trimmed } : undefined;
}

/**
 * The Message-ID of a mail: its delivery key made into a valid id (RFC 5322 dot-atom) at the
 * sender's domain, so the same outbox effect always has the same Message-ID.
 */
export function messageIdOf(key: string, from: MailAddress): string {
  const left = key
    .replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+/g, ".")
    .replace(/^\.+|\.+$/g, "")
    .replace(/\.{2,}/g, ".");
  const domain = from.address.split("@")[1] ?? "onboard.local";
  return `<${left || "mail"}@${domain}>`;
}

export interface StoredMail extends OutgoingMail {
  readonly id: string;
  readonly from: MailAddress;
  readonly messageId: string;
  readonly transport: "outbox" | "smtp";
  readonly createdAt: string;
  readonly sentAt: string | undefined;
}

/** Where mail is written and read (the mail_messages table, see mail-store.ts). */
export interface MailStore {
  /** Insert unless a mail with this key exists; returns the stored mail either way. */
  record(mail: OutgoingMail, from: MailAddress, transport: "outbox" | "smtp", now: string): Promise<StoredMail>;
  markSent(id: string, now: string): Promise<void>;
}

/** What the SMTP side needs of nodemailer: a transport's sendMail. */
export interface SmtpTransport {
  sendMail(message: Record<string, unknown>): Promise<unknown>;
}

/**
 * The Mailer: every mail is recorded (the app lists it); with an SMTP transport it is also sent,
 * once: a retried delivery whose mail was already sent does nothing.
 */
export class RecordingMailer implements Mailer {
  readonly #store: MailStore;
  readonly #from: MailAddress;
  readonly #smtp: SmtpTransport | undefined;
  readonly #clock: () => string;

  constructor(options: { store: MailStore; from: MailAddress; smtp?: SmtpTransport | undefined; clock: () => string }) {
    this.#store = options.store;
    this.#from = options.from;
    this.#smtp = options.smtp;
    this.#clock = options.clock;
  }

  get transport(): "outbox" | "smtp" {
    return this.#smtp ? "smtp" : "outbox";
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (mail.to.length === 0) return;
    const stored = await this.#store.record(mail, this.#from, this.transport, this.#clock());
    if (!this.#smtp || stored.sentAt !== undefined) return;
    await this.#smtp.sendMail({
      from: this.#from,
      to: mail.to.map((a) => (a.name ? { name: a.name, address: a.address } : a.address)),
      subject: mail.subject,
      text: mail.text,
      ...(mail.html !== undefined ? { html: mail.html } : {}),
      messageId: stored.messageId,
      headers: { "X-Onboard-Key": mail.key },
      attachments: (mail.attachments ?? []).map((a) => ({
        filename: a.filename,
        content: typeof a.content === "string" ? a.content : Buffer.from(a.content),
        contentType: a.contentType,
      })),
    });
    await this.#store.markSent(stored.id, this.#clock());
  }
}
