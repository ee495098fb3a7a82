// Form values are checked against the playbook's declared field types in the engine, so every way
// in (the team's app, the API, the client portal) refuses an invalid email, number, date or option,
// naming each failing field by its label.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { checkSubmission, fieldValueProblem, formValueProblems } from "../../src/engine/form-values.ts";
import { EngineError } from "../../src/engine/index.ts";
import type { Form } from "../../src/playbook/schema.ts";
import { checkValue, type ValueSpec } from "../../src/playbook/values.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited, errors, lint } from "../support/fixtures.ts";

const FORM: Form = {
  title: "Company details",
  fields: {
    contact_email: { label: "Billing email", type: "email", required: true },
    users: { label: "Users", type: "int", required: true },
    budget: { label: "Budget", type: "double", required: false },
    start: { label: "Start date", type: "date", required: false },
    plan: { label: "Plan", type: "choice", required: false, options: ["Basic", "Pro"] },
    sso: { label: "SSO", type: "bool", required: false },
    notes: { label: "Notes", type: "text", required: false },
  },
};

describe("form values against their declared types", () => {
  test("each type accepts what it declares and refuses the rest", () => {
    const v = (type: ValueSpec["type"], value: unknown, extra: Partial<ValueSpec> = {}) => fieldValueProblem({ type, ...extra }, value);
    assert.equal(v("email", "dana@northwind.example"), undefined);
    assert.match(v("email", "dana at northwind") ?? "", /email address/);
    assert.match(v("email", "dana@northwind") ?? "", /email address/);
    assert.equal(v("int", 250), undefined);
    assert.equal(v("int", "250"), undefined);
    assert.match(v("int", 2.5) ?? "", /whole number/);
    assert.match(v("int", "many") ?? "", /whole number/);
    assert.equal(v("double", 2.5), undefined);
    assert.match(v("double", "lots") ?? "", /number/);
    assert.match(v("double", "library card") ?? "", /must be a number/);
    assert.equal(v("date", "2026-02-28"), undefined);
    assert.match(v("date", "2026-02-30") ?? "", /date/);
    assert.match(v("date", "next week") ?? "", /date/);
    assert.match(v("date", "not a date") ?? "", /date/);
    assert.equal(v("datetime", "2026-03-01T14:30"), undefined);
    assert.equal(v("datetime", "2026-03-01T14:30:00Z"), undefined);
    assert.equal(v("datetime", "2026-03-01T14:30:00+01:00"), undefined);
    assert.match(v("datetime", "2026-02-30T14:30") ?? "", /date and time/);
    assert.match(v("datetime", "tomorrow 3pm") ?? "", /date and time/);
    assert.equal(v("url", "https://northwind.example/policy"), undefined);
    assert.match(v("url", "javascript:alert(1)") ?? "", /web address/);
    assert.match(v("url", "northwind") ?? "", /web address/);
    assert.equal(v("phone", "+44 20 7946 0958"), undefined);
    assert.equal(v("phone", "(555) 010-0199"), undefined);
    assert.match(v("phone", "call me") ?? "", /phone number/);
    assert.match(v("phone", "123") ?? "", /phone number/);
    const rating = { options: ["low", "medium", "high"] };
    assert.equal(v("choice", "high", rating), undefined);
    assert.match(v("choice", "HIGH", rating) ?? "", /one of: low, medium, high/);
    assert.equal(v("choices", ["sso", "api"], { options: ["sso", "api", "csv"] }), undefined);
    assert.match(v("choices", ["sso", "cousin"], { options: ["sso", "api"] }) ?? "", /can only hold sso, api \(not cousin\)/);
    assert.match(v("list", ["cousin"], { options: ["spouse", "child"] }) ?? "", /not cousin/);
    assert.equal(v("list", ["anything"]), undefined);
    assert.equal(v("bool", false), undefined);
    assert.match(v("bool", "maybe") ?? "", /yes or no/);
    assert.equal(v("person", { name: "Ana Ruiz", email: "ana@northwind.example" }), undefined);
    assert.equal(v("person", "Ana Ruiz"), undefined);
    assert.match(v("person", { name: "Ana", email: "nope" }) ?? "", /valid email/);
    assert.match(v("person", { email: "a@b.example" }) ?? "", /name/);
  });

  test("constraints: ranges with units, lengths, patterns in words, item counts, table rows", () => {
    const v = (spec: ValueSpec, value: unknown) => fieldValueProblem(spec, value);
    assert.equal(v({ type: "int", min: 1, max: 500, unit: "users" }, 250), undefined);
    assert.equal(v({ type: "int", min: 1, max: 500, unit: "users" }, 501), "must be between 1 and 500 (users)");
    assert.equal(v({ type: "double", min: 0 }, -1), "must be at least 0");
    assert.equal(v({ type: "string", min_length: 3 }, "ab"), "must be at least 3 characters");
    assert.equal(v({ type: "string", max_length: 2 }, "abc"), "must be at most 2 characters");
    const passport = { type: "string", pattern: "[A-Z]{2}[0-9]{6}", pattern_hint: "a passport number, like AB123456" } as const;
    assert.equal(v(passport, "AB123456"), undefined);
    assert.equal(v(passport, "AB1234567"), "must be a passport number, like AB123456", "the whole value must match");
    assert.equal(v({ type: "choices", options: ["a", "b", "c"], min_items: 2 }, ["a"]), "needs at least 2 choices");
    const owners: ValueSpec = {
      type: "records",
      min_items: 1,
      fields: {
        name: { label: "Full name", type: "string", required: true },
        share: { label: "Ownership", type: "double", min: 25, max: 100, unit: "%" },
      },
    };
    assert.equal(
      v(owners, [
        { name: "Ana Ruiz", share: 40 },
        { name: "Ben Osei", share: "30" },
      ]),
      undefined,
    );
    assert.equal(v(owners, [{ name: "Ana Ruiz", share: 10 }]), "row 1: Ownership must be between 25% and 100%");
    assert.equal(v(owners, [{ share: 30 }]), "row 1: Full name is required");
    assert.equal(v(owners, [{ name: "Ana", nationality: "ES" }]), "row 1 has no column “nationality”");
    assert.equal(v(owners, "Ana"), "must be a list of records");
  });

  test("accepted values are recorded with their declared type (a number sent as text is a number)", () => {
    const checked = checkSubmission(FORM, { users: " 250 ", plan: "Pro ", contact_email: " dana@northwind.example " });
    assert.deepEqual(checked.problems, []);
    assert.deepEqual(checked.values, { users: 250, plan: "Pro", contact_email: "dana@northwind.example" });
    // Normalising is idempotent: what is recorded checks again to itself.
    for (const [id, value] of Object.entries(checked.values)) {
      const field = FORM.fields[id];
      assert.ok(field);
      assert.deepEqual(checkValue(field, value), { ok: true, value });
    }
  });

  test("a submission names every failing field; empty optional fields are fine; required ones must be there", () => {
    assert.deepEqual(formValueProblems(FORM, { contact_email: "x", users: "ten", start: "", budget: null }), [
      { field: "contact_email", message: "must be an email address, like name@company.com" },
      { field: "users", message: "must be a whole number" },
    ]);
    assert.deepEqual(formValueProblems(FORM, { users: 3 }), [{ field: "contact_email", message: "is required" }]);
    assert.deepEqual(formValueProblems(FORM, { users: 3 }, { contact_email: "a@b.example" }), []);
    assert.deepEqual(formValueProblems(FORM, { contact_email: "a@b.example", users: 3, plan: "Pro", sso: true, notes: "hi" }), []);
  });
});

