// text/link-address: a link in step text whose address no output would keep (javascript:, a
// relative path, a typo'd scheme) is a warning at the line it is written on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { edited, lineOf, lint } from "../support/fixtures.ts";

describe("text/link-address", () => {
  test("a refused link address in a step description or checklist item is a warning at its line", () => {
    const text = edited([
      [["phases", 0, "steps", 0, "description"], "See [the guide](guide.html) or [the portal](https://example.com)."],
      [
        ["phases", 0, "steps", 0, "checklist"],
        ["Open [it](javascript:alert(1))", { text: "Mail [us](mailto:cs@example.com)" }],
      ],
    ]);
    const found = lint(text).filter((d) => d.rule === "text/link-address");
    assert.deepEqual(
      found.map((d) => [d.severity, d.line, d.message]),
      [
        [
          "warning",
          lineOf(text, "See [the guide]"),
          'the link to "guide.html" will be shown as plain text: only http, https and mailto addresses become links',
        ],
        [
          "warning",
          lineOf(text, "Open [it]"),
          'the link to "javascript:alert(1)" will be shown as plain text: only http, https and mailto addresses become links',
        ],
      ],
    );
  });

  test("http, https, mailto, bare URLs and placeholder addresses are not flagged", () => {
    const text = edited([
      [["purpose"], "Per [policy](https://example.com/p), www.example.com and cs@example.com, [portal]({{portal_url}})."],
      [["phases", 0, "steps", 0, "expected_result"], "Mail [the team](mailto:team@example.com)."],
    ]);
    assert.deepEqual(
      lint(text).filter((d) => d.rule === "text/link-address"),
      [],
    );
  });
});
