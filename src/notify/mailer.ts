// The one way Onboard sends email: through SMTP when configured, else into a folder of .eml files
// (MAIL_DIR) that whoever runs the server can open. Every message is also recorded in the mail log,
// with its secrets (sign-in and survey tokens) redacted: the log is readable by admins, and a link
// that signs someone in must reach nobody but its addressee.

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
  /** Copied (Cc:); not kept in the mail log, which lists addressees. */
  readonly cc?: readonly MailAddress[];
  readonly replyTo?: MailAddress;
  /** Who it is from (a playbook's `from:`); the server's own address (MAIL_FROM) stays the Sender. */
  readonly from?: MailAddress;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments?: readonly MailAttachment[];
  /** Stable across retries: becomes the Message-ID, so a retried send is recognisable downstream. */
  readonly key: string;
  /** The project it is about, when there is one (the app lists a project's mail). */
  readonly projectId?: string;
  /**
   * Values only the addressee may see (a sign-in token, a survey token): delivered in the message,
   * replaced by REDACTED_SECRET wherever the message is recorded.
   */
  readonly secrets?: readonly string[];
}

export const REDACTED_SECRET = "[redacted]";

/** The mail as it may be stored and shown: every secret replaced, the list of secrets dropped. */
export function redactSecrets(mail: OutgoingMail): OutgoingMail {
  const { secrets = [], ...rest } = mail;
  const hide = (text: string) => secrets.reduce((out, secret) => (secret === "" ? out : out.split(secret).join(REDACTED_SECRET)), text);
  return {
    ...rest,
    subject: hide(rest.subject),
    text: hide(rest.text),
    ...(rest.html !== undefined ? { html: hide(rest.html) } : {}),
    ...(rest.attachments
      ? { attachments: rest.attachments.map((a) => ({ ...a, content: typeof a.content === "string" ? hide(a.content) : a.content })) }
      : {}),
  };
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

/** outbox: recorded before mail could leave without SMTP (old rows); folder: written to MAIL_DIR; smtp: sent. */
export type MailTransport = "outbox" | "smtp" | "folder";

export interface StoredMail extends OutgoingMail {
  readonly id: string;
  readonly from: MailAddress;
  readonly messageId: string;
  readonly transport: MailTransport;
  readonly createdAt: string;
  readonly sentAt: string | undefined;
}

/** Where mail is written and read (the mail_messages table, see mail-store.ts). */
export interface MailStore {
  /** Insert unless a mail with this key exists; returns the stored mail either way. */
  record(mail: OutgoingMail, from: MailAddress, transport: MailTransport, now: string): Promise<StoredMail>;
  markSent(id: string, now: string): Promise<void>;
}

/** What delivery needs of nodemailer: a transport's sendMail (SMTP, or the mail folder's). */
export interface SmtpTransport {
  sendMail(message: Record<string, unknown>): Promise<unknown>;
}

/** Where mail leaves for: an SMTP server, or the mail folder (MailFolder). */
export interface MailChannel {
  readonly transport: "smtp" | "folder";
  readonly sender: SmtpTransport;
}

/**
 * The Mailer: every mail is recorded with its secrets redacted (the mail log lists it), then
 * delivered, whole, once: a retried delivery whose mail already left does nothing.
 */
export class RecordingMailer implements Mailer {
  readonly #store: MailStore;
  readonly #from: MailAddress;
  readonly #channel: MailChannel;
  readonly #clock: () => string;

  constructor(options: { store: MailStore; from: MailAddress; channel: MailChannel; clock: () => string }) {
    this.#store = options.store;
    this.#from = options.from;
    this.#channel = options.channel;
    this.#clock = options.clock;
  }

  get transport(): "smtp" | "folder" {
    return this.#channel.transport;
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (mail.to.length === 0) return;
    const stored = await this.#store.record(redactSecrets(mail), this.#from, this.transport, this.#clock());
    if (stored.sentAt !== undefined) return;
    const address = (a: MailAddress) => (a.name ? { name: a.name, address: a.address } : a.address);
    await this.#channel.sender.sendMail({
      // Another author is named in From:, and the server stays the Sender and the envelope's sender.
      from: mail.from ? address(mail.from) : this.#from,
      ...(mail.from
        ? {
            sender: this.#from,
            envelope: { from: this.#from.address, to: [...mail.to, ...(mail.cc ?? [])].map((a) => a.address) },
          }
        : {}),
      to: mail.to.map(address),
      ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc.map(address) } : {}),
      ...(mail.replyTo ? { replyTo: address(mail.replyTo) } : {}),
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
