// The onboard command as a user runs it: a real child process on Node 24, real files, exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { lineOf, MINIMAL } from "../support/fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "onboard.js");

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "onboard-cli-")), name);
  writeFileSync(path, text);
  return path;
}

describe("onboard CLI", () => {
  test("the command list, loaded lazily, names each command with its own summary", async () => {
    const { COMMANDS } = await import("../../src/cli/main.ts");
    for (const listed of COMMANDS) {
      const command = await listed.load();
      assert.equal(command.name, listed.name);
      assert.equal(command.summary, listed.summary, `${listed.name}: the list's summary is the command's own`);
    }
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  });

  // The five seed playbooks are complete SOPs and pass the SOP QA checklist; the three real
  // procedures (fin-proc-001, gitlab-tam-onboarding, op-proc-007) are faithful encodings of public
  // texts that lack expected results, KPIs or deadlines, which the draft profile allows.
  const SEEDS = ["customer-onboarding-gdpr", "onb-001", "ops-client-onboarding-template", "ops-sop-020", "sop-cs-001"];
  const REAL = ["fin-proc-001", "gitlab-tam-onboarding", "op-proc-007"];

  test("lint --strict exits 0 with zero errors for every seed playbook", () => {
    const { code, out } = onboard("lint", "--strict", ...SEEDS.map((s) => `playbooks/${s}.yaml`));
    assert.equal(code, 0, out);
    assert.match(out, /5 playbooks: 0 errors.*\(strict profile\)/);
  });

  test("lint playbooks/ (draft) exits 0 with zero errors for every built-in playbook, the real procedures included", () => {
    const { code, out } = onboard("lint", "playbooks/");
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`${SEEDS.length + REAL.length} playbooks: 0 errors.*\\(draft profile\\)`));
  });

  test("a faithful playbook without results, KPIs or windows passes lint (draft) and fails --strict at each finding", () => {
    const file = join(ROOT, "test", "fixtures", "faithful.yaml");
    const text = readFileSync(file, "utf8");
    const draft = onboard("lint", "test/fixtures/faithful.yaml");
    assert.equal(draft.code, 0, draft.out);
    assert.match(draft.out, /0 errors, 6 warnings, 0 notes \(draft profile\)/);
    const strict = onboard("lint", "--strict", "test/fixtures/faithful.yaml");
    assert.equal(strict.code, 1, strict.out);
    const at = (needle: string, column: number) => `test/fixtures/faithful.yaml:${lineOf(text, needle)}:${column}`;
    for (const expected of [
      `${at("onboard: 1", 1)} error [coverage/exceptions]`,
      `${at("onboard: 1", 1)} error [coverage/kpis]`,
      `${at("id: collect_forms", 13)} error [step/actionable]`,
      `${at("id: collect_forms", 13)} error [step/timeline]`,
      `${at("id: open_account", 13)} error [step/actionable]`,
      `${at("id: open_account", 13)} error [step/timeline]`,
    ])
      assert.ok(strict.out.includes(expected), `${expected}\n${strict.out}`);
    assert.match(strict.out, /6 errors, 0 warnings, 0 notes \(strict profile\)/);
  });

  test("a misspelt role fails with file:line:col and a suggestion", () => {
    const text = MINIMAL.replace(
      '        owner: csm\n        due: "{{number_of_days}}',
      '        owner: cms\n        due: "{{number_of_days}}',
    );
    const file = tempFile("misspelt.yaml", text);
    const { code, out } = onboard("lint", file);
    assert.equal(code, 1);
    assert.ok(out.includes(`${file}:${lineOf(text, "owner: cms")}:16 error [ref/unknown-role] unknown role "cms"`), out);
    assert.match(out, /did you mean "csm"\?/);
  });

  test("--json prints findings a program can read", () => {
    const file = tempFile("broken.yaml", MINIMAL.replace("due: Day 40", "due: Day 60"));
    const { code, out } = onboard("lint", "--json", "--strict", file);
    assert.equal(code, 1);
    const report = JSON.parse(out) as {
      summary: { errors: number };
      diagnostics: { rule: string; line: number; column: number; severity: string }[];
    };
    assert.equal(report.summary.errors, 1);
    assert.equal(report.diagnostics[0]?.rule, "schedule/deadline-in-window");
    assert.equal(report.diagnostics[0]?.line, lineOf(MINIMAL, "due: Day 40"));
  });

  test("warnings alone do not fail; --quiet hides them", () => {
    const file = tempFile("warn.yaml", MINIMAL.replace("roles:\n", "roles:\n  finance: { title: Finance, side: internal }\n"));
    const loud = onboard("lint", file);
    assert.equal(loud.code, 0);
    assert.match(loud.out, /warning \[coverage\/unused\]/);
    assert.doesNotMatch(onboard("lint", "--quiet", file).out, /warning \[/);
  });

  test("validate loads without the quality rules", () => {
    const ok = onboard("validate", "playbooks/");
    assert.equal(ok.code, 0, ok.out + ok.err);
    // A line for each built-in playbook.
    const builtIns = readdirSync(new URL("../../playbooks/", import.meta.url)).filter((f) => f.endsWith(".yaml")).length;
    assert.equal(ok.out.trim().split("\n").length, builtIns);
    const bad = onboard("validate", tempFile("bad.yaml", "onboard: 2\n"));
    assert.equal(bad.code, 1);
  });

  test("schema prints the JSON Schema; -o writes it", () => {
    const { code, out } = onboard("schema");
    assert.equal(code, 0);
    assert.equal((JSON.parse(out) as { $schema: string }).$schema, "https://json-schema.org/draft/2020-12/schema");
    const target = join(mkdtempSync(join(tmpdir(), "onboard-schema-")), "s.json");
    assert.equal(onboard("schema", "-o", target).code, 0);
    assert.deepEqual(JSON.parse(readFileSync(target, "utf8")), JSON.parse(out));
  });

  test("every command has --help; usage errors exit 2", () => {
    for (const command of ["lint", "validate", "schema"]) {
      const { code, out } = onboard(command, "--help");
      assert.equal(code, 0, command);
      assert.match(out, new RegExp(`Usage: onboard ${command}`));
    }
    assert.equal(onboard("--help").code, 0);
    assert.equal(onboard().code, 2);
    assert.equal(onboard("frobnicate").code, 2);
    assert.equal(onboard("lint").code, 2);
    assert.equal(onboard("lint", "--no-such-flag", "playbooks").code, 2);
  });

  test("a worker needs PostgreSQL: on the embedded database it says to set DATABASE_URL, and exits 2", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "onboard-worker-"));
    const { DATABASE_URL: _url, ...env } = process.env;
    const result = spawnSync(process.execPath, [BIN, "worker"], { cwd: ROOT, encoding: "utf8", env: { ...env, DATA_DIR: dataDir } });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /onboard worker: a worker shares its database .* set DATABASE_URL=postgres/);
    assert.deepEqual(readdirSync(dataDir), [], "nothing was created in the folder");
    const help = onboard("worker", "--help");
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: onboard worker[\s\S]*DATABASE_URL/);
  });

  test("a missing file is an error, not a crash", () => {
    const { code, out } = onboard("lint", "does/not/exist.yaml");
    assert.equal(code, 1);
    assert.match(out, /does\/not\/exist.yaml:1:1 error \[source\/read\]/);
  });
});
