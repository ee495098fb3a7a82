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
