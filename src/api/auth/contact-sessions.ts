// The client portal's identities. A contact asks for a magic link by email; the request is queued
// and the outbox mails the link (the same answer, as fast, for any address). The link carries a
// random token whose SHA-256 alone is stored, bound to that contact, valid for MAGIC_LINK_MINUTES
// and usable once (the UPDATE that marks it used is the check, so two clicks cannot both win). The
// mail log records the message with the token redacted: nobody but the addressee can follow it.
// Opening the link shows a confirmation page; only its POST consumes the token, so mail scanners
// that fetch links do not burn them. The session it starts reaches its own client and nothing else.
import { randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import type { Authentication, Instant } from "../../engine/types.ts";
import { type Delivery, enqueueKeyed, type SignInLinkEffect } from "../../store/index.ts";
import { getBranding } from "../data/settings.ts";
import { type ApiDb, storeView } from "../data/tables.ts";
import type { ApiDeps } from "../deps.ts";
import { HttpProblem } from "../problems.ts";
import { checkOrigin, cookieSecure, unauthenticated } from "./authenticate.ts";
import { type Limit, takeHit } from "./rate-limits.ts";
import { digest, newSecret, sameSecret } from "./secrets.ts";

export const PORTAL_COOKIE = "onboard_portal";
export const PORTAL_CSRF_COOKIE = "onboard_portal_csrf";
export const MAGIC_LINK_MINUTES = 15;
/** Links a contact may be sent per hour, whoever asks: the inbox is not a target. */
export const MAGIC_LINKS_PER_HOUR = 5;
const SESSION_HOURS = 24;

export interface ContactPrincipal {
  readonly contactId: string;
  readonly clientId: string;
  readonly name: string;
  readonly email: string;
  /** Client-side playbook roles the contact holds by default. */
  readonly roles: readonly string[];
  readonly tokenHash: string;
  readonly csrfToken: string;
  /** How the session was signed in: a magic link, to this address (absent for sessions from before that was kept). */
  readonly authentication?: Authentication;
}

export interface IssuedLink {
  readonly contactId: string;
  readonly clientId: string;
  readonly name: string;
  readonly email: string;
  readonly token: string;
  readonly expiresAt: Instant;
}

const addMinutes = (now: Instant, minutes: number) => new Date(Date.parse(now) + minutes * 60_000).toISOString();

/** Links a contact may be sent per hour, counted atomically (auth/rate-limits.ts). */
const LINKS_PER_CONTACT: Limit = { max: MAGIC_LINKS_PER_HOUR, windowMs: 3_600_000 };

/**
 * Queue a sign-in link for whoever `email` belongs to. The request does this one INSERT whatever
 * the address, so it answers alike, and as fast, for a contact and for a stranger; the outbox's
 * delivery (sendSignInLinks) does the rest.
 */
export async function requestSignInLink(db: ApiDb, email: string, now: Instant): Promise<void> {
  const effect: SignInLinkEffect = { kind: "send_sign_in_link", email: email.trim().toLowerCase() };
  await enqueueKeyed(storeView(db), null, `sign-in-link:${randomUUID()}`, effect, now);
}

/**
 * New links for every active contact with this email (one person may be a contact of two
 * clients), skipping contacts that already had MAGIC_LINKS_PER_HOUR links this hour.
 */
/** The links issued, and the contacts of the address that had used up their hourly links. */
export interface IssuedLinks {
  readonly links: IssuedLink[];
  readonly heldBack: string[];
}

export async function issueMagicLinks(db: ApiDb, email: string, now: Instant): Promise<IssuedLinks> {
  const contacts = await db
    .selectFrom("contacts")
    .select(["id", "client_id", "name", "email"])
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .where("active", "=", true)
    .execute();
  const issued: IssuedLink[] = [];
  const heldBack: string[] = [];
  for (const contact of contacts) {
    if (!(await takeHit(db, `sign-in-link:contact:${contact.id}`, LINKS_PER_CONTACT, now)).allowed) {
      heldBack.push(contact.id);
      continue;
    }
    const token = newSecret();
    const expiresAt = addMinutes(now, MAGIC_LINK_MINUTES);
    await db
      .insertInto("magic_links")
      .values({ token_hash: digest(token), contact_id: contact.id, created_at: now, expires_at: expiresAt })
      .execute();
    issued.push({ contactId: contact.id, clientId: contact.client_id, name: contact.name, email: contact.email, token, expiresAt });
  }
  return { links: issued, heldBack };
}

/** The outbox's delivery of a sign-in link request: a link to each of the address's contacts, within their limits. */
export async function sendSignInLinks(
  deps: Pick<ApiDeps, "db" | "mailer" | "clock">,
  baseUrl: string,
  effect: SignInLinkEffect,
  delivery: Pick<Delivery, "key">,
): Promise<Omit<IssuedLinks, "links"> & { readonly sent: number }> {
  const now = deps.clock();
  const { links, heldBack } = await issueMagicLinks(deps.db, effect.email, now);
  if (links.length === 0) return { sent: 0, heldBack };
  const branding = await getBranding(deps.db);
  for (const link of links) {
    const url = `${baseUrl.replace(/\/+$/, "")}/portal/sign-in#token=${link.token}`;
    await deps.mailer.send({
      to: [{ name: link.name, address: link.email }],
      subject: `Your sign-in link for ${branding.vendorName}`,
      text:
        `Hello ${link.name},\n\nOpen this link to see your onboarding with ${branding.vendorName}:\n\n${url}\n\n` +
        `It works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.\n`,
      html:
        `<p>Hello ${escapeHtml(link.name)},</p><p>Open this link to see your onboarding with ${escapeHtml(branding.vendorName)}:</p>` +
        `<p><a href="${escapeHtml(url)}">Sign in to your onboarding portal</a></p>` +
        `<p>It works once, for ${MAGIC_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.</p>`,
      key: `${delivery.key}:${link.contactId}`,
      secrets: [link.token],
    });
  }
  return { sent: links.length, heldBack };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface NewContactSession {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: Instant;
  readonly contactId: string;
  readonly clientId: string;
}

/** Consume a magic link and start a portal session; undefined when the link is unknown, used or expired. */
export async function consumeMagicLink(db: ApiDb, token: string, now: Instant): Promise<NewContactSession | undefined> {
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable("magic_links")
      .set({ used_at: now })
      .where("token_hash", "=", digest(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", new Date(now))
      .returning("contact_id")
      .executeTakeFirst();
    if (!used) return undefined;
    const contact = await trx
      .selectFrom("contacts")
      .select(["id", "client_id", "active", "email"])
      .where("id", "=", used.contact_id)
      .executeTakeFirst();
    if (!contact?.active) return undefined;
    const session = { token: newSecret(), csrfToken: newSecret(), expiresAt: addMinutes(now, SESSION_HOURS * 60) };
    await trx.deleteFrom("contact_sessions").where("expires_at", "<", new Date(now)).execute();
    await trx
      .insertInto("contact_sessions")
      .values({
        token_hash: digest(session.token),
        contact_id: contact.id,
        client_id: contact.client_id,
        csrf_token: session.csrfToken,
        created_at: now,
        expires_at: session.expiresAt,
        signed_in_as: contact.email,
      })
      .execute();
    return { ...session, contactId: contact.id, clientId: contact.client_id };
  });
}

async function contactPrincipal(db: ApiDb, token: string, now: Instant): Promise<ContactPrincipal | undefined> {
  const tokenHash = digest(token);
  const row = await db
    .selectFrom("contact_sessions")
    .innerJoin("contacts", "contacts.id", "contact_sessions.contact_id")
    .select([
      "contacts.id",
      "contact_sessions.client_id",
      "contacts.name",
      "contacts.email",
      "contacts.roles",
      "contacts.active",
      "contact_sessions.csrf_token",
      "contact_sessions.expires_at",
      "contact_sessions.signed_in_as",
    ])
    .where("contact_sessions.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row?.active || row.expires_at.getTime() <= Date.parse(now)) return undefined;
  return {
    contactId: row.id,
    clientId: row.client_id,
    name: row.name,
    email: row.email,
    roles: row.roles,
    tokenHash,
    csrfToken: row.csrf_token,
    ...(row.signed_in_as !== null ? { authentication: { method: "magic_link" as const, detail: row.signed_in_as } } : {}),
  };
}

/** The portal routes' check: a live contact session, and for writes the portal's CSRF token. */
export async function authenticateContact(request: FastifyRequest, deps: ApiDeps): Promise<ContactPrincipal> {
  const cookie = request.cookies[PORTAL_COOKIE];
  const contact = cookie ? await contactPrincipal(deps.db, cookie, deps.clock()) : undefined;
  if (!contact) throw unauthenticated("sign in to the portal with the link we email you (POST /portal/api/magic-links)");
  if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
    checkOrigin(request, deps);
    const sent = request.headers["x-csrf-token"];
    if (typeof sent !== "string" || !sameSecret(sent, contact.csrfToken)) {
      throw new HttpProblem(
        "csrf",
        `send the CSRF token from sign-in (also in the ${PORTAL_CSRF_COOKIE} cookie) in the X-CSRF-Token header`,
      );
    }
  }
  return contact;
}

/** The signed-in contact of a portal route. */
export function contactOf(request: { contact: ContactPrincipal | null }): ContactPrincipal {
  if (!request.contact) throw unauthenticated("sign in to the portal first");
  return request.contact;
}

export async function endContactSession(db: ApiDb, tokenHash: string): Promise<void> {
  await db.deleteFrom("contact_sessions").where("token_hash", "=", tokenHash).execute();
}

export function setPortalCookies(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps, session: NewContactSession): void {
  const base = { path: "/", sameSite: "lax" as const, secure: cookieSecure(request, deps), expires: new Date(session.expiresAt) };
  reply.setCookie(PORTAL_COOKIE, session.token, { ...base, httpOnly: true });
  reply.setCookie(PORTAL_CSRF_COOKIE, session.csrfToken, { ...base, httpOnly: false });
}

export function clearPortalCookies(request: FastifyRequest, reply: FastifyReply, deps: ApiDeps): void {
  const base = { path: "/", sameSite: "lax" as const, secure: cookieSecure(request, deps) };
  reply.clearCookie(PORTAL_COOKIE, { ...base, httpOnly: true });
  reply.clearCookie(PORTAL_CSRF_COOKIE, base);
}
