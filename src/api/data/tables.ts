// The API's own tables (migration 0002) as Kysely sees them, beside the store's. One handle on both:
// the same connection (PGlite's single one included), so a transaction spans them.
import type { ColumnType, Kysely } from "kysely";
import type { Database } from "../../store/index.ts";
import type { Schema } from "../../store/schema.ts";

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

export interface PlaybookSourcesTable {
  playbook_id: string;
  version: string;
  origin: "built_in" | "upload";
  file: string | null;
  uploaded_by: string | null;
  recorded_at: Timestamp;
}

export type ApiTables = {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  playbook_sources: PlaybookSourcesTable;
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