describe("the engine refuses a form with invalid values", () => {
  test("submit_form names each field with its label", () => {
    const text = edited([
      [["forms", "contact_form"], { title: "Contact", fields: { email: { label: "Work email", type: "email", required: true } } }],
      [["phases", 0, "steps", 0, "form"], "contact_form"],
    ]);
    const model = modelOf(text);
    const run = new Run(model, "2026-03-06T15:00:00.000Z", { facts: { data_migration: false, user_count: 20 } });
    const first = model.playbook.phases[0]?.steps[0];
    assert.ok(first);
    const owner = person(first.owner);
    assert.throws(
      () => run.send({ type: "submit_form", step: first.id, values: { email: "not an email" } }, owner, "2026-03-06T16:00:00.000Z"),
      (error: unknown) =>
        error instanceof EngineError &&
        error.code === "invalid" &&
        /Work email must be an email address/.test(error.message) &&
        JSON.stringify(error.details.fieldErrors) ===
          JSON.stringify([{ field: "values.email", message: "Work email must be an email address, like name@company.com" }]),
    );
    run.send({ type: "submit_form", step: first.id, values: { email: "dana@northwind.example" } }, owner, "2026-03-06T16:00:00.000Z");
    assert.deepEqual(run.state.forms.contact_form, { email: "dana@northwind.example" });
  });
});

