// Single sign-on through OpenID Connect (openid-client 6): the authorization code flow with PKCE,
// state and nonce. GET /auth/oidc/login keeps the flow's secrets server-side (oidc_flows, found by
// the SHA-256 of a random token in an HttpOnly cookie scoped to /auth/oidc) and redirects to the
// provider; GET /auth/oidc/callback consumes the flow (once), checks state, exchanges the code
// (PKCE verifier, nonce, ID token signature and claims checked by openid-client), and finds the
// account: by the identity linked before (issuer + subject), else by the provider's *verified*
// email, linking it; a new account only when OIDC_NEW_ACCOUNT_ROLE says so. OIDC_ALLOWED_DOMAINS
// is checked at every sign-in. The session is the same as a password sign-in's. The provider is
// trusted for the factors it asks for: an SSO sign-in does not ask for Onboard's TOTP.
import type { FastifyReply, FastifyRequest } from "fastify";
import * as client from "openid-client";
import type { OidcConfig } from "../config.ts";
import type { ApiDb } from "../data/tables.ts";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { recordAccessChange, SSO_ACTOR } from "./access-changes.ts";
import { cookieSecure } from "./authenticate.ts";
import { digest, newSecret, sameSecret } from "./secrets.ts";
import { findLogin, getUser, insertUser, type UserRecord } from "./users.ts";

export const OIDC_COOKIE = "onboard_oidc";
const OIDC_PATH = "/auth/oidc";
const FLOW_TTL_MS = 10 * 60_000;
const SCOPE = "openid email profile";
/** Never a valid PHC string: an account created by SSO has no password until an admin sets one. */
const NO_PASSWORD = "!sso";

const discovered = new WeakMap<OidcConfig, Promise<client.Configuration>>();

function oidcOf(deps: ApiDeps): OidcConfig {
  const { oidc } = deps.config;
  if (!oidc) throw new HttpProblem("unavailable", "single sign-on is not configured on this server (OIDC_ISSUER)");
  return oidc;
}

