// Conditions in the SOP: said in words from their syntax, with the exact expression in the
// Conditions appendix when they use functions, macros or arithmetic (issue 22, item 13).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { sayCondition } from "../../src/render/sop/condition-words.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const WITH_LISTS = edited([
  [["facts", "country"], { type: "string", label: "Country" }],
  [["facts", "tags"], { type: "list", label: "Tags" }],
  [["facts", "contact_email"], { type: "email", label: "Contact email" }],
]);

function playbookOf(source: string) {
  const loaded = loadPlaybook("p.yaml", source);
  if (!loaded.model) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.model;
}
const model = playbookOf(WITH_LISTS);
const say = (condition: string) => sayCondition(condition, model.playbook);

describe("conditions said from their syntax", () => {
  const simple: [string, string][] = [
    ["facts.data_migration", "Data migration in scope"],
    ["facts.user_count > 100 && !facts.data_migration", "Number of users > 100 and not Data migration in scope"],
    [
      "facts.user_count > 1 && (facts.data_migration || facts.user_count < 5)",
      "Number of users > 1 and (Data migration in scope or Number of users < 5)",
    ],
    [
      "(facts.data_migration || facts.user_count < 5) && facts.user_count > 1",
      "(Data migration in scope or Number of users < 5) and Number of users > 1",
    ],
    ["has(facts.user_count) && facts.user_count > 100", "Number of users is known and Number of users > 100"],
    ["!has(facts.user_count)", "Number of users is not known"],
    ["forms.uat_results.failed_scenarios == 0", "Failed scenarios (UAT results) = 0"],
    ["size(facts.tags) > 0", "Tags is not empty"],
    ["facts.tags.size() == 0", "Tags is empty"],
  ];
  for (const [condition, words] of simple) {
    test(`simple: ${condition}`, () => assert.deepEqual(say(condition), { words, complex: false }));
  }
  const complex: [string, string][] = [
    ['facts.country in ["DE", "FR"]', "Country is one of “DE”, “FR”"],
    ['"vip" in facts.tags', "Tags includes “vip”"],
    ["size(facts.tags) >= 3", "the number of entries in Tags ≥ 3"],
    ['facts.contact_email.endsWith("@example.com")', "Contact email ends with “@example.com”"],
    ['facts.country.startsWith("D")', "Country starts with “D”"],
    ['facts.tags.exists(t, t == "vip")', "at least one entry of Tags where the entry = “vip”"],
    ['facts.tags.all(t, t != "test")', "every entry of Tags has the entry ≠ “test”"],
    ["facts.user_count * 2 >= 10", "Number of users × 2 ≥ 10"],
    ["(facts.user_count + 1) * 2 > 10", "(Number of users + 1) × 2 > 10"],
  ];
  for (const [condition, words] of complex) {
    test(`with functions: ${condition}`, () => assert.deepEqual(say(condition), { words, complex: true }));
  }
  test("what cannot be said faithfully has no words (the expression is printed)", () => {
    assert.deepEqual(say("facts.tags.map(t, t + 'x').size() > 0"), { words: undefined, complex: true });
    assert.deepEqual(say("facts.unknown_fact"), { words: undefined, complex: true });
    assert.deepEqual(say("timestamp(facts.country) > now"), { words: undefined, complex: true });
  });
});

describe("the Conditions appendix", () => {
  test("lists each complex condition once, in words and as its expression, and the text refers to it", () => {
    const source = edited(
      [
        [["facts", "tags"], { type: "list", label: "Tags" }],
        [["phases", 0, "steps", 1, "when"], 'size(facts.tags) > 0 && "vip" in facts.tags'],
      ],
      MINIMAL,
    );
    const markdown = writeMarkdown(buildSop(playbookOf(source)));
    assert.match(markdown, /only where Tags is not empty and Tags includes “vip” \(condition C1\)/);
    const appendix = markdown.slice(markdown.lastIndexOf("Conditions"));
    assert.match(appendix, /\| C1 \| Tags is not empty and Tags includes “vip” \| `size\(facts.tags\) > 0 && "vip" in facts.tags` \|/);
    assert.equal(appendix.match(/\| C\d/g)?.length, 1);
  });
  test("a procedure whose conditions are all simple has no Conditions appendix", () => {
    const markdown = writeMarkdown(buildSop(playbookOf(MINIMAL)));
    assert.doesNotMatch(markdown, /## [A-Z]\. Conditions/);
  });
});
