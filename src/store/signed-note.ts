// Checkpoints as transparency logs publish them: a C2SP tlog-checkpoint (origin, tree size, base64
// root hash) inside a C2SP signed note (the text, a blank line, then "— <key name> <base64(key id ‖
// Ed25519 signature)>" lines). Verifier keys travel as C2SP vkeys: <name>+<key id hex>+<base64(0x01 ‖
// public key)>. Keys are Ed25519 from node:crypto; the private key lives in a PKCS#8 PEM file the
// operator holds, never in the database.
//   https://c2sp.org/tlog-checkpoint  https://c2sp.org/signed-note
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { AppError } from "./errors.ts";

/** The signature type byte of Ed25519 in signed notes. */
const ED25519 = 0x01;
const DASH = "\u2014";

export interface VerifierKey {
  /** The key name in signature lines (by convention the log's origin); undefined: any name whose key id matches. */
  readonly name: string | undefined;
  readonly publicKey: KeyObject;
}

export interface SigningKey {
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** 4 bytes: SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4]. */
  readonly keyId: Buffer;
  /** The verifier key to publish: what `onboard audit verify --vkey` takes. */
  readonly vkey: string;
}

/** A checkpoint's body (C2SP tlog-checkpoint). */
export interface Checkpoint {
  /** Names the log: the same on every checkpoint of one log. */
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

function invalid(message: string): AppError {
  return new AppError("invalid", message, { field: "checkpoint" });
}

function checkName(name: string): string {
  if (name === "" || /[\s+]/u.test(name)) throw invalid(`a key name must be non-empty, without spaces or "+": "${name}"`);
  return name;
}

export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ed25519") throw invalid(`the key is ${key.asymmetricKeyType ?? key.type}, not Ed25519`);
  const x = key.export({ format: "jwk" }).x;
  if (typeof x !== "string") throw invalid("the key has no Ed25519 public part");
  return Buffer.from(x, "base64url");
}

export function keyIdOf(name: string, publicKey: KeyObject): Buffer {
  const hash = createHash("sha256")
    .update(`${checkName(name)}\n`, "utf8")
    .update(Uint8Array.of(ED25519))
    .update(rawPublicKey(publicKey))
    .digest();
  return hash.subarray(0, 4);
}

export function vkeyOf(name: string, publicKey: KeyObject): string {
  const encoded = Buffer.concat([Uint8Array.of(ED25519), rawPublicKey(publicKey)]).toString("base64");
  return `${name}+${keyIdOf(name, publicKey).toString("hex")}+${encoded}`;
}

export function signingKey(name: string, privateKey: KeyObject): SigningKey {
  if (privateKey.type !== "private" || privateKey.asymmetricKeyType !== "ed25519") {
    throw invalid("the audit signing key must be an Ed25519 private key (PKCS#8 PEM: openssl genpkey -algorithm ed25519)");
  }
  const publicKey = createPublicKey(privateKey);
  return { name: checkName(name), privateKey, publicKey, keyId: keyIdOf(name, publicKey), vkey: vkeyOf(name, publicKey) };
}

/** A C2SP vkey string as a verifier key (its key id is checked against its name and key). */
export function parseVkey(text: string): VerifierKey {
  // The base64 key may itself contain "+": only the first two separate fields.
  const match = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  const [, name, id, encoded] = match ?? [];
  if (!name || !id || !encoded) throw invalid("a vkey reads <name>+<key id, 8 hex digits>+<base64 key>");
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length !== 33 || bytes[0] !== ED25519) throw invalid("the vkey is not an Ed25519 key");
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: bytes.subarray(1).toString("base64url") }, format: "jwk" });
  if (keyIdOf(name, publicKey).toString("hex") !== id.toLowerCase()) throw invalid("the vkey's key id does not match its name and key");
  return { name, publicKey };
}

/** A PEM file as a verifier key: an Ed25519 public key (SPKI), or a private key whose public half is used. */
export function verifierFromPem(pem: string): VerifierKey {
  let publicKey: KeyObject;
  try {
    publicKey = /PRIVATE KEY/.test(pem) ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  } catch (error) {
    throw invalid(`not a PEM key: ${error instanceof Error ? error.message : String(error)}`);
  }
  rawPublicKey(publicKey);
  return { name: undefined, publicKey };
}

