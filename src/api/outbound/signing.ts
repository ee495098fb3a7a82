// Standard Webhooks signatures (www.standardwebhooks.com): the secret is "whsec_" + base64 key;
// the signature is "v1," + base64(HMAC-SHA256(key, "<msg id>.<unix seconds>.<body>")), sent in
// webhook-signature beside webhook-id and webhook-timestamp. Receivers verify with any of the
// specification's libraries (the tests use the `standardwebhooks` package).
import { createHmac, randomBytes } from "node:crypto";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function signatureHeaders(secret: string, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64");
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${signature}`,
  };
}
