// Procedures in the formal SOP (issue 15 item 5): the block is written once, as its own section,
// each call says "Carry out Section 4.3 (...); then continue with ...", and the map draws the call.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";

async function sop(): Promise<string> {
  const loaded = await loadPlaybookFile(new URL("../fixtures/kyc-edd.yaml", import.meta.url));
  assert.ok(loaded.model, JSON.stringify(loaded.diagnostics));
  return writeMarkdown(buildSop(loaded.model));
}

describe("procedures in the SOP", () => {
  test("each call is one step that says which section to carry out and where to continue", async () => {
    const md = await sop();
    assert.match(md, /#### 6\.2 EDD for a high risk rating/);
    assert.match(
      md,
      /\*\*Procedure:\*\* Carry out Section 4\.3 \(Enhanced due diligence\); then continue with 6\.3 \(Check for politically exposed persons\)\./,
    );
    assert.match(md, /Carry out Section 4\.3 \(Enhanced due diligence\); then continue with 6\.5 \(Decide on activation\)\./);
    assert.match(md, /`calls\.edd_pep\.outcome`/);
    // A condition after the call reads its outcome, in words.
    assert.match(md, /criterion: the outcome of “EDD for a high risk rating” = “Approved”/);
    // The block's steps are not written under each call.
    assert.equal(md.match(/#### [\d.]+ Collect source of funds evidence/g)?.length, 1);
  });

  test("the block is written once, its steps numbered under its section, its end returning to the caller", async () => {
    const md = await sop();
    assert.match(md, /### Section 4\.3: Enhanced due diligence/);
    assert.match(md, /Carried out by 6\.2 \(EDD for a high risk rating\), 6\.4 \(EDD for a politically exposed person\)\./);
    assert.match(md, /#### 4\.3\.1 Collect source of funds evidence/);
    assert.match(md, /#### 4\.3\.2 Sanctions screening\n\n\*\*Procedure:\*\* Carry out Section 4\.4 \(Sanctions screening\)/);
    assert.match(md, /\*\*THEN\*\* return to the step that called this procedure/);
    // The block's conditions read the call's own form, said with the form's title.
    assert.match(md, /criterion: Source of funds verified \(EDD findings\)/);
    assert.match(md, /\*\*THEN\*\* go to 4\.3\.4 \(Ask the customer for more evidence\)/);
    // The shared procedure says where it comes from.
    assert.match(md, /### Section 4\.4: Sanctions screening[\s\S]*Shared procedure, from kyc\\_procedures@1\.0/);
  });

  test("the process map draws a call as one box that carries out the section", async () => {
    const md = await sop();
    assert.match(md, /s_edd_high_risk__gather\[\["6\.2 EDD for a high risk rating<br\/>\(carry out Section 4\.3\)"\]\]/);
    assert.match(md, /s_intake --> s_edd_high_risk__gather/);
    assert.match(md, /s_edd_high_risk__gather --> s_pep_check/);
    assert.doesNotMatch(md, /s_edd_high_risk\.|s_edd_high_risk__assess/);
  });
});