/** The minimal playbook with a risk form on its first step, and a decision on the rating. */
function riskPlaybook(branchWhen = 'forms.risk.rating == "high"'): string {
  return edited([
    [
      ["forms", "risk"],
      {
        title: "Risk assessment",
        fields: {
          rating: { label: "Risk rating", type: "choice", options: ["low", "medium", "high"], required: true },
          owners: {
            label: "Beneficial owners",
            type: "records",
            required_if: 'forms.risk.rating == "high"',
            fields: { name: { label: "Full name", type: "string", required: true }, share: { label: "Share", type: "double", unit: "%" } },
          },
          employees: { label: "Employees", type: "int", min: 1, unit: "people" },
        },
      },
    ],
    [["phases", 0, "steps", 0, "form"], "risk"],
    [
      ["phases", 0, "steps", 0, "decision"],
      {
        question: "Is the customer high risk?",
        branches: [
          { label: "High risk", when: branchWhen, next: "edd" },
          { label: "Standard", otherwise: true, next: "continue" },
        ],
      },
    ],
    [
      ["phases", 0, "steps", 2],
      {
        id: "edd",
        title: "Enhanced due diligence",
        owner: "csm",
        on_demand: true,
        next: "kickoff_call",
        due: "3 business days",
        expected_result: "EDD done.",
      },
    ],
  ]);
}

const START = "2026-03-06T15:00:00.000Z";
const LATER = "2026-03-06T16:00:00.000Z";

