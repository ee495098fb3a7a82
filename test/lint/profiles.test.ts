// Lint profiles: the SOP quality rules are errors in "strict" (the QA checklist, CI, --strict) and
// warnings in "draft" (upload); correctness rules and the loader's findings are errors in both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { lintLoaded, QUALITY_RULES, qualityFindings, RULES } from "../../src/lint/lint.ts";
import { re2Problem } from "../../src/playbook/regex-dialect.ts";
import { edited, load, MINIMAL } from "../support/fixtures.ts";

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

  test("property: draft and strict report the same findings; draft only turns quality errors into warnings", () => {
    type Edit = [(string | number)[], unknown];
    const EDITS: Edit[] = [
      [["phases", 0, "steps", 0, "expected_result"], undefined],
      [["phases", 1, "steps", 0, "expected_result"], undefined],
      [["phases", 1, "steps", 3, "due"], undefined],
      [["phases", 0, "window"], undefined],
      [["phases", 1, "window"], undefined],
      [["kpis"], undefined],
      [["rules"], undefined],
      [["phases", 1, "steps", 3, "due"], "Day 90"],
      [["phases", 0, "steps", 0, "handoff", "to"], "ae"],
      [["phases", 0, "steps", 1, "visible_to_client"], false],
      [["phases", 1, "steps", 2, "next"], "go_live"],
      [["phases", 0, "steps", 0, "owner"], "cms"],
      [["roles", "finance"], { title: "Finance", side: "internal" }],
      [["document", "review"], "2025-01-01"],
    ];
    const byRule = new Map(RULES.map((r) => [r.id, r]));
    fc.assert(
      fc.property(fc.subarray(EDITS), (edits) => {
        const loaded = load(edited(edits));
        const strict = lintLoaded(loaded, { profile: "strict" }).diagnostics;
        const draft = lintLoaded(loaded, { profile: "draft" }).diagnostics;
        assert.equal(draft.length, strict.length);
        strict.forEach((s, i) => {
          const d = draft[i];
          assert.ok(d);
          assert.deepEqual({ ...d, severity: s.severity }, s);
          const quality = byRule.get(s.rule)?.kind === "quality";
          assert.equal(d.severity, quality && s.severity === "error" ? "warning" : s.severity, `${s.rule} ${s.message}`);
        });
      }),
      { numRuns: 60 },
    );
  });

  test("property: a pattern re2Problem accepts is a valid regular expression here, and it never throws", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z()[\]{}?*+|^$\\.:=!<>PkAzQ0-9-]{0,12}$/), (pattern) => {
        const problem = re2Problem(pattern);
        if (problem === undefined) assert.doesNotThrow(() => new RegExp(pattern), pattern);
        else assert.ok(problem.index >= 0 && problem.index <= pattern.length);
      }),
      { numRuns: 2000 },
    );
  });
});
