// The register of personal data (issue #17): Onboard's own records, and each playbook's personal
// fields with their purpose and retention; the built-in playbooks mark what is personal in them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ONBOARD_RECORDS, personalDataRegisterOf } from "../../src/compliance/register.ts";
import { personalDataRegister } from "../../src/playbook/personal-data.ts";
import { builtInPlaybooks } from "../../src/render/built-in.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const BUILT_IN = await builtInPlaybooks();
const fieldsOf = (file: string): string[] => {
  const found = BUILT_IN.find((b) => b.file === file);
  assert.ok(found, file);
  return personalDataRegister(found.model.playbook).map(
    (f) => `${f.form}.${f.field}${f.columns.length > 0 ? `[${f.columns.join(",")}]` : ""}`,
  );
};

test("the register lists the built-in playbooks' personal fields: names, addresses, dates of birth and ID numbers too", () => {
  assert.deepEqual(fieldsOf("fin-proc-001.yaml"), [
    "individual_cip.full_legal_name",
    "individual_cip.date_of_birth",
    "individual_cip.residential_address",
    "individual_cip.id_number",
    "id_document.document",
    "beneficial_ownership_certification.owners[full_name]",
    "beneficial_ownership_certification.control_person[full_name]",
    "beneficial_owner_information.full_legal_name",
    "beneficial_owner_information.date_of_birth",
    "beneficial_owner_information.residential_address",
    "beneficial_owner_information.id_number",
    "edd_information.source_of_funds",
  ]);
  assert.deepEqual(fieldsOf("customer-onboarding-gdpr.yaml"), [
    "customer_data_collection.primary_contact_name",
    "customer_data_collection.primary_contact_email",
    "customer_data_collection.primary_contact_phone",
    "customer_data_collection.primary_contact_job_title",
    "customer_data_collection.technical_contact_name",
    "customer_data_collection.technical_contact_email",
    "customer_data_collection.billing_contact_email",
    "customer_data_collection.recording_consent",
    "customer_data_collection.marketing_consent",
  ]);
  assert.deepEqual(fieldsOf("gitlab-tam-onboarding.yaml"), ["kickoff_answers.regular_contacts[name,email]"]);
  assert.deepEqual(fieldsOf("onb-001.yaml"), ["sales_handoff.customer_contacts", "communication_preferences.contacts"]);
  assert.deepEqual(fieldsOf("op-proc-007.yaml"), ["background_check.completed", "background_check.completed_on"]);
  assert.deepEqual(fieldsOf("ops-sop-020.yaml"), ["sales_to_cs_handoff.key_stakeholders"]);
  assert.deepEqual(fieldsOf("sop-cs-001.yaml"), ["customer_handoff.key_contacts"]);
  // Business facts stay out: a company's legal name and address are not a person's.
  assert.ok(!fieldsOf("fin-proc-001.yaml").includes("entity_information.legal_name"));
  assert.ok(!fieldsOf("customer-onboarding-gdpr.yaml").includes("customer_data_collection.billing_address"));
});

test("the whole register: Onboard's own records with purpose, basis, storage and retention, and every playbook given", () => {
  const register = personalDataRegisterOf(BUILT_IN.map((b) => ({ id: b.model.playbook.id, version: "1", playbook: b.model.playbook })));
  assert.equal(register.playbooks.length, BUILT_IN.length);
  for (const record of register.records) {
    for (const key of ["title", "category", "purpose", "legalBasis", "retention"] as const)
      assert.ok(record[key].length > 0, `${record.id}.${key}`);
    assert.ok(record.fields.length > 0 && record.storedIn.length > 0, record.id);
  }
  assert.deepEqual(
    ONBOARD_RECORDS.map((r) => r.id),
    ["contact", "sign_in", "comment", "file", "mail", "notification", "survey_answer", "form_answer", "data_request", "team_account"],
  );
  assert.deepEqual(
    ONBOARD_RECORDS.filter((r) => r.contactExportSection === null).map((r) => r.subject),
    ["team_member"],
  );
});

test("a field's purpose defaults to its form's title; its retention is every rule over all records or naming its form", () => {
  const source = edited([
    [
      ["forms", "identity"],
      {
        title: "Identity documents",
        fields: {
          passport_number: { label: "Passport number", type: "string", personal: true, purpose: "Verify the signer's identity" },
          email: { label: "Email", type: "email" },
          notes: { label: "Notes", type: "text" },
        },
      },
    ],
    [
      ["retention"],
      [
        { keep: "5 years", after: "relationship_end", records: ["Identity documents"] },
        { keep: "18 months", after: "project_closed", at_end: "review" },
        { keep: "1 year", after: "project_closed", records: ["Meeting recordings"] },
      ],
    ],
  ]);
  const fields = personalDataRegister(modelOf(source).playbook);
  assert.deepEqual(
    fields.map((f) => [f.field, f.purpose, f.retention]),
    [
      [
        "passport_number",
        "Verify the signer's identity",
        ["5 years after the business relationship ends, then erased", "18 months after the project is closed, then reviewed for disposal"],
      ],
      [
        "email",
        "Identity documents",
        ["5 years after the business relationship ends, then erased", "18 months after the project is closed, then reviewed for disposal"],
      ],
    ],
  );
  const md = writeMarkdown(buildSop(modelOf(source)));
  assert.match(md, /## \d+\. Personal Data Register/);
  assert.match(
    md,
    /\| Identity documents \| Passport number \| Verify the signer's identity \| 5 years after the business relationship ends, then erased; 18 months/,
  );
  assert.doesNotMatch(md, /\| Notes \|/);
});

test("an SOP without personal fields or a GDPR addendum has no register section", () => {
  assert.doesNotMatch(writeMarkdown(buildSop(modelOf(edited([])))), /Personal Data Register/);
});
