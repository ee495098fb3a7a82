// Issue 15 item 4 in the portal: a repeated step the client sees lists each item with its label
// and its own checklist, form and sign-off; the step's own parts move under the items.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clientView } from "../../src/api/portal/client-view.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";

const START = "2026-03-06T15:00:00.000Z";
const LATER = "2026-03-09T15:00:00.000Z";
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

describe("the portal's view of a repeated step", () => {
  // The client verifies its own owners: the step is the client's, without a team sign-off.
  const model = modelOf(
    edited([
      ...KYC_EDITS,
      [["phases", 0, "steps", 4, "owner"], "client_primary"],
      [["phases", 0, "steps", 4, "visible_to_client"], true],
      [["phases", 0, "steps", 4, "gate"], { approvers: ["client_primary"], sign_off: "The owner's data is right" }],
    ]),
  );

  test("each owner is an item with its own parts; answers for one are not another's", () => {
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "handoff" }, ae, START);
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, START);
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, START);
    run.send(
      { type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", owners: [{ name: "Ada" }, { name: "Alan" }] } },
      csm,
      START,
    );
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    run.send({ type: "submit_form", step: "verify_owners", item: "1", values: { passport: "AB1" } }, client, LATER);
    run.send({ type: "approve", step: "verify_owners", role: "client_primary", item: "1" }, client, LATER);

    const view = clientView(model, run.state, ["client_primary"], LATER);
    const step = view.phases.flatMap((p) => p.steps).find((s) => s.id === "verify_owners");
    assert.ok(step?.items, JSON.stringify(step));
    assert.deepEqual(step.checklist, []);
    assert.equal(step.form, null);
    assert.equal(step.gate, null);
    assert.equal(step.canComplete, false);
    assert.equal(step.actionNeeded, true);
    const [ada, alan] = step.items;
    assert.deepEqual([ada?.id, ada?.label, alan?.id, alan?.label], ["1", "Ada", "2", "Alan"]);
    assert.equal(ada?.form?.fields.find((f) => f.id === "passport")?.value, "AB1");
    assert.equal(alan?.form?.fields.find((f) => f.id === "passport")?.value, null);
    assert.equal(ada?.gate?.approvers[0]?.decision, "approved");
    assert.deepEqual(ada?.gate?.canSignAs, []);
    assert.deepEqual(alan?.gate?.canSignAs, ["client_primary"]);
    assert.equal(ada?.checklist[0]?.canTick, true);
    assert.equal(alan?.canComplete, true);
  });
});

describe("what the client reads of the checklist and the procedure", () => {
  test("a team item nobody ticked says who will tick it; a due-diligence review is not called an onboarding", () => {
    const model = modelOf(
      edited([
        [["kind"], "due_diligence"],
        [["phases", 0, "steps", 1, "checklist"], [{ id: "deck", text: "Kickoff deck shared", owner: "csm" }]],
      ]),
    );
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "handoff" }, ae, START);
    const view = clientView(model, run.state, ["client_primary"], START);
    assert.equal(view.title, "Your due-diligence review");
    const kickoff = view.phases.flatMap((p) => p.steps).find((s) => s.id === "kickoff_call");
    const item = kickoff?.checklist.find((i) => i.key === "deck");
    assert.deepEqual([item?.checked, item?.readOnlyReason], [false, "Your onboarding team ticks this."]);
    run.send({ type: "tick_checklist", step: "kickoff_call", item: "deck", checked: true }, csm, START);
    const after = clientView(model, run.state, ["client_primary"], START)
      .phases.flatMap((p) => p.steps)
      .find((s) => s.id === "kickoff_call");
    assert.equal(after?.checklist.find((i) => i.key === "deck")?.readOnlyReason, "Ticked by your onboarding team.");
  });
});
