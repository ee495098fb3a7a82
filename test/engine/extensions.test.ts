// Deadline extensions as a procedure allows them ("2 weeks by default, but can be extended"), and a
// looped step's deadline that re-anchors on each pass (issue 22, item 9).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError } from "../../src/engine/index.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

function refused(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof EngineError && error.code === code && (!message || message.test(error.message)));
}

/** The handoff (due 24h after start) may be extended once, by at most 2 business days, by the CSM. */
const POLICY = edited([[["phases", 0, "steps", 0, "extension"], { by: ["csm"], times: 1, up_to: "2 business days" }]]);

describe("extension policy", () => {
  test("only the roles it names (and CS operations) may extend", () => {
    const run = new Run(modelOf(POLICY), START);
    const due = run.state.steps.handoff?.dueAt;
    assert.ok(due);
    const until = new Date(Date.parse(due) + 86_400_000).toISOString();
    refused(
      () => run.send({ type: "extend_deadline", step: "handoff", until, reason: "Contract late" }, ae, START),
      "forbidden",
      /only csm or CS operations/,
    );
    run.send({ type: "extend_deadline", step: "handoff", until, reason: "Contract late" }, csm, START);
    assert.equal(run.state.steps.handoff?.dueAt, until);
    assert.equal(run.state.steps.handoff?.originalDueAt, due);
  });

  test("as often and as far as it allows, CS operations included", () => {
    const run = new Run(modelOf(POLICY), START);
    const due = run.state.steps.handoff?.dueAt ?? "";
    // 2 business days after Saturday 10:00 New York (24h after start): Tuesday end of the day at the latest.
    const tooFar = new Date(Date.parse(due) + 5 * 86_400_000).toISOString();
    refused(
      () => run.send({ type: "extend_deadline", step: "handoff", until: tooFar, reason: "x" }, MANAGER, START),
      "invalid",
      /at most 2 business days past/,
    );
    const ok = new Date(Date.parse(due) + 86_400_000).toISOString();
    run.send({ type: "extend_deadline", step: "handoff", until: ok, reason: "Contract late" }, MANAGER, START);
    const again = new Date(Date.parse(ok) + 3_600_000).toISOString();
    refused(
      () => run.send({ type: "extend_deadline", step: "handoff", until: again, reason: "y" }, csm, START),
      "invalid",
      /may be extended once \(already 1\)/,
    );
  });

  test("a deadline decades away is refused, however many extensions the policy allows", () => {
    const run = new Run(modelOf(MINIMAL), START);
    refused(
      () => run.send({ type: "extend_deadline", step: "handoff", until: "9999-12-31T23:59:59Z", reason: "typo" }, MANAGER, START),
      "invalid",
      /within 10 years of now/,
    );
    const nineYears = new Date(Date.parse(START) + 9 * 365 * 86_400_000).toISOString();
    run.send({ type: "extend_deadline", step: "handoff", until: nineYears, reason: "a long wait" }, MANAGER, START);
    assert.equal(run.state.steps.handoff?.dueAt, nineYears);
  });

  test("times: 0 means the deadline cannot move, and the SOP says so", () => {
    const fixed = edited([[["phases", 0, "steps", 0, "extension"], { times: 0 }]]);
    const run = new Run(modelOf(fixed), START);
    const until = new Date(Date.parse(run.state.steps.handoff?.dueAt ?? "") + 3_600_000).toISOString();
    refused(
      () => run.send({ type: "extend_deadline", step: "handoff", until, reason: "x" }, MANAGER, START),
      "invalid",
      /cannot be extended/,
    );
    assert.match(writeMarkdown(buildSop(modelOf(fixed))), /\*\*Extension:\*\* the deadline cannot be extended/);
    assert.match(
      writeMarkdown(buildSop(modelOf(POLICY))),
      /\*\*Extension:\*\* may be extended once, by at most 2 business days in all, with a reason, by Customer Success Manager or CS operations/,
    );
  });

  test("without a policy, the accountable role or CS operations extend as before", () => {
    const run = new Run(modelOf(MINIMAL), START);
    const due = run.state.steps.handoff?.dueAt ?? "";
    const until = new Date(Date.parse(due) + 30 * 86_400_000).toISOString();
    run.send({ type: "extend_deadline", step: "handoff", until, reason: "a" }, ae, START);
    run.send(
      { type: "extend_deadline", step: "handoff", until: new Date(Date.parse(until) + 1).toISOString(), reason: "b" },
      MANAGER,
      START,
    );
    assert.equal(run.state.steps.handoff?.extensions, 2);
  });

  test("a policy naming an unknown role does not load", () => {
    assert.throws(() => modelOf(edited([[["phases", 0, "steps", 0, "extension"], { by: ["cs_ops"] }]])), /cs_ops/);
  });
});

describe("a looped step's deadline", () => {
  test("a retest after the fixed deadline has passed gets the time the first pass had, not an instant breach", () => {
    const run = new Run(modelOf(MINIMAL), START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
    const first = run.state.steps.uat;
    assert.ok(first?.dueAt && first.openedAt);
    const allowance = Date.parse(first.dueAt) - Date.parse(first.openedAt);
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 3 } }, csm, "2026-04-10T15:00:00.000Z");
    run.send({ type: "complete_step", step: "uat" }, csm, "2026-04-10T16:00:00.000Z");
    // The fix takes until after UAT's fixed deadline (Day 40).
    const back = "2026-04-27T15:00:00.000Z";
    assert.ok(back > first.dueAt);
    run.send({ type: "complete_step", step: "fix_uat" }, csm, back);
    const second = run.state.steps.uat;
    assert.equal(second?.attempt, 2);
    assert.equal(second?.dueAt, new Date(Date.parse(back) + allowance).toISOString());
    const events = run.send({ type: "tick" }, MANAGER, "2026-04-28T15:00:00.000Z");
    assert.ok(!events.some((e) => e.type === "step.overdue" && e.step === "uat"), "the retest is not overdue a day after it opened");
  });
});
