// Form values are checked against the playbook's declared field types in the engine, so every way
// in (the team's app, the API, the client portal) refuses an invalid email, number, date or option,
// naming each failing field by its label.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fieldValueProblem, formValueProblems } from "../../src/engine/form-values.ts";
import { EngineError } from "../../src/engine/index.ts";
import type { Form } from "../../src/playbook/schema.ts";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

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
    assert.equal(fieldValueProblem("email", "dana@northwind.example"), undefined);
    assert.match(fieldValueProblem("email", "dana at northwind") ?? "", /email address/);
    assert.match(fieldValueProblem("email", "dana@northwind") ?? "", /email address/);
    assert.equal(fieldValueProblem("int", 250), undefined);
    assert.equal(fieldValueProblem("int", "250"), undefined);
    assert.match(fieldValueProblem("int", 2.5) ?? "", /whole number/);
    assert.match(fieldValueProblem("int", "many") ?? "", /whole number/);
    assert.equal(fieldValueProblem("double", 2.5), undefined);
    assert.match(fieldValueProblem("double", "lots") ?? "", /number/);
    assert.equal(fieldValueProblem("date", "2026-02-28"), undefined);
    assert.match(fieldValueProblem("date", "2026-02-30") ?? "", /date/);
    assert.match(fieldValueProblem("date", "next week") ?? "", /date/);
    assert.equal(fieldValueProblem("choice", "Pro", ["Basic", "Pro"]), undefined);
    assert.match(fieldValueProblem("choice", "Gold", ["Basic", "Pro"]) ?? "", /one of: Basic, Pro/);
    assert.equal(fieldValueProblem("bool", false), undefined);
    assert.match(fieldValueProblem("bool", "maybe") ?? "", /yes or no/);
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
