// Per-occurrence steps (issue 22, item 6): each client issue a rule opens a step for is handled on
// its own; a second one while the first is open is added, never lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const csm = person("csm");

const ISSUES = edited([
  [
    ["phases", 1, "steps", 4],
    {
      id: "handle_issue",
      title: "Handle a client issue",
      owner: "csm",
      on_demand: true,
      per_occurrence: true,
      due: "2 business days",
      checklist: ["Root cause recorded"],
      expected_result: "The issue is resolved with the client.",
    },
  ],
  [
    ["rules", 1],
    {
      id: "issue_step",
      title: "Work each client issue",
      category: "automation",
      on: "issue.opened",
      actions: [{ activate: { step: "handle_issue" } }],
    },
  ],
]);

test("two issues while the step is open are two occurrences, each completed on its own", () => {
  const run = new Run(modelOf(ISSUES), START);
  run.send({ type: "open_issue", severity: "major", title: "SSO login fails" }, csm, START);
  assert.equal(run.state.steps.handle_issue?.status, "open");
  run.send({ type: "open_issue", severity: "minor", title: "Report export is slow" }, csm, "2026-03-06T16:00:00.000Z");
  const step = run.state.steps.handle_issue;
  const items = Object.keys(step?.items ?? {});
  assert.equal(items.length, 2, "the second issue is not dropped");
  assert.deepEqual(
    items.map((i) => step?.itemLabels?.[i]),
    ["SSO login fails", "Report export is slow"],
  );
  const [first, second] = items as [string, string];
  run.send({ type: "tick_checklist", step: "handle_issue", item: "1", checked: true, for: first }, csm, "2026-03-07T15:00:00.000Z");
  run.send({ type: "complete_step", step: "handle_issue", item: first }, csm, "2026-03-07T15:00:00.000Z");
  assert.equal(run.state.steps.handle_issue?.status, "open", "one occurrence is still open");
  assert.throws(
    () => run.send({ type: "complete_step", step: "handle_issue", item: second }, csm, "2026-03-07T16:00:00.000Z"),
    /Root cause recorded|not ticked/,
  );
  run.send({ type: "tick_checklist", step: "handle_issue", item: "1", checked: true, for: second }, csm, "2026-03-07T16:00:00.000Z");
  run.send({ type: "complete_step", step: "handle_issue", item: second }, csm, "2026-03-07T16:00:00.000Z");
  assert.equal(run.state.steps.handle_issue?.status, "done");
  // A later issue opens the step again, as a third occurrence.
  run.send({ type: "open_issue", severity: "minor", title: "Wrong logo" }, csm, "2026-03-09T15:00:00.000Z");
  const again = run.state.steps.handle_issue;
  assert.equal(again?.status, "open");
  const open = Object.entries(again?.items ?? {}).filter(([, at]) => at === null);
  assert.deepEqual(
    open.map(([i]) => again?.itemLabels?.[i]),
    ["Wrong logo"],
  );
  assert.ok(run.events.some((e) => e.type === "occurrence.added" && e.label === "Report export is slow"));
});

test("a step that runs once in the flow cannot be per occurrence, and the SOP says how occurrences are handled", () => {
  assert.throws(() => modelOf(edited([[["phases", 0, "steps", 0, "per_occurrence"], true]])), /no occurrences[\s\S]*on_demand: true/);
  assert.match(writeMarkdown(buildSop(modelOf(ISSUES))), /Each occurrence is handled on its own, with its own record/);
});
