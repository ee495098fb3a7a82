// `onboard render` as a user runs it: a child process on Node 24, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import mammoth from "mammoth";
import { HAVE_CHROMIUM, skipWithout, UNICODE_CLIENT } from "./support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Pictures of maps are kept here, not in the home folder of whoever runs the tests.
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

  test("HTML draws its process map without Chromium", () => {
    const { code, out, err } = onboard("render", "playbooks/ops-sop-020.yaml", "-f", "html", "--chromium", "/nonexistent/chromium");
    assert.equal(code, 0, err);
    assert.match(out, /<figure class="diagram" id="process-map"[^>]*><svg [^>]*class="flowchart"/);
    assert.doesNotMatch(out, /<script/);
  });

  test("Word's picture of the map is taken once and kept: the next render takes it from the diagram cache", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "Chromium is not installed: maps are not pictured for Word")) return;
    const cache = mkdtempSync(join(tmpdir(), "onboard-render-cache-"));
    const keptFiles = () => (existsSync(join(cache, "diagrams")) ? readdirSync(join(cache, "diagrams")).sort() : []);
    const render = (output: string, ...extra: string[]) => {
      const result = onboard("render", "playbooks/ops-sop-020.yaml", "-f", "docx", "-o", join(dir, output), ...extra);
      assert.equal(result.code, 0, result.err);
      return readFileSync(join(dir, output));
    };
    /** The pictures in a Word file, as mammoth reads them. */
    const pictures = async (docx: Buffer) =>
      [...(await mammoth.convertToHtml({ buffer: docx })).value.matchAll(/<img [^>]*src="data:image\/png;base64,([^"]+)"/g)].map(
        (m) => m[1],
      );
    const none = await pictures(render("none.docx", "--no-diagram-cache"));
    assert.equal(none.length, 1, "the map is a picture");
    const first = await pictures(render("first.docx", "--diagram-cache", cache));
    const kept = keptFiles();
    assert.deepEqual(
      kept.map((f) => f.replace(/^[0-9a-f]{64}/, "KEY")),
      ["KEY.png"],
      "one picture kept",
    );
    const keptAt = statSync(join(cache, "diagrams", kept[0] ?? "")).mtimeMs;
    const second = await pictures(render("second.docx", "--diagram-cache", cache));
    assert.deepEqual(second, first, "the kept picture gives the same document");
    // With every picture kept, Word needs no browser at all: a "Chromium" that cannot start is never started.
    const withoutBrowser = await pictures(render("third.docx", "--diagram-cache", cache, "--chromium", "/bin/false"));
    assert.deepEqual(withoutBrowser, first, "written from the kept picture, Chromium never started");
    const notKept = onboard(
      "render",
      "playbooks/sop-cs-001.yaml",
      "-f",
      "docx",
      "-o",
      join(dir, "fails.docx"),
      "--diagram-cache",
      cache,
      "--chromium",
      "/bin/false",
    );
    assert.notEqual(notKept.code, 0, "a picture not kept needs the browser, which fails to start");
    assert.match(notKept.err, /Chromium at \/bin\/false could not start/);
    assert.doesNotMatch(notKept.err, /Call log|--disable-features/, "one line that says it, not Playwright's launch log");
    assert.deepEqual(none, first, "and so does picturing without a cache");
    assert.equal(statSync(join(cache, "diagrams", kept[0] ?? "")).mtimeMs, keptAt, "read, not taken again");
    assert.equal(onboard("render", "playbooks/ops-sop-020.yaml", "--no-diagram-cache", "--diagram-cache", cache).code, 2);
  });

  test("several playbooks in every format at once: one folder, a file per playbook and format, progress as it goes", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "Chromium is not installed: no PDF")) return;
    const out = join(dir, "all");
    const { code, err } = onboard("render", "playbooks/ops-sop-020.yaml", "playbooks/sop-cs-001.yaml", "-f", "all", "-o", out);
    assert.equal(code, 0, err);
    const names = ["ops-sop-020", "sop-cs-001"].flatMap((n) => ["md", "html", "docx", "pdf"].map((f) => `${n}.${f}`));
    assert.deepEqual(readdirSync(out).sort(), names.sort());
    assert.equal(err.match(/^wrote .* \(\d+\/8\)$/gm)?.length, 8, err);
    assert.match(readFileSync(join(out, "sop-cs-001.md"), "utf8"), /^# Customer Onboarding Procedure$/m);
    assert.equal(readFileSync(join(out, "ops-sop-020.pdf")).subarray(0, 5).toString(), "%PDF-");
    assert.equal(onboard("render", "playbooks/ops-sop-020.yaml", "-f", "md,odt").code, 2, "an unknown format in a list");
    assert.equal(
      onboard("render", "playbooks/ops-sop-020.yaml", "./playbooks/ops-sop-020.yaml", "-f", "md", "-o", out).code,
      2,
      "one name twice",
    );
  });

  test("a playbook with errors among several: nothing is written, exit 1", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "playbook: [unclosed\n");
    const out = join(dir, "none");
    const { code, err } = onboard("render", "playbooks/ops-sop-020.yaml", bad, "-f", "md,html", "-o", out);
    assert.equal(code, 1);
    assert.match(err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:\\d+:\\d+ error`));
    assert.equal(existsSync(out), false, "nothing written");
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
    assert.ok(err.includes(`${client}:5:18 error [client/invalid] fact "soc2_required" must be yes or no`), err);
  });

  test("usage errors exit 2", () => {
    assert.equal(onboard("render").code, 2);
    assert.equal(onboard("render", "playbooks/sop-cs-001.yaml", "--format", "odt").code, 2);
  });
});
