// Issue 15 item 4 in the SOP: a step repeated for each row of a list filled during the run names
// the step whose form fills it, in words, and what each item has of its own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clientEdition, parseClientFile } from "../../src/render/client.ts";
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

describe("a client's edition keeps a condition the start cannot decide", () => {
  test("a step included on a form answer still says where it applies; one on a fact is decided", () => {
    const model = modelOf(edited(KYC_EDITS));
    const parsed = parseClientFile("client.yaml", "client:\n  name: Globex\n  time_zone: Europe/Berlin\nfacts:\n  user_count: 10\n");
    assert.ok(parsed.client, JSON.stringify(parsed.diagnostics));
    const result = clientEdition(model, parsed.client, "2026-03-02", "client.yaml", parsed.source);
    assert.ok(result.edition, JSON.stringify(result.diagnostics));
    const md = writeMarkdown(buildSop(model, result.edition));
    const at = md.indexOf("Enhanced due diligence");
    assert.ok(at > 0, md);
    assert.match(md.slice(at, at + 800), /Applies only where/);
    // Data migration (facts.data_migration, false by default) is left out of this client's edition.
    assert.doesNotMatch(md, /Migrate data/);
  });
});
