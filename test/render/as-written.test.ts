// What real procedures write that the language now keeps (issue 22, item 12): approximations
// ("~14 days") printed as written while the engine plans with the number, and several
// deliverables from one step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDeadline } from "../../src/playbook/time-expressions.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

test("an approximate duration keeps its wording and its number", () => {
  for (const [written, prefix] of [
    ["~14 days", "~"],
    ["about 2 weeks after start", "about"],
    ["approx. 3 business days", "approx."],
    ["within roughly 10 days", "roughly"],
  ] as const) {
    const parsed = parseDeadline(written);
    assert.ok(parsed.ok && parsed.value.kind === "offset", written);
    assert.equal(parsed.value.duration.approximate, prefix);
    assert.ok(parsed.value.duration.amount.kind === "literal" && parsed.value.duration.amount.value > 0);
  }
  const exact = parseDeadline("14 days");
  assert.ok(exact.ok && exact.value.kind === "offset" && exact.value.duration.approximate === undefined);
});

test("the SOP prints the approximation; the engine sets the same deadline as the exact number", () => {
  const approximate = modelOf(edited([[["phases", 0, "steps", 0, "due"], "~3 business days after start"]]));
  const exact = modelOf(edited([[["phases", 0, "steps", 0, "due"], "3 business days after start"]]));
  assert.match(writeMarkdown(buildSop(approximate)), /\*\*Deadline:\*\* within ~3 business days of the start/);
  const now = "2026-03-02T14:00:00.000Z";
  const a = new Run(approximate, now).state.steps.handoff?.dueAt;
  const b = new Run(exact, now).state.steps.handoff?.dueAt;
  assert.ok(a !== undefined);
  assert.equal(a, b);
});

test("a step with several deliverables lists each, in the step, the deliverables table and the job aid", () => {
  const model = modelOf(
    edited([
      [
        ["phases", 0, "steps", 0, "deliverables"],
        [
          { title: "Signed statement of work", location: "Contract folder" },
          { title: "Stakeholder map", template: "TPL-STAKEHOLDERS" },
        ],
      ],
      [["phases", 0, "steps", 0, "expected_result"], undefined],
      [["templates"], { "TPL-STAKEHOLDERS": { title: "Stakeholder map template", kind: "document" } }],
    ]),
  );
  const md = writeMarkdown(buildSop(model));
  assert.match(
    md,
    /\*\*Deliverables:\*\*\n\n- Signed statement of work — filed in Contract folder\n- Stakeholder map — use template `TPL-STAKEHOLDERS` \(Stakeholder map template\)/,
  );
  assert.match(md, /\| Signed statement of work \| 6\.1 \|/);
  assert.match(md, /\| Stakeholder map \| 6\.1 \|/);
  assert.match(md, /\*\*Done when:\*\* Signed statement of work and Stakeholder map are delivered\./);
});

test("a required keyword left out is named as missing, not as the value undefined", () => {
  assert.throws(
    () => modelOf(edited([[["templates"], { "TPL-X": { title: "X" } }]])),
    (error: Error) =>
      /\\"kind\\" is required/.test(error.message) &&
      /add \\"kind:\\" with one of: email, document/.test(error.message) &&
      !/undefined/.test(error.message),
  );
});
