// The privileges of a least-privileged application role on PostgreSQL. The role that migrates
// (and so owns the tables) stays with the operator; the server connects as a role that may read
// and write what the app writes, but may only append to the audit trail: no UPDATE, DELETE or
// TRUNCATE on events, the log's leaves, subtrees and checkpoints, no DDL, no switching triggers
// off. Erasure goes through onboard_redact_event (SECURITY DEFINER), which it may execute.
//
//   CREATE ROLE onboard_app LOGIN PASSWORD '...';      -- as an administrator, once
//   onboard db grant-app-role onboard_app --database postgres://owner@host/onboard
//   DATABASE_URL=postgres://onboard_app:...@host/onboard onboard serve
//
// Run it again after an upgrade that adds tables (migrations run as the owner, not as this role).
import { type Kysely, sql } from "kysely";
import { AppError } from "./errors.ts";

/** The tables the application may only append to (and read). */
export const APPEND_ONLY_TABLES = [
  "events",
  "audit_leaves",
  "audit_nodes",
  "audit_checkpoints",
  "item_changes",
  "access_changes",
  "four_eyes_changes",
  "playbook_submissions",
  "playbook_reviews",
] as const;

/** The statements that give `role` the application's privileges, in order (for review or a script). */
export function appRoleStatements(role: string, schema: string): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(role)) {
    throw new AppError("invalid", `"${role}" is not a plain role name (letters, digits, underscores)`, { field: "role" });
  }
  const r = `"${role}"`;
  const s = `"${schema.replace(/"/g, '""')}"`;
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `REVOKE INSERT, UPDATE, DELETE ON ${s}.schema_migrations FROM ${r}`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON ${APPEND_ONLY_TABLES.map((t) => `${s}.${t}`).join(", ")} FROM ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `GRANT EXECUTE ON FUNCTION ${s}.onboard_redact_event(text, integer, jsonb, jsonb) TO ${r}`,
  ];
}

/** Give an existing role the application's privileges on this database (run as the tables' owner). */
export async function grantAppRole<T>(db: Kysely<T>, role: string): Promise<string[]> {
  const { rows } = await sql<{ schema: string; exists: boolean; superuser: boolean | null }>`
    SELECT current_schema() AS schema,
           EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${role}) AS exists,
           (SELECT rolsuper FROM pg_roles WHERE rolname = ${role}) AS superuser`.execute(db);
  const info = rows[0];
  if (!info?.exists)
    throw new AppError("not_found", `role "${role}" does not exist: CREATE ROLE ${role} LOGIN PASSWORD '...' first`, { role });
  if (info.superuser) {
    throw new AppError("invalid", `role "${role}" is a superuser: it could switch the audit trail's triggers off; use an ordinary role`, {
      role,
    });
  }
  const statements = appRoleStatements(role, info.schema);
  await db.transaction().execute(async (trx) => {
    for (const statement of statements) await sql.raw(statement).execute(trx);
  });
  return statements;
}
