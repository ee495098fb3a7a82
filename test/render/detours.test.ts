// Detours and side branches that do not return, in the formal SOP: the decision's text says where
// the flow goes and that it carries on after the decision, and the map connects them back.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { diffPlaybooks, diffText } from "../../src/render/diff.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const DETOUR = edited([
  [["phases", 1, "steps", 1, "decision", "branches", 1], { label: "Failed", otherwise: true, detour: ["fix_uat"], next: "continue" }],
  [["phases", 1, "steps", 2, "next"], undefined],
]);

describe("detours in the SOP", () => {
  test("the decision says: do the detour, then proceed after the decision; the step says who opens it and where it leads", () => {
    const md = writeMarkdown(buildSop(modelOf(DETOUR)));
    assert.match(md, /\*\*THEN\*\* do 6\.4\.1 \(Fix failed scenarios\), then proceed to 6\.5 \(Go live\) without deciding again/);
    assert.match(
      md,
      /Opened only when needed:\*\* as a detour by the decision in 6\.4 \(User acceptance testing\)\. When done, carry on after 6\.4/,
    );
  });

  test("the job aid says it in short, and a revision's diff shows a detour added", () => {
    const md = writeMarkdown(buildSop(modelOf(DETOUR)));
    assert.match(md, /\*\*OTHERWISE\*\* Failed → do 6\.4\.1, then go on to 6\.5/);
    assert.match(diffText(diffPlaybooks(modelOf(MINIMAL), modelOf(DETOUR))), /fix_uat, then continue/);
  });

  test("the map draws the detour from the decision and back to the step after it", () => {
    const md = writeMarkdown(buildSop(modelOf(DETOUR)));
    assert.match(md, /d_uat -->\|"Failed"\| s_fix_uat/);
    assert.match(md, /s_fix_uat -->\|"then carry on"\| s_go_live/);
    // The arrow from the decision to the next step carries only the branch that goes there directly.
    assert.match(md, /d_uat -->\|"Passed"\| s_go_live/);
  });

  test("a branch to an on-demand step with no way back reads and draws the same way", () => {
    const oneWay = edited([[["phases", 1, "steps", 2, "next"], undefined]]);
    const md = writeMarkdown(buildSop(modelOf(oneWay)));
    assert.match(md, /\*\*THEN\*\* do 6\.4\.1 \(Fix failed scenarios\), then proceed to 6\.5 \(Go live\)/);
    assert.match(md, /s_fix_uat -->\|"then carry on"\| s_go_live/);
  });

  test("a decision that opens a step by an action draws a dashed arrow to it and names itself as the opener", () => {
    const activating = edited([
      [
        ["phases", 1, "steps", 1, "decision", "branches", 1],
        { label: "Failed", otherwise: true, actions: [{ activate: { step: "fix_uat" } }], next: "continue" },
      ],
      [["phases", 1, "steps", 2, "next"], undefined],
    ]);
    const md = writeMarkdown(buildSop(modelOf(activating)));
    assert.match(md, /Opened only when needed:\*\* by the decision in 6\.4 \(User acceptance testing\)\./);
    assert.match(md, /d_uat -\.->\|"Failed"\| s_fix_uat/);
  });
});

describe("branch labels on the map", () => {
  test("two branches that both carry on get an arrow each, with their whole labels (they were merged and cut off)", () => {
    const long = "Failed scenarios accepted by the client sponsor as known issues for the first release";
    const source = edited([
      [["phases", 1, "steps", 1, "decision", "branches", 0, "label"], "Passed: every scenario of the test plan ran without a defect"],
      [["phases", 1, "steps", 1, "decision", "branches", 1], { label: long, otherwise: true, next: "continue" }],
    ]);
    const md = writeMarkdown(buildSop(modelOf(source)));
    assert.match(md, /d_uat -->\|"Passed: every scenario of the test plan ran without a defect"\| s_go_live/);
    assert.match(md, new RegExp(`d_uat -->\\|"${long}"\\| s_go_live`));
    assert.doesNotMatch(md, /d_uat -->\|"[^"]* \/ [^"]*"\|/);
  });
});
