import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { edited, errors, lineOf, load, MINIMAL } from "../support/fixtures.ts";

describe("loading a playbook", () => {
  test("the minimal playbook loads into typed values", () => {
    const result = load(MINIMAL);
    assert.deepEqual(errors(result.diagnostics), []);
    const playbook = result.playbook;
    assert.ok(playbook);
    assert.equal(playbook.phases.length, 2);
    const kickoff = playbook.phases[0]?.steps[1];
    assert.equal(kickoff?.due?.kind === "offset" && kickoff.due.duration.business, true);
    assert.equal(playbook.calendar.working_hours, "09:00-17:00");
  });

  test("a misspelt role names the line and column and suggests the right one", () => {
    const text = MINIMAL.replace(
      '        owner: csm\n        due: "{{number_of_days}}',
      '        owner: cms\n        due: "{{number_of_days}}',
    );
    const [error, ...rest] = errors(load(text, "onboarding.yaml").diagnostics);
    assert.equal(rest.length, 0);
    assert.ok(error);
    assert.equal(error.rule, "ref/unknown-role");
    assert.equal(error.file, "onboarding.yaml");
    assert.equal(error.line, lineOf(text, "owner: cms"));
    assert.equal(error.column, 16);
    assert.match(error.fix ?? "", /did you mean "csm"/);
  });

  test("a misspelt step in a decision branch suggests the step", () => {
    const text = MINIMAL.replace("next: fix_uat }", "next: fix_uta }");
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "ref/unknown-step");
    assert.match(error?.fix ?? "", /did you mean "fix_uat"/);
  });

  test("unknown keys are errors pointing at the key, with a suggestion", () => {
    const text = MINIMAL.replace("        expected_result: Data migrated", "        expected_reslt: Data migrated");
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "schema/unknown-key");
    assert.equal(error?.line, lineOf(text, "expected_reslt"));
    assert.equal(error?.column, 9);
    assert.match(error?.message ?? "", /did you mean "expected_result"/);
  });

  test("missing required keys and wrong types are located", () => {
    const missing = errors(load(edited([[["phases", 0, "steps", 0, "owner"], undefined]])).diagnostics);
    assert.equal(missing[0]?.rule, "schema/missing");
    assert.match(missing[0]?.message ?? "", /"owner" is required/);
    const wrongType = errors(load(edited([[["phases", 0, "steps"], "none"]])).diagnostics);
    assert.equal(wrongType[0]?.rule, "schema/type");
  });

  test("a bad enum value lists what is allowed and guesses", () => {
    const text = edited([[["roles", "csm", "side"], "internl"]]);
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "schema/value");
    assert.match(error?.fix ?? "", /did you mean "internal"/);
  });

  test("a mapping where a keyword goes is described, not converted (one with a toString key crashed the loader)", () => {
    const text = edited([[["roles", "csm", "side"], { toString: 0 }]]);
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "schema/value");
    assert.equal(error?.message, "a mapping is not allowed here");
    assert.match(error?.fix ?? "", /write one of: internal, client/);
  });

  test("a time phrase that does not parse says how to write it", () => {
    const text = MINIMAL.replace("due: Day 40", "due: by day forty");
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.line, lineOf(text, "by day forty"));
    assert.match(error?.fix ?? "", /Day 90 after go_live/);
  });

  test("CEL conditions are type-checked against declared facts, at the spot inside the string", () => {
    const text = MINIMAL.replace("when: facts.data_migration", "when: facts.data_migraton");
    const [error] = errors(load(text).diagnostics);
    assert.equal(error?.rule, "expr/type");
    assert.match(error?.message ?? "", /No such key: data_migraton/);
    assert.equal(error?.line, lineOf(text, "facts.data_migraton"));
    assert.equal(error?.column, 15 + "facts.".length);
  });

  test("a condition of the wrong type is refused", () => {
    const wrongType = errors(load(MINIMAL.replace("when: facts.data_migration", "when: facts.user_count")).diagnostics);
    assert.match(wrongType[0]?.message ?? "", /a condition \(bool\) is needed/);
    const mixed = errors(load(MINIMAL.replace("when: facts.data_migration", 'when: facts.user_count > "many"')).diagnostics);
    assert.match(mixed[0]?.message ?? "", /no such overload/);
  });

  test("rule conditions see the event's fields and no others", () => {
    const text = MINIMAL.replace("when: event.days_overdue > 2", "when: event.score < 7");
    assert.match(errors(load(text).diagnostics)[0]?.message ?? "", /No such key: score/);
  });

  test("unknown placeholders are errors; parameters and runtime values are not", () => {
    const text = MINIMAL.replace("{{client.name}} is late", "{{client.nmae}} is late for {{compnay_name}}");
    const found = errors(load(text).diagnostics).map((d) => d.message);
    assert.deepEqual(found, ['unknown placeholder "{{client.nmae}}"', 'unknown placeholder "{{compnay_name}}"']);
  });

  test("duration placeholders must be numeric parameters", () => {
    const text = MINIMAL.replace('due: "{{number_of_days}} business days"', 'due: "{{company_name}} business days"');
    assert.equal(errors(load(text).diagnostics)[0]?.rule, "ref/amount-type");
  });

  test("duplicate keys and broken YAML are reported with their position", () => {
    const duplicate = MINIMAL.replace("purpose: Bring", "purpose: Twice\npurpose: Bring");
    const [error] = errors(load(duplicate).diagnostics);
    assert.equal(error?.rule, "source/yaml");
    assert.equal(error?.line, lineOf(duplicate, "purpose: Bring"));
    const broken = errors(load("onboard: 1\nid: [unclosed\n").diagnostics);
    assert.equal(broken[0]?.rule, "source/yaml");
  });

  test("bytes that are not UTF-8 are refused, never guessed at", () => {
    const bytes = new TextEncoder().encode("onboard: 1\nid: caf\u00e9\n");
    const latin1 = Uint8Array.from([...bytes.slice(0, 18), 0xe9, 0x0a]);
    const [error] = loadPlaybook("latin1.yaml", latin1).diagnostics;
    assert.equal(error?.rule, "source/encoding");
    assert.equal(error?.line, 2);
    assert.equal(error?.column, 8);
  });

  test("escapes that decode to NUL or half a surrogate pair are refused where they are written", () => {
    for (const sequence of ["\\0", "\\x00", "\\u0000", "\\ud800", "\\udfff"]) {
      const text = MINIMAL.replace("title: Kickoff call", `title: "Kickoff ${sequence} call"`);
      const [error, ...rest] = errors(load(text).diagnostics);
      assert.equal(error?.rule, "source/text", sequence);
      assert.equal(error?.line, lineOf(text, "Kickoff \\"));
      assert.equal(error?.column, 16);
      assert.deepEqual(rest, []);
    }
    // A whole pair is a character: fine.
    const pair = MINIMAL.replace("title: Kickoff call", 'title: "Kickoff \\ud83d\\udfe2 call"');
    assert.deepEqual(errors(load(pair).diagnostics), []);
  });

  test("non-Latin text and emoji survive loading", () => {
    const text = MINIMAL.replace("title: Minimal onboarding", "title: 顧客オンボーディング 🟢/🟡/🔴");
    const bytes = new TextEncoder().encode(`\uFEFF${text}`);
    assert.equal(loadPlaybook("u.yaml", bytes).playbook?.document.title, "顧客オンボーディング 🟢/🟡/🔴");
  });

  test("duplicate step ids are errors", () => {
    const text = MINIMAL.replace("- id: migrate", "- id: handoff");
    assert.ok(errors(load(text).diagnostics).some((d) => d.rule === "ids/duplicate"));
  });

  test("a document that is not a mapping gets a starting hint", () => {
    for (const text of ["", "- a\n- b\n", "just text"]) {
      const [error] = load(text).diagnostics;
      assert.equal(error?.rule, "schema/type", text);
      assert.match(error?.fix ?? "", /onboard: 1/);
    }
  });
});
