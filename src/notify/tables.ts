// The notification tables (migration 0006) as Kysely sees them, beside the store's: one handle on
// both, the same connection (PGlite's single one included), so a transaction spans them.
import type { ColumnType, Kysely } from "kysely";
import type { Database } from "../store/index.ts";
import type { Schema } from "../store/schema.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>;

/** The portal's contacts (migration 0005), as the notifications read them. */
export interface ContactsTable {
  id: string;
  client_id: string;
  name: string;
  email: string;
  title: string | null;
  roles: Json<string[]>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StoredAttachment {
  readonly filename: string;
  readonly contentType: string;
  /** base64 */
  readonly content: string;
}

export interface MailMessagesTable {
  id: string;
  key: string;
  project_id: string | null;
  from_address: string;
  recipients: Json<{ name?: string; address: string }[]>;
  subject: string;
  text_body: string;
  html_body: string | null;
  attachments: JsonWithDefault<StoredAttachment[]>;
  /** outbox: recorded before migration 0010 (kept in the app); folder: written to MAIL_DIR; smtp: handed to the server. */
  transport: "outbox" | "smtp" | "folder";
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface MessageTemplatesTable {
  id: string;
  kind: string;
  subject: string | null;
  body: string;
  updated_by: string;
  updated_at: Timestamp;
}

export interface NotificationsTable {
  id: string;
  key: string;
  project_id: string | null;
  person_id: string;
  message: string;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

export interface SurveyLinksTable {
  id: string;
  project_id: string;
  survey: string;
  contact_id: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface SurveyAnswersTable {
  token_id: string;
  project_id: string;
  survey: string;
  contact_id: string;
  score: number;
  comment: string | null;
  answers: JsonWithDefault<Record<string, unknown>>;
  answered_at: Timestamp;
}

export interface ChatAlertsTable {
  project_id: string;
  seq: number;
  created_at: Timestamp;
}

/** Instance settings (branding, the organisation's values for playbook parameters): read only here. */
export interface SettingsReadTable {
  key: string;
  value: unknown;
}

export type NotifyTables = {
  settings: SettingsReadTable;
  contacts: ContactsTable;
  mail_messages: MailMessagesTable;
  message_templates: MessageTemplatesTable;
  notifications: NotificationsTable;
  survey_links: SurveyLinksTable;
  survey_answers: SurveyAnswersTable;
  chat_alerts: ChatAlertsTable;
};

export type NotifySchema = Schema & NotifyTables;
export type NotifyDb = Kysely<NotifySchema>;

export function notifyDb(database: Database): NotifyDb {
  return database.db.withTables<NotifyTables>();
}

/** The same handle typed for the store's functions, which know only their tables. */
export function storeView(db: NotifyDb): Kysely<Schema> {
  return db as unknown as Kysely<Schema>;
}
