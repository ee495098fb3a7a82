// The notification service of a running API (src/notify), built once from its dependencies: the
// routes (mail, templates, surveys, meetings) and the outbox handlers share it, and so share the
// survey-link key.
import { randomBytes } from "node:crypto";
import nodemailer from "nodemailer";
import { mailFolderChannel } from "../../../notify/mail-folder.ts";
import { mailStore } from "../../../notify/mail-store.ts";
import { RecordingMailer } from "../../../notify/mailer.ts";
import { Notifications } from "../../../notify/notifications.ts";
import { slackWebhook } from "../../../notify/slack.ts";
import { notifyDb } from "../../../notify/tables.ts";
import type { Database } from "../../../store/index.ts";
import type { Config } from "../../config.ts";
import type { ApiDeps } from "../../deps.ts";

const built = new WeakMap<object, Notifications>();
/** A key per process when SURVEY_SECRET is unset: links then work until the next start. */
const PROCESS_SECRET = randomBytes(32).toString("base64url");

/** The configured mailer: SMTP when SMTP_URL is set, else .eml files in MAIL_DIR; recorded in the mail log either way. */
export function configuredMailer(config: Config, database: Database, clock: () => string): RecordingMailer {
  const n = config.notifications;
  return new RecordingMailer({
    store: mailStore(notifyDb(database)),
    from: n.mailFrom,
    channel: n.smtpUrl ? { transport: "smtp", sender: nodemailer.createTransport(n.smtpUrl) } : mailFolderChannel(n.mailDir, clock),
    clock,
  });
}

export function publicUrlOf(config: Config): string {
  return config.publicUrl ?? `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
}

export function notificationsOf(deps: ApiDeps): Notifications {
  let notifications = built.get(deps);
  if (!notifications) {
    const n = deps.config.notifications;
    notifications = new Notifications({
      database: deps.database,
      service: deps.service,
      mailer: deps.mailer,
      publicUrl: publicUrlOf(deps.config),
      surveySecret: n.surveySecret ?? PROCESS_SECRET,
      surveyLinkDays: n.surveyLinkDays,
      chat: n.slackWebhookUrl ? slackWebhook(n.slackWebhookUrl) : undefined,
      clock: deps.clock,
      renderer: deps.templates,
    });
    built.set(deps, notifications);
  }
  return notifications;
}
