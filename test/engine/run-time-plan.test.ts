// Issue 15 item 4: run-time data shapes the plan. A step's `when:` that reads a form is decided
// when the step becomes reachable (not frozen at the start); `for_each:` iterates a records field
// filled in an earlier step, each item with its own form, checklist and sign-off; a condition that
// fails at that moment opens an incident.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { engineContext } from "../../src/engine/context.ts";
import { type Command, EngineError, execute, openIncidents, type ProjectState, replay } from "../../src/engine/index.ts";
import { MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";

const START = "2026-03-06T15:00:00.000Z";
const LATER = "2026-03-09T15:00:00.000Z";
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

const model = modelOf(edited(KYC_EDITS));

const OWNERS = [
  { name: "Ada Lovelace", date_of_birth: "1815-12-10", country: "GB" },
  { name: "Alan Turing", date_of_birth: "1912-06-23", country: "GB" },
];

function toKyc(run: Run): void {
  run.send({ type: "complete_step", step: "handoff" }, ae, START);
  run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, START);
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, START);
}

function refused(fn: () => unknown, code: EngineError["code"], pattern: RegExp): void {
  assert.throws(fn, (error) => error instanceof EngineError && error.code === code && pattern.test(error.message));
}

describe("a step's condition on a form is decided when the step becomes reachable", () => {
  test("not at the start: the step waits undecided, and the start excludes nothing for it", () => {
    const run = new Run(model, START);
    const started = run.events[0];
    assert.ok(started?.type === "project.started");
    assert.deepEqual(started.excluded, ["migrate"]);
    assert.equal(run.state.steps.edd?.status, "blocked");
    assert.equal(run.state.steps.verify_owners?.items, undefined);
  });

  test("a high risk rating in an earlier step includes enhanced due diligence", () => {
    const run = new Run(model, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "high", owners: OWNERS } }, csm, START);
    const out = run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    assert.ok(run.types(out).includes("step.included:edd"));
    assert.equal(run.state.steps.edd?.status, "open");
    assert.equal(run.state.steps.edd?.decidedAt, LATER);
  });

  test("a low risk rating excludes it, with an event saying why and what it read", () => {
    const run = new Run(model, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", owners: OWNERS } }, csm, START);
    const out = run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    const excluded = out.find((e) => e.type === "step.excluded");
    assert.ok(excluded?.type === "step.excluded");
    assert.equal(excluded.step, "edd");
    assert.deepEqual(excluded.inputs, { "forms.kyc.risk_rating": "low" });
    assert.match(excluded.reason ?? "", /does not hold/);
    assert.equal(run.state.steps.edd?.status, "not_applicable");
    // The steps after it do not wait for it: the repeated step opens.
    assert.equal(run.state.steps.verify_owners?.status, "open");
  });

  test("the decision replays: the audit trail is the state", () => {
    const run = new Run(model, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", owners: OWNERS } }, csm, START);
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    assert.deepEqual(replay(model, run.events), run.state);
  });
});

