// Meetings that move or stop: after each command the engine names the meetings whose invitation
// may need an update (`update_invite` moved) or a cancellation (`update_invite` cancelled), from the
// command's own events, and nothing else. The adapter decides against what it mailed (test/notify).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Effect, SYSTEM } from "../../src/engine/index.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

const CADENCE = {
  id: "weekly_status",
  title: "Weekly status",
  owner: "csm",
  every: "1 week",
  during: "implementation",
  kind: "meeting",
  instructions: ["Review progress against the plan"],
};
const INVITE_RULE = {
  id: "invite_kickoff",
  title: "Kickoff scheduled: send the invitation",
  category: "automation",
  on: "meeting.scheduled",
  actions: [{ send_invite: { meeting: "kickoff_call" } }],
};

const withCadence = modelOf(edited([[["cadences"], [CADENCE]]]));

type UpdateInvite = Extract<Effect, { kind: "update_invite" }>;

function updates(run: Run, since = 0): UpdateInvite[] {
  return run.effects
    .slice(since)
    .map((e) => e.effect as Effect)
    .filter((e): e is UpdateInvite => e.kind === "update_invite");
}

/** Through the kickoff into implementation, where the weekly status runs. */
function intoImplementation(run: Run): void {
  run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
  run.send({ type: "start_step", step: "kickoff_call" }, csm, "2026-03-09T14:00:00.000Z");
  run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
}

