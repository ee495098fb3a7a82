import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError, migrateProject, planMigration, replay } from "../../src/engine/index.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const v11 = modelOf(MINIMAL);
// Version 1.2 adds a security review before UAT, drops the data migration and gives the kickoff a deadline of 5 business days.
const v12 = modelOf(
  edited([
    [["document", "version"], "1.2"],
    [["document", "revisions", 2], { version: "1.2", date: "2026-03-01", changes: "Security review; no data migration" }],
    [["document", "effective"], "2026-03-01"],
    [
      ["phases", 1, "steps", 0],
      {
        id: "security_review",
        title: "Security review",
        owner: "csm",
        due: "5 business days",
        checklist: ["SSO configured", "MFA enforced"],
        expected_result: "Security settings verified.",
      },
    ],
    [["phases", 0, "steps", 1, "due"], "5 business days"],
  ]),
);

describe("moving a project to a newer playbook version", () => {
  test("the preview lists added, removed and changed steps", () => {
    const run = new Run(v11, START, { facts: { data_migration: true } });
    const plan = planMigration(v11, v12, run.state, START);
    assert.deepEqual(plan.added, [{ step: "security_review", status: "blocked" }]);
    assert.deepEqual(plan.removed, [{ step: "migrate", status: "blocked" }]);
    assert.deepEqual(plan.changed, [{ step: "kickoff_call", changes: ["deadline {{number_of_days}} business days → 5 business days"] }]);
    assert.deepEqual(plan.blockers, []);
  });

  test("work in hand on a removed step blocks the move until it is finished or skipped", () => {
    const run = new Run(v11, START, { facts: { data_migration: true } });
    run.send({ type: "complete_step", step: "handoff" }, person("ae"), "2026-03-06T16:00:00.000Z");
    run.send(
      { type: "approve", step: "kickoff_call", role: "client_primary" },
      person("client_primary", "contact"),
      "2026-03-09T15:00:00.000Z",
    );
    run.send({ type: "complete_step", step: "kickoff_call" }, person("csm"), "2026-03-09T16:00:00.000Z");
    assert.equal(run.state.steps.migrate?.status, "open");
    assert.match(planMigration(v11, v12, run.state, START).blockers[0] ?? "", /"migrate" is open/);
    assert.throws(
      () => migrateProject(v11, v12, run.state, MANAGER, START, "New SOP"),
      (e: unknown) => e instanceof EngineError && e.code === "illegal_state",
    );
    run.send({ type: "skip_step", step: "migrate", reason: "Dropped in 1.2" }, MANAGER, "2026-03-09T17:00:00.000Z");
    const moved = migrateProject(v11, v12, run.state, MANAGER, "2026-03-09T18:00:00.000Z", "Adopt SOP 1.2");
    assert.deepEqual(moved.state.playbook, { id: "minimal", version: "1.2" });
    assert.equal(moved.state.steps.migrate, undefined);
    assert.equal(moved.state.steps.security_review?.status, "open", "the new step opens under the new rules");
    assert.equal(moved.events[0]?.type, "project.migrated");
    assert.equal(moved.events[0]?.reason, "Adopt SOP 1.2");
    const all = [...run.events, ...moved.events];
    assert.deepEqual(
      replay((version) => (version === "1.2" ? v12 : v11), all),
      moved.state,
      "replay uses each version's rules",
    );
  });

  test("only CS operations migrate, with a reason", () => {
    const run = new Run(v11, START);
    assert.throws(
      () => migrateProject(v11, v12, run.state, person("csm"), START, "x"),
      (e: unknown) => e instanceof EngineError && e.code === "forbidden",
    );
    assert.throws(
      () => migrateProject(v11, v12, run.state, MANAGER, START, " "),
      (e: unknown) => e instanceof EngineError && e.code === "invalid",
    );
  });
});
