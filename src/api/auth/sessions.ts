// Browser sessions: a random token in an HttpOnly cookie, its SHA-256 in the database with the
// session's CSRF token and expiry. Signing out, a password change or deactivation deletes them.
import type { Authentication, Instant } from "../../engine/types.ts";
import type { ApiDb } from "../data/tables.ts";
import type { Principal } from "./principal.ts";
import { digest, newSecret } from "./secrets.ts";
import { JOINED_USER_COLUMNS, userOf } from "./users.ts";

export interface NewSession {
  /** Goes in the cookie; never stored. */
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Instant;
}

/** How a team session can be signed in to (API tokens are not sessions; magic links are the portal's). */
export type SessionAuthentication = Authentication & { readonly method: "password" | "password_totp" | "sso" };

export async function createSession(
  db: ApiDb,
  userId: string,
  ttlHours: number,
  now: Instant,
  authentication?: SessionAuthentication,
): Promise<NewSession> {
  const token = newSecret();
  const csrfToken = newSecret();
  const expiresAt = new Date(Date.parse(now) + ttlHours * 3_600_000).toISOString();
  // Expired sessions are swept as new ones begin: no timer needed.
  await db.deleteFrom("sessions").where("expires_at", "<", new Date(now)).execute();
  await db
    .insertInto("sessions")
    .values({
      token_hash: digest(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: expiresAt,
      auth_method: authentication?.method ?? null,
      auth_detail: authentication?.detail ?? null,
    })
    .execute();
  return { token, csrfToken, expiresAt };
}

/** The signed-in principal of a session cookie, or undefined when it is unknown, expired or its account inactive. */
export async function sessionPrincipal(db: ApiDb, token: string, now: Instant): Promise<Principal | undefined> {
  const tokenHash = digest(token);
  const row = await db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select([...JOINED_USER_COLUMNS, "sessions.csrf_token", "sessions.expires_at", "sessions.auth_method", "sessions.auth_detail"])
    .where("sessions.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row?.active || row.expires_at.getTime() <= Date.parse(now)) return undefined;
  const { id, email, name, roles } = userOf(row);
  return {
    user: { id, email, name, roles },
    credential: {
      kind: "session",
      tokenHash,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at.toISOString(),
      ...(row.auth_method !== null
        ? { authentication: { method: row.auth_method, ...(row.auth_detail !== null ? { detail: row.auth_detail } : {}) } }
        : {}),
    },
  };
}

export async function deleteSession(db: ApiDb, tokenHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
}

/** End every session of an account but (optionally) one. */
export async function deleteSessionsOf(db: ApiDb, userId: string, except?: string): Promise<void> {
  let query = db.deleteFrom("sessions").where("user_id", "=", userId);
  if (except !== undefined) query = query.where("token_hash", "<>", except);
  await query.execute();
}
