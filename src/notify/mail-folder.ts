// Mail delivery without an SMTP server: each message is written, whole, as an RFC 5322 .eml file
// into a folder (MAIL_DIR) that any mail program opens. This is where the embedded default's mail
// goes, so a first look at Onboard can follow a client's sign-in link; the folder is as private as
// the server's disk (whoever can read it can read the database too), unlike the mail log, which
// every admin sees in the app and which never holds a secret.
import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import nodemailer from "nodemailer";
import type { MailChannel, SmtpTransport } from "./mailer.ts";

/** A file name that sorts by time and says what the message is: 2026-03-02T10-30-00-000Z_<id>.eml */
export function emlFileName(at: string, messageId: string): string {
  const id = messageId
    .replace(/^<|>$/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .slice(0, 120);
  return `${at.replace(/:/g, "-").replace(/\./g, "-")}_${id || "mail"}.eml`;
}

export class MailFolder implements SmtpTransport {
  readonly directory: string;
  readonly #clock: () => string;
  // nodemailer composes the MIME message (headers, encodings, attachments) exactly as SMTP would send it.
  readonly #composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  #ready: Promise<unknown> | undefined;

  constructor(directory: string, clock: () => string) {
    this.directory = resolve(directory);
    this.#clock = clock;
  }

  async sendMail(message: Record<string, unknown>): Promise<void> {
    this.#ready ??= mkdir(this.directory, { recursive: true, mode: 0o700 });
    await this.#ready;
    const info = (await this.#composer.sendMail(message)) as { message: Buffer; messageId: string };
    const file = join(this.directory, emlFileName(this.#clock(), info.messageId));
    // Written aside and renamed: a reader never sees half a message.
    const partial = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(partial, info.message, { mode: 0o600 });
    await rename(partial, file);
  }
}

export function mailFolderChannel(directory: string, clock: () => string): MailChannel {
  return { transport: "folder", sender: new MailFolder(directory, clock) };
}
