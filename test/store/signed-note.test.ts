// Checkpoints in the formats transparency logs use (C2SP signed-note and tlog-checkpoint), checked
// against the known answer of Go's reference implementation (golang.org/x/mod/sumdb/note).
import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EMPTY_ROOT } from "../../src/store/merkle.ts";
import {
  checkpointText,
  defaultOrigin,
  ensureSigningKeyFile,
  openCheckpoint,
  parseNote,
  parseVkey,
  readPrivateKeyFile,
  signCheckpoint,
  signingKey,
  signNote,
  verifierFromPem,
} from "../../src/store/signed-note.ts";

/** The reference's example key: PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz. */
const SEED = Buffer.from("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "base64").subarray(1);
const VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const NOTE = `${TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function peter() {
  const x = parseVkey(VKEY).publicKey.export({ format: "jwk" }).x as string;
  return signingKey(
    "PeterNeumann",
    createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: SEED.toString("base64url"), x }, format: "jwk" }),
  );
}

describe("signed notes and checkpoints", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("signing reproduces the reference implementation's note and vkey byte for byte", () => {
    const key = peter();
    assert.equal(key.vkey, VKEY);
    assert.equal(signNote(TEXT, key), NOTE);
    assert.deepEqual(
      parseNote(NOTE).signatures.map((s) => [s.name, s.keyId.toString("hex")]),
      [["PeterNeumann", "c74f20a3"]],
    );
  });

  test("a checkpoint opens with its vkey or its PEM public key, and not after any change", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const origin = defaultOrigin(publicKey);
    const key = signingKey(origin, privateKey);
    const checkpoint = { origin, treeSize: 0, rootHash: EMPTY_ROOT };
    const note = signCheckpoint(checkpoint, key);
    assert.equal(note.split("\n").slice(0, 4).join("\n"), `${origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
    assert.equal(checkpointText(checkpoint), note.slice(0, note.indexOf("\n\n") + 1));
    for (const verifier of [parseVkey(key.vkey), verifierFromPem(publicKey.export({ format: "pem", type: "spki" }).toString())]) {
      const opened = openCheckpoint(note, verifier);
      assert.equal(opened.signed, true, opened.why);
      assert.deepEqual(opened.checkpoint, checkpoint);
    }
    const other = generateKeyPairSync("ed25519");
    assert.match(openCheckpoint(note, parseVkey(signingKey(origin, other.privateKey).vkey)).why ?? "", /no signature by the given key/);
    const bigger = note.replace(`${origin}\n0\n`, `${origin}\n1\n`);
    assert.deepEqual(
      [openCheckpoint(bigger, parseVkey(key.vkey)).signed, openCheckpoint(bigger, parseVkey(key.vkey)).why],
      [false, "the signature does not match the checkpoint"],
    );
    assert.throws(() => openCheckpoint(`${origin}\nx\n\n\u2014 a AAAAAAAA\n`, parseVkey(key.vkey)), /tree size/);
    assert.throws(() => openCheckpoint("no signatures here\n", parseVkey(key.vkey)), /no blank line/);
    assert.throws(() => parseVkey(VKEY.replace("c74f20a3", "c74f20a4")), /key id does not match/);
  });

  test("a missing key file is created once, mode 0600; an existing one is read, never replaced", async () => {
    const path = join(dir, "audit-signing-key.pem");
    const first = await ensureSigningKeyFile(path);
    assert.equal(first.created, true);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const again = await ensureSigningKeyFile(path);
    assert.equal(again.created, false);
    assert.deepEqual(again.privateKey.export({ format: "jwk" }), first.privateKey.export({ format: "jwk" }));
    assert.deepEqual((await readPrivateKeyFile(path)).export({ format: "jwk" }), first.privateKey.export({ format: "jwk" }));
    assert.match(readFileSync(path, "utf8"), /BEGIN PRIVATE KEY/);
    await assert.rejects(readPrivateKeyFile(join(dir, "missing.pem")), /cannot read the audit signing key/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const rsaPath = join(dir, "rsa.pem");
    (await import("node:fs")).writeFileSync(rsaPath, rsa);
    await assert.rejects(readPrivateKeyFile(rsaPath), /not Ed25519/);
  });
});
