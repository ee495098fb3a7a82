// Lint profiles: the SOP quality rules are errors in "strict" (the QA checklist, CI, --strict) and
// warnings in "draft" (upload); correctness rules and the loader's findings are errors in both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { lintLoaded, QUALITY_RULES, qualityFindings, RULES } from "../../src/lint/lint.ts";
import { load, MINIMAL } from "../support/fixtures.ts";

const FAITHFUL = readFileSync(new URL("../fixtures/faithful.yaml", import.meta.url), "utf8");

function findings(text: string, profile: "strict" | "draft") {
  return lintLoaded(load(text), { profile }).diagnostics.map((d) => `${d.severity} ${d.rule} ${d.line}:${d.column}`);
}

describe("lint profiles", () => {
  test("a faithful playbook without results, KPIs, exception rules or windows: errors in strict, warnings in draft", () => {
    const strict = findings(FAITHFUL, "strict");
    const draft = findings(FAITHFUL, "draft");
    assert.deepEqual(strict.map((f) => f.split(" ")[1]).sort(), [
      "coverage/exceptions",
      "coverage/kpis",
      "step/actionable",
      "step/actionable",
      "step/timeline",
      "step/timeline",
    ]);
    assert.ok(
      strict.every((f) => f.startsWith("error ")),
      strict.join("\n"),
    );
    assert.deepEqual(
      draft,
      strict.map((f) => f.replace(/^error /, "warning ")),
    );
  });

  test("correctness stays an error in draft: a loop without exit, an unreachable step", () => {
    const noExit = MINIMAL.replace(
      "- { label: Passed, when: forms.uat_results.failed_scenarios == 0, next: continue }",
      "- { label: Passed, when: forms.uat_results.failed_scenarios == 0, next: fix_uat }",
    );
    assert.notEqual(noExit, MINIMAL);
    const draft = lintLoaded(load(noExit), { profile: "draft" }).diagnostics.filter((d) => d.severity === "error");
    assert.ok(
      draft.some((d) => d.rule === "loop/exit"),
      JSON.stringify(draft),
    );
  });

  test("the loader's findings (unknown references) are errors in draft", () => {
    const text = MINIMAL.replace("        owner: csm\n        form: uat_results", "        owner: cms\n        form: uat_results");
    const draft = lintLoaded(load(text), { profile: "draft" }).diagnostics;
    assert.ok(draft.some((d) => d.severity === "error" && d.rule === "ref/unknown-role"));
  });

  test("quality findings list what strict refuses, for the SOP's front matter", () => {
    const loaded = load(FAITHFUL);
    assert.ok(loaded.model);
    assert.deepEqual(
      qualityFindings(loaded.model)
        .map((f) => f.rule)
        .sort(),
      ["coverage/exceptions", "coverage/kpis", "step/actionable", "step/actionable", "step/timeline", "step/timeline"],
    );
    const minimal = load(MINIMAL).model;
    assert.ok(minimal);
    assert.deepEqual(qualityFindings(minimal), []);
  });

  test("the README lists every rule under the profile it belongs to", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const section = /### Lint profiles\n([\s\S]*?)\n### /.exec(readme)?.[1] ?? "";
    const quality = /Quality rules[^\n]*\n([\s\S]*?)\n\n/.exec(section)?.[1] ?? "";
    const correctness = /Correctness rules[^\n]*\n([\s\S]*?)\n\n/.exec(section)?.[1] ?? "";
    const ids = (text: string) => [...text.matchAll(/`([a-z]+\/[a-z-]+)`/g)].map((m) => m[1]).sort();
    assert.deepEqual(ids(quality), [...QUALITY_RULES].sort());
    assert.deepEqual(
      ids(correctness),
      RULES.filter((r) => r.kind === "correctness")
        .map((r) => r.id)
        .sort(),
    );
  });
});
