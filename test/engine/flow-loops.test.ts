// Loops that close, detours, and waiting for steps that run only sometimes (issue 15 item 3,
// issue 22 items 1-2): small playbooks run through the pure engine.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { SYSTEM } from "../../src/engine/index.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited, flowStep, lint, oneFlow } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const csm = person("csm");
const at = (day: number) => new Date(Date.parse(START) + day * 86_400_000).toISOString();

const FORMS = { check: { title: "Document check", fields: { missing: { label: "Documents missing", type: "int", required: true } } } };
const step = flowStep;
const review = (branches: unknown[]) => step("review", { form: "check", decision: { question: "Are the documents complete?", branches } });
const COMPLETE = { label: "Complete", when: "forms.check.missing == 0", next: "continue" };

/** A playbook of one phase with these steps and the document check's form. */
export function flow(steps: unknown[]): string {
  return oneFlow(steps, FORMS);
}

function decide(run: Run, missing: number, day: number): void {
  run.send({ type: "submit_form", step: "review", values: { missing } }, csm, at(day));
  run.send({ type: "complete_step", step: "review" }, csm, at(day));
}

describe("loops close", () => {
  test("a branch to an on-demand step without a way back closes when that step is done, and the project completes", () => {
    const model = modelOf(
      flow([
        step("collect"),
        review([COMPLETE, { label: "Missing", otherwise: true, next: "chase" }]),
        step("chase", { on_demand: true }),
        step("finish"),
      ]),
    );
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 2, 2);
    assert.equal(run.state.steps.review?.status, "looping");
    assert.equal(run.state.steps.chase?.status, "open");
    run.send({ type: "complete_step", step: "chase" }, csm, at(3));
    assert.equal(run.state.steps.review?.status, "done");
    assert.equal(run.state.steps.review?.branch, "Missing");
    assert.equal(run.state.steps.finish?.status, "open");
    run.send({ type: "complete_step", step: "finish" }, csm, at(4));
    assert.equal(run.state.status, "closed");
  });

  test("a loop that returns to an earlier step decides again after that step, then leaves by its exit", () => {
    const model = modelOf(
      flow([
        step("collect"),
        review([COMPLETE, { label: "Missing", otherwise: true, next: "chase" }]),
        step("chase", { on_demand: true, next: "collect" }),
        step("finish"),
      ]),
    );
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 2, 2);
    run.send({ type: "complete_step", step: "chase" }, csm, at(3));
    assert.equal(run.state.steps.collect?.status, "open");
    assert.equal(run.state.steps.review?.status, "blocked");
    run.send({ type: "complete_step", step: "collect" }, csm, at(4));
    assert.equal(run.state.steps.review?.status, "open");
    assert.equal(run.state.steps.review?.attempt, 2);
    decide(run, 0, 5);
    assert.equal(run.state.steps.finish?.status, "open");
    run.send({ type: "complete_step", step: "finish" }, csm, at(6));
    assert.equal(run.state.status, "closed");
  });
});

describe("projects stuck in a loop before loops closed", () => {
  test("a looping step that nothing can return to closes on the next tick, and the project with it", () => {
    const model = modelOf(
      flow([step("collect"), review([COMPLETE, { label: "Missing", otherwise: true, next: "chase" }]), step("chase", { on_demand: true })]),
    );
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 2, 2);
    // What an older engine left behind: the side branch done, the decision looping for ever.
    const chase = run.state.steps.chase;
    assert.ok(chase);
    run.state = { ...run.state, steps: { ...run.state.steps, chase: { ...chase, status: "done", completedAt: at(3) } } };
    assert.equal(run.state.steps.review?.status, "looping");
    run.send({ type: "tick" }, SYSTEM, at(4));
    assert.equal(run.state.steps.review?.status, "done");
    assert.equal(run.state.status, "closed");
  });
});

describe("detours", () => {
  const model = modelOf(
    flow([
      step("collect"),
      review([COMPLETE, { label: "Missing", otherwise: true, detour: ["chase", "verify"], next: "continue" }]),
      step("chase", { on_demand: true }),
      step("verify", { on_demand: true, after: ["chase"] }),
      step("finish"),
    ]),
  );

  test("go to the detour's steps, then carry on after the deciding step without deciding again", () => {
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 2, 2);
    assert.equal(run.state.steps.review?.status, "done");
    assert.equal(run.state.steps.review?.branch, "Missing");
    assert.equal(run.state.steps.chase?.status, "open");
    assert.equal(run.state.steps.verify?.status, "blocked");
    assert.equal(run.state.steps.finish?.status, "blocked");
    run.send({ type: "complete_step", step: "chase" }, csm, at(3));
    assert.equal(run.state.steps.verify?.status, "open");
    assert.equal(run.state.steps.finish?.status, "blocked");
    run.send({ type: "complete_step", step: "verify" }, csm, at(4));
    assert.equal(run.state.steps.finish?.status, "open");
    assert.equal(run.state.steps.review?.attempt, 1);
    run.send({ type: "complete_step", step: "finish" }, csm, at(5));
    assert.equal(run.state.status, "closed");
  });

  test("the other branch leaves the detour's steps unrun, and nothing waits for them", () => {
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 0, 2);
    assert.equal(run.state.steps.chase?.status, "dormant");
    assert.equal(run.state.steps.verify?.status, "dormant");
    run.send({ type: "complete_step", step: "finish" }, csm, at(3));
    assert.equal(run.state.status, "closed");
  });
});

