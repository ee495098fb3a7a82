import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RULES } from "../../src/lint/lint.ts";
import { ExpressionChecker } from "../../src/playbook/expressions.ts";
import { edited, lineOf, lint, load, MINIMAL } from "../support/fixtures.ts";

function rulesHit(text: string, severity = "error"): string[] {
  return lint(text)
    .filter((d) => d.severity === severity)
    .map((d) => d.rule);
}

describe("lint rules", () => {
  test("the minimal playbook is clean", () => {
    assert.deepEqual(lint(MINIMAL), []);
  });

  test("every rule has a unique id, a severity and a description", () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const rule of RULES) assert.ok(rule.description.length > 20, rule.id);
  });

  test("step/actionable: a step must say what it produces", () => {
    const text = edited([[["phases", 1, "steps", 0, "expected_result"], undefined]]);
    assert.deepEqual(rulesHit(text), ["step/actionable"]);
  });

  test("handoff/both-sides: a handoff to oneself", () => {
    const text = edited([[["phases", 0, "steps", 0, "handoff", "to"], "ae"]]);
    assert.deepEqual(rulesHit(text), ["handoff/both-sides"]);
  });

  test("gate/client-visible: a client sign-off on a hidden step", () => {
    const text = edited([[["phases", 0, "steps", 1, "visible_to_client"], false]]);
    assert.deepEqual(rulesHit(text), ["gate/client-visible"]);
  });

  test("raci/consistent: the owner must be responsible or accountable", () => {
    const text = edited([[["phases", 0, "steps", 0, "raci"], { responsible: ["csm"], accountable: "csm", informed: ["ae"] }]]);
    assert.deepEqual(rulesHit(text), ["raci/consistent"]);
  });

  test("decision/measurable: a constant criterion is not a measurement", () => {
    const text = MINIMAL.replace("when: forms.uat_results.failed_scenarios == 0", "when: 1 == 1");
    assert.deepEqual(rulesHit(text), ["decision/measurable"]);
  });

  test("decision/measurable: the fallback branch must be last", () => {
    const text = edited([
      [
        ["phases", 1, "steps", 1, "decision", "branches"],
        [
          { label: "Failed", otherwise: true, next: "fix_uat" },
          { label: "Passed", when: "forms.uat_results.failed_scenarios == 0", next: "continue" },
        ],
      ],
    ]);
    assert.deepEqual(rulesHit(text), ["decision/measurable"]);
  });

  test("loop/exit: a fix-and-retest loop without a way out", () => {
    const text = MINIMAL.replace(
      "when: forms.uat_results.failed_scenarios == 0, next: continue",
      "when: forms.uat_results.failed_scenarios == 0, next: fix_uat",
    );
    assert.ok(rulesHit(text).includes("loop/exit"));
  });

  test("loop/same-data: a loop back to a decision that reads only the client's facts takes the same branch for ever", () => {
    const text = MINIMAL.replace("when: forms.uat_results.failed_scenarios == 0", "when: facts.user_count > 100");
    assert.deepEqual(rulesHit(text), ["loop/same-data"]);
    assert.match(lint(text).find((d) => d.rule === "loop/same-data")?.fix ?? "", /detour: \[fix_uat\]/);
    // Reading the attempt (or a form filled again) can change on the way round.
    assert.deepEqual(
      rulesHit(MINIMAL.replace("when: forms.uat_results.failed_scenarios == 0", "when: facts.user_count > 100 || step.attempt > 2")),
      [],
    );
  });

  test("graph/cycle: steps that wait for each other", () => {
    const text = edited([[["phases", 0, "steps", 0, "after"], ["kickoff_call"]]]);
    assert.deepEqual(rulesHit(text), ["graph/cycle"]);
  });

  test("graph/unreachable: an on-demand step nothing opens", () => {
    const text = MINIMAL.replace("otherwise: true, next: fix_uat", "otherwise: true, next: hold");
    assert.deepEqual(rulesHit(text), ["graph/unreachable"]);
  });

  test("graph/blocks-forever: a decision that waits for a step only it can open", () => {
    const text = edited([
      [
        ["phases", 1, "steps", 1, "after"],
        ["migrate", "fix_uat"],
      ],
    ]);
    assert.ok(rulesHit(text).includes("graph/blocks-forever"));
    assert.match(lint(text).find((d) => d.rule === "graph/blocks-forever")?.message ?? "", /uat waits for fix_uat waits for uat/);
    // Waiting for it after the decision is fine: once UAT passes, nobody can open the fix any more.
    assert.deepEqual(
      rulesHit(
        edited([
          [
            ["phases", 1, "steps", 3, "after"],
            ["uat", "fix_uat"],
          ],
        ]),
      ),
      [],
    );
  });

  test("decision/detour: a detour to on-demand steps, then carry on, lints clean; anything else is named", () => {
    const detour = edited([
      [["phases", 1, "steps", 1, "decision", "branches", 1], { label: "Failed", otherwise: true, detour: ["fix_uat"], next: "continue" }],
      [["phases", 1, "steps", 2, "next"], undefined],
    ]);
    assert.deepEqual(lint(detour), []);
    const notOnDemand = edited([[["phases", 1, "steps", 1, "decision", "branches", 1, "detour"], ["go_live"]]], detour);
    assert.deepEqual(rulesHit(notOnDemand), ["decision/detour"]);
    const returns = edited([
      [["phases", 1, "steps", 1, "decision", "branches", 1], { label: "Failed", otherwise: true, detour: ["fix_uat"], next: "continue" }],
    ]);
    assert.deepEqual(rulesHit(returns), ["decision/detour"]);
    const held = edited([
      [["phases", 1, "steps", 1, "decision", "branches", 1], { label: "Failed", otherwise: true, detour: ["fix_uat"], next: "hold" }],
      [["phases", 1, "steps", 2, "next"], undefined],
    ]);
    assert.deepEqual(rulesHit(held), ["decision/detour"]);
  });

  test("schedule/deadline-in-window: a deadline after the phase ends", () => {
    const text = MINIMAL.replace("due: Day 40", "due: Day 60");
    const found = lint(text).filter((d) => d.severity === "error");
    assert.deepEqual(
      found.map((d) => d.rule),
      ["schedule/deadline-in-window"],
    );
    assert.equal(found[0]?.line, lineOf(text, "due: Day 60"));
    assert.match(found[0]?.message ?? "", /day 60 .* ends on day 45/);
  });

  test("schedule/deadline-in-window: a deadline before the phase begins", () => {
    const text = MINIMAL.replace("due: Day 40", "due: 2 days after start");
    assert.deepEqual(rulesHit(text), ["schedule/deadline-in-window"]);
  });

  test("schedule/deadline-in-window: chains of deadlines add up", () => {
    // 24h after start + 30 business days for the kickoff ends far past Day 10.
    const text = edited([[["parameters", "number_of_days", "default"], 30]]);
    assert.deepEqual(rulesHit(text), ["schedule/deadline-in-window"]);
  });

  test("document/dates: effective before the current version was written", () => {
    const text = edited([[["document", "effective"], "2026-01-15"]]);
    assert.deepEqual(rulesHit(text), ["document/dates"]);
  });

  test("document/dates: review before effective, version not in history, history out of order", () => {
    assert.deepEqual(rulesHit(edited([[["document", "review"], "2026-01-01"]])), ["document/dates"]);
    assert.deepEqual(rulesHit(edited([[["document", "version"], "2.0"]])), ["document/dates"]);
    const swapped = edited([
      [
        ["document", "revisions"],
        [
          { version: "1.1", date: "2026-02-01", changes: "b" },
          { version: "1.0", date: "2026-01-01", changes: "a" },
        ],
      ],
    ]);
    assert.ok(rulesHit(swapped).includes("document/dates"));
    assert.deepEqual(rulesHit(edited([[["document", "effective"], "2026-02-30"]])), ["document/dates"]);
  });

  test("coverage: exceptions and KPIs must be present", () => {
    assert.deepEqual(rulesHit(edited([[["rules"], []]])), ["coverage/exceptions"]);
    assert.deepEqual(rulesHit(edited([[["kpis"], []]])), ["coverage/kpis"]);
  });

  test("coverage/compliance: an addendum attached to nothing", () => {
    const text = edited([
      [["compliance"], [{ id: "soc2", title: "SOC 2", framework: "soc2", evidence: [{ id: "access", text: "Access control evidence" }] }]],
    ]);
    assert.deepEqual(rulesHit(text), ["coverage/compliance"]);
    const attached = edited([
      [
        ["compliance"],
        [
          {
            id: "soc2",
            title: "SOC 2",
            framework: "soc2",
            evidence: [{ id: "access", text: "Access control evidence", at: ["kickoff_call"] }],
          },
        ],
      ],
    ]);
    assert.deepEqual(rulesHit(attached), []);
  });

  test("coverage/unused: declared but unused roles and parameters are warnings", () => {
    const text = edited([
      [["roles", "finance"], { title: "Finance", side: "internal" }],
      [["parameters", "spare"], { type: "string", description: "Nothing uses this." }],
    ]);
    assert.deepEqual(rulesHit(text, "warning").sort(), ["coverage/unused", "coverage/unused"]);
  });

  test("condition/optional-fact: reading a fact without a default needs a has() guard", () => {
    const at = ["phases", 1, "steps", 0, "when"];
    const unguarded = edited([[at, "facts.user_count > 100 && facts.data_migration"]]);
    const found = lint(unguarded).filter((d) => d.rule === "condition/optional-fact");
    // user_count has no default; data_migration defaults to false, so it is always given.
    assert.deepEqual(
      found.map((d) => [d.severity, d.line]),
      [["warning", lineOf(unguarded, "facts.user_count > 100")]],
    );
    assert.match(found[0]?.fix ?? "", /has\(facts\.user_count\)/);
    assert.deepEqual(lint(edited([[at, "has(facts.user_count) && facts.user_count > 100"]])), []);
    // Everywhere a condition stands: a rule's action too.
    const inAction = edited([[["rules", 0, "actions", 0, "when"], "facts.user_count > 10"]]);
    assert.deepEqual(rulesHit(inAction, "warning"), ["condition/optional-fact"]);
  });

  test("expr/type: an int literal equals a double field (CEL's heterogeneous numeric equality), as > already did", () => {
    for (const when of ["event.amount == 0", "0 != event.amount", "event.amount > 0", "event.amount in [0, 100]"]) {
      const text = edited([
        [
          ["rules", 1],
          {
            id: "free",
            title: "Free deals",
            category: "automation",
            on: "deal.won",
            when,
            actions: [{ notify: { to: ["ae"], message: "A free deal" } }],
          },
        ],
      ]);
      assert.deepEqual(rulesHit(text), [], when);
    }
    const checker = new ExpressionChecker(load(MINIMAL).model?.playbook ?? assert.fail("the minimal playbook loads"));
    const scope = { event: "deal.won" } as const;
    assert.equal(checker.evaluate("event.amount == 0", scope, { event: { amount: 0 } }), true);
    assert.equal(checker.evaluate("event.amount == 0", scope, { event: { amount: 1.5 } }), false);
    assert.equal(checker.evaluate("2 == event.amount", scope, { event: { amount: 2 } }), true);
    assert.equal(checker.evaluate("event.amount != 2", scope, { event: { amount: 2.5 } }), true);
    assert.equal(checker.evaluate("event.amount in [0, 100]", scope, { event: { amount: 100 } }), true);
    assert.equal(checker.evaluate("event.amount in [0, 100]", scope, { event: { amount: 50 } }), false);
  });

  test("has(facts.x) tells whether the client gave the fact: absent facts are absent", () => {
    const checker = new ExpressionChecker(load(MINIMAL).model?.playbook ?? assert.fail("the minimal playbook loads"));
    assert.equal(checker.evaluate("has(facts.user_count)", {}, { facts: {} }), false);
    assert.equal(checker.evaluate("has(facts.user_count)", {}, { facts: { user_count: 0 } }), true);
    assert.throws(() => checker.evaluate("facts.user_count > 1", {}, { facts: {} }), /user_count/);
  });
});

describe("kpi/measurable", () => {
  test("time to go-live without a go-live step is flagged; with one it is not", () => {
    const without = edited([[["phases", 1, "steps", 3, "go_live"], false]]);
    const found = lint(without).filter((d) => d.rule === "kpi/measurable");
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? "", /measures time_to_go_live, but nothing in the playbook produces it/);
    assert.equal(found[0]?.line, lineOf(without, "metric: time_to_go_live"));
    assert.deepEqual(
      lint(MINIMAL).filter((d) => d.rule === "kpi/measurable"),
      [],
    );
  });
});
