// `onboard render` as a user runs it: a child process on Node 24, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import mammoth from "mammoth";
import { HAVE_CHROMIUM, skipWithout, UNICODE_CLIENT } from "./support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Drawn maps are kept here, not in the home folder of whoever runs the tests.
const CACHE = mkdtempSync(join(tmpdir(), "onboard-render-cache-"));

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "onboard.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ONBOARD_CACHE_DIR: CACHE },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("onboard render", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-render-"));

  test("the process map is drawn once and kept: the next render takes it from the diagram cache", (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "Chromium is not installed: maps are not drawn")) return;
    const cache = mkdtempSync(join(tmpdir(), "onboard-render-cache-"));
    const drawnFiles = () => (existsSync(join(cache, "diagrams")) ? readdirSync(join(cache, "diagrams")).sort() : []);
    const render = (...extra: string[]) => onboard("render", "playbooks/ops-sop-020.yaml", "-f", "html", ...extra);
    const none = render("--no-diagram-cache");
    assert.equal(none.code, 0, none.err);
    const first = render("--diagram-cache", cache);
    assert.equal(first.code, 0, first.err);
    assert.deepEqual(
      drawnFiles().map((f) => f.replace(/^[0-9a-f]{64}/, "KEY")),
      ["KEY.json"],
      "one map, kept as SVG (no picture: HTML needs none)",
    );
    const second = render("--diagram-cache", cache);
    assert.equal(second.code, 0, second.err);
    assert.equal(second.out, first.out, "the kept drawing gives the same document");
    assert.equal(none.out, first.out, "and so does drawing without a cache");
    assert.equal(onboard("render", "playbooks/ops-sop-020.yaml", "--no-diagram-cache", "--diagram-cache", cache).code, 2);
  });

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