describe("data that steers a project must be valid", () => {
  test("a mistyped risk rating is refused, so it cannot send a high-risk customer down the standard path", () => {
    const model = modelOf(riskPlaybook());
    const run = new Run(model, START, { facts: { data_migration: false, user_count: 20 } });
    const ae = person("ae");
    assert.throws(
      () => run.send({ type: "submit_form", step: "handoff", values: { rating: "HIGH", employees: "library card" } }, ae, LATER),
      (error: unknown) =>
        error instanceof EngineError &&
        JSON.stringify(error.details.fieldErrors) ===
          JSON.stringify([
            { field: "values.rating", message: "Risk rating must be one of: low, medium, high" },
            { field: "values.employees", message: "Employees must be a whole number" },
          ]),
    );
    assert.equal(run.state.forms.risk, undefined, "nothing of a refused submission is recorded");
    // High risk needs the beneficial owners (required_if), then the decision routes to EDD.
    assert.throws(
      () => run.send({ type: "submit_form", step: "handoff", values: { rating: "high" } }, ae, LATER),
      (error: unknown) => error instanceof EngineError && /Beneficial owners is required for these answers/.test(error.message),
    );
    run.send(
      { type: "submit_form", step: "handoff", values: { rating: "high", owners: [{ name: "Ana Ruiz", share: "40" }], employees: "12" } },
      ae,
      LATER,
    );
    assert.deepEqual(run.state.forms.risk, { rating: "high", owners: [{ name: "Ana Ruiz", share: 40 }], employees: 12 });
    run.send({ type: "complete_step", step: "handoff" }, ae, LATER);
    assert.equal(run.state.steps.edd?.status, "open", "the high-risk path opened enhanced due diligence");
  });

  test("a low rating needs no owners and takes the standard path", () => {
    const model = modelOf(riskPlaybook());
    const run = new Run(model, START, { facts: { data_migration: false, user_count: 20 } });
    run.send({ type: "submit_form", step: "handoff", values: { rating: "low" } }, person("ae"), LATER);
    run.send({ type: "complete_step", step: "handoff" }, person("ae"), LATER);
    assert.notEqual(run.state.steps.edd?.status, "open");
  });

  test("lint refuses a condition comparing an answer with a value outside its options, with the fix", () => {
    const found = errors(lint(riskPlaybook('forms.risk.rating == "HIGH"'))).filter((d) => d.rule === "expr/option");
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]?.message ?? "", /"HIGH" is not one of forms\.risk\.rating's options \(low, medium, high\)/);
    assert.match(found[0]?.fix ?? "", /write "high"/);
    assert.equal(errors(lint(riskPlaybook('forms.risk.rating in ["high", "severe"]'))).filter((d) => d.rule === "expr/option").length, 1);
    assert.deepEqual(errors(lint(riskPlaybook())), [], "the right value lints clean");
  });

  test("lint refuses constraints that do not fit their field", () => {
    const text = edited([
      [
        ["forms", "bad"],
        {
          title: "Bad",
          fields: {
            a: { label: "A", type: "string", min: 3 },
            b: { label: "B", type: "int", min: 5, max: 1 },
            c: { label: "C", type: "string", pattern: "(?=x)x" },
            d: { label: "D", type: "records" },
            e: { label: "E", type: "choices" },
            f: { label: "F", type: "records", fields: { g: { label: "G", type: "records" } } },
            h: { label: "H", type: "string", required_if: "forms.bad.nope == 1" },
          },
        },
      ],
    ]);
    const rules = errors(lint(text)).map((d) => `${d.rule} ${d.message}`);
    for (const expected of [
      /form\/constraint-type field "a": min applies to numbers/,
      /form\/bounds field "b": min \(5\) is above max \(1\)/,
      /form\/pattern field "c": the pattern uses lookahead/,
      /form\/records field "d": a records field needs its columns/,
      /form\/choice-options field "e": a choices field needs options/,
      /form\/records column "g" of "f": a table's column cannot itself be a table/,
      /expr\/type condition "forms.bad.nope == 1"/,
    ])
      assert.ok(
        rules.some((r) => expected.test(r)),
        `${expected} in ${rules.join("\n")}`,
      );
  });

  test("facts and parameters are checked by the same rules at the start", () => {
    const text = edited([
      [["facts", "tier"], { type: "string", label: "Tier", values: ["gold", "silver"] }],
      [["facts", "renewal"], { type: "date", label: "Renewal date" }],
      [["facts", "seats"], { type: "int", label: "Seats", min: 1 }],
      [["parameters", "support_email"], { type: "email", description: "Where clients write." }],
    ]);
    const model = modelOf(text);
    const start =
      (facts: Record<string, unknown>, params: Record<string, unknown> = {}) =>
      () =>
        new Run(model, START, { facts: { data_migration: false, user_count: 20, ...facts }, params });
    assert.throws(start({ tier: "Gold" }), /fact "tier" must be one of: gold, silver/);
    assert.throws(start({ renewal: "2026-02-30" }), /fact "renewal" must be a date/);
    assert.throws(start({ seats: 0 }), /fact "seats" must be at least 1/);
    assert.throws(start({ seats: "12" }), /fact "seats" must be a whole number/);
    assert.throws(start({}, { support_email: "help desk" }), /parameter "support_email" must be an email address/);
    assert.equal(
      new Run(model, START, { facts: { tier: "gold", renewal: "2027-01-31", seats: 3, data_migration: false, user_count: 2 } }).state.facts
        .tier,
      "gold",
    );
  });
});