describe("for_each over a records field filled during the run", () => {
  function atOwners(): Run {
    const run = new Run(model, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", owners: OWNERS } }, csm, START);
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    return run;
  }

  test("items are fixed when the step becomes reachable, one per row, labelled by item.name", () => {
    const run = atOwners();
    const owners = run.state.steps.verify_owners;
    assert.deepEqual(owners?.items, { "1": null, "2": null });
    assert.deepEqual(owners?.itemLabels, { "1": "Ada Lovelace", "2": "Alan Turing" });
    // A later change of the form does not change the fixed items.
    refused(() => run.send({ type: "submit_form", step: "collect_kyc", values: { owners: [] } }, csm, LATER), "illegal_state", /not open/);
  });

  test("each item has its own form, checklist and sign-off, and completes on its own", () => {
    const run = atOwners();
    refused(
      () => run.send({ type: "complete_step", step: "verify_owners", item: "1" }, csm, LATER),
      "illegal_state",
      /“Ada Lovelace” cannot be done yet: checklist items not ticked: sanctions; form "owner_check" is missing required fields: passport; waiting for sign-off by csm/,
    );
    run.send({ type: "submit_form", step: "verify_owners", item: "1", values: { passport: "AB123456" } }, csm, LATER);
    run.send({ type: "tick_checklist", step: "verify_owners", item: "sanctions", checked: true, for: "1" }, csm, LATER);
    run.send({ type: "approve", step: "verify_owners", role: "csm", item: "1" }, csm, LATER);
    const work = run.state.steps.verify_owners?.itemWork?.["1"];
    assert.deepEqual(work?.values, { passport: "AB123456" });
    assert.deepEqual(work?.checklist, { sanctions: true });
    assert.equal(work?.approvals?.csm?.decision, "approved");
    // The project's form is not the item's: another item starts empty.
    assert.equal(run.state.forms.owner_check, undefined);
    run.send({ type: "complete_step", step: "verify_owners", item: "1" }, csm, LATER);
    assert.equal(run.state.steps.verify_owners?.status, "open");
    refused(
      () => run.send({ type: "complete_step", step: "verify_owners", item: "2" }, csm, LATER),
      "illegal_state",
      /“Alan Turing” cannot be done yet/,
    );
    run.send({ type: "submit_form", step: "verify_owners", item: "2", values: { passport: "CD654321" } }, csm, LATER);
    run.send({ type: "tick_checklist", step: "verify_owners", item: "sanctions", checked: true, for: "2" }, csm, LATER);
    run.send({ type: "approve", step: "verify_owners", role: "csm", item: "2" }, csm, LATER);
    run.send({ type: "complete_step", step: "verify_owners", item: "2" }, csm, LATER);
    assert.equal(run.state.steps.verify_owners?.status, "done");
    assert.deepEqual(replay(model, run.events), run.state);
  });

  test("an unknown or finished item is refused, naming the field", () => {
    const run = atOwners();
    refused(
      () => run.send({ type: "submit_form", step: "verify_owners", item: "9", values: { passport: "X" } }, csm, LATER),
      "not_found",
      /no item "9"/,
    );
  });

  test("no owners named: the repeated step is left out", () => {
    const run = new Run(model, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "medium", owners: [] } }, csm, START);
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    assert.equal(run.state.steps.verify_owners?.status, "not_applicable");
    const excluded = run.events.find((e) => e.type === "step.excluded" && e.step === "verify_owners");
    assert.match(excluded?.reason ?? "", /has no items/);
  });
});

describe("a run-time condition that fails when the step becomes reachable", () => {
  const faulty = modelOf(edited([...KYC_EDITS, [["phases", 0, "steps", 3, "when"], 'forms.kyc.owners[5].name == "x"']]));

  test("opens an incident; the step waits; a retry after a fix decides it", () => {
    const run = new Run(faulty, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "high", owners: OWNERS } }, csm, START);
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    const [incident] = openIncidents(run.state);
    assert.equal(incident?.kind, "step_condition");
    assert.equal(incident?.step, "edd");
    assert.equal(run.state.steps.edd?.status, "blocked");
    // What follows waits for it.
    assert.equal(run.state.steps.verify_owners?.status, "blocked");
    // Retrying without a fix is refused.
    refused(() => run.send({ type: "retry_incident", incident: incident?.id ?? "" }, MANAGER, LATER), "illegal_state", /still fails/);
    // The version the project runs now reads the list safely (as a migration would give it).
    const fixed = modelOf(edited([...KYC_EDITS, [["phases", 0, "steps", 3, "when"], "size(forms.kyc.owners) > 5"]]));
    const fixedCtx = engineContext(fixed, run.state.calendar);
    const out = execute(fixedCtx, run.state, { type: "retry_incident", incident: incident?.id ?? "" }, MANAGER, LATER);
    const types = out.events.map((e) => ("step" in e ? `${e.type}:${e.step}` : e.type));
    assert.ok(types.includes("incident.resolved"));
    assert.ok(types.includes("step.excluded:edd"), types.join(", "));
    assert.equal(out.state.steps.verify_owners?.status, "open");
  });
});

