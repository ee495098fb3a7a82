// Sign-off outcomes steer (issue 15 item 6): a decision branches on a gate's outcome (approved,
// approved with conditions, rejected), and a rejection loops back with the signer's comment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { gateOutcome } from "../../src/engine/gates.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited, errors, flowStep, lint } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const csm = person("csm");
const client = person("client_primary", "contact");
const ae = person("ae");
const at = (day: number) => new Date(Date.parse(START) + day * 86_400_000).toISOString();

const step = flowStep;

function playbook(options: { route?: boolean; approvers?: string[]; rule?: "any" | "all"; when?: string } = {}): string {
  const approvers = options.approvers ?? ["client_primary"];
  const sign = step("sign", { gate: { approvers, rule: options.rule ?? "all", sign_off: "The plan" } });
  const route = step("route", {
    decision: {
      question: "Did the client sign the plan?",
      branches: [
        { label: "Rejected", when: options.when ?? 'gates.sign.outcome == "rejected"', next: "draft" },
        { label: "With conditions", when: 'gates.sign.outcome == "approved_with_conditions"', next: "continue", actions: [] },
        { label: "Approved", otherwise: true, next: "continue" },
      ],
    },
  });
  const steps = options.route === false ? [step("draft"), sign, step("finish")] : [step("draft"), sign, route, step("finish")];
  return edited([
    [["kpis"], []],
    [["phases"], [{ id: "work", title: "Work", window: "Days 1-30", steps }]],
  ]);
}

