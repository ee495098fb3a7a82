// Webhook authentication: HMAC-SHA256 signatures over the exact bytes received, compared in
// constant time, with a timestamp inside the signed text so a captured delivery cannot be replayed
// later. A failure says what is wrong (missing header, stale timestamp, mismatch), never the key.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { HttpProblem } from "../problems.ts";

/** How far a delivery's timestamp may lie behind the server's clock. */
export const MAX_AGE_MS = 5 * 60 * 1000;
/** How far ahead it may lie: clocks of two machines are never exactly equal. */
export const MAX_SKEW_MS = 60 * 1000;

export const GENERIC_SIGNATURE_HEADER = "onboard-signature";

function refused(detail: string): HttpProblem {
  return new HttpProblem("unauthenticated", detail);
}

/** Constant-time equality of two secrets' digests (unequal lengths are unequal, without a timing hint on content). */
export function safeEqual(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function checkAge(at: number, nowMs: number): void {
  if (nowMs - at > MAX_AGE_MS) throw refused("the signature's timestamp is older than 5 minutes: a replay, or a clock far behind");
  if (at - nowMs > MAX_SKEW_MS) throw refused("the signature's timestamp is in the future");
}

/** The generic format's header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`. */
export function signGeneric(secret: string, body: Buffer | string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.`).update(body).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

export function verifyGeneric(secret: string, header: string | undefined, body: Buffer, nowMs: number): void {
  if (!header) throw refused(`missing the ${GENERIC_SIGNATURE_HEADER} header (t=<unix seconds>,v1=<hex HMAC-SHA256>)`);
  const parts = new Map(header.split(",").map((part) => part.trim().split("=", 2) as [string, string | undefined]));
  const t = parts.get("t");
  const candidates = header
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0) {
    throw refused(`the ${GENERIC_SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<hex HMAC-SHA256>`);
  }
  checkAge(Number(t) * 1000, nowMs);
  const expected = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
  // Several v1 entries let a sender sign with the old and the new secret while rotating.
  const ok = candidates.some((hex) => /^[0-9a-f]{64}$/i.test(hex) && safeEqual(expected, Buffer.from(hex, "hex")));
  if (!ok) throw refused("the signature does not match the body");
}

/**
 * HubSpot's v3 request URI: the full URL with the characters HubSpot decodes before signing decoded
 * the same way (https://developers.hubspot.com/docs/api/webhooks/validating-requests).
 */
export function hubspotUri(uri: string): string {
  const decoded: Record<string, string> = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
  };
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => decoded[m.toUpperCase()] ?? m);
}

/** X-HubSpot-Signature-v3: base64 HMAC-SHA256 (client secret) of method + URI + body + timestamp (ms). */
export function signHubspot(secret: string, method: string, uri: string, body: Buffer | string, timestampMs: string): string {
  return createHmac("sha256", secret)
    .update(`${method}${hubspotUri(uri)}`)
    .update(body)
    .update(timestampMs)
    .digest("base64");
}

export function verifyHubspot(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  method: string,
  uri: string,
  body: Buffer,
  nowMs: number,
): void {
  if (!headers.signature || !headers.timestamp) throw refused("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp");
  if (!/^\d{1,15}$/.test(headers.timestamp)) throw refused("X-HubSpot-Request-Timestamp must be milliseconds since the epoch");
  checkAge(Number(headers.timestamp), nowMs);
  const expected = Buffer.from(signHubspot(secret, method, uri, body, headers.timestamp), "base64");
  if (!safeEqual(expected, Buffer.from(headers.signature, "base64"))) throw refused("the HubSpot signature does not match the request");
}

/** Basic auth as Pipedrive sends it; user and password compared in constant time (as SHA-256 digests). */
export function verifyBasic(expected: { readonly user: string; readonly password: string }, header: string | undefined): void {
  const challenge = { "www-authenticate": 'Basic realm="onboard-webhooks", charset="UTF-8"' };
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) throw new HttpProblem("unauthenticated", "missing basic auth credentials", { headers: challenge });
  const given = Buffer.from(match[1], "base64").toString("utf8");
  const digest = (text: string) => createHash("sha256").update(text).digest();
  if (!safeEqual(digest(`${expected.user}:${expected.password}`), digest(given))) {
    throw new HttpProblem("unauthenticated", "the basic auth credentials do not match", { headers: challenge });
  }
}