describe("property: random (also invalid) submissions never leave a project unable to complete", () => {
  const value = fc.oneof(
    fc.constantFrom("low", "medium", "high", "HIGH", "", "not a rating"),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.record({ name: fc.oneof(fc.string({ maxLength: 6 }), fc.constant("")), country: fc.string({ maxLength: 3 }) }), {
      maxLength: 3,
    }),
  );
  const command = fc.oneof(
    fc
      .record({ field: fc.constantFrom("risk_rating", "owners"), value })
      .map(({ field, value }): Command => ({ type: "submit_form", step: "collect_kyc", values: { [field]: value } })),
    fc
      .record({ item: fc.constantFrom("1", "2", "3", "x"), passport: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()) })
      .map(({ item, passport }): Command => ({ type: "submit_form", step: "verify_owners", item, values: { passport } })),
    fc.constantFrom<Command>(
      { type: "complete_step", step: "collect_kyc" },
      { type: "complete_step", step: "edd" },
      { type: "complete_step", step: "verify_owners", item: "1" },
      { type: "tick_checklist", step: "verify_owners", item: "sanctions", checked: true, for: "1" },
      { type: "approve", step: "verify_owners", role: "csm", item: "1" },
    ),
  );

  /** Drive the project to its end: fill what is missing, tick, sign, complete. */
  function finish(run: Run): void {
    for (let round = 0; round < 40 && run.state.status === "active"; round++) {
      const open = Object.values(run.state.steps).filter((s) => s.status === "open" || s.status === "in_progress");
      if (open.length === 0) break;
      for (const step of open) {
        const at = LATER;
        const tryIt = (c: Command, actor = csm) => {
          try {
            run.send(c, actor, at);
          } catch (error) {
            if (!(error instanceof EngineError)) throw error;
          }
        };
        if (step.id === "handoff") tryIt({ type: "complete_step", step: "handoff" }, ae);
        if (step.id === "kickoff_call") tryIt({ type: "approve", step: "kickoff_call", role: "client_primary" }, client);
        if (step.id === "collect_kyc") tryIt({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low" } });
        if (step.id === "uat") tryIt({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } });
        for (const item of Object.keys(step.items ?? {})) {
          if (step.items?.[item] !== null) continue;
          tryIt({ type: "submit_form", step: step.id, item, values: { passport: "P1" } });
          tryIt({ type: "tick_checklist", step: step.id, item: "sanctions", checked: true, for: item });
          tryIt({ type: "approve", step: step.id, role: "csm", item });
          tryIt({ type: "complete_step", step: step.id, item });
        }
        tryIt({ type: "complete_step", step: step.id });
      }
    }
  }

  test("every run closes", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 12 }), (commands) => {
        const run = new Run(model, START);
        toKyc(run);
        for (const c of commands) {
          try {
            run.send(c, csm, START);
          } catch (error) {
            if (!(error instanceof EngineError)) throw error;
          }
        }
        finish(run);
        assert.equal(run.state.status, "closed", JSON.stringify(run.state.steps));
        assert.equal(openIncidents(run.state).length, 0);
        const state: ProjectState = replay(model, run.events);
        assert.deepEqual(state, run.state);
      }),
      { numRuns: 60 },
    );
  });
});

describe("for_each over a list filled in an earlier step", () => {
  const listModel = modelOf(
    edited([
      ...KYC_EDITS,
      [["forms", "kyc", "fields", "countries"], { label: "Countries of operation", type: "list" }],
      [["phases", 0, "steps", 4, "repeat"], { for_each: "forms.kyc.countries" }],
    ]),
  );

  test("each distinct text is an item, named by itself", () => {
    const run = new Run(listModel, START);
    toKyc(run);
    run.send({ type: "submit_form", step: "collect_kyc", values: { risk_rating: "low", countries: ["DE", "FR", "DE"] } }, csm, START);
    run.send({ type: "complete_step", step: "collect_kyc" }, csm, LATER);
    assert.deepEqual(run.state.steps.verify_owners?.items, { DE: null, FR: null });
    assert.equal(run.state.steps.verify_owners?.itemLabels, undefined);
    const included = run.events.find((e) => e.type === "step.included" && e.step === "verify_owners");
    assert.deepEqual(included?.type === "step.included" ? included.items : undefined, ["DE", "FR"]);
  });
});

describe("projects started before run-time decisions keep running", () => {
  test("items fixed at an older start stay; the when: is decided at reachability", () => {
    const run = new Run(model, START);
    const [started, ...rest] = run.events;
    assert.ok(started?.type === "project.started");
    // As an older engine recorded it: every condition evaluated at the start, items fixed then.
    const old = { ...started, items: { verify_owners: ["owner-a"] } };
    const state = replay(model, [old, ...rest]);
    assert.deepEqual(state.steps.verify_owners?.items, { "owner-a": null });
    const ctx = engineContext(model, state.calendar);
    let current = state;
    for (const [command, actor] of [
      [{ type: "complete_step", step: "handoff" }, ae],
      [{ type: "approve", step: "kickoff_call", role: "client_primary" }, client],
      [{ type: "complete_step", step: "kickoff_call" }, csm],
      [{ type: "submit_form", step: "collect_kyc", values: { risk_rating: "high", owners: OWNERS } }, csm],
      [{ type: "complete_step", step: "collect_kyc" }, csm],
    ] as const)
      current = execute(ctx, current, command as Command, actor, LATER).state;
    assert.equal(current.steps.edd?.status, "open");
    assert.deepEqual(current.steps.verify_owners?.items, { "owner-a": null });
  });
});
