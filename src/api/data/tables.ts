// The API's own tables (migration 0002) as Kysely sees them, beside the store's. One handle on both:
// the same connection (PGlite's single one included), so a transaction spans them.
import type { ColumnType, Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import type { Schema } from "../../store/schema.ts";
import type { PortalTables } from "./portal-tables.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  roles: Json<string[]>;
  password_hash: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  /** Migration 0022: how it was signed in (NULL: before that was kept). */
  auth_method: "password" | "password_totp" | "sso" | null;
  auth_detail: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  scope: "read" | "write";
  secret_hash: string;
  created_at: Timestamp;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

// Sign-in factors (migration 0004_auth_factors).
export interface UserTotpTable {
  user_id: string;
  secret: string;
  created_at: Timestamp;
  confirmed_at: NullableTimestamp;
  last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  failed_attempts: ColumnType<number, number | undefined, number>;
  locked_until: NullableTimestamp;
}

export interface TotpRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface AuthSettingsTable {
  id: ColumnType<boolean, boolean | undefined, never>;
  totp_required: boolean;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface TotpRequiredUsersTable {
  user_id: string;
  required_at: Timestamp;
  required_by: string | null;
}

export interface LoginChallengesTable {
  token_hash: string;
  user_id: string;
  purpose: "totp" | "totp_enrolment";
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  email: string;
  created_at: Timestamp;
  last_login_at: Timestamp;
}

export interface OidcFlowsTable {
  token_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface PlaybookSourcesTable {
  playbook_id: string;
  version: string;
  origin: "built_in" | "upload";
  file: string | null;
  uploaded_by: string | null;
  recorded_at: Timestamp;
  /** The commit and its author it was published from (onboard publish, migration 0025). */
  commit_sha: string | null;
  commit_author: string | null;
}

/** Fixed-window counters of limits shared by every process (migration 0010, auth/rate-limits.ts). */
export interface RateLimitHitsTable {
  bucket: string;
  window_start: Timestamp;
  hits: number;
}

export type ApiTables = PortalTables & {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  playbook_sources: PlaybookSourcesTable;
  user_totp: UserTotpTable;
  totp_recovery_codes: TotpRecoveryCodesTable;
  auth_settings: AuthSettingsTable;
  totp_required_users: TotpRequiredUsersTable;
  login_challenges: LoginChallengesTable;
  oidc_identities: OidcIdentitiesTable;
  oidc_flows: OidcFlowsTable;
  rate_limit_hits: RateLimitHitsTable;
};

export type ApiSchema = Schema & ApiTables;
export type ApiDb = Kysely<ApiSchema>;

export function apiDb(database: Database): ApiDb {
  return database.db.withTables<ApiTables>();
}

/** The same handle (or transaction) typed for the store's functions, which know only their tables. */
export function storeView(db: ApiDb): Kysely<Schema> {
  return db as unknown as Kysely<Schema>;
}
