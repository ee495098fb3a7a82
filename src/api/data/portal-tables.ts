// Tables of migration 0005: the client portal's contacts and sessions, comments, attachments,
// settings, and outbound webhooks; and (migration 0011) where attachments' bytes are and each client's file usage.
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type Visibility = "internal" | "client";

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
  /** When and by whom portal access was last revoked (migration 0010). */
  deactivated_at: NullableTimestamp;
  deactivated_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Removed from the client's list; the row stays so history keeps the name. */
  removed_at: NullableTimestamp;
  /** When its personal data was erased (migration 0021): name and email read "[redacted]". */
  erased_at: NullableTimestamp;
  /** Bumped by every edit: the If-Match token. */
  version: ColumnType<number, number | undefined, number>;
}

export interface MagicLinksTable {
  token_hash: string;
  contact_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface ContactSessionsTable {
  token_hash: string;
  contact_id: string;
  client_id: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** Migration 0022: the address the magic link that opened it was mailed to (NULL: before that was kept). */
  signed_in_as: string | null;
}

export interface CommentsTable {
  id: string;
  project_id: string;
  step_id: string | null;
  author_kind: "user" | "contact";
  author_id: string;
  author_name: string;
  body: string;
  visibility: Visibility;
  created_at: Timestamp;
  /** Deleted by its author within the grace period (the row stays for history). */
  deleted_at: NullableTimestamp;
  deleted_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Deletions and (un)sharing of comments and files: append-only. */
export interface ItemChangesTable {
  id: string;
  project_id: string;
  item_kind: "comment" | "attachment";
  item_id: string;
  action: "deleted" | "shared" | "unshared";
  actor: string;
  at: Timestamp;
}

export interface AttachmentsTable {
  id: string;
  project_id: string;
  step_id: string | null;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  /** The bytes of a file from before migration 0011 not yet moved to the file store; else null. */
  content: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  /** Where the bytes are (migration 0011): src/store/files.ts. */
  blob_store: "folder" | "table" | null;
  blob_key: string | null;
  visibility: Visibility;
  uploaded_by_kind: "user" | "contact";
  uploaded_by: string;
  created_at: Timestamp;
  deleted_at: NullableTimestamp;
  deleted_by: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Bytes of files held per client, against the quota (migration 0011). */
export interface ClientFileUsageTable {
  client_id: string;
  used_bytes: ColumnType<string | number, string | number | undefined, string | number>;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  description: string;
  event_types: Json<string[]>;
  secret: string;
  allow_private_network: boolean;
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookMessagesTable {
  id: string;
  subscription_id: string;
  project_id: string;
  event_seq: number;
  event_type: string;
  payload: Json<{ type: string; timestamp: string; data: Record<string, unknown> }>;
  status: "pending" | "delivered" | "failed";
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  lease_until: NullableTimestamp;
  last_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
  /** The HTTP request whose command recorded the event (X-Request-Id), sent on as X-Request-Id; null: none. */
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface WebhookAttemptsTable {
  id: string;
  message_id: string;
  attempt: number;
  at: Timestamp;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export type PortalTables = {
  contacts: ContactsTable;
  magic_links: MagicLinksTable;
  contact_sessions: ContactSessionsTable;
  comments: CommentsTable;
  attachments: AttachmentsTable;
  item_changes: ItemChangesTable;
  client_file_usage: ClientFileUsageTable;
  settings: SettingsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
};
