// Issue 15 item 4 in the SOP: a step repeated for each row of a list filled during the run names
// the step whose form fills it, in words, and what each item has of its own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";

describe("the SOP says what a repeated step repeats over", () => {
  const md = writeMarkdown(buildSop(modelOf(edited(KYC_EDITS))));

  test("for each beneficial owner named in the step that fills the form, by its label column", () => {
    const line = md.split("\n").find((l) => l.includes("Repeated for each"));
    assert.ok(line, md);
    assert.match(
      line,
      /\*\*Repeated for each:\*\* beneficial owner named in step 6\.3 \(Collect KYC data\), by full name; each with its own form, checklist and sign-off/,
    );
  });

  test("a step included on a form answer says the condition in words", () => {
    const at = md.indexOf("Enhanced due diligence");
    assert.ok(at > 0);
    assert.match(md.slice(at, at + 800), /Applies only where:\*\* .*Risk rating.*“high”/);
  });
});
