// The team's accounts: create, find, list, change, and the first admin on first start.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Instant } from "../../engine/types.ts";
import { AppError, ConflictError } from "../../store/index.ts";
import type { ApiDb } from "../data/tables.ts";
import { recordAccessChange, SYSTEM_ACTOR } from "./access-changes.ts";
import { generatePassword, hashPassword } from "./passwords.ts";
import { type AccessRole, isServiceAccount, knownRoles } from "./roles.ts";

export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly AccessRole[];
  /** service: an automation acting through its API token (roles ["service"]), never signing in. */
  readonly kind: "person" | "service";
  readonly active: boolean;
  readonly createdAt: Instant;
  readonly updatedAt: Instant;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  roles: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = ["id", "email", "name", "roles", "active", "created_at", "updated_at"] as const;

/** The user columns `userOf` reads, qualified for queries that join another table to users. */
export const JOINED_USER_COLUMNS = [
  "users.id",
  "users.email",
  "users.name",
  "users.roles",
  "users.active",
  "users.created_at",
  "users.updated_at",
] as const;

export function userOf(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: knownRoles(row.roles),
    kind: isServiceAccount(row.roles) ? "service" : "person",
    active: row.active,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface NewUser {
  readonly id?: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly AccessRole[];
  /** From hashPassword, computed before the transaction: hashing takes tens of milliseconds. */
  readonly passwordHash: string;
}

/** Create an account; `actor` (an account id, "system", "sso") is recorded in the access-change log. */
export async function insertUser(db: ApiDb, user: NewUser, now: Instant, actor: string): Promise<UserRecord> {
  const id = user.id ?? randomUUID();
  const email = user.email.toLowerCase();
  // DO NOTHING on any unique violation (id or email): the caller's transaction stays usable.
  const row = await db
    .insertInto("users")
    .values({
      id,
      email,
      name: user.name,
      roles: JSON.stringify([...new Set(user.roles)]),
      password_hash: user.passwordHash,
      active: true,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(COLUMNS)
    .executeTakeFirst();
  if (!row) throw new ConflictError(`an account with id "${id}" or email ${email} already exists`, { field: "email" });
  // People are accounts: every account is in the assignment directory (its profile there keeps the
  // playbook roles it fills), written in the same transaction.
  await db
    .insertInto("people")
    .values({ id, name: user.name, roles: "[]", attributes: "{}", capacity: null, active: true, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column("id").doUpdateSet({ name: user.name, active: true, updated_at: now }))
    .execute();
  const created = userOf(row);
  await recordAccessChange(db, {
    at: now,
    actor,
    subject: id,
    change: created.kind === "service" ? "service_account_created" : "account_created",
    rolesAfter: row.roles,
    details: { email, name: user.name },
  });
  return created;
}

export async function getUser(db: ApiDb, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom("users").select(COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? userOf(row) : undefined;
}

export async function findLogin(db: ApiDb, email: string): Promise<{ user: UserRecord; passwordHash: string } | undefined> {
  const row = await db
    .selectFrom("users")
    .select([...COLUMNS, "password_hash"])
    .where(sql<string>`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
  return row ? { user: userOf(row), passwordHash: row.password_hash } : undefined;
}

export async function listUsers(db: ApiDb, after: string | undefined, limit: number): Promise<UserRecord[]> {
  let query = db.selectFrom("users").select(COLUMNS).orderBy("id").limit(limit);
  if (after !== undefined) query = query.where("id", ">", after);
  return (await query.execute()).map(userOf);
}

export interface UserChanges {
  readonly name?: string;
  readonly roles?: readonly AccessRole[];
  readonly active?: boolean;
  /** From hashPassword. */
  readonly passwordHash?: string;
}

async function activeAdmins(db: ApiDb): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("active", "=", true)
    .where(sql<boolean>`roles @> '["admin"]'::jsonb`)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Revoke every API token of an account (its password changed, or it was deactivated): a token made
 * under the old password must not outlive it, nor come back when the account is reactivated.
 */
export async function revokeApiTokensOf(db: ApiDb, userId: string, now: Instant): Promise<string[]> {
  const revoked = await db
    .updateTable("api_tokens")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .returning("id")
    .execute();
  return revoked.map((r) => r.id).sort();
}

/** Change an account. Refuses to leave no active admin; a deactivated or re-passworded account's sessions and tokens end. */
export async function updateUser(db: ApiDb, id: string, changes: UserChanges, now: Instant, actor: string): Promise<UserRecord> {
  const current = await db.selectFrom("users").select(COLUMNS).where("id", "=", id).forUpdate().executeTakeFirst();
  if (!current) throw new AppError("not_found", `no account "${id}"`, { userId: id });
  // A service account stays one: no person's roles, no password to sign in with.
  if (isServiceAccount(current.roles) && (changes.roles !== undefined || changes.passwordHash !== undefined))
    throw new AppError("invalid", `"${id}" is a service account: it holds only its playbook roles and acts through its API token`, {
      field: changes.roles !== undefined ? "roles" : "password",
    });
  const losesAdmin =
    current.active && current.roles.includes("admin") && (changes.active === false || (changes.roles && !changes.roles.includes("admin")));
  if (losesAdmin) {
    // Serialize with other admin changes so two requests cannot each remove "the other" admin.
    await sql`SELECT pg_advisory_xact_lock(${0x41646d6e})`.execute(db);
    const admins = await activeAdmins(db);
    if (admins.filter((a) => a !== id).length === 0) {
      throw new AppError("illegal_state", "this is the last active admin: make another account admin first", { field: "roles" });
    }
  }
  const row = await db
    .updateTable("users")
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.roles !== undefined ? { roles: JSON.stringify([...new Set(changes.roles)]) } : {}),
      ...(changes.active !== undefined ? { active: changes.active } : {}),
      ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  if (changes.name !== undefined || changes.active !== undefined) {
    // The directory entry follows its account: same name; an inactive account takes no new assignments.
    await db
      .updateTable("people")
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.active !== undefined ? { active: changes.active } : {}),
        updated_at: now,
      })
      .where("id", "=", id)
      .execute();
  }
  let revokedTokens: string[] = [];
  if (changes.active === false || changes.passwordHash !== undefined) {
    await db.deleteFrom("sessions").where("user_id", "=", id).execute();
    revokedTokens = await revokeApiTokensOf(db, id, now);
  }
  await recordUserChanges(
    db,
    { before: current, after: row, passwordReset: changes.passwordHash !== undefined, revokedTokens },
    now,
    actor,
  );
  return userOf(row);
}

/** The access-change records of one account update: roles, activation, a password set by an admin. */
async function recordUserChanges(
  db: ApiDb,
  update: { before: UserRow; after: UserRow; passwordReset: boolean; revokedTokens: readonly string[] },
  now: Instant,
  actor: string,
): Promise<void> {
  const { before, after } = update;
  const base = { at: now, actor, subject: after.id } as const;
  const tokens = update.revokedTokens.length > 0 ? { apiTokensRevoked: update.revokedTokens } : {};
  const sameRoles = JSON.stringify([...before.roles].sort()) === JSON.stringify([...after.roles].sort());
  if (!sameRoles) await recordAccessChange(db, { ...base, change: "roles_changed", rolesBefore: before.roles, rolesAfter: after.roles });
  if (before.active && !after.active) await recordAccessChange(db, { ...base, change: "deactivated", details: tokens });
  if (!before.active && after.active) await recordAccessChange(db, { ...base, change: "reactivated" });
  if (update.passwordReset) {
    await recordAccessChange(db, { ...base, change: "password_reset", details: after.active === before.active ? tokens : {} });
  }
}

/** Set an account's own new password; its API tokens are revoked (the caller ends its other sessions). */
export async function setPassword(db: ApiDb, id: string, passwordHash: string, now: Instant): Promise<void> {
  await db.updateTable("users").set({ password_hash: passwordHash, updated_at: now }).where("id", "=", id).execute();
  const revoked = await revokeApiTokensOf(db, id, now);
  await recordAccessChange(db, {
    at: now,
    actor: id,
    subject: id,
    change: "password_changed",
    details: revoked.length > 0 ? { apiTokensRevoked: revoked } : {},
  });
}

export type AdminBootstrap =
  | { readonly created: false }
  | { readonly created: true; readonly email: string; readonly generatedPassword: string | undefined };

/** Key of the advisory lock that makes two servers starting at once create one first admin. */
const BOOTSTRAP_LOCK = 0x41646d31;

/** On a database without accounts, create the first admin (with the configured or a generated password). */
export async function bootstrapAdmin(
  db: ApiDb,
  admin: { email: string; password: string | undefined },
  now: Instant,
): Promise<AdminBootstrap> {
  const existing = await db.selectFrom("users").select("id").limit(1).executeTakeFirst();
  if (existing) return { created: false };
  const generatedPassword = admin.password === undefined ? generatePassword() : undefined;
  const passwordHash = await hashPassword(admin.password ?? generatedPassword ?? "");
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
    const any = await trx.selectFrom("users").select("id").limit(1).executeTakeFirst();
    if (any) return { created: false };
    await insertUser(trx, { id: "admin", email: admin.email, name: "Administrator", roles: ["admin"], passwordHash }, now, SYSTEM_ACTOR);
    return { created: true, email: admin.email, generatedPassword };
  });
}
