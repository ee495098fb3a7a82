// API tokens for scripts: "onb_<id>_<secret>". The id finds the row, the secret is compared with its
// stored SHA-256 in constant time. Shown once at creation, scoped read or write, revocable, and
// never stronger than the account that owns it.
import { randomBytes } from "node:crypto";
import type { Instant } from "../../engine/types.ts";
import { AppError } from "../../store/index.ts";
import type { ApiDb } from "../data/tables.ts";
import { recordAccessChange } from "./access-changes.ts";
import type { Principal } from "./principal.ts";
import { digest, newSecret, sameSecret } from "./secrets.ts";
import { JOINED_USER_COLUMNS, userOf } from "./users.ts";

export type TokenScope = "read" | "write";

export interface TokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scope: TokenScope;
  readonly createdAt: Instant;
  readonly expiresAt: Instant | null;
  readonly lastUsedAt: Instant | null;
  readonly revokedAt: Instant | null;
}

const COLUMNS = ["id", "user_id", "name", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"] as const;

interface TokenRow {
  id: string;
  user_id: string;
  name: string;
  scope: TokenScope;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function recordOf(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scope: row.scope,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const FORMAT = /^onb_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export async function createToken(
  db: ApiDb,
  request: { userId: string; name: string; scope: TokenScope; expiresInDays: number | undefined },
  now: Instant,
  actor: string,
): Promise<{ record: TokenRecord; token: string }> {
  const id = randomBytes(8).toString("hex");
  const secret = newSecret();
  const expiresAt =
    request.expiresInDays === undefined ? null : new Date(Date.parse(now) + request.expiresInDays * 86_400_000).toISOString();
  const row = await db
    .insertInto("api_tokens")
    .values({
      id,
      user_id: request.userId,
      name: request.name,
      scope: request.scope,
      secret_hash: digest(secret),
      created_at: now,
      expires_at: expiresAt,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  await recordAccessChange(db, {
    at: now,
    actor,
    subject: request.userId,
    change: "api_token_created",
    details: { tokenId: id, name: request.name, scope: request.scope, expiresAt },
  });
  return { record: recordOf(row), token: `onb_${id}_${secret}` };
}

/** One account's tokens, by id, after the id `after`: `limit` of them. */
export async function listTokens(db: ApiDb, userId: string, after: string | undefined, limit: number): Promise<TokenRecord[]> {
  let query = db.selectFrom("api_tokens").select(COLUMNS).where("user_id", "=", userId).orderBy("id").limit(limit);
  if (after !== undefined) query = query.where("id", ">", after);
  return (await query.execute()).map(recordOf);
}

/** Revoke a token of `userId` (or anyone's, for an admin). Revoking twice is fine. */
export async function revokeToken(db: ApiDb, id: string, owner: { userId: string; anyone: boolean }, now: Instant): Promise<void> {
  let found = db.selectFrom("api_tokens").select(["user_id", "name", "revoked_at"]).where("id", "=", id).forUpdate();
  if (!owner.anyone) found = found.where("user_id", "=", owner.userId);
  const token = await found.executeTakeFirst();
  if (!token) throw new AppError("not_found", `no token "${id}"`, { tokenId: id });
  if (token.revoked_at !== null) return;
  await db.updateTable("api_tokens").set({ revoked_at: now }).where("id", "=", id).execute();
  await recordAccessChange(db, {
    at: now,
    actor: owner.userId,
    subject: token.user_id,
    change: "api_token_revoked",
    details: { tokenId: id, name: token.name },
  });
}

/** Used-at is written at most once a minute per token: reads must not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

/** The principal of a bearer token, or undefined when it is malformed, unknown, revoked, expired or its account inactive. */
export async function tokenPrincipal(db: ApiDb, token: string, now: Instant): Promise<Principal | undefined> {
  const match = FORMAT.exec(token);
  if (!match) return undefined;
  const [, id = "", secret = ""] = match;
  const row = await db
    .selectFrom("api_tokens")
    .innerJoin("users", "users.id", "api_tokens.user_id")
    .select([
      "api_tokens.secret_hash",
      "api_tokens.name as token_name",
      "api_tokens.scope",
      "api_tokens.expires_at",
      "api_tokens.revoked_at",
      "api_tokens.last_used_at",
      ...JOINED_USER_COLUMNS,
    ])
    .where("api_tokens.id", "=", id)
    .executeTakeFirst();
  if (!row || !sameSecret(row.secret_hash, digest(secret))) return undefined;
  const at = Date.parse(now);
  if (!row.active || row.revoked_at !== null || (row.expires_at !== null && row.expires_at.getTime() <= at)) return undefined;
  if (row.last_used_at === null || at - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
  }
  const { email, name, roles } = userOf(row);
  return {
    user: { id: row.id, email, name, roles },
    credential: {
      kind: "token",
      tokenId: id,
      scope: row.scope,
      authentication: { method: "api_token", detail: row.token_name },
    },
  };
}
