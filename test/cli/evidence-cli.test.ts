// onboard evidence <project> and onboard evidence verify as an operator and an auditor run them: real
// child processes on a data folder (the embedded PostgreSQL server's) with the key the server makes in it; the auditor holds
// only the public key (as a vkey or a PEM file). Any package kind's manifest verifies; an evidence
// package's chain and proofs too; a changed byte exits 1 naming the file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { unzipSync, zipSync } from "fflate";
import { writePackage } from "../../src/compliance/package.ts";
import { openDatabase } from "../../src/store/database.ts";
import { defaultOrigin, ensureSigningKeyFile, signingKey } from "../../src/store/signed-note.ts";
import { CLIENT, hoursAfter, OPS, startInput, T0, withMinimal } from "../store/support/world.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "onboard.js");

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("onboard evidence on a data folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-evidence-cli-"));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const file = (name: string) => join(dir, name);
  let vkey = "";
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      const { service, playbook } = await withMinimal(database);
      await service.startProject({ playbook, input: startInput("cli-ev"), now: T0 });
      await service.runCommand("cli-ev", { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
      await service.runCommand("cli-ev", {
        command: { type: "approve", step: "kickoff_call", role: "client_primary" },
        actor: { ...CLIENT, authentication: { method: "magic_link", detail: "pat@globex.example" } },
        now: hoursAfter(2),
      });
    } finally {
      await database.close();
    }
    const { privateKey } = await ensureSigningKeyFile(join(data, "audit-signing-key.pem"));
    vkey = signingKey(defaultOrigin(privateKey), privateKey).vkey;
    writeFileSync(file("audit.pub.pem"), createPublicKey(privateKey).export({ format: "pem", type: "spki" }).toString());
  });

  test("the operator writes the package; the auditor verifies it with the vkey or the public key file", () => {
    const made = onboard("evidence", "cli-ev", "--database", data, "--out", file("pkg.zip"));
    assert.equal(made.code, 0, made.err);
    assert.match(made.out, /the evidence package of cli-ev \(Globex\), \d+ events/);
    assert.match(made.out, new RegExp(`onboard evidence verify .*pkg\\.zip --vkey ${vkey.replaceAll("+", "\\+")}`));
    const summary = JSON.parse(Buffer.from(unzipSync(readFileSync(file("pkg.zip")))["summary.json"] as Uint8Array).toString());
    assert.equal(summary.approvals[0].authenticatedBy, "magic link to pat@globex.example");
    if (summary.rendering.summary === "html") assert.match(made.out, /note: .*HTML/);

    for (const key of [
      ["--vkey", vkey],
      ["--key-file", file("audit.pub.pem")],
    ]) {
      const verified = onboard("evidence", "verify", file("pkg.zip"), ...key);
      assert.equal(verified.code, 0, verified.out + verified.err);
      for (const name of ["manifest", "events", "checkpoint", "inclusion", "chain", "summary"])
        assert.match(verified.out, new RegExp(`^ok +${name} `, "m"));
      assert.match(verified.out, /the package is intact/);
    }
  });

  test("one changed byte exits 1 naming the file; usage errors exit 2", () => {
    const entries = unzipSync(readFileSync(file("pkg.zip")));
    const events = Uint8Array.from(entries["events.jsonl"] as Uint8Array);
    events[10] = (events[10] as number) ^ 0x01;
    writeFileSync(file("changed.zip"), zipSync({ ...entries, "events.jsonl": events }));
    const changed = onboard("evidence", "verify", file("changed.zip"), "--vkey", vkey);
    assert.equal(changed.code, 1);
    assert.match(changed.out, /^FAIL manifest +events\.jsonl does not match its SHA-256/m);
    assert.match(changed.out, /does NOT verify/);
    assert.equal(onboard("evidence", "verify", file("pkg.zip")).code, 2, "a key is required");
    assert.equal(onboard("evidence", "verify", "--vkey", vkey).code, 2, "a package is required");
    assert.equal(onboard("evidence", "nope", "--database", data).code, 1, "an unknown project");
  });

  test("any kind of package's manifest verifies (a period report), with no evidence checks", async () => {
    const { privateKey } = await ensureSigningKeyFile(join(data, "audit-signing-key.pem"));
    const report = writePackage(
      { kind: "period-report", subject: "2026-Q1", createdAt: T0 },
      [{ path: "report.json", bytes: Buffer.from("{}\n") }],
      signingKey(defaultOrigin(privateKey), privateKey),
    );
    writeFileSync(file("report.zip"), report);
    const verified = onboard("evidence", "verify", file("report.zip"), "--vkey", vkey);
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /package: period-report of 2026-Q1/);
    assert.doesNotMatch(verified.out, /inclusion/);
  });
});
