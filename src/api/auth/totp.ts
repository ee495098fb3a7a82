// The TOTP second factor (RFC 6238 through `otpauth`: SHA-1, 6 digits, 30 s steps, one step of
// drift either way). The secret never leaves the server after enrolment and is stored under
// AES-256-GCM when TOTP_ENCRYPTION_KEY is set. A code is accepted once: the step of the last one
// accepted is kept and only a later step passes, checked in the same UPDATE that records it, so
// two requests racing with one code cannot both win. Wrong codes in a row lock the factor for a
// while, whichever sign-in they came from. Recovery codes are random, shown once, kept as SHA-256
// and each used once. Who must use TOTP: everyone (auth_settings) or listed accounts.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import type { Instant } from "../../engine/types.ts";
import { AppError } from "../../store/index.ts";
import type { ApiDb } from "../data/tables.ts";
import { EVERY_ACCOUNT, recordAccessChange } from "./access-changes.ts";
import { digest } from "./secrets.ts";

export const TOTP_ISSUER = "Onboard";
const PERIOD = 30;
const DIGITS = 6;
const ALGORITHM = "SHA1";
/** Steps of clock drift accepted either way. */
const WINDOW = 1;
/** Wrong codes in a row before the factor locks, and for how long. */
export const MAX_FAILURES = 10;
const LOCK_MS = 15 * 60_000;
export const RECOVERY_CODE_COUNT = 10;

export interface TotpStatus {
  /** An authenticator is confirmed: sign-in asks for a code. */
  readonly enrolled: boolean;
  /** An enrolment was started and waits for its first code. */
  readonly pending: boolean;
  /** Must this account use TOTP (for everyone, or for it)? */
  readonly required: boolean;
  readonly requiredForUser: boolean;
  readonly requiredForEveryone: boolean;
  readonly confirmedAt: Instant | null;
  readonly recoveryCodesLeft: number;
}

// ---------------------------------------------------------------------------------------------
// The secret at rest

