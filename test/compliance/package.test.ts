import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { unzipSync, zipSync } from "fflate";
import { MANIFEST_FILE, openPackage, writePackage } from "../../src/compliance/package.ts";
import { parseVkey, signingKey } from "../../src/store/signed-note.ts";

const key = signingKey("onboard.test/evidence", generateKeyPairSync("ed25519").privateKey);
const other = signingKey("onboard.test/evidence", generateKeyPairSync("ed25519").privateKey);
const header = { kind: "evidence", subject: "prj_1", createdAt: "2026-12-07T10:00:00.000Z" };
const files = [
  { path: "summary.json", bytes: Buffer.from('{"client":"Acme"}\n') },
  { path: "events/events.jsonl", bytes: Buffer.from('{"seq":1}\n{"seq":2}\n') },
  { path: "summary.pdf", bytes: Buffer.from("%PDF-1.7 not really") },
];

test("a package opens intact with the operator's public key (a vkey), and the same input is the same bytes", () => {
  const zip = writePackage(header, files, key);
  const opened = openPackage(zip, parseVkey(key.vkey));
  assert.deepEqual(opened.problems, []);
  assert.equal(opened.intact, true);
  assert.deepEqual(opened.header, header);
  assert.equal(Buffer.from(opened.files.get("summary.json") ?? []).toString(), '{"client":"Acme"}\n');
  assert.deepEqual(writePackage(header, files, key), zip);
});

test("another key, a changed file, a removed file or an added file is detected", () => {
  const zip = writePackage(header, files, key);
  assert.equal(openPackage(zip, parseVkey(other.vkey)).problems[0]?.kind, "signature");
  const entries = unzipSync(zip);
  const rezip = (change: (e: Record<string, Uint8Array>) => void) => {
    const copy = { ...entries };
    change(copy);
    return openPackage(zipSync(copy), parseVkey(key.vkey));
  };
  const altered = rezip((e) => {
    e["summary.json"] = Buffer.from('{"client":"Acmf"}\n');
  });
  assert.deepEqual(
    altered.problems.map((p) => [p.kind, p.path]),
    [["altered", "summary.json"]],
  );
  assert.equal(rezip((e) => delete e["events/events.jsonl"]).problems[0]?.kind, "missing");
  assert.equal(
    rezip((e) => {
      e["extra.txt"] = Buffer.from("x");
    }).problems[0]?.kind,
    "extra",
  );
  const forgedManifest = rezip((e) => {
    e[MANIFEST_FILE] = Buffer.from(
      Buffer.from(e[MANIFEST_FILE] as Uint8Array)
        .toString()
        .replace("prj_1", "prj_2"),
    );
  });
  assert.equal(forgedManifest.intact, false);
  assert.equal(openPackage(Buffer.from("not a zip"), parseVkey(key.vkey)).problems[0]?.kind, "format");
});

test("flipping any byte of the archive never opens intact with different contents", () => {
  const zip = writePackage(header, files, key);
  const original = openPackage(zip, parseVkey(key.vkey)).files;
  fc.assert(
    fc.property(fc.nat({ max: zip.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const changed = Uint8Array.from(zip);
      changed[at] = (changed[at] as number) ^ xor;
      const opened = openPackage(changed, parseVkey(key.vkey));
      if (!opened.intact) return;
      // Some bytes (ZIP header fields no one reads) change nothing: then the contents must be the same.
      assert.deepEqual([...opened.files.keys()].sort(), [...original.keys()].sort());
      for (const [path, bytes] of original) assert.deepEqual(opened.files.get(path), bytes, `${path} changed at byte ${at}`);
    }),
    { numRuns: 400 },
  );
});

test("the manifest's lines are sha256sum lines: the files check with standard tools", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-package-"));
  const zip = writePackage(header, files, key);
  const opened = openPackage(zip, parseVkey(key.vkey));
  const note = Buffer.from(unzipSync(zip)[MANIFEST_FILE] as Uint8Array).toString();
  const sums = note
    .split("\n")
    .filter((line) => /^[0-9a-f]{64} {2}/.test(line))
    .join("\n");
  for (const [path, bytes] of opened.files) {
    execFileSync("mkdir", ["-p", join(dir, path, "..")]);
    writeFileSync(join(dir, path), bytes);
  }
  writeFileSync(join(dir, "SHA256SUMS"), `${sums}\n`);
  const out = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
  assert.equal(out.trim().split("\n").length, 3);
  assert.match(out, /summary\.json: OK/);
});
