// include, render and layout read other templates, and a playbook has no template files: they are
// found wherever Liquid would run them (also inside {% liquid %}), with their line, and nowhere
// Liquid would not (raw and comment blocks); a playbook whose template uses one does not load.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileTagsIn } from "../../src/playbook/liquid-tags.ts";
import { errors, lineOf, load, MINIMAL } from "../support/fixtures.ts";

describe("include, render and layout in templates", () => {
  test("each is found with its line and column, trimmed or not, also inside {% liquid %}", () => {
    const text =
      "Hello\n{% include 'header' %}\n  {%- render \"card\", x: 1 -%}\n{% layout 'base' %}\n{% liquid\n  assign a = 1\n  include 'x'\n%}";
    assert.deepEqual(
      fileTagsIn(text).map((u) => [u.tag, u.line, u.column]),
      [
        ["include", 2, 1],
        ["render", 3, 3],
        ["layout", 4, 1],
        ["include", 7, 3],
      ],
    );
  });

  test("raw and comment blocks, words that merely contain the names, and other tags are not uses", () => {
    const text =
      "{% raw %}{% include 'x' %}{% endraw %}{% comment %}{% render 'y' %}{% endcomment %}{% if included %}{{ render }}{% endif %}{% assign layout = 1 %}";
    assert.deepEqual(fileTagsIn(text), []);
  });

  test("a playbook whose template includes another is refused when it loads, at the template's line", () => {
    const text = `${MINIMAL.trimEnd()}\ntemplates:\n  WELCOME:\n    title: Welcome\n    kind: email\n    subject: Welcome\n    body: |\n      Dear {{client.name}},\n      {% render 'signature' %}\n`;
    const found = errors(load(text).diagnostics);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]?.rule, "template/file-tag");
    assert.match(found[0]?.message ?? "", /\{% render %\} on line 2 of the body of template WELCOME/);
    assert.equal(found[0]?.line, lineOf(text, "    body: |"));
    assert.deepEqual(errors(load(text.replace("{% render 'signature' %}", "Kind regards")).diagnostics), []);
  });
});
