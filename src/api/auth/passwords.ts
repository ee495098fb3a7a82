// Password hashing with a memory-hard function: Argon2id from node:crypto (Node 24.7+), scrypt where
// Argon2 is missing. Hashes are PHC strings carrying their parameters, so raising the cost later
// leaves existing hashes verifiable. Parameters: OWASP's Argon2id minimum (19 MiB, 2 passes).
import * as crypto from "node:crypto";
import { promisify } from "node:util";

const ARGON2 = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;
const SCRYPT = { logN: 17, r: 8, p: 1, keyLength: 32 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

function b64(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "");
}

function argon2(password: string, salt: Buffer, params: { memory: number; passes: number; parallelism: number; tagLength: number }) {
  return new Promise<Buffer>((resolve, reject) =>
    crypto.argon2("argon2id", { message: password, nonce: salt, ...params }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function scryptKey(password: string, salt: Buffer, logN: number, r: number, p: number, keyLength: number) {
  return scrypt(password, salt, keyLength, { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r });
}

const hasArgon2 = typeof (crypto as { argon2?: unknown }).argon2 === "function";

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  if (hasArgon2) {
    const key = await argon2(password, salt, ARGON2);
    return `$argon2id$v=19$m=${ARGON2.memory},t=${ARGON2.passes},p=${ARGON2.parallelism}$${b64(salt)}$${b64(key)}`;
  }
  const key = await scryptKey(password, salt, SCRYPT.logN, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return `$scrypt$ln=${SCRYPT.logN},r=${SCRYPT.r},p=${SCRYPT.p}$${b64(salt)}$${b64(key)}`;
}

/** True when `password` matches `phc`. A malformed or unknown hash never matches. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const argon = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  const scryptMatch = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  const match = argon ?? scryptMatch;
  if (!match) return false;
  const [, a, b, c, saltText, keyText] = match;
  const salt = Buffer.from(saltText ?? "", "base64");
  const expected = Buffer.from(keyText ?? "", "base64");
  const actual = argon
    ? await argon2(password, salt, { memory: Number(a), passes: Number(b), parallelism: Number(c), tagLength: expected.length })
    : await scryptKey(password, salt, Number(a), Number(b), Number(c), expected.length);
  return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
}

let decoy: Promise<string> | undefined;

/** Spend the time of a real check when there is no account, so timing does not reveal which emails exist. */
export async function verifyNothing(password: string): Promise<false> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString("hex"));
  await verifyPassword(password, await decoy);
  return false;
}

/** A password for the first admin when none is configured: 24 characters from 144 random bits. */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString("base64url");
}
