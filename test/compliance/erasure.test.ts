// What an erasure covers, decided without a database (compliance/erasure.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { needlesOf, pathsHolding, personalAnswers, planOf, REDACTED, scrubJson, scrubText } from "../../src/compliance/erasure.ts";

test("identifiers: lowercased, longest first, short ones and [redacted] left out", () => {
  assert.deepEqual(needlesOf(["Ann Lee", "ann@x.example", "Al", REDACTED, ["ANN LEE"], { nested: "Bo Ek" }]), [
    "ann@x.example",
    "ann lee",
    "bo ek",
  ]);
});

test("free text keeps what is not the subject's; JSON leaves holding an identifier read [redacted] whole", () => {
  const needles = needlesOf(["Ann Lee", "ann@x.example"]);
  assert.equal(scrubText("Call ANN LEE at ann@x.example today", needles), `Call ${REDACTED} at ${REDACTED} today`);
  assert.equal(scrubText("Also nothing here", needles), "Also nothing here");
  const payload = { step: "kickoff", values: { who: "Ann Lee (CEO)", count: 3, list: ["x", "mail ann@x.example"] } };
  assert.deepEqual(pathsHolding(payload, needles), [
    ["values", "who"],
    ["values", "list", "1"],
  ]);
  assert.deepEqual(scrubJson(payload, needles), {
    value: { step: "kickoff", values: { who: REDACTED, count: 3, list: ["x", REDACTED] } },
    fields: 2,
  });
});

test("personal answers of a form submission: by the playbook's fields, unknown fields counted personal", () => {
  const playbook = {
    forms: {
      details: {
        fields: {
          email: { type: "email" },
          users: { type: "int" },
          notes: { type: "text", personal: true },
          plan: { type: "text" },
        },
      },
    },
  };
  const answers = personalAnswers(playbook, {
    form: "details",
    values: { email: "a@b.example", users: 4, notes: "n", plan: "p", gone: "g" },
  });
  assert.deepEqual(answers.paths, [
    ["values", "email"],
    ["values", "notes"],
    ["values", "gone"],
  ]);
  assert.deepEqual(answers.values, ["a@b.example", "n", "g"]);
  assert.deepEqual(personalAnswers(playbook, { form: "details", values: { email: REDACTED } }).paths, []);
});

test("the plan sums per place, leaves out empty places, never holds values", () => {
  const plan = planOf(
    { kind: "contact", id: "c1" },
    ["p2", "p1"],
    [
      { place: "events", records: 2, fields: 3 },
      { place: "comments", records: 0, fields: 0 },
      { place: "events", records: 1, fields: 1 },
    ],
  );
  assert.deepEqual(plan, {
    subject: { kind: "contact", id: "c1" },
    projects: ["p1", "p2"],
    places: [{ place: "events", records: 3, fields: 4 }],
    total: 3,
  });
});
