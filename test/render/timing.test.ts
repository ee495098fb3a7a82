// The SOP says the triggers and timing of issue 15 item 7 in words: the CRM stage a project starts
// on, a rule's time of day and whose zone, a missed target as a trigger, an email's cc, reply-to
// and sender.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited, errors, lint } from "../support/fixtures.ts";

const TEXT = edited([
  [["starts_on"], { crm_stages: ["5 - Negotiating"] }],
  [["templates"], { "EMAIL-1": { title: "Chaser", kind: "email", subject: "Chaser", body: "Hello" } }],
  [["phases", 0, "steps", 0, "target"], "4h after start"],
  [["phases", 0, "steps", 0, "email"], { cc: ["client_primary"], reply_to: "csm@acme.example" }],
  [
    ["rules"],
    [
      {
        id: "late",
        title: "Chase a late handoff",
        category: "exception",
        on: "step.target_missed",
        step: "handoff",
        after: "1 day",
        at: "15:00 client",
        actions: [{ email: { to: ["client_primary"], template: "EMAIL-1", cc: ["csm", "ops@acme.example"], reply_to: "csm", from: "ae" } }],
      },
      {
        id: "morning",
        title: "Morning check",
        category: "automation",
        on: "step.activated",
        step: "kickoff_call",
        at: "09:30 owner",
        owner: "csm",
        actions: [{ notify: { to: ["csm"], message: "Kickoff today" } }],
      },
    ],
  ],
]);

describe("triggers and timing in the SOP", () => {
  const md = writeMarkdown(buildSop(modelOf(TEXT)));

  test("the CRM stage that starts a project", () => {
    assert.match(md, /The procedure starts when a deal reaches the stage “5 - Negotiating” in the CRM, before it is won, or is won/);
  });

  test("a rule's time of day, in the client's or the owner's time zone, and a missed target as its trigger", () => {
    assert.match(md, /misses its target/);
    assert.match(md, /at 3 PM in the client's time zone:/);
    assert.match(md, /at 9:30 AM in the Customer Success Manager's time zone:/);
  });

  test("an email's cc, reply-to and sender", () => {
    assert.match(md, /cc: Customer Success Manager, ops@acme\.example; replies to: Customer Success Manager; from: Account Executive/);
    assert.match(md, /\*\*Email:\*\* cc: Client primary contact; replies to: csm@acme\.example/);
  });

  test("an email step's cc to an unknown role is refused, naming where", () => {
    const found = errors(lint(edited([[["phases", 0, "steps", 0, "email"], { cc: ["finance"] }]])));
    assert.ok(
      found.some((d) => d.message.includes('"finance"') && d.path.join(".") === "phases.0.steps.0.email.cc.0"),
      JSON.stringify(found),
    );
  });
});
