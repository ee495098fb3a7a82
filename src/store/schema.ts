// The tables as Kysely sees them (kept in step with migrations/*.sql). Timestamps come back as
// Date from both drivers and are converted to ISO instants where rows become values (time.ts).
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: read as the parsed value, written as JSON text (both drivers accept it). */
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

export interface PlaybookVersionsTable {
  playbook_id: string;
  version: string;
  source: string;
  content_hash: string;
  published_at: Timestamp;
}

export interface ClientsTable {
  id: string;
  name: string;
  time_zone: string;
  country: string | null;
  region: string | null;
  domain: string | null;
  segment: string | null;
  playbook_id: string | null;
  facts: ColumnType<Record<string, unknown>, string | undefined, string>;
  relationship_ended_on: ColumnType<string | null, string | null | undefined, string | null>;
  relationship_end_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** When its personal data was erased (migration 0021). */
  erased_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProjectsTable {
  id: string;
  client_id: string;
  playbook_id: string;
  playbook_version: string;
  state: Json<unknown>;
  version: number;
  status: string;
  next_wake_at: NullableTimestamp;
  deal_source: string | null;
  deal_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EventsTable {
  project_id: string;
  seq: number;
  type: string;
  at: Timestamp;
  actor: string;
  payload: Json<Record<string, unknown>>;
  payload_hash: string;
  prev_hash: string;
  hash: string;
  recorded_at: Timestamp;
  redacted_at: NullableTimestamp;
  redaction: NullableJson<Record<string, unknown>>;
}

export interface PeopleTable {
  id: string;
  name: string;
  roles: Json<string[]>;
  attributes: Json<Record<string, string | string[]>>;
  capacity: number | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProjectRolesTable {
  project_id: string;
  role: string;
  person_id: string;
  assigned_at: Timestamp;
}

export type OutboxStatus = "pending" | "delivered" | "failed";

export interface OutboxTable {
  id: string;
  delivery_key: string;
  project_id: string | null;
  kind: string;
  effect: Json<unknown>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: NullableTimestamp;
  /** The HTTP request whose command queued it (X-Request-Id); null: the scheduler, a start, or older rows. */
  request_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DeliveriesTable {
  outbox_id: string;
  attempt: number;
  started_at: Timestamp;
  finished_at: Timestamp;
  outcome: "delivered" | "failed";
  error: string | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  response: NullableJson<unknown>;
  created_at: Timestamp;
}

/** The bytes of files kept in the database (files.ts), 256 KB per row (migration 0011). */
export interface FileChunksTable {
  blob_key: string;
  seq: number;
  bytes: Uint8Array;
  created_at: Generated<Date>;
}

/** bigint: pg returns it as a string, PGlite as a number; read with Number(). */
type BigInt64 = ColumnType<string | number, number, number>;

/** The global audit log (migration 0012, audit-log.ts): one leaf per event. */
export interface AuditLeavesTable {
  position: BigInt64;
  project_id: string;
  seq: number;
  event_hash: string;
}

export interface AuditNodesTable {
  level: number;
  node_index: BigInt64;
  hash: string;
}

export interface AuditCheckpointsTable {
  tree_size: BigInt64;
  origin: string;
  root_hash: string;
  frontier: Json<string[]>;
  note: string;
  created_at: Timestamp;
}

export interface AuditLogHeadsTable {
  project_id: string;
  seq: number;
}

/** Access and change control (migration 0023): append-only logs an auditor samples. */
export type AccessChangeKind =
  | "account_created"
  | "service_account_created"
  | "roles_changed"
  | "deactivated"
  | "reactivated"
  | "password_changed"
  | "password_reset"
  | "totp_enrolled"
  | "totp_reset"
  | "totp_requirement_changed"
  | "recovery_codes_renewed"
  | "sso_identity_linked"
  | "api_token_created"
  | "api_token_revoked";

export interface AccessChangesTable {
  id: ColumnType<string | number, never, never>;
  at: Timestamp;
  actor: string;
  subject_user: string;
  change: AccessChangeKind;
  roles_before: NullableJson<string[]>;
  roles_after: NullableJson<string[]>;
  details: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface FourEyesChangesTable {
  id: ColumnType<string | number, never, never>;
  at: Timestamp;
  actor: string;
  required: boolean;
}

export interface PlaybookSubmissionsTable {
  id: string;
  playbook_id: string;
  version: string;
  source: string;
  content_hash: string;
  file: string | null;
  /** The commit and its author it was published from (onboard publish, migration 0025). */
  commit_sha: string | null;
  commit_author: string | null;
  submitted_by: string;
  submitted_at: Timestamp;
}

export interface PlaybookReviewsTable {
  submission_id: string;
  decision: "approved" | "rejected";
  reviewer: string;
  at: Timestamp;
  comment: string | null;
}

/** A data subject's request (GDPR Art. 15/17), migration 0021. */
export interface DataRequestsTable {
  id: string;
  kind: "access" | "erasure";
  subject_kind: "contact" | "client";
  subject_id: string;
  received_at: Timestamp;
  due_at: Timestamp;
  extended_months: ColumnType<number, number | undefined, number>;
  extension_reason: ColumnType<string | null, string | null | undefined, string | null>;
  logged_by: string;
  logged_at: Timestamp;
  channel: ColumnType<string | null, string | null | undefined, string | null>;
  note: ColumnType<string | null, string | null | undefined, string | null>;
  status: ColumnType<"open" | "completed" | "refused", "open" | "completed" | "refused" | undefined, "open" | "completed" | "refused">;
  completed_at: NullableTimestamp;
  completed_by: ColumnType<string | null, string | null | undefined, string | null>;
  outcome: NullableJson<unknown>;
}

/** The append-only log of erasures: ids, places and counts, never the erased values (migration 0021). */
export interface ErasuresTable {
  id: string;
  subject_kind: "contact" | "client";
  subject_id: string;
  request_id: string | null;
  project_id: string | null;
  by: string;
  reason: string;
  summary: Json<unknown>;
  source: "request" | "retention" | "journal";
  at: Timestamp;
}

export interface Schema {
  schema_migrations: SchemaMigrationsTable;
  playbook_versions: PlaybookVersionsTable;
  clients: ClientsTable;
  projects: ProjectsTable;
  events: EventsTable;
  people: PeopleTable;
  project_roles: ProjectRolesTable;
  outbox: OutboxTable;
  deliveries: DeliveriesTable;
  idempotency_keys: IdempotencyKeysTable;
  file_chunks: FileChunksTable;
  audit_leaves: AuditLeavesTable;
  audit_nodes: AuditNodesTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_log_heads: AuditLogHeadsTable;
  access_changes: AccessChangesTable;
  four_eyes_changes: FourEyesChangesTable;
  playbook_submissions: PlaybookSubmissionsTable;
  playbook_reviews: PlaybookReviewsTable;
  data_requests: DataRequestsTable;
  erasures: ErasuresTable;
}

export type ProjectRow = Selectable<ProjectsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type OutboxRow = Selectable<OutboxTable>;
