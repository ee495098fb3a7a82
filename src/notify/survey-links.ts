// Survey links: a link id and an HMAC-SHA256 (the server's secret) over the id and what the link is
// bound to: one project, one survey, one contact, an expiry. The claims are kept in survey_links
// under the id, so the token stays short enough for a URL path segment; the MAC makes a guessed or
// altered token worthless, and the answer is kept under the id, which makes the link single use.
// The token travels in the URL fragment (`/portal/survey#token=...`), out of logs and Referers.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../store/index.ts";

export interface SurveyClaims {
  readonly projectId: string;
  readonly survey: string;
  readonly contactId: string;
  /** Expiry, epoch seconds. */
  readonly expiresAt: number;
  /** Distinguishes links sent at different times (the delivery key). */
  readonly nonce: string;
}

/** The link's id: derived from the claims, so a retried delivery makes the same link. */
export function surveyLinkId(claims: SurveyClaims): string {
  return createHash("sha256")
    .update(JSON.stringify([claims.nonce, claims.projectId, claims.survey, claims.contactId]))
    .digest("base64url")
    .slice(0, 22);
}

function mac(id: string, claims: Omit<SurveyClaims, "nonce">, secret: string): string {
  return createHmac("sha256", secret)
    .update(JSON.stringify([id, claims.projectId, claims.survey, claims.contactId, claims.expiresAt]))
    .digest("base64url")
    .slice(0, 32);
}

export function signSurveyToken(claims: SurveyClaims, secret: string): string {
  const id = surveyLinkId(claims);
  return `${id}.${mac(id, claims, secret)}`;
}

/** The token of a stored link (its id and claims): what the contact it was sent to may open again from the portal. */
export function surveyTokenOfLink(id: string, claims: Omit<SurveyClaims, "nonce">, secret: string): string {
  return `${id}.${mac(id, claims, secret)}`;
}

/** The link id a token names (its claims are looked up by it), or undefined when it is no token. */
export function surveyTokenId(token: string): string | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{32})$/.exec(token);
  return match?.[1];
}

const invalid = () => new AppError("not_found", "this survey link is not valid", { field: "token" });

/** Check a token against the claims stored for its id: AppError not_found (forged) or illegal_state (expired). */
export function verifySurveyToken(token: string, claims: Omit<SurveyClaims, "nonce"> | undefined, secret: string, nowMs: number): void {
  const id = surveyTokenId(token);
  if (!id || !claims) throw invalid();
  const expected = Buffer.from(`${id}.${mac(id, claims, secret)}`);
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  if (claims.expiresAt * 1000 <= nowMs) throw new AppError("illegal_state", "this survey link has expired", { field: "token" });
}

export function surveyUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/portal/survey#token=${token}`;
}
