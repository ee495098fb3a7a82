// An unquoted ": " or comma in a title or label: the finding names the real cause (quote the
// value) and shows the quoted line, instead of a parser message or "unknown key ... remove it".
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lineOf, load, MINIMAL } from "../support/fixtures.ts";

function only(text: string) {
  assert.notEqual(text, MINIMAL, "the edit applies");
  const errors = load(text).diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 1, JSON.stringify(errors));
  return errors[0] as NonNullable<(typeof errors)[0]>;
}

describe("quote this value", () => {
  test('a block title with ": " in it', () => {
    const text = MINIMAL.replace("title: Kickoff call", "title: Kickoff call: agenda and goals");
    const d = only(text);
    assert.equal(d.rule, "source/quote");
    assert.equal(d.line, lineOf(text, "Kickoff call: agenda"));
    assert.match(d.message, /the value of "title" contains ": "/);
    assert.equal(d.fix, 'quote this value: title: "Kickoff call: agenda and goals"');
  });

  test('a label with ": " inside { }', () => {
    const text = MINIMAL.replace("{ label: Failed, otherwise", "{ label: Failed: retest, otherwise");
    const d = only(text);
    assert.equal(d.rule, "source/quote");
    assert.equal(d.fix, 'quote it: label: "Failed: retest"');
  });

  test("a comma inside { } does not ask to delete part of the text", () => {
    const text = MINIMAL.replace("sign_off: The success plan }", "sign_off: The success plan, signed }");
    const d = only(text);
    assert.equal(d.rule, "source/quote");
    assert.match(d.message, /"signed" is read as a key because the comma before it ends the value of "sign_off"/);
    assert.doesNotMatch(`${d.message} ${d.fix}`, /remove/);
    assert.equal(d.fix, 'quote the whole value: sign_off: "The success plan, signed"');
    assert.equal(d.line, lineOf(text, "signed }"));
  });

  test('an item with ": " in a [ ] list', () => {
    const text = MINIMAL.replace("applies_to: [All new clients]", "applies_to: [All new clients, partners: EMEA]");
    const d = only(text);
    assert.equal(d.rule, "source/quote");
    assert.equal(d.fix, 'quote the item: "partners: EMEA"');
  });

  test("a value that starts with a quote and goes on after it", () => {
    const d = only(MINIMAL.replace("title: Kickoff call", "title: 'Kickoff' call"));
    assert.equal(d.fix, `quote the whole value: title: "'Kickoff' call"`);
  });

  test("other YAML errors (a bad indent) keep the parser's message", () => {
    const text = MINIMAL.replace("    title: Kickoff\n", "    title: Kickoff\n   bad: indent\n");
    const errors = load(text).diagnostics;
    assert.ok(errors.length > 0);
    assert.deepEqual(new Set(errors.map((d) => d.rule)), new Set(["source/yaml"]));
  });
});
