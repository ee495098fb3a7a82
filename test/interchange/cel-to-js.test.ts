// The JavaScript a criterion becomes in the BPMN export decides as Onboard's CEL evaluator does,
// for any facts: each expression below, on random clients.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { celToJavaScript } from "../../src/interchange/bpmn-export/cel-to-js.ts";
import { ExpressionChecker } from "../../src/playbook/expressions.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const FACTS = {
  data_migration: { type: "bool", label: "Data migration in scope", default: false },
  user_count: { type: "int", label: "Number of users" },
  n: { type: "int", label: "A count" },
  d: { type: "double", label: "An amount" },
  flag: { type: "bool", label: "A flag" },
  s: { type: "string", label: "A word" },
  tags: { type: "list", label: "Tags", values: ["x", "y", "z"] },
};

const EXPRESSIONS = [
  "facts.n > 3 && facts.flag",
  "!facts.flag || facts.s == 'b'",
  "facts.s != 'a' && facts.n <= 2",
  "facts.s in ['a', 'b']",
  "'x' in facts.tags",
  "size(facts.tags) > 1",
  "facts.tags.size() == 0",
  "facts.d * 2.0 <= 10.0 || facts.d - 1.5 > 7.0",
  "facts.s.startsWith('a') || facts.s.endsWith('c')",
  "facts.s.contains('b')",
  "-facts.n < -2",
  "facts.n % 2 == 0",
  "has(facts.n) && facts.n >= 4",
  "(facts.flag ? facts.n : 0) > 1",
  "facts.d / 2.0 > 1.5",
];

test("each translated criterion agrees with Onboard's CEL on random facts", () => {
  const model = modelOf(edited([[["facts"], FACTS]]));
  const checker = new ExpressionChecker(model.playbook);
  for (const source of EXPRESSIONS) {
    const js = celToJavaScript(source);
    assert.ok(js, `${source} translates`);
    const run = new Function("environment", `return ${js};`) as (environment: unknown) => unknown;
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: -6, max: 6 }),
          d: fc.double({ min: 0, max: 10, noNaN: true }),
          flag: fc.boolean(),
          s: fc.constantFrom("a", "b", "ab", "c", "bc"),
          tags: fc.subarray(["x", "y", "z"]),
        }),
        (facts) => {
          const expected = checker.evaluate(source, {}, { facts });
          assert.equal(Boolean(run({ variables: { facts } })), expected, `${source} on ${JSON.stringify(facts)}`);
        },
      ),
      { numRuns: 60 },
    );
  }
});

test("what cannot be translated is said so, not guessed", () => {
  assert.equal(celToJavaScript("facts.s.matches('^a+$')"), undefined);
  // 3 / 2 is 1 in CEL: an int division is not what JavaScript's / does.
  assert.equal(celToJavaScript("facts.n / 2 == 1"), undefined);
  assert.equal(celToJavaScript("timestamp('2026-01-01T00:00:00Z') < timestamp('2027-01-01T00:00:00Z')"), undefined);
});

test("an unanswered field reads as its zero value, as Onboard's evaluator reads it", () => {
  const model = modelOf(edited([[["facts"], FACTS]]));
  const checker = new ExpressionChecker(model.playbook);
  const source = "forms.uat_results.failed_scenarios == 0";
  const zeroOf = (path: readonly string[]) => (path.join(".") === "forms.uat_results.failed_scenarios" ? "0" : undefined);
  const js = celToJavaScript(source, "environment.variables", zeroOf);
  const run = new Function("environment", `return ${js};`) as (environment: unknown) => unknown;
  const cases: Record<string, Record<string, unknown>>[] = [{}, { uat_results: {} }, { uat_results: { failed_scenarios: 2 } }];
  for (const forms of cases) assert.equal(run({ variables: { forms } }), checker.evaluate(source, {}, { forms }), JSON.stringify(forms));
});
