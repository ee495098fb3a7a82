// Random secrets (session tokens, API tokens, CSRF tokens) and how they are kept: only a SHA-256
// digest is stored. The secrets carry 256 random bits, so a fast hash is enough: there is nothing
// to guess, only a database dump to make useless.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function digest(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time equality of two strings (false when the lengths differ). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