function seal(base32: string, userId: string, key: Buffer | undefined): string {
  if (key === undefined) return `plain:${base32}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(userId, "utf8"));
  const data = Buffer.concat([cipher.update(base32, "utf8"), cipher.final()]);
  return `aes256gcm:${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${data.toString("base64")}`;
}

function unseal(stored: string, userId: string, key: Buffer | undefined): string {
  if (stored.startsWith("plain:")) return stored.slice("plain:".length);
  const [scheme, iv = "", tag = "", data = ""] = stored.split(":");
  if (scheme !== "aes256gcm") throw new Error(`unknown TOTP secret format "${scheme}"`);
  if (key === undefined) throw new AppError("unavailable", "TOTP secrets are encrypted but TOTP_ENCRYPTION_KEY is not set");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAAD(Buffer.from(userId, "utf8"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new AppError("unavailable", "a TOTP secret cannot be decrypted: TOTP_ENCRYPTION_KEY has changed", {}, { cause: error });
  }
}

function totpOf(base32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(base32),
  });
}

// ---------------------------------------------------------------------------------------------
// Who must use it

export async function totpRequiredForEveryone(db: ApiDb): Promise<boolean> {
  const row = await db.selectFrom("auth_settings").select("totp_required").executeTakeFirst();
  return row?.totp_required ?? false;
}

export async function setTotpRequiredForEveryone(db: ApiDb, required: boolean, by: string, now: Instant): Promise<void> {
  if ((await totpRequiredForEveryone(db)) !== required) {
    await recordAccessChange(db, { at: now, actor: by, subject: EVERY_ACCOUNT, change: "totp_requirement_changed", details: { required } });
  }
  await db
    .insertInto("auth_settings")
    .values({ totp_required: required, updated_at: now, updated_by: by })
    .onConflict((oc) => oc.column("id").doUpdateSet({ totp_required: required, updated_at: now, updated_by: by }))
    .execute();
}

export async function setTotpRequiredForUser(db: ApiDb, userId: string, required: boolean, by: string, now: Instant): Promise<void> {
  let changed: boolean;
  if (required) {
    const added = await db
      .insertInto("totp_required_users")
      .values({ user_id: userId, required_at: now, required_by: by })
      .onConflict((oc) => oc.column("user_id").doNothing())
      .executeTakeFirst();
    changed = Number(added.numInsertedOrUpdatedRows ?? 0) > 0;
  } else {
    const removed = await db.deleteFrom("totp_required_users").where("user_id", "=", userId).executeTakeFirst();
    changed = Number(removed.numDeletedRows) > 0;
  }
  if (changed)
    await recordAccessChange(db, { at: now, actor: by, subject: userId, change: "totp_requirement_changed", details: { required } });
}

/**
 * End the sessions of accounts that must use TOTP and have not enrolled (all of them or one), but
 * `keep`: they sign in again, through the enrolment.
 */
export async function endUnenrolledSessions(db: ApiDb, scope: { userId?: string; keep?: string }): Promise<void> {
  let query = db
    .deleteFrom("sessions")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("user_totp")
            .select("user_totp.user_id")
            .whereRef("user_totp.user_id", "=", "sessions.user_id")
            .where("user_totp.confirmed_at", "is not", null),
        ),
      ),
    );
  if (scope.userId !== undefined) query = query.where("user_id", "=", scope.userId);
  if (scope.keep !== undefined) query = query.where("token_hash", "<>", scope.keep);
  await query.execute();
}

export async function totpStatus(db: ApiDb, userId: string): Promise<TotpStatus> {
  const [row, forUser, forEveryone, codes] = await Promise.all([
    db.selectFrom("user_totp").select(["confirmed_at"]).where("user_id", "=", userId).executeTakeFirst(),
    db.selectFrom("totp_required_users").select("user_id").where("user_id", "=", userId).executeTakeFirst(),
    totpRequiredForEveryone(db),
    db
      .selectFrom("totp_recovery_codes")
      .select(sql<number>`count(*)::int`.as("left"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirst(),
  ]);
  const enrolled = row !== undefined && row.confirmed_at !== null;
  return {
    enrolled,
    pending: row !== undefined && row.confirmed_at === null,
    required: forEveryone || forUser !== undefined,
    requiredForUser: forUser !== undefined,
    requiredForEveryone: forEveryone,
    confirmedAt: row?.confirmed_at?.toISOString() ?? null,
    recoveryCodesLeft: enrolled ? Number(codes?.left ?? 0) : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Enrolment

export interface Enrolment {
  /** otpauth://totp/Onboard:<email>?secret=...: what the QR code shows. */
  readonly uri: string;
  /** The same secret in base32, for typing in. */
  readonly secret: string;
}

/** Start (or start again) an enrolment: a new secret, unconfirmed. Refused when one is confirmed. */
export async function startEnrolment(
  db: ApiDb,
  user: { id: string; email: string },
  key: Buffer | undefined,
  now: Instant,
): Promise<Enrolment> {
  const base32 = new OTPAuth.Secret({ size: 20 }).base32;
  const stored = seal(base32, user.id, key);
  const row = await db
    .insertInto("user_totp")
    .values({ user_id: user.id, secret: stored, created_at: now, confirmed_at: null, last_step: null })
    .onConflict((oc) =>
      oc
        .column("user_id")
        .doUpdateSet({ secret: stored, created_at: now, last_step: null, failed_attempts: 0, locked_until: null })
        .where("user_totp.confirmed_at", "is", null),
    )
    .returning("user_id")
    .executeTakeFirst();
  if (!row) {
    throw new AppError("illegal_state", "TOTP is already set up for this account: an admin can reset it to enrol another authenticator");
  }
  return { uri: totpOf(base32, user.email).toString(), secret: base32 };
}

export type CodeCheck = "ok" | "wrong" | "locked" | "not_enrolled";

/**
 * Check a code against the account's confirmed authenticator (`confirming`: against the enrolment
 * waiting for its first code, which it then confirms). A code passes once.
 */
export async function checkCode(
  db: ApiDb,
  userId: string,
  code: string,
  key: Buffer | undefined,
  now: Instant,
  confirming = false,
): Promise<CodeCheck> {
  const row = await db
    .selectFrom("user_totp")
    .select(["secret", "confirmed_at", "last_step", "failed_attempts", "locked_until"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row || (row.confirmed_at === null) !== confirming) return "not_enrolled";
  const at = Date.parse(now);
  if (row.locked_until !== null && row.locked_until.getTime() > at) return "locked";
  const token = code.replace(/\s+/g, "");
  const delta = /^\d{6}$/.test(token)
    ? totpOf(unseal(row.secret, userId, key), "").validate({ token, timestamp: at, window: WINDOW })
    : null;
  if (delta !== null) {
    const step = Math.floor(at / 1000 / PERIOD) + delta;
    // The step condition in the UPDATE itself: of two requests with one code, one wins.
    const accepted = await db
      .updateTable("user_totp")
      .set({ last_step: step, failed_attempts: 0, locked_until: null, ...(confirming ? { confirmed_at: now } : {}) })
      .where("user_id", "=", userId)
      .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", String(step))]))
      .where("confirmed_at", confirming ? "is" : "is not", null)
      .executeTakeFirst();
    if (Number(accepted.numUpdatedRows) === 1) {
      if (confirming) await recordAccessChange(db, { at: now, actor: userId, subject: userId, change: "totp_enrolled" });
      return "ok";
    }
  }
  await recordFailure(db, userId, now);
  return "wrong";
}

async function recordFailure(db: ApiDb, userId: string, now: Instant): Promise<void> {
  const lockedUntil = new Date(Date.parse(now) + LOCK_MS);
  await db
    .updateTable("user_totp")
    .set((eb) => ({
      failed_attempts: sql<number>`CASE WHEN ${eb.ref("failed_attempts")} + 1 >= ${MAX_FAILURES} THEN 0 ELSE ${eb.ref("failed_attempts")} + 1 END`,
      locked_until: sql<Date | null>`CASE WHEN ${eb.ref("failed_attempts")} + 1 >= ${MAX_FAILURES} THEN ${lockedUntil}::timestamptz ELSE ${eb.ref("locked_until")} END`,
    }))
    .where("user_id", "=", userId)
    .execute();
}

/** Remove the account's authenticator and recovery codes (an admin's reset). */
export async function resetTotp(db: ApiDb, userId: string, by: { actor: string; now: Instant }): Promise<boolean> {
  const removed = await db.deleteFrom("user_totp").where("user_id", "=", userId).executeTakeFirst();
  await db.deleteFrom("totp_recovery_codes").where("user_id", "=", userId).execute();
  const had = Number(removed.numDeletedRows) > 0;
  if (had) await recordAccessChange(db, { at: by.now, actor: by.actor, subject: userId, change: "totp_reset" });
  return had;
}

// ---------------------------------------------------------------------------------------------
// Recovery codes

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** 16 base32 characters (80 random bits) in groups of four: ABCD-EFGH-IJKL-MNOP. */
function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => BASE32[b % 32]).join("");
  return chars.match(/.{4}/g)?.join("-") ?? chars;
}

function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z2-7]/g, "");
}

/** Replace the account's recovery codes with new ones, returned once. */
export async function newRecoveryCodes(db: ApiDb, userId: string, now: Instant): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.deleteFrom("totp_recovery_codes").where("user_id", "=", userId).execute();
  await db
    .insertInto("totp_recovery_codes")
    .values(codes.map((code) => ({ user_id: userId, code_hash: digest(normalizeRecoveryCode(code)), created_at: now })))
    .execute();
  return codes;
}

/** Use a recovery code: true once per code. */
export async function redeemRecoveryCode(db: ApiDb, userId: string, code: string, now: Instant): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized.length !== 16) return false;
  const used = await db
    .updateTable("totp_recovery_codes")
    .set({ used_at: now })
    .where("user_id", "=", userId)
    .where("code_hash", "=", digest(normalized))
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1;
}
