// Canonical JSON and the hashes of the audit chain. Canonical: object keys sorted, no whitespace,
// `undefined` members dropped (as JSON does), so a payload read back from jsonb hashes the same as
// the object the engine produced.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; at the top level they are an error.
    if (text === undefined) throw new TypeError(`no JSON form for ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function payloadHash(payload: unknown): string {
  return sha256(canonicalJson(payload));
}

export interface ChainLink {
  readonly prevHash: string;
  readonly projectId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly payloadHash: string;
}

/**
 * hash = sha256(prev_hash, project, seq, type, at, actor, payload_hash), the fields encoded as a
 * JSON array so no two different tuples share an encoding. The payload enters by its hash only:
 * redacting personal data from a payload later leaves the chain verifiable.
 */
export function eventHash(link: ChainLink): string {
  return sha256(JSON.stringify([link.prevHash, link.projectId, link.seq, link.type, link.at, link.actor, link.payloadHash]));
}
