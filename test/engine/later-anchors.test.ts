// Deadlines that count back from something later (issue 22, item 3): "1 business day before the
// kickoff call" was never set, though the SOP printed it; a date answered during the run ("the
// agreed go-live date") could not be an anchor at all.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York
const csm = person("csm");
const ae = person("ae");

const PREP = edited([
  [
    ["phases", 0, "steps", 2],
    {
      id: "prepare_kickoff",
      title: "Prepare the kickoff deck",
      owner: "csm",
      after: ["handoff"],
      due: "1 business day before kickoff_call",
      expected_result: "Deck ready.",
    },
  ],
  [["phases", 0, "steps", 1, "after"], ["handoff"]],
  [
    ["phases", 1, "steps", 0, "after"],
    ["kickoff_call", "prepare_kickoff"],
  ],
]);

test("a deadline before a later step counts back from that step's deadline, and follows it when it moves", () => {
  const run = new Run(modelOf(PREP), START);
  run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
  const kickoff = run.state.steps.kickoff_call?.dueAt;
  const prep = run.state.steps.prepare_kickoff?.dueAt;
  assert.ok(kickoff, "the kickoff call has its deadline");
  assert.ok(prep, "the preparation has a deadline (it had none)");
  assert.ok(prep < kickoff);
  // One business day earlier: Mon–Fri 09:00–17:00 in New York.
  assert.equal(new Date(Date.parse(kickoff) - Date.parse(prep)).getTime() % 86_400_000, 0);
  const later = new Date(Date.parse(kickoff) + 7 * 86_400_000).toISOString();
  const events = run.send(
    { type: "extend_deadline", step: "kickoff_call", until: later, reason: "Sponsor travelling" },
    MANAGER,
    "2026-03-07T15:00:00.000Z",
  );
  const planned = events.find((e) => e.type === "deadline.planned");
  assert.ok(planned && planned.type === "deadline.planned" && planned.step === "prepare_kickoff");
  assert.ok((run.state.steps.prepare_kickoff?.dueAt ?? "") > prep, "the preparation's deadline moved with the kickoff's");
  assert.match(
    writeMarkdown(buildSop(modelOf(PREP))),
    /1 business day before the completion of 6\.\d \(Kickoff call\) \(its deadline, until it is done\)/,
  );
});

const AGREED = edited([
  [
    ["forms", "plan"],
    { title: "Go-live plan", fields: { agreed_go_live: { label: "Agreed go-live date", type: "date", required: true } } },
  ],
  [["phases", 0, "steps", 1, "form"], "plan"],
  [["phases", 1, "steps", 1, "due"], "2 days before forms.plan.agreed_go_live"],
]);

test("a deadline before a date answered in a form is set when the answer comes, in the client's zone, and moves with it", () => {
  const run = new Run(modelOf(AGREED), START, { facts: { data_migration: false } });
  run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
  run.send({ type: "submit_form", step: "kickoff_call", values: { agreed_go_live: "2026-04-20" } }, csm, "2026-03-09T15:00:00.000Z");
  run.send(
    { type: "approve", step: "kickoff_call", role: "client_primary" },
    person("client_primary", "contact"),
    "2026-03-09T15:10:00.000Z",
  );
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
  // Midnight of 18 April in New York is 04:00 UTC (daylight time).
  assert.equal(run.state.steps.uat?.dueAt, "2026-04-18T04:00:00.000Z");
  run.send({ type: "reopen_step", step: "kickoff_call", reason: "New date" }, MANAGER, "2026-03-10T15:00:00.000Z");
  run.send({ type: "submit_form", step: "kickoff_call", values: { agreed_go_live: "2026-05-04" } }, csm, "2026-03-10T16:00:00.000Z");
  run.send(
    { type: "approve", step: "kickoff_call", role: "client_primary" },
    person("client_primary", "contact"),
    "2026-03-10T16:05:00.000Z",
  );
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-10T16:10:00.000Z");
  assert.equal(run.state.steps.uat?.dueAt, "2026-05-02T04:00:00.000Z");
  assert.match(writeMarkdown(buildSop(modelOf(AGREED))), /2 days before the Agreed go-live date \(answered in 6\.2 \(Kickoff call\)\)/);
});

test("an anchor on a form field that is not a date is refused", () => {
  const bad = edited([[["phases", 1, "steps", 1, "due"], "2 days before forms.uat_results.failed_scenarios"]]);
  const loaded = loadPlaybook("p.yaml", bad);
  assert.ok(loaded.diagnostics.some((d) => /is of type int, not a date/.test(d.message)));
});