describe("meetings that move or stop (update_invite)", () => {
  test("starting a meeting step takes its time again: moved, unless the playbook invites to it in the same command", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    const before = run.effects.length;
    run.send({ type: "start_step", step: "kickoff_call" }, csm, "2026-03-09T14:00:00.000Z");
    assert.deepEqual(updates(run, before), [
      { kind: "update_invite", meeting: "kickoff_call", change: "moved", at: "2026-03-09T14:00:00.000Z", why: "the meeting was scheduled" },
    ]);

    const inviting = new Run(modelOf(edited([[["rules"], [INVITE_RULE]]])), START, { facts: { data_migration: false } });
    inviting.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    const mark = inviting.effects.length;
    inviting.send({ type: "start_step", step: "kickoff_call" }, csm, "2026-03-09T14:00:00.000Z");
    assert.deepEqual(
      inviting.effects.slice(mark).map((e) => e.effect),
      [{ kind: "send_invite", meeting: "kickoff_call" }],
      "the playbook's own invitation carries the new time",
    );
  });

  test("a hold and a resume that shifts the dates move the open meeting step; a resume with no shift moves nothing", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "start_step", step: "kickoff_call" }, csm, "2026-03-09T14:00:00.000Z");
    run.send({ type: "hold", reason: "Client reorganising" }, MANAGER, "2026-03-09T14:30:00.000Z");
    let mark = run.effects.length;
    run.send({ type: "resume", reason: "Back" }, MANAGER, "2026-03-09T14:30:00.000Z");
    assert.deepEqual(updates(run, mark), [], "no time passed on hold: nothing moved");
    run.send({ type: "hold", reason: "Client reorganising" }, MANAGER, "2026-03-09T15:00:00.000Z");
    mark = run.effects.length;
    run.send({ type: "resume", reason: "Back" }, MANAGER, "2026-03-11T15:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.at]),
      [["kickoff_call", "moved", "2026-03-11T15:00:00.000Z"]],
    );
  });

  test("a meeting series is mailed when it starts, moves on resume and is cancelled with the project", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    const before = run.effects.length;
    intoImplementation(run);
    const next = run.state.cadences.weekly_status?.nextAt;
    assert.ok(next, "the weekly status started with the implementation phase");
    assert.ok(
      run.effects.slice(before).some((e) => JSON.stringify(e.effect) === JSON.stringify({ kind: "send_invite", meeting: "weekly_status" })),
      "the series goes out when it is planned, before its first occurrence",
    );
    run.send({ type: "hold", reason: "Pause" }, MANAGER, "2026-03-10T15:00:00.000Z");
    let mark = run.effects.length;
    run.send({ type: "resume" }, MANAGER, "2026-03-11T15:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change]),
      [["weekly_status", "moved"]],
      "the series mailed when planned moves before its first occurrence too",
    );
    run.send({ type: "tick" }, SYSTEM, "2026-03-20T15:00:00.000Z");
    assert.equal(run.state.cadences.weekly_status?.count, 1);
    assert.ok(run.effects.some((e) => JSON.stringify(e.effect) === JSON.stringify({ kind: "send_invite", meeting: "weekly_status#1" })));
    run.send({ type: "hold", reason: "Pause" }, MANAGER, "2026-03-21T15:00:00.000Z");
    mark = run.effects.length;
    run.send({ type: "resume" }, MANAGER, "2026-03-23T15:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change]),
      [["weekly_status", "moved"]],
    );
    mark = run.effects.length;
    run.send({ type: "cancel", reason: "Deal lost" }, MANAGER, "2026-03-24T15:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.why]),
      [["weekly_status", "cancelled", "the project was cancelled"]],
    );
  });

  test("cancelling the project cancels the open meeting steps", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "start_step", step: "kickoff_call" }, csm, "2026-03-09T14:00:00.000Z");
    const mark = run.effects.length;
    run.send({ type: "cancel", reason: "Deal lost" }, MANAGER, "2026-03-09T14:10:00.000Z");
    assert.deepEqual(updates(run, mark), [
      {
        kind: "update_invite",
        meeting: "kickoff_call",
        change: "cancelled",
        at: "2026-03-09T14:10:00.000Z",
        why: "the project was cancelled",
      },
    ]);
  });

  test("skipping an opened meeting step cancels it; skipping one that never opened names nothing", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    const mark = run.effects.length;
    run.send({ type: "skip_step", step: "kickoff_call", reason: "Met at the signing" }, MANAGER, "2026-03-09T14:00:00.000Z");
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.why]),
      [["kickoff_call", "cancelled", "the step was skipped"]],
    );
    const early = new Run(withCadence, START, { facts: { data_migration: false } });
    const before = early.effects.length;
    early.send({ type: "skip_step", step: "kickoff_call", reason: "Not needed" }, MANAGER, "2026-03-06T16:00:00.000Z");
    assert.deepEqual(updates(early, before), []);
  });

  test("a series that ends (its phase done, the project closed) is named for cancellation of what is left of it", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    intoImplementation(run);
    run.send({ type: "tick" }, SYSTEM, "2026-03-17T15:00:00.000Z");
    assert.equal(run.state.cadences.weekly_status?.count, 1);
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, csm, "2026-03-18T15:00:00.000Z");
    run.send({ type: "complete_step", step: "uat" }, csm, "2026-03-18T16:00:00.000Z");
    const mark = run.effects.length;
    const events = run.send({ type: "complete_step", step: "go_live" }, csm, "2026-03-19T16:00:00.000Z");
    assert.ok(run.types(events).includes("cadence.ended"));
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.at]),
      [["weekly_status", "cancelled", "2026-03-19T16:00:00.000Z"]],
    );
  });

  test("a meeting step reopened takes a new time when it opens again", () => {
    const run = new Run(withCadence, START, { facts: { data_migration: false } });
    intoImplementation(run);
    const mark = run.effects.length;
    const events = run.send({ type: "reopen_step", step: "kickoff_call", reason: "Sponsor changed" }, MANAGER, "2026-03-10T15:00:00.000Z");
    assert.ok(run.types(events).includes("step.opened:kickoff_call"));
    assert.equal(run.state.steps.kickoff_call?.attempt, 2);
    assert.deepEqual(
      updates(run, mark).map((u) => [u.meeting, u.change, u.why]),
      [["kickoff_call", "moved", "the step was reopened"]],
    );
  });
});
