// Idempotency-Key on the API's own creates (clients, users, tokens, playbook uploads), with the
// store's table and functions and Stripe's semantics: the same key and request replays the stored
// response; the same key with a different request is a 422; a concurrent duplicate waits for the
// first and replays it. Keys belong to the signed-in user: two users cannot collide. Projects and
// commands use the store's own idempotency, under the same per-user key.
import type { Instant } from "../engine/types.ts";
import { claimIdempotencyKey, requestHash, storeIdempotentResponse } from "../store/idempotency.ts";
import { type ApiDb, storeView } from "./data/tables.ts";

export interface Stored<T> {
  readonly status: number;
  readonly body: T;
}

export interface IdempotentRequest {
  /** What kind of create ("client.create"): keys are separate per scope. */
  readonly scope: string;
  readonly key: string | undefined;
  readonly userId: string;
  /** What makes two requests the same (the body, minus secrets such as passwords). */
  readonly fingerprint: unknown;
  readonly now: Instant;
}

/** The key as the store keeps it: per user, so keys chosen by different people never meet. */
export function userKey(userId: string, key: string): string {
  return `${userId}:${key}`;
}

/**
 * Run `create` in a transaction, at most once per key. `stored` is what a replay answers (by
 * default the response itself); `create`'s own response is returned the first time.
 */
export async function idempotent<T>(
  db: ApiDb,
  request: IdempotentRequest,
  create: (trx: ApiDb) => Promise<{ readonly response: Stored<T>; readonly stored?: Stored<T> }>,
): Promise<Stored<T> & { readonly replayed: boolean }> {
  const { key } = request;
  return db.transaction().execute(async (trx) => {
    const scope = `api.${request.scope}`;
    if (key !== undefined) {
      const claim = await claimIdempotencyKey(
        storeView(trx),
        scope,
        userKey(request.userId, key),
        requestHash(request.fingerprint),
        request.now,
      );
      if (claim.kind === "replay") return { ...(claim.response as Stored<T>), replayed: true };
    }
    const { response, stored } = await create(trx);
    if (key !== undefined) await storeIdempotentResponse(storeView(trx), scope, userKey(request.userId, key), stored ?? response);
    return { ...response, replayed: false };
  });
}