export function checkpointText(checkpoint: Checkpoint): string {
  if (checkpoint.origin === "" || /[\n\r]/.test(checkpoint.origin)) throw invalid("the origin must be one non-empty line");
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${checkpoint.rootHash.toString("base64")}\n`;
}

/** Sign a note's text (which ends with a newline) with `key`: the text, a blank line, the signature line. */
export function signNote(text: string, key: SigningKey): string {
  const signature = sign(null, Buffer.from(text, "utf8"), key.privateKey);
  return `${text}\n${DASH} ${key.name} ${Buffer.concat([key.keyId, signature]).toString("base64")}\n`;
}

export function signCheckpoint(checkpoint: Checkpoint, key: SigningKey): string {
  return signNote(checkpointText(checkpoint), key);
}

/** Split a signed note into its text and signature lines (unverified). */
export function parseNote(note: string): { readonly text: string; readonly signatures: readonly NoteSignature[] } {
  const normalized = note.replace(/\r\n/g, "\n");
  const split = normalized.lastIndexOf("\n\n");
  if (split < 0) throw invalid("not a signed note: no blank line before the signatures");
  const text = normalized.slice(0, split + 1);
  const lines = normalized.slice(split + 2).split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) throw invalid("the note has no signature");
  const signatures = lines.map((line) => {
    const match = new RegExp(`^${DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line);
    if (!match) throw invalid(`not a note signature line: "${line.slice(0, 80)}"`);
    const bytes = Buffer.from(match[2] as string, "base64");
    if (bytes.length < 5) throw invalid("a note signature is too short");
    return { name: match[1] as string, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4) };
  });
  return { text, signatures };
}

export function parseCheckpointText(text: string): Checkpoint {
  const [origin, size, root] = text.split("\n");
  if (!origin || size === undefined || root === undefined) throw invalid("a checkpoint has an origin, a tree size and a root hash");
  if (!/^(0|[1-9]\d*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw invalid(`the tree size "${size}" is not a number`);
  const rootHash = Buffer.from(root, "base64");
  if (rootHash.length !== 32 || rootHash.toString("base64") !== root) throw invalid("the root hash is not 32 bytes of base64");
  return { origin, treeSize: Number(size), rootHash };
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: string;
  /** Whether a signature by `key` verified. */
  readonly signed: boolean;
  readonly why?: string;
}

/** Parse a checkpoint note and check its signature by `key` (other signers' lines are ignored). */
export function openCheckpoint(note: string, key: VerifierKey): OpenedCheckpoint {
  const { text, signatures } = parseNote(note);
  const checkpoint = parseCheckpointText(text);
  const candidates = signatures.filter(
    (s) => (key.name === undefined || s.name === key.name) && s.keyId.equals(keyIdOf(s.name, key.publicKey)),
  );
  if (candidates.length === 0) {
    return {
      checkpoint,
      note,
      signed: false,
      why: `no signature by the given key (signed by ${signatures.map((s) => s.name).join(", ")})`,
    };
  }
  const signed = candidates.some((s) => verify(null, Buffer.from(text, "utf8"), key.publicKey, s.signature));
  return signed ? { checkpoint, note, signed } : { checkpoint, note, signed, why: "the signature does not match the checkpoint" };
}

/** Read a PKCS#8 PEM Ed25519 private key (name it with signingKey once the log's origin is known). */
export async function readPrivateKeyFile(path: string): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, "utf8");
  } catch (error) {
    throw new AppError("invalid", `cannot read the audit signing key ${path}: ${(error as Error).message}`, { field: "key" });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new AppError("invalid", `${path} is not a PEM private key: ${(error as Error).message}`, { field: "key" });
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new AppError("invalid", `${path} is a ${key.asymmetricKeyType} key, not Ed25519 (openssl genpkey -algorithm ed25519)`, {
      field: "key",
    });
  }
  return key;
}

/** The key file at `path`, or a new Ed25519 key written there (mode 0600) when there is none. */
export async function ensureSigningKeyFile(path: string): Promise<{ readonly privateKey: KeyObject; readonly created: boolean }> {
  try {
    return { privateKey: createPrivateKey(await readFile(path, "utf8")), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" });
  // "wx": never overwrite a key another process wrote meanwhile; read that one instead.
  try {
    await writeFile(path, pem, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST")
      return { privateKey: createPrivateKey(await readFile(path, "utf8")), created: false };
    throw error;
  }
  return { privateKey, created: true };
}

/** The origin of a log whose operator named none: derived from the key, so stable and distinct per key. */
export function defaultOrigin(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return `onboard.audit/${createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, 16)}`;
}
