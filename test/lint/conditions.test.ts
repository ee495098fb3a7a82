// Conditions: a misspelt name gets a did-you-mean (Levenshtein) over what is declared there, and a
// `matches` pattern outside RE2 (CEL's regular expressions) is refused with what to write instead.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { re2Problem } from "../../src/playbook/regex-dialect.ts";
import { lineOf, lint, MINIMAL } from "../support/fixtures.ts";

const CRITERION = "when: forms.uat_results.failed_scenarios == 0";

function criterion(expression: string) {
  const text = MINIMAL.replace(CRITERION, `when: '${expression}'`);
  assert.notEqual(text, MINIMAL);
  const errors = lint(text).filter((d) => d.severity === "error");
  assert.equal(errors.length, 1, JSON.stringify(errors));
  return { text, d: errors[0] as NonNullable<(typeof errors)[0]> };
}

describe("did you mean, in conditions", () => {
  for (const [written, meant] of [
    ["facts.user_cont > 1", "facts.user_count"],
    ["forms.uat_result.failed_scenarios == 0", "forms.uat_results"],
    ["forms.uat_results.failed_scenario == 0", "forms.uat_results.failed_scenarios"],
    ["params.number_of_day > 1", "params.number_of_days"],
    ["step.attemp > 1", "step.attempt"],
    ["project.day_since_start > 3", "project.days_since_start"],
    ["fact.user_count > 1", "facts"],
  ] as const) {
    test(`${written} → ${meant}`, () => {
      const { d } = criterion(written);
      assert.equal(d.rule, "expr/type");
      assert.ok(d.message.includes(`(did you mean ${meant}?)`), d.message);
      assert.ok(d.fix?.startsWith(`write ${meant}`), d.fix);
    });
  }

  test("a name far from any declared one lists what is declared there", () => {
    const { d } = criterion("facts.zzzzzzz > 1");
    assert.doesNotMatch(d.message, /did you mean/);
    assert.equal(d.fix, "the facts here are: user_count, data_migration; declare facts.zzzzzzz if it is new");
  });
});

describe("regular expressions follow RE2", () => {
  test("lookahead is refused at load, at the pattern, with what to write instead", () => {
    const { text, d } = criterion('params.company_name.matches("^(?!Acme)")');
    assert.equal(d.rule, "expr/regex");
    assert.match(d.message, /lookahead "\(\?!" is not in RE2/);
    assert.match(d.fix ?? "", /&& !x\.matches/);
    assert.equal(d.line, lineOf(text, "(?!Acme)"));
  });

  test("lookbehind, backreferences and RE2-only syntax are refused; RE2-compatible patterns pass", () => {
    for (const [pattern, problem] of [
      ["(?<=x)y", /lookbehind/],
      ["(?<!x)y", /lookbehind/],
      ["^(a)\\1$", /backreference \\1/],
      ["(?<a>x)\\k<a>", /named backreference/],
      ["(?i)acme", /inline flag/],
      ["\\Aacme\\z", /\\A means something else/],
      ["[[:alpha:]]+", /POSIX/],
      ["(?P<n>x)", /\(\?P<name>/],
      ["[", /not a valid regular expression/],
    ] as const) {
      assert.match(re2Problem(pattern)?.message ?? "accepted", problem, pattern);
    }
    for (const ok of ["^[A-Z][a-z]+$", "^\\d{4}-\\d{2}$", "(?:ab)+", "(?<year>\\d{4})", "[(?=]", "a\\(?=b", "^$"]) {
      assert.equal(re2Problem(ok), undefined, ok);
    }
    assert.deepEqual(
      lint(MINIMAL.replace(CRITERION, `when: 'params.company_name.matches("^[A-Z]") && forms.uat_results.failed_scenarios == 0'`)),
      [],
    );
  });
});
