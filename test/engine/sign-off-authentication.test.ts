// How a signer authenticated goes into the chain with the sign-off (issue #17): the engine copies
// the actor's authentication into gate.approved and gate.rejected, and leaves the event as before
// when the actor carries none (older events, the system, tests), so replaying old events is unchanged.
import assert from "node:assert/strict";
import { test } from "node:test";
import { modelOf, person, Run } from "../support/engine.ts";
import { MINIMAL } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const at = (day: number) => new Date(Date.parse(START) + day * 86_400_000).toISOString();

test("gate.approved and gate.rejected carry the signer's authentication, and only when it is known", () => {
  const run = new Run(modelOf(MINIMAL), START);
  const ops = { ...person("ae"), manager: true };
  run.send({ type: "complete_step", step: "handoff" }, ops, at(1));
  const client = person("client_primary", "contact");
  const viaLink = { ...client, authentication: { method: "magic_link" as const, detail: "pat@globex.example" } };
  const rejected = run.send({ type: "reject", step: "kickoff_call", role: "client_primary", comment: "Dates" }, viaLink, at(2));
  assert.deepEqual(
    rejected.filter((e) => e.type === "gate.rejected").map((e) => e.type === "gate.rejected" && e.authentication),
    [{ method: "magic_link", detail: "pat@globex.example" }],
  );
  run.send({ type: "withdraw_approval", step: "kickoff_call", role: "client_primary", reason: "Fixed" }, client, at(2));
  const approved = run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, at(3));
  const event = approved.find((e) => e.type === "gate.approved");
  assert.ok(event);
  assert.equal("authentication" in event, false, "no authentication known: none recorded, the event is as before");
  assert.equal(run.state.steps.kickoff_call?.approvals.client_primary?.decision, "approved");
});
