// Who is calling: an API token (Authorization: Bearer onb_...) or a session cookie. A write made
// with a session cookie must also prove it comes from our own pages: the CSRF token given at
// sign-in in X-CSRF-Token (a cross-site form or fetch cannot read it), and an Origin, when the
// browser sends one, that is ours.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { tokenPrincipal } from "./api-tokens.ts";
import type { Principal } from "./principal.ts";
import { isServiceAccount } from "./roles.ts";
import { sameSecret } from "./secrets.ts";
import { sessionPrincipal } from "./sessions.ts";

export const SESSION_COOKIE = "onboard_session";
export const CSRF_COOKIE = "onboard_csrf";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function unauthenticated(detail: string): HttpProblem {
  return new HttpProblem("unauthenticated", detail, { headers: { "www-authenticate": 'Bearer realm="onboard"' } });
}

/** The principal behind the request's credentials; `problem` says why credentials that were sent did not count. */
export async function authenticate(request: FastifyRequest, deps: ApiDeps): Promise<{ principal?: Principal; problem?: HttpProblem }> {
  const now = deps.clock();
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return { problem: unauthenticated('send an API token as "Authorization: Bearer onb_..."') };
    const principal = await tokenPrincipal(deps.db, match[1], now);
    return principal ? { principal } : { problem: unauthenticated("the API token is unknown, revoked or expired") };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie !== undefined && cookie !== "") {
    const principal = await sessionPrincipal(deps.db, cookie, now);
    // A service account never has a session (it cannot sign in); should one exist, it counts for nothing.
    if (principal && isServiceAccount(principal.user.roles))
      return { problem: unauthenticated("a service account acts through its API token only") };
    return principal ? { principal } : { problem: unauthenticated("your session has ended: sign in again") };
  }
  return {};
}

export function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The origins our own pages are served from: the configured public URL and this request's own. */
function ownOrigins(request: FastifyRequest, deps: ApiDeps): string[] {
  const origins = [`${request.protocol}://${request.host}`];
  if (deps.config.publicUrl) origins.push(deps.config.publicUrl);
  return origins;
}

/** Refuse a browser write whose Origin (or Sec-Fetch-Site) says it came from another site. */
export function checkOrigin(request: FastifyRequest, deps: ApiDeps): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (!ownOrigins(request, deps).includes(origin)) {
      throw new HttpProblem("csrf", `a write from ${origin} is refused: only this server's own pages may write with its cookies`);
    }
    return;
  }
  if (request.headers["sec-fetch-site"] === "cross-site") {
    throw new HttpProblem("csrf", "a cross-site write is refused: only this server's own pages may write with its cookies");
  }
}

/** A write authenticated by a session cookie needs a same-site origin and the session's CSRF token. */
export function checkCsrf(request: FastifyRequest, principal: Principal, deps: ApiDeps): void {
  if (principal.credential.kind !== "session" || SAFE_METHODS.has(request.method)) return;
  checkOrigin(request, deps);
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== "string" || !sameSecret(sent, principal.credential.csrfToken)) {
    throw new HttpProblem("csrf", `send the CSRF token from sign-in (also in the ${CSRF_COOKIE} cookie) in the X-CSRF-Token header`);
  }
}

export function cookieSecure(request: FastifyRequest, deps: ApiDeps): boolean {
  const { cookieSecure } = deps.config;
  return cookieSecure === "on" || (cookieSecure === "auto" && !isLocalHost(request.hostname));
}

export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  session: { token: string; csrfToken: string; expiresAt: string },
): void {
  const base = { path: "/", sameSite: "lax" as const, secure: cookieSecure(request, deps), expires: new Date(session.expiresAt) };
  reply.setCookie(SESSION_COOKIE, session.token, { ...base, httpOnly: true });
  // Readable by our pages (double submit): they copy it into X-CSRF-Token.
  reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...base, httpOnly: false });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps): void {
  const base = { path: "/", sameSite: "lax" as const, secure: cookieSecure(request, deps) };
  reply.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, base);
}
