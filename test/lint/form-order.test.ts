// Issue 15 item 4: a step's `when:` or `for_each:` that reads a form is decided when the step
// becomes reachable, so the form must be filled in a step that comes before it. Lint says so when
// it is filled only after (or in the step itself), and accepts it when filled upstream.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { edited, errors, lint } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";

describe("condition/form-order", () => {
  test("a condition on a form filled in an earlier step lints clean", () => {
    assert.deepEqual(errors(lint(edited(KYC_EDITS))), []);
  });

  test("a when: reading a form filled only after the step is an error naming that step", () => {
    // Enhanced due diligence in the kickoff phase reads the UAT form, filled in the implementation phase.
    const found = errors(lint(edited([...KYC_EDITS, [["phases", 0, "steps", 3, "when"], "forms.uat_results.failed_scenarios > 0"]])));
    assert.equal(found.length, 1, JSON.stringify(found));
    const [d] = found;
    assert.equal(d?.rule, "condition/form-order");
    assert.match(d?.message ?? "", /forms\.uat_results is filled in step "uat", which does not come before this step/);
    assert.match(d?.fix ?? "", /after: \[uat\]/);
  });

  test("a for_each over a form the step fills itself is an error", () => {
    const found = errors(
      lint(edited([...KYC_EDITS, [["phases", 0, "steps", 4, "form"], "kyc"], [["phases", 0, "steps", 2, "form"], undefined]])),
    );
    assert.deepEqual(
      found.map((d) => d.rule),
      ["condition/form-order", "condition/form-order"],
    );
    assert.match(found[0]?.message ?? "", /forms\.kyc is filled in step "verify_owners"/);
  });

  test("an on-demand step opened by a decision after the form sees it", () => {
    // fix_uat is opened by uat's decision, after the uat form is filled.
    assert.deepEqual(
      errors(lint(edited([...KYC_EDITS, [["phases", 1, "steps", 2, "when"], "forms.uat_results.failed_scenarios > 0"]]))),
      [],
    );
  });
});