describe("waiting for steps that run only sometimes", () => {
  const model = modelOf(
    flow([
      step("collect"),
      review([COMPLETE, { label: "Missing", otherwise: true, next: "continue", actions: [{ activate: { step: "escalate" } }] }]),
      step("escalate", { on_demand: true }),
      step("finish", { after: ["escalate", "review"] }),
    ]),
  );

  test("a step waiting for an on-demand step that its decision did not open proceeds once the decision is taken", () => {
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    assert.equal(run.state.steps.finish?.status, "blocked"); // review may still open escalate
    decide(run, 0, 2);
    assert.equal(run.state.steps.escalate?.status, "dormant");
    assert.equal(run.state.steps.finish?.status, "open");
    run.send({ type: "complete_step", step: "finish" }, csm, at(3));
    assert.equal(run.state.status, "closed");
  });

  test("once the decision opened it, the waiting step waits for it to finish", () => {
    const run = new Run(model, START);
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    decide(run, 1, 2);
    assert.equal(run.state.steps.escalate?.status, "open");
    assert.equal(run.state.steps.finish?.status, "blocked");
    run.send({ type: "complete_step", step: "escalate" }, csm, at(3));
    assert.equal(run.state.steps.finish?.status, "open");
  });

  test("a step waiting for a step left out for this client, after an on-demand one only rules open, is not blocked", () => {
    const run = new Run(
      modelOf(
        flow([
          step("collect"),
          step("extra", { when: "facts.data_migration" }),
          step("rule_only", { on_demand: true }),
          step("finish", { after: ["extra", "rule_only"] }),
        ]),
      ),
      START,
      { facts: { data_migration: false } },
    );
    run.send({ type: "complete_step", step: "collect" }, csm, at(1));
    assert.equal(run.state.steps.finish?.status, "open");
  });
});

describe("property: loops, detours and optional steps always let a project finish", () => {
  type Style = "retest" | "redo" | "oneway" | "detour" | "activate";
  const STYLES: Style[] = ["retest", "redo", "oneway", "detour", "activate"];

  /** Two decisions in a row, each sending missing documents round one of the five patterns. */
  function generated(styles: readonly Style[], conditional = false): string {
    const steps: unknown[] = [];
    const forms: Record<string, unknown> = {};
    styles.forEach((style, i) => {
      forms[`check${i}`] = { title: `Check ${i}`, fields: { missing: { label: "Documents missing", type: "int", required: true } } };
      const complete = { label: "Complete", when: `forms.check${i}.missing == 0`, next: "continue" };
      const missing =
        style === "detour"
          ? { label: "Missing", otherwise: true, detour: [`fix${i}`], next: "continue" }
          : style === "activate"
            ? { label: "Missing", otherwise: true, actions: [{ activate: { step: `fix${i}` } }], next: "continue" }
            : { label: "Missing", otherwise: true, next: `fix${i}` };
      const back = style === "retest" ? { next: `review${i}` } : style === "redo" ? { next: `collect${i}` } : {};
      steps.push(
        step(`collect${i}`),
        step(`review${i}`, { form: `check${i}`, decision: { question: `Check ${i} complete?`, branches: [complete, missing] } }),
        step(`fix${i}`, { on_demand: true, ...back }),
      );
    });
    // A step left out where the client has no data migration, which the last step also waits for.
    if (conditional) steps.push(step("migrate", { when: "facts.data_migration", after: ["collect0"] }));
    const waitsFor = [...styles.flatMap((style, i) => (style === "activate" ? [`fix${i}`] : [])), ...(conditional ? ["migrate"] : [])];
    steps.push(step("finish", waitsFor.length > 0 ? { after: [`review${styles.length - 1}`, ...waitsFor] } : {}));
    return edited([
      [["forms"], forms],
      [["kpis"], []],
      [["phases"], [{ id: "work", title: "Work", window: "Days 1-60", steps }]],
    ]);
  }

  const UNFINISHED = new Set(["open", "in_progress", "blocked", "scheduled", "looping"]);

  test("completing every opened step (with random decisions) closes the project, never with a step unfinished", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STYLES), { minLength: 1, maxLength: 2 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        (styles, picks, outcomes, conditional, migration) => {
          const text = generated(styles, conditional);
          // Their flow lints clean (this fixture leaves out KPIs, which lint also asks for).
          const flowErrors = lint(text).filter((d) => d.severity === "error" && /^(graph|loop|decision)\//.test(d.rule));
          assert.deepEqual(flowErrors, [], `${styles.join(", ")} lints clean`);
          const run = new Run(modelOf(text), START, { facts: { data_migration: migration } });
          for (let n = 0; n < 200 && run.state.status === "active"; n++) {
            const open = Object.values(run.state.steps).filter((s) => s.status === "open" || s.status === "in_progress");
            assert.ok(open.length > 0, `stuck with ${JSON.stringify(Object.values(run.state.steps).map((s) => `${s.id}:${s.status}`))}`);
            const chosen = open[(picks[n] ?? 0) % open.length];
            if (!chosen) break;
            const i = chosen.id.match(/^review(\d)$/)?.[1];
            // Decisions past the random outcomes find the documents complete, so every run ends.
            if (i !== undefined) run.send({ type: "submit_form", step: chosen.id, values: { missing: outcomes[n] ?? 0 } }, csm, at(n / 4));
            run.send({ type: "complete_step", step: chosen.id }, csm, at(n / 4));
            if (run.state.completedAt !== undefined)
              for (const s of Object.values(run.state.steps)) assert.ok(!UNFINISHED.has(s.status), `completed with ${s.id} ${s.status}`);
          }
          assert.equal(run.state.status, "closed");
          for (const s of Object.values(run.state.steps))
            assert.ok(!UNFINISHED.has(s.status), `${s.id} is ${s.status} in a closed project`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
