// `onboard render` as a user runs it: a child process on Node 24, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import mammoth from "mammoth";
import { UNICODE_CLIENT } from "./support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "onboard.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("onboard render", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-render-"));

  test("Markdown to standard output", () => {
    const { code, out } = onboard("render", "playbooks/sop-cs-001.yaml", "--format", "md");
    assert.equal(code, 0);
    assert.match(out, /^# Customer Onboarding Procedure$/m);
    assert.match(out, /^#### 6\.1 Complete the Customer Handoff Form in Salesforce$/m);
  });

  test("a client edition in Word, with the client's names", async () => {
    const client = join(dir, "client.yaml");
    writeFileSync(client, UNICODE_CLIENT);
    const output = join(dir, "sop.docx");
    const { code, err } = onboard("render", "playbooks/sop-cs-001.yaml", "-f", "docx", "--client", client, "-o", output);
    assert.equal(code, 0, err);
    const { value } = await mammoth.extractRawText({ buffer: readFileSync(output) });
    assert.match(value, /Client edition for 株式会社テスト 🟢/);
    assert.match(value, /SOC 2 Compliance Addendum/);
  });

  test("client file errors are file:line:col, exit 1", () => {
    const client = join(dir, "bad.yaml");
    writeFileSync(client, "client:\n  name: X\n  time_zone: Europe/Paris\nfacts:\n  soc2_required: maybe\n");
    const { code, err } = onboard("render", "playbooks/sop-cs-001.yaml", "--client", client);
    assert.equal(code, 1);
    assert.ok(err.includes(`${client}:5:18 error [client/invalid] fact "soc2_required" must be a bool`), err);
  });

  test("usage errors exit 2", () => {
    assert.equal(onboard("render").code, 2);
    assert.equal(onboard("render", "playbooks/sop-cs-001.yaml", "--format", "odt").code, 2);
  });
});
