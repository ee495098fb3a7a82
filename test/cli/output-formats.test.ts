// lint --format sarif|github and diff --format markdown through main(), as CI runs them. The SARIF
// is validated against the official SARIF 2.1.0 schema (test/fixtures/sarif/README.md).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { Io } from "../../src/cli/args.ts";
import { main } from "../../src/cli/main.ts";
import { escapeData, escapeProperty } from "../../src/lint/formats/github-annotations.ts";
import { RULES } from "../../src/lint/lint.ts";
import { lineOf } from "../support/fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FAITHFUL = join(ROOT, "test", "fixtures", "faithful.yaml");
const FAITHFUL_TEXT = readFileSync(FAITHFUL, "utf8");

const ajv = new Ajv.default({ allErrors: true, strict: false });
addFormats.default(ajv);
const validSarif = ajv.compile(JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "sarif", "sarif-schema-2.1.0.json"), "utf8")));

function assertValidSarif(log: unknown): void {
  assert.ok(validSarif(log), JSON.stringify(validSarif.errors?.slice(0, 5), null, 2));
}

async function onboard(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
  const code = await main(argv, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "onboard-formats-")), name);
  writeFileSync(path, text);
  return path;
}

describe("lint --format sarif", () => {
  test("the official schema is loaded and refuses what is not SARIF", () => {
    assert.equal(validSarif({ version: "2.1.0", runs: [{ tool: { driver: {} } }] }), false, "a driver needs a name");
    assert.equal(validSarif({ version: "2.0.0", runs: [] }), false);
  });

  test("is valid SARIF 2.1.0: the tool's rules, and each finding located relative to --base", async () => {
    const { code, out } = await onboard("lint", "--strict", "--format", "sarif", "--base", ROOT, FAITHFUL);
    assert.equal(code, 1);
    const log = JSON.parse(out);
    assertValidSarif(log);
    assert.equal(log.runs.length, 1);
    const [run] = log.runs;
    assert.equal(run.tool.driver.name, "onboard");
    const rules = new Map(run.tool.driver.rules.map((r: { id: string }) => [r.id, r]));
    for (const rule of RULES) assert.ok(rules.has(rule.id), `${rule.id} is listed`);
    assert.deepEqual(rules.get("coverage/kpis"), {
      id: "coverage/kpis",
      shortDescription: { text: RULES.find((r) => r.id === "coverage/kpis")?.description },
      help: { text: "add kpis: with a metric, a target and a frequency" },
      defaultConfiguration: { level: "error" },
      properties: { kind: "quality" },
    });
    assert.equal(run.results.length, 6);
    const kpis = run.results.find((r: { ruleId: string }) => r.ruleId === "coverage/kpis");
    assert.equal(kpis.level, "error");
    assert.equal(run.tool.driver.rules[kpis.ruleIndex].id, "coverage/kpis");
    assert.deepEqual(kpis.locations[0].physicalLocation, {
      artifactLocation: { uri: "test/fixtures/faithful.yaml" },
      region: { startLine: lineOf(FAITHFUL_TEXT, "onboard: 1"), startColumn: 1 },
    });
  });

  test("in the draft profile quality rules are warnings; a file outside --base gets a file: URI; loader errors get a rule", async () => {
    const broken = tempFile("broken one.yaml", "onboard: 1\nid: [unclosed\n");
    const { code, out } = await onboard("lint", "--format", "sarif", "--base", ROOT, FAITHFUL, broken);
    assert.equal(code, 1);
    const log = JSON.parse(out);
    assertValidSarif(log);
    const [run] = log.runs;
    const level = (id: string) => run.tool.driver.rules.find((r: { id: string }) => r.id === id)?.defaultConfiguration.level;
    assert.equal(level("coverage/kpis"), "warning");
    assert.equal(level("graph/cycle"), "error");
    const loader = run.results.find((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
      r.locations[0]?.physicalLocation.artifactLocation.uri.startsWith("file:///"),
    );
    assert.ok(loader, "the temporary file is outside the base");
    assert.match(loader.locations[0].physicalLocation.artifactLocation.uri, /broken%20one\.yaml$/);
    assert.equal(loader.level, "error");
    assert.equal(run.tool.driver.rules[loader.ruleIndex].properties.kind, "loader");
  });
});

describe("lint --format github", () => {
  test("one workflow command per finding, located relative to --base, then the summary", async () => {
    const { code, out } = await onboard("lint", "--strict", "--format", "github", "--base", ROOT, FAITHFUL);
    assert.equal(code, 1);
    const lines = out.split("\n");
    assert.equal(lines.length, 7);
    assert.equal(
      lines[0],
      `::error file=test/fixtures/faithful.yaml,line=${lineOf(FAITHFUL_TEXT, "onboard: 1")},col=1,title=[coverage/exceptions]::the playbook says nothing about exceptions or escalations%0Afix: add a rule with category: exception (e.g. a delay over 2 weeks) or escalation (e.g. a step overdue)`,
    );
    assert.match(lines[6] ?? "", /^1 playbook: 6 errors/);
    const draft = await onboard("lint", "--format", "github", "--base", ROOT, FAITHFUL);
    assert.equal(draft.code, 0);
    assert.match(draft.out, /^::warning file=test\/fixtures\/faithful\.yaml,/m);
  });

  test("escapes as the runner decodes: %, CR, LF in the message; also : and , in properties", () => {
    assert.equal(escapeData("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext: a, b");
    assert.equal(escapeProperty("dir:a,b/50%.yaml"), "dir%3Aa%2Cb/50%25.yaml");
  });

  test("a file name with a comma and a colon stays one property", async () => {
    const file = tempFile("a,b:c.yaml", "onboard: 1\nid: [unclosed\n");
    const base = join(file, "..");
    const { out } = await onboard("lint", "--format", "github", "--base", base, file);
    assert.match(out, /^::error file=a%2Cb%3Ac\.yaml,line=\d+,col=\d+,title=\[source\/yaml\]::/m);
  });
});

describe("output format options", () => {
  test("--json stays an alias; two formats or an unknown one is a usage error", async () => {
    const json = await onboard("lint", "--json", FAITHFUL);
    assert.equal(JSON.parse(json.out).summary.warnings, 6);
    assert.equal((await onboard("lint", "--json", "--format", "sarif", FAITHFUL)).code, 2);
    const unknown = await onboard("lint", "--format", "xml", FAITHFUL);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /--format must be one of text, json, sarif, github, not "xml"/);
  });

  test("diff --format markdown is the pull request comment; --markdown is the same", async () => {
    const before = tempFile("before.yaml", FAITHFUL_TEXT);
    const after = tempFile(
      "after.yaml",
      FAITHFUL_TEXT.replace("title: Open the account in the core system", "title: Open the account in the new core system"),
    );
    assert.notEqual(readFileSync(after, "utf8"), FAITHFUL_TEXT, "the fixture edit applies");
    const markdown = await onboard("diff", "--format", "markdown", before, after);
    assert.equal(markdown.code, 1, markdown.err);
    assert.match(markdown.out, /^## \S+ \S+ → \S+ \S+$/m);
    assert.match(markdown.out, /^### Steps changed \(1\)$/m);
    assert.match(markdown.out, /^ {2}- title: Open the account in the core system → Open the account in the new core system$/m);
    // The same version with a change: the comment says to raise it rather than suggest an entry for the old one.
    assert.match(markdown.out, /^The new file keeps version 1\.0: raise document\.version/m);
    assert.doesNotMatch(markdown.out, /^```yaml$/m);
    assert.equal((await onboard("diff", "--markdown", before, after)).out, markdown.out);
    const raised = tempFile("raised.yaml", readFileSync(after, "utf8").replace(/^(\s+)version: "?1\.0"?$/m, '$1version: "1.1"'));
    const entry = await onboard("diff", "--format", "markdown", before, raised);
    assert.match(entry.out, /^### Revision history entry \(add it under document\.revisions\)$/m);
    assert.match(entry.out, /^- version: "1\.1"$/m);
    const json = await onboard("diff", "--format", "json", before, after);
    assert.equal(JSON.parse(json.out).changedSteps.length, 1);
  });
});