describe("gate outcomes steer", () => {
  test("a rejection that a decision reads completes the gate step rejected, loops back, and the reopened step shows who and why", () => {
    const run = new Run(modelOf(playbook()), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    run.send({ type: "reject", step: "sign", role: "client_primary", comment: "Add the SSO milestone" }, client, at(2));
    run.send({ type: "complete_step", step: "sign" }, csm, at(2));
    assert.equal(run.state.steps.sign?.status, "done");
    const events = run.send({ type: "complete_step", step: "route" }, csm, at(3));
    const reopened = events.find((e) => e.type === "step.reopened" && e.step === "draft");
    assert.ok(reopened && reopened.type === "step.reopened");
    assert.equal(reopened.returnedBy, "client_primary");
    assert.equal(reopened.comment, "Add the SSO milestone");
    assert.deepEqual(run.state.steps.draft?.returned, { role: "client_primary", comment: "Add the SSO milestone" });
    assert.equal(run.state.steps.draft?.status, "open");
    assert.equal(run.state.steps.sign?.status, "blocked");
    assert.equal(run.state.steps.route?.status, "blocked");
    // Redone: the return note goes with the completion, the sign-off starts afresh, and approving leaves by the exit.
    run.send({ type: "complete_step", step: "draft" }, csm, at(4));
    assert.equal(run.state.steps.draft?.returned, undefined);
    assert.equal(run.state.steps.sign?.status, "open");
    assert.deepEqual(run.state.steps.sign?.approvals, {});
    run.send({ type: "approve", step: "sign", role: "client_primary" }, client, at(5));
    run.send({ type: "complete_step", step: "sign" }, csm, at(5));
    run.send({ type: "complete_step", step: "route" }, csm, at(6));
    assert.equal(run.state.steps.route?.branch, "Approved");
    run.send({ type: "complete_step", step: "finish" }, csm, at(7));
    assert.equal(run.state.status, "closed");
  });

  test("a gate step that decides on its own outcome loops back and signs again", () => {
    const text = edited([
      [["kpis"], []],
      [
        ["phases"],
        [
          {
            id: "work",
            title: "Work",
            window: "Days 1-30",
            steps: [
              step("draft"),
              step("sign", {
                gate: { approvers: ["client_primary"], sign_off: "The plan" },
                decision: {
                  question: "Signed?",
                  branches: [
                    { label: "Rejected", when: 'gates.sign.outcome == "rejected"', next: "draft" },
                    { label: "Signed", otherwise: true, next: "continue" },
                  ],
                },
              }),
              step("finish"),
            ],
          },
        ],
      ],
    ]);
    const run = new Run(modelOf(text), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    run.send({ type: "reject", step: "sign", role: "client_primary", comment: "Too vague" }, client, at(2));
    run.send({ type: "complete_step", step: "sign" }, csm, at(2));
    assert.equal(run.state.steps.draft?.returned?.comment, "Too vague");
    run.send({ type: "complete_step", step: "draft" }, csm, at(3));
    assert.equal(run.state.steps.sign?.status, "open");
    assert.equal(run.state.steps.sign?.attempt, 2);
    assert.throws(() => run.send({ type: "complete_step", step: "sign" }, csm, at(3)), /waiting for sign-off/);
    run.send({ type: "approve", step: "sign", role: "client_primary" }, client, at(4));
    run.send({ type: "complete_step", step: "sign" }, csm, at(4));
    run.send({ type: "complete_step", step: "finish" }, csm, at(5));
    assert.equal(run.state.status, "closed");
  });

  test("approved with conditions: the conditions are required, kept with the sign-off, and a decision branches on them", () => {
    const run = new Run(modelOf(playbook()), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    assert.throws(
      () => run.send({ type: "approve", step: "sign", role: "client_primary", conditions: "  " }, client, at(2)),
      /needs the conditions written/,
    );
    run.send({ type: "approve", step: "sign", role: "client_primary", conditions: "Go-live after the audit" }, client, at(2));
    assert.equal(run.state.steps.sign?.approvals.client_primary?.conditions, "Go-live after the audit");
    run.send({ type: "complete_step", step: "sign" }, csm, at(2));
    run.send({ type: "complete_step", step: "route" }, csm, at(3));
    assert.equal(run.state.steps.route?.branch, "With conditions");
    assert.equal(run.state.steps.finish?.status, "open");
  });

  test("a condition reads one role's outcome and the signer's comment", () => {
    const text = playbook({
      approvers: ["client_primary", "ae"],
      when: 'gates.sign.roles.ae.outcome == "rejected" && gates.sign.comment.contains("price")',
    });
    const run = new Run(modelOf(text), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    run.send({ type: "reject", step: "sign", role: "ae", comment: "The price is wrong" }, ae, at(2));
    run.send({ type: "complete_step", step: "sign" }, csm, at(2));
    const events = run.send({ type: "complete_step", step: "route" }, csm, at(3));
    assert.ok(events.some((e) => e.type === "step.looped" && e.branch === "Rejected"));
    assert.equal(run.state.steps.draft?.returned?.role, "ae");
  });

  test("a rejection nothing reads still blocks the step, as before", () => {
    const run = new Run(modelOf(playbook({ route: false })), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    run.send({ type: "reject", step: "sign", role: "client_primary", comment: "No" }, client, at(2));
    assert.throws(() => run.send({ type: "complete_step", step: "sign" }, csm, at(2)), /waiting for sign-off/);
  });

  test("conditions cannot go with a rejection", () => {
    const run = new Run(modelOf(playbook()), START);
    run.send({ type: "complete_step", step: "draft" }, csm, at(1));
    assert.throws(
      () => run.send({ type: "reject", step: "sign", role: "client_primary", comment: "No", conditions: "x" }, client, at(2)),
      /conditions go with an approval/,
    );
  });

  test("property: a gate any approver rejected never reads as approved, whatever the order of sign-offs", () => {
    const model = modelOf(playbook({ approvers: ["client_primary", "ae"], rule: "any" }));
    const signers = { client_primary: client, ae } as const;
    const action = fc.record({
      role: fc.constantFrom("client_primary" as const, "ae" as const),
      kind: fc.constantFrom("approve", "approve_conditions", "reject", "withdraw"),
    });
    fc.assert(
      fc.property(fc.array(action, { maxLength: 8 }), (actions) => {
        const run = new Run(model, START);
        run.send({ type: "complete_step", step: "draft" }, csm, at(1));
        for (const a of actions) {
          const actor = signers[a.role];
          try {
            if (a.kind === "withdraw") run.send({ type: "withdraw_approval", step: "sign", role: a.role, reason: "changed" }, actor, at(2));
            else if (a.kind === "reject") run.send({ type: "reject", step: "sign", role: a.role, comment: "no" }, actor, at(2));
            else
              run.send(
                { type: "approve", step: "sign", role: a.role, ...(a.kind === "approve_conditions" ? { conditions: "if" } : {}) },
                actor,
                at(2),
              );
          } catch {
            // refused commands change nothing
          }
        }
        const state = run.state.steps.sign;
        const def = run.ctx.model.steps.get("sign")?.step;
        assert.ok(def && state);
        const anyRejected = Object.values(state.approvals).some((a) => a.decision === "rejected");
        const outcome = gateOutcome(def, state);
        if (anyRejected) assert.equal(outcome, "rejected");
        let events: readonly { type: string; branch?: string }[];
        try {
          run.send({ type: "complete_step", step: "sign" }, csm, at(3));
          events = run.send({ type: "complete_step", step: "route" }, csm, at(3));
        } catch {
          assert.equal(outcome, "pending"); // only a pending gate refuses to complete
          return;
        }
        const taken = events.find((e) => (e.type === "step.looped" || e.type === "step.completed") && e.branch !== undefined)?.branch;
        assert.equal(taken, anyRejected ? "Rejected" : outcome === "approved_with_conditions" ? "With conditions" : "Approved");
      }),
      { numRuns: 150 },
    );
  });
});

describe("lint reads gate outcomes", () => {
  test("an outcome literal that is not an outcome is refused, with the near one", () => {
    const found = errors(lint(playbook({ when: 'gates.sign.outcome == "Rejected"' })));
    const option = found.find((d) => d.rule === "expr/option");
    assert.ok(option, JSON.stringify(found));
    assert.match(option.message, /approved_with_conditions/);
    assert.match(option.fix ?? "", /write "rejected"/);
  });

  test("a role's outcome literal is checked too, and a gate on a step without one is unknown", () => {
    assert.ok(errors(lint(playbook({ when: 'gates.sign.roles.client_primary.outcome == "ok"' }))).some((d) => d.rule === "expr/option"));
    const unknown = errors(lint(playbook({ when: 'gates.draft.outcome == "rejected"' })));
    assert.ok(
      unknown.some((d) => d.rule === "expr/type"),
      JSON.stringify(unknown),
    );
  });

  test("the three outcomes lint clean", () => {
    assert.deepEqual(
      errors(lint(playbook()))
        .filter((d) => d.rule.startsWith("expr/"))
        .map((d) => d.message),
      [],
    );
  });
});