/** The provider's configuration, discovered once (again after a failure). */
async function providerOf(oidc: OidcConfig): Promise<client.Configuration> {
  let pending = discovered.get(oidc);
  if (!pending) {
    const issuer = new URL(oidc.issuer);
    const auth = oidc.clientSecret === undefined ? client.None() : client.ClientSecretBasic(oidc.clientSecret);
    pending = client.discovery(issuer, oidc.clientId, oidc.clientSecret, auth, {
      // http only for a loopback issuer (the configuration refuses any other).
      ...(issuer.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
    discovered.set(oidc, pending);
    pending.catch(() => discovered.delete(oidc));
  }
  try {
    return await pending;
  } catch (error) {
    throw new HttpProblem("unavailable", `the identity provider ${oidc.issuer} cannot be reached`, { cause: error });
  }
}

function callbackUrl(request: FastifyRequest, deps: ApiDeps): string {
  return `${deps.config.publicUrl ?? `${request.protocol}://${request.host}`}${OIDC_PATH}/callback`;
}

function flowCookie(request: FastifyRequest, deps: ApiDeps) {
  // Lax: the provider's redirect back is a top-level GET from another site.
  return { path: OIDC_PATH, httpOnly: true, sameSite: "lax" as const, secure: cookieSecure(request, deps) };
}

/** Start a sign-in: remember the flow, return the provider's authorization URL. */
export async function beginOidc(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<URL> {
  const provider = await providerOf(oidcOf(deps));
  const now = deps.clock();
  const token = newSecret();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const expiresAt = new Date(Date.parse(now) + FLOW_TTL_MS);
  await deps.db.deleteFrom("oidc_flows").where("expires_at", "<", new Date(now)).execute();
  await deps.db
    .insertInto("oidc_flows")
    .values({ token_hash: digest(token), state, nonce, code_verifier: codeVerifier, created_at: now, expires_at: expiresAt })
    .execute();
  reply.setCookie(OIDC_COOKIE, token, { ...flowCookie(request, deps), expires: expiresAt });
  return client.buildAuthorizationUrl(provider, {
    redirect_uri: callbackUrl(request, deps),
    scope: SCOPE,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
}

interface Identity {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  readonly name: string | undefined;
}

/** Finish a sign-in: the account the provider's answer signs in. Throws problems for every refusal. */
export async function finishOidc(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<UserRecord> {
  const oidc = oidcOf(deps);
  const provider = await providerOf(oidc);
  const now = deps.clock();
  const token = request.cookies[OIDC_COOKIE];
  reply.clearCookie(OIDC_COOKIE, flowCookie(request, deps));
  // The flow is used once, whatever happens next.
  const flow =
    token === undefined || token === ""
      ? undefined
      : await deps.db.deleteFrom("oidc_flows").where("token_hash", "=", digest(token)).returningAll().executeTakeFirst();
  if (!flow || flow.expires_at.getTime() <= Date.parse(now)) {
    throw new HttpProblem(
      "bad_request",
      "no single sign-on was started in this browser, or it took too long: start again at /auth/oidc/login",
    );
  }
  const currentUrl = new URL(callbackUrl(request, deps));
  currentUrl.search = new URL(request.url, "http://callback").search;
  const params = currentUrl.searchParams;
  const state = params.get("state");
  if (state === null || !sameSecret(state, flow.state)) {
    throw new HttpProblem("csrf", "the sign-in answer does not belong to the sign-in this browser started (state mismatch)");
  }
  const error = params.get("error");
  if (error !== null) {
    throw new HttpProblem("unauthenticated", `the identity provider refused the sign-in: ${params.get("error_description") ?? error}`);
  }
  const identity = await exchange(provider, currentUrl, flow);
  const user = await deps.db.transaction().execute((trx) => accountOf(trx, oidc, identity, now));
  if (!user.active) throw new HttpProblem("forbidden", "this account is deactivated");
  return user;
}

async function exchange(
  provider: client.Configuration,
  currentUrl: URL,
  flow: { state: string; nonce: string; code_verifier: string },
): Promise<Identity> {
  try {
    const tokens = await client.authorizationCodeGrant(provider, currentUrl, {
      pkceCodeVerifier: flow.code_verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error("no ID token");
    let { email, email_verified: verified, name } = claims as { email?: unknown; email_verified?: unknown; name?: unknown };
    if (typeof email !== "string") {
      // Providers that keep the ID token small give the email at the userinfo endpoint.
      const info = await client.fetchUserInfo(provider, tokens.access_token, claims.sub);
      ({ email, email_verified: verified } = info);
      name = typeof name === "string" ? name : info.name;
    }
    return {
      issuer: provider.serverMetadata().issuer,
      subject: claims.sub,
      email: typeof email === "string" ? email.toLowerCase() : undefined,
      emailVerified: verified === true,
      name: typeof name === "string" ? name : undefined,
    };
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw new HttpProblem("unauthenticated", `the identity provider's answer was refused: ${(error as Error).message}`, { cause: error });
  }
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

function checkDomain(oidc: OidcConfig, email: string | undefined): void {
  if (oidc.allowedDomains.length === 0) return;
  if (email === undefined || !oidc.allowedDomains.includes(domainOf(email))) {
    throw new HttpProblem("forbidden", `single sign-on is open to ${oidc.allowedDomains.join(", ")} addresses only`);
  }
}

async function accountOf(db: ApiDb, oidc: OidcConfig, identity: Identity, now: string): Promise<UserRecord> {
  const linked = await db
    .selectFrom("oidc_identities")
    .select(["user_id", "email"])
    .where("issuer", "=", identity.issuer)
    .where("subject", "=", identity.subject)
    .executeTakeFirst();
  if (linked) {
    const email = identity.email ?? linked.email;
    checkDomain(oidc, email);
    await db
      .updateTable("oidc_identities")
      .set({ email, last_login_at: now })
      .where("issuer", "=", identity.issuer)
      .where("subject", "=", identity.subject)
      .execute();
    const user = await getUser(db, linked.user_id);
    if (!user) throw new HttpProblem("forbidden", "the linked account no longer exists");
    return user;
  }
  checkDomain(oidc, identity.email);
  if (identity.email === undefined || !identity.emailVerified) {
    throw new HttpProblem(
      "forbidden",
      "the identity provider does not vouch for an email address (email_verified): no account can be linked",
    );
  }
  const email = identity.email;
  const existing = (await findLogin(db, email))?.user;
  let user: UserRecord;
  if (existing) user = existing;
  else if (oidc.newAccountRole !== undefined) {
    user = await insertUser(
      db,
      { email, name: identity.name ?? email, roles: [oidc.newAccountRole], passwordHash: NO_PASSWORD },
      now,
      SSO_ACTOR,
    );
  } else {
    throw new HttpProblem("forbidden", `no Onboard account has the email ${email}: ask an admin to create it`);
  }
  const newLink = await db
    .insertInto("oidc_identities")
    .values({ issuer: identity.issuer, subject: identity.subject, user_id: user.id, email, created_at: now, last_login_at: now })
    .onConflict((oc) => oc.columns(["issuer", "subject"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (newLink) {
    await recordAccessChange(db, {
      at: now,
      actor: SSO_ACTOR,
      subject: user.id,
      change: "sso_identity_linked",
      details: { issuer: identity.issuer, subject: identity.subject, email },
    });
  }
  return user;
}

/** Where the browser goes once signed in: the app's start page. */
export function oidcLoginTarget(deps: ApiDeps): string {
  return `${deps.config.publicUrl ?? ""}/`;
}
