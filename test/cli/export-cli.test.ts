// onboard export as a user runs it: a real child process on Node 24, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { BpmnModdle } from "bpmn-moddle";
import { main } from "../../src/cli/main.ts";
import { edited, lineOf, MINIMAL } from "../support/fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "onboard.js");

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The same command in this process: quicker where no file is read or written. */
async function inProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), color: false });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("onboard export", () => {
  test("--format bpmn -o writes a BPMN file bpmn-moddle reads without a warning", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "onboard-export-")), "gitlab.bpmn");
    const { code, err } = onboard("export", "--format", "bpmn", "-o", file, "playbooks/gitlab-tam-onboarding.yaml");
    assert.equal(code, 0, err);
    assert.match(err, /wrote .*gitlab\.bpmn/);
    const xml = readFileSync(file, "utf8");
    const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
    assert.deepEqual(warnings, []);
    assert.equal(rootElement.$type, "bpmn:Definitions");
    assert.match(xml, /<bpmn:userTask id="Step_kickoff_call" name="Kickoff call">/);
  });

  test("without -o the XML goes to standard output", () => {
    const { code, out } = onboard("export", "-f", "bpmn", "playbooks/op-proc-007.yaml");
    assert.equal(code, 0);
    assert.match(out, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<bpmn:definitions /);
  });

  test("a playbook that does not load is refused with file:line:col", () => {
    const text = MINIMAL.replace(
      '        owner: csm\n        due: "{{number_of_days}}',
      '        owner: cms\n        due: "{{number_of_days}}',
    );
    const file = join(mkdtempSync(join(tmpdir(), "onboard-export-")), "misspelt.yaml");
    writeFileSync(file, text);
    const { code, out, err } = onboard("export", "--format", "bpmn", file);
    assert.equal(code, 1);
    assert.equal(out, "");
    assert.ok(err.includes(`${file}:${lineOf(text, "owner: cms")}:16 error [ref/unknown-role] unknown role "cms"`), err);
  });

  test("an unknown or missing format is a usage error naming the formats", async () => {
    const unknown = await inProcess("export", "--format", "svg", "playbooks/op-proc-007.yaml");
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--format must be one of bpmn, not "svg"/);
    const missing = await inProcess("export", "playbooks/op-proc-007.yaml");
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--format bpmn/);
  });

  test("--help says what the export holds", async () => {
    const { code, out } = await inProcess("export", "--help");
    assert.equal(code, 0);
    assert.match(out, /^Usage: onboard export --format bpmn \[-o file\] <playbook>/);
    assert.match(out, /lane\s+per role/);
    assert.match((await inProcess("--help")).out, /export\s+export a playbook/);
  });

  test("a criterion BPMN engines cannot run is kept as CEL, with a warning", async () => {
    const text = edited([
      [["facts", "region"], { type: "string", label: "Region" }],
      [["phases", 0, "steps", 1, "when"], 'facts.region.matches("^EU")'],
    ]);
    const file = join(mkdtempSync(join(tmpdir(), "onboard-export-")), "regex.yaml");
    writeFileSync(file, text);
    const { code, out, err } = await inProcess("export", "--format", "bpmn", file);
    assert.equal(code, 0, err);
    assert.match(err, /warning \[export\/condition\] "facts\.region\.matches\("\^EU"\)" is kept as CEL text/);
    assert.match(out, /language="https:\/\/github\.com\/google\/cel-spec">facts\.region\.matches/);
  });
});
