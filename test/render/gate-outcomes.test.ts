// A decision on a sign-off's outcome in the SOP (issue 15 item 6): "If the sign-off is rejected,
// return to step X with the reviewer's comments", the outcome in words, not CEL.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { conditionWords } from "../../src/render/sop/words.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const step = (id: string, title: string, extra: Record<string, unknown> = {}) => ({
  id,
  title,
  owner: "csm",
  expected_result: `${title} done.`,
  ...extra,
});

const TEXT = edited([
  [
    ["phases"],
    [
      {
        id: "work",
        title: "Work",
        window: "Days 1-30",
        steps: [
          step("draft", "Draft the success plan"),
          step("sign", "Client signs the plan", {
            visible_to_client: true,
            gate: { approvers: ["client_primary"], sign_off: "The success plan" },
            decision: {
              question: "Did the client sign the plan?",
              branches: [
                { label: "Rejected", when: 'gates.sign.outcome == "rejected"', next: "draft" },
                { label: "Conditions", when: 'gates.sign.roles.client_primary.outcome == "approved_with_conditions"', next: "continue" },
                { label: "Signed", otherwise: true, next: "continue" },
              ],
            },
          }),
          step("finish", "Finish"),
        ],
      },
    ],
  ],
]);

describe("gate outcomes in the SOP", () => {
  test("a rejected sign-off returns to the step with the reviewer's comments, in words", () => {
    const md = writeMarkdown(buildSop(modelOf(TEXT)));
    assert.match(md, /criterion: the sign-off of “Client signs the plan” is rejected\)/);
    assert.match(md, /\*\*THEN\*\* return to 6\.1 \(Draft the success plan\) with the reviewer\\?.s comments/);
    assert.match(md, /Client primary contact’s sign-off of “Client signs the plan” is approved with conditions/);
  });

  test("the comments and conditions a condition reads are named", () => {
    const playbook = modelOf(TEXT).playbook;
    assert.equal(conditionWords('gates.sign.comment != ""', playbook), "the reviewer’s comments on “Client signs the plan” ≠ “”");
    assert.equal(
      conditionWords('gates.sign.roles.client_primary.outcome != "approved"', playbook),
      "Client primary contact’s sign-off of “Client signs the plan” is not approved",
    );
  });
});
