// A procedure that is not an onboarding reads as what it is (issue 22, item 8): its kind names
// each run in the SOP's text and on the map, and its trigger is printed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

test("an account handoff says so, for an existing client, with its trigger", () => {
  const source = edited([
    [["kind"], "account_handoff"],
    [["trigger"], "The account's CSM leaves the company or **changes portfolio**"],
  ]);
  const md = writeMarkdown(buildSop(modelOf(source)));
  assert.match(
    md,
    /\*\*Trigger:\*\* The account's CSM leaves the company or \*\*changes portfolio\*\*\. The procedure starts when an account handoff project is opened for an existing client\./,
  );
  assert.match(md, /Days are counted from the start of the account handoff;/);
  const body = md.split("\n").slice(1).join("\n").replaceAll("Minimal onboarding", "");
  assert.doesNotMatch(body, /\bonboarding\b/i, "no onboarding wording is left in an account handoff's SOP beyond its own title");
  assert.match(md, /Account handoff complete/);
  assert.match(md, /Per account handoff/);
});

test("an onboarding (the default) reads as before", () => {
  const md = writeMarkdown(buildSop(modelOf(MINIMAL)));
  assert.match(md, /The procedure starts when an onboarding project is opened for a new client\./);
  assert.match(md, /Onboarding complete/);
});

test("an unknown kind is refused with the kinds there are", () => {
  assert.throws(
    () => modelOf(edited([[["kind"], "handover"]])),
    /handover\\?" is not allowed here[\s\S]*write one of: onboarding, implementation, account_handoff/,
  );
});
