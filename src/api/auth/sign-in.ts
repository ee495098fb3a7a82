// The end of every way of signing in (password, password + TOTP, single sign-on): a session, its
// cookies and the answer the browser gets. And the state between the password and the second
// factor: a pending sign-in, a random token in a short-lived HttpOnly cookie scoped to
// /auth/login (its SHA-256 in login_challenges), which grants nothing but the next login step.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Instant } from "../../engine/types.ts";
import type { ApiDb } from "../data/tables.ts";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { cookieSecure, setSessionCookies } from "./authenticate.ts";
import { principalOf } from "./authorization.ts";
import type { Principal } from "./principal.ts";
import { clearHits } from "./rate-limits.ts";
import type { AccessRole } from "./roles.ts";
import { digest, newSecret } from "./secrets.ts";
import { createSession, type SessionAuthentication } from "./sessions.ts";
import type { UserRecord } from "./users.ts";

export const PENDING_COOKIE = "onboard_pending";
const PENDING_PATH = "/auth/login";
/** How long the second step may take. */
const PENDING_TTL_MS = 5 * 60_000;
/** Wrong codes one pending sign-in may send before it ends. */
export const PENDING_MAX_ATTEMPTS = 5;

export type ChallengePurpose = "totp" | "totp_enrolment";

export interface SignedIn {
  readonly user: { id: string; email: string; name: string; roles: AccessRole[] };
  readonly csrfToken: string;
  readonly expiresAt: Instant;
}

/** The rate-limit bucket of password attempts on an account (auth/rate-limits.ts). */
export function signInBucket(email: string): string {
  return `sign-in:${email.trim().toLowerCase()}`;
}

/**
 * Open a session for `user` and set its cookies; the account's count of password attempts starts
 * again. The session remembers how it was signed in: its sign-offs record it in the audit trail.
 */
export async function signIn(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  user: UserRecord,
  authentication: SessionAuthentication,
): Promise<SignedIn> {
  await clearHits(deps.db, signInBucket(user.email));
  const session = await createSession(deps.db, user.id, deps.config.sessionTtlHours, deps.clock(), authentication);
  setSessionCookies(request, reply, deps, session);
  const { id, email, name, roles } = user;
  return { user: { id, email, name, roles: [...roles] }, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

export interface Challenge {
  readonly tokenHash: string;
  readonly userId: string;
  readonly purpose: ChallengePurpose;
  readonly attempts: number;
  readonly expiresAt: Instant;
}

/** Start a pending sign-in for `userId` and give the browser its cookie. */
export async function beginChallenge(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  userId: string,
  purpose: ChallengePurpose,
): Promise<{ expiresAt: Instant }> {
  const now = deps.clock();
  const token = newSecret();
  const expiresAt = new Date(Date.parse(now) + PENDING_TTL_MS).toISOString();
  await deps.db.deleteFrom("login_challenges").where("expires_at", "<", new Date(now)).execute();
  await deps.db
    .insertInto("login_challenges")
    .values({ token_hash: digest(token), user_id: userId, purpose, created_at: now, expires_at: expiresAt })
    .execute();
  reply.setCookie(PENDING_COOKIE, token, {
    path: PENDING_PATH,
    httpOnly: true,
    sameSite: "strict",
    secure: cookieSecure(request, deps),
    expires: new Date(expiresAt),
  });
  return { expiresAt };
}

/** The pending sign-in this browser is in; a 409 when there is none (or it ended). */
export async function currentChallenge(request: FastifyRequest, deps: ApiDeps, purposes: readonly ChallengePurpose[]): Promise<Challenge> {
  const token = request.cookies[PENDING_COOKIE];
  const row =
    token === undefined || token === ""
      ? undefined
      : await deps.db
          .selectFrom("login_challenges")
          .select(["token_hash", "user_id", "purpose", "attempts", "expires_at"])
          .where("token_hash", "=", digest(token))
          .executeTakeFirst();
  const over = !row || row.expires_at.getTime() <= Date.parse(deps.clock()) || row.attempts >= PENDING_MAX_ATTEMPTS;
  if (over || !purposes.includes(row.purpose)) {
    throw new HttpProblem(
      "illegal_state",
      "no sign-in is waiting for this step (none was started in this browser, or it took too long): sign in with POST /auth/login",
    );
  }
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    purpose: row.purpose,
    attempts: row.attempts,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** Count a wrong answer; the pending sign-in ends at the last attempt allowed. Returns the attempts left. */
export async function failChallenge(db: ApiDb, challenge: Challenge): Promise<number> {
  // Counted in the database: wrong codes sent at once all count.
  const row = await db
    .updateTable("login_challenges")
    .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
    .where("token_hash", "=", challenge.tokenHash)
    .returning("attempts")
    .executeTakeFirst();
  const left = row === undefined ? 0 : PENDING_MAX_ATTEMPTS - row.attempts;
  if (left <= 0) await endChallenge(db, challenge);
  return Math.max(left, 0);
}

export async function endChallenge(db: ApiDb, challenge: Challenge): Promise<void> {
  await db.deleteFrom("login_challenges").where("token_hash", "=", challenge.tokenHash).execute();
}

export function clearPendingCookie(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps): void {
  reply.clearCookie(PENDING_COOKIE, { path: PENDING_PATH, httpOnly: true, sameSite: "strict", secure: cookieSecure(request, deps) });
}

/** The principal of a route only a signed-in browser may use (not an API token: a stolen token must not manage the second factor). */
export function browserPrincipal(request: { principal: Principal | null }): Principal {
  const principal = principalOf(request);
  if (principal.credential.kind !== "session") {
    throw new HttpProblem("forbidden", "the second factor is managed from a signed-in browser, not with an API token");
  }
  return principal;
}
