// A system role (an automation's service account) never signs (issue 15 item 8): lint refuses a
// gate whose approvers include one, and accepts the automation doing the step with a person signing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { edited, errors, lint } from "../support/fixtures.ts";

const withGate = (approvers: string[]) =>
  edited([
    [["roles", "risk_engine"], { title: "Risk Engine", side: "system" }],
    [
      ["phases", 0, "steps", 1],
      {
        id: "kickoff_call",
        title: "Risk screening",
        owner: "csm",
        raci: { responsible: ["risk_engine", "csm"], accountable: "csm" },
        visible_to_client: true,
        gate: { approvers, sign_off: "The risk score" },
        expected_result: "Screened.",
      },
    ],
  ]);

describe("system roles and sign-offs", () => {
  test("a system role as an approver is refused, saying why and what to do", () => {
    const found = errors(lint(withGate(["risk_engine"]))).filter((d) => d.rule === "gate/system-signer");
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? "", /can never sign "kickoff_call"/);
    assert.match(found[0]?.fix ?? "", /owner or raci.responsible/);
  });

  test("an automation responsible for the step with a person signing lints clean of it", () => {
    assert.deepEqual(
      errors(lint(withGate(["client_primary"]))).filter((d) => d.rule === "gate/system-signer"),
      [],
    );
  });
});