describe("property: no submission records a value its field forbids", () => {
  const specs: ValueSpec[] = [
    { type: "int", min: 0, max: 100 },
    { type: "double", min: -5 },
    { type: "choice", options: ["low", "medium", "high"] },
    { type: "choices", options: ["a", "b"], max_items: 1 },
    { type: "date" },
    { type: "datetime" },
    { type: "email" },
    { type: "url" },
    { type: "phone" },
    { type: "string", pattern: "[a-z]+", max_length: 5 },
    { type: "bool" },
    { type: "person" },
    { type: "records", fields: { n: { label: "N", type: "int", required: true } }, max_items: 2 },
  ];
  const anyValue = fc.oneof(
    fc.string(),
    fc.constantFrom(
      "low",
      "HIGH",
      "2026-02-30",
      "2026-02-28",
      "2026-03-01T10:00",
      "a@b.example",
      "https://x.example",
      "+44 20 7946 0958",
      "abc",
      " 42 ",
      "1e3",
    ),
    fc.integer({ min: -10, max: 200 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string(), fc.constantFrom("a", "b"))),
    fc.array(fc.record({ n: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] })),
    fc.record({ name: fc.string(), email: fc.oneof(fc.string(), fc.constant("a@b.example")) }, { requiredKeys: [] }),
  );

  test("whatever is sent, what is recorded fits its spec, and checks again to itself", () => {
    fc.assert(
      fc.property(fc.nat(specs.length - 1), anyValue, (i, value) => {
        const spec = specs[i] as ValueSpec;
        const checked = checkValue(spec, value);
        if (!checked.ok) return;
        assert.deepEqual(checkValue(spec, checked.value), { ok: true, value: checked.value }, JSON.stringify({ spec, value }));
      }),
      { numRuns: 3000 },
    );
  });

  test("the engine never records a refused value, and never throws anything but a refusal", () => {
    const model = modelOf(riskPlaybook());
    const fields = Object.keys(model.playbook.forms.risk?.fields ?? {});
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.constantFrom(...fields, "unknown"), anyValue, { maxKeys: 3 }), { maxLength: 6 }),
        (submissions) => {
          const run = new Run(model, START, { facts: { data_migration: false, user_count: 20 } });
          for (const values of submissions) {
            try {
              run.send({ type: "submit_form", step: "handoff", values }, person("ae"), LATER);
            } catch (error) {
              assert.ok(error instanceof EngineError, String(error));
            }
            const form = model.playbook.forms.risk;
            for (const [id, value] of Object.entries(run.state.forms.risk ?? {})) {
              const field = form?.fields[id];
              assert.ok(field, `recorded an unknown field ${id}`);
              assert.equal(fieldValueProblem(field, value), undefined, `${id} = ${JSON.stringify(value)}`);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

test("a table's problems are all named at once, row by row", () => {
  const spec = {
    type: "records",
    label: "Beneficial owners",
    fields: {
      name: { type: "string", label: "Full name", required: true },
      share: { type: "double", label: "Ownership", min: 25, max: 100 },
    },
  } as const;
  const checked = checkValue(spec as never, [{ name: "Ada", share: 10 }, { share: 30 }]);
  assert.ok(!checked.ok);
  assert.match(checked.message, /row 1: Ownership must be between 25 and 100/);
  assert.match(checked.message, /row 2: Full name is required/);
});
