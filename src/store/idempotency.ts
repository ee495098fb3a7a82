// Idempotency keys with Stripe's semantics: the same key and the same request replays the stored
// response without running again; the same key with a different request is an error; concurrent
// duplicates do not both run. The key row is inserted first inside the request's own transaction:
// a concurrent duplicate blocks on the unique index until the first commits (then replays) or rolls
// back (then runs itself). A refused request rolls back with its key, so it can be retried.
import type { Kysely } from "kysely";
import type { Instant } from "../engine/types.ts";
import { AppError, IdempotencyMismatchError } from "./errors.ts";
import { canonicalJson, sha256 } from "./hashing.ts";
import type { Schema } from "./schema.ts";

export function requestHash(request: unknown): string {
  return sha256(canonicalJson(request));
}

export type Claim = { readonly kind: "new" } | { readonly kind: "replay"; readonly response: unknown };

export async function claimIdempotencyKey(trx: Kysely<Schema>, scope: string, key: string, hash: string, now: Instant): Promise<Claim> {
  if (key.length === 0 || key.length > 255)
    throw new AppError("invalid", "an idempotency key has 1 to 255 characters", { field: "idempotencyKey" });
  const inserted = await trx
    .insertInto("idempotency_keys")
    .values({ scope, key, request_hash: hash, created_at: now })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { kind: "new" };
  const existing = await trx
    .selectFrom("idempotency_keys")
    .select(["request_hash", "response"])
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
  if (!existing)
    throw new AppError("conflict", `idempotency key "${key}" is being used by a request that has not finished: retry`, { scope, key });
  if (existing.request_hash !== hash) throw new IdempotencyMismatchError(scope, key);
  if (existing.response === null)
    throw new AppError("conflict", `idempotency key "${key}" has no stored response yet: retry`, { scope, key });
  return { kind: "replay", response: existing.response };
}

export async function storeIdempotentResponse(trx: Kysely<Schema>, scope: string, key: string, response: unknown): Promise<void> {
  await trx
    .updateTable("idempotency_keys")
    .set({ response: JSON.stringify(response) })
    .where("scope", "=", scope)
    .where("key", "=", key)
    .execute();
}

/** Forget keys older than `before` (Stripe keeps them 24 hours); returns how many were removed. */
export async function pruneIdempotencyKeys(db: Kysely<Schema>, before: Instant): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("created_at", "<", new Date(before)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
