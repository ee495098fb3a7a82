// Coverage of seed 004 (the Client Onboarding Process fill-in template): every {{placeholder}} is a
// parameter and every numbered step, role, KPI and sign-off of the template is in the playbook.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lintFile } from "../../src/lint/lint.ts";
import { builtIn } from "../support/built-in.ts";

const { file, diagnostics, loaded, step } = await builtIn("ops-client-onboarding-template");

/** The 17 placeholders of seeds/004_fd96f1008a5afadc.txt. */
const SEED_PLACEHOLDERS = [
  "approval_date",
  "approver_name",
  "approver_title",
  "authorised_representative_name",
  "authorised_representative_position",
  "company_address",
  "company_email",
  "company_name",
  "company_phone",
  "company_website",
  "document_id",
  "issue_date",
  "number_of_days",
  "prepared_by_department",
  "review_date",
  "signature_date",
  "version_number",
];

test("loads without errors", () => {
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.equal(loaded().id, "ops_client_onboarding_template");
});

test("lints without errors; the only warnings are the four KPIs the template gives no target", async () => {
  const { diagnostics: all } = await lintFile(fileURLToPath(file));
  assert.deepEqual(
    all.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    [],
  );
  assert.deepEqual(
    all.filter((d) => d.severity === "warning").map((d) => [d.rule, d.message]),
    [
      ["coverage/kpis", 'KPI "time_to_onboard" has no target'],
      ["coverage/kpis", 'KPI "client_satisfaction_score" has no target'],
      ["coverage/kpis", 'KPI "first_service_delivery_success_rate" has no target'],
      ["coverage/kpis", 'KPI "retention_rate" has no target'],
    ],
  );
});

test("every placeholder of the template is a declared parameter, and every parameter is used", async () => {
  const p = loaded();
  assert.deepEqual(Object.keys(p.parameters).sort(), SEED_PLACEHOLDERS);
  const text = await readFile(file, "utf8");
  const withoutComments = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n");
  const used = new Set([...withoutComments.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((m) => m[1]));
  assert.deepEqual([...used].sort(), SEED_PLACEHOLDERS);
});

test("number_of_days is the only parameter with a default (5); typed parameters", () => {
  const params = loaded().parameters;
  const withDefault = Object.entries(params).filter(([, v]) => v.default !== undefined);
  assert.deepEqual(
    withDefault.map(([k, v]) => [k, v.type, v.default]),
    [["number_of_days", "integer", 5]],
  );
  assert.equal(params.number_of_days?.min, 1);
  for (const id of ["issue_date", "review_date", "approval_date", "signature_date"]) {
    assert.equal(params[id]?.type, "date", id);
  }
  assert.equal(params.company_email?.type, "email");
  assert.equal(params.company_website?.type, "url");
});

test("document control, letterhead, approval and signature block", () => {
  const doc = loaded().document;
  assert.equal(doc.id, "OPS-{{document_id}}");
  assert.equal(doc.title, "Client Onboarding Process");
  assert.equal(doc.version, "{{version_number}}");
  assert.equal(doc.effective, "{{issue_date}}");
  assert.equal(doc.review, "{{review_date}}");
  assert.equal(doc.prepared_by, "{{prepared_by_department}}");
  assert.equal(doc.owner, "{{prepared_by_department}}");
  assert.deepEqual(doc.letterhead, {
    company_name: "{{company_name}}",
    address: "{{company_address}}",
    phone: "{{company_phone}}",
    email: "{{company_email}}",
    website: "{{company_website}}",
  });
  assert.deepEqual(
    doc.approvals.map((a) => [a.name, a.title, a.date]),
    [
      ["{{approver_name}}", "{{approver_title}}", "{{approval_date}}"],
      ["{{authorised_representative_name}}", "{{authorised_representative_position}}", "{{signature_date}}"],
    ],
  );
  assert.equal(doc.approvals[0]?.role, "Approval and Sign-off");
  assert.match(doc.approvals[1]?.role ?? "", /Signature Block/);
  // Added: the one revision the template's own Version and Issue Date fields imply.
  assert.deepEqual(
    doc.revisions.map((r) => [r.version, r.date]),
    [["{{version_number}}", "{{issue_date}}"]],
  );
});

test("purpose, scope and the NCIF definition", () => {
  const p = loaded();
  assert.match(p.purpose, /client-centric process for onboarding new clients at \{\{company_name\}\}/);
  assert.equal(p.scope.applies_to.length, 2);
  assert.deepEqual(
    p.definitions.map((d) => d.term),
    ["NCIF"],
  );
});

test("four phases with their numbered steps 1.1-4.4", () => {
  const p = loaded();
  assert.deepEqual(
    p.phases.map((ph) => [ph.id, ph.steps.map((s) => s.id)]),
    [
      ["pre_onboarding_sales_handoff", ["sales_confirmation", "handoff_meeting", "documentation_review", "communication_plan"]],
      ["welcome_initial_setup", ["welcome_pack_dispatch", "system_setup", "service_agreement_activation", "onboarding_schedule"]],
      ["training_integration", ["client_training", "data_migration_integration", "initial_service_delivery"]],
      [
        "post_onboarding_review",
        ["onboarding_completion_confirmation", "initial_feedback_collection", "internal_review", "transition_to_account_management"],
      ],
    ],
  );
  const numbers = p.phases.flatMap((ph) => ph.steps).map((s) => s.title.split(" ")[0]);
  assert.deepEqual(numbers, [
    "1.1.",
    "1.2.",
    "1.3.",
    "1.4.",
    "2.1.",
    "2.2.",
    "2.3.",
    "2.4.",
    "3.1.",
    "3.2.",
    "3.3.",
    "4.1.",
    "4.2.",
    "4.3.",
    "4.4.",
  ]);
  // Added: open-ended windows (the template gives none).
  assert.deepEqual(
    p.phases.map((ph) => ph.window?.text),
    ["Day 0+", "Day 0+", "Day 0+", "Day 0+"],
  );
});

test("roles and responsibilities", () => {
  const roles = loaded().roles;
  assert.deepEqual(Object.keys(roles), ["sales_team", "account_manager", "operations_technical_team", "management", "client"]);
  assert.equal(roles.client?.side, "client");
  assert.deepEqual(
    Object.entries(roles).map(([id, r]) => [id, r.responsibilities.length]),
    [
      ["sales_team", 4],
      ["account_manager", 5],
      ["operations_technical_team", 5],
      ["management", 3],
      ["client", 0],
    ],
  );
  assert.deepEqual(roles.management?.responsibilities, ["Oversight", "Resource allocation", "Process improvement"]);
});

test("{{number_of_days}} deadlines: handoff meeting, welcome pack, feedback survey", () => {
  const p = loaded();
  assert.equal(step("handoff_meeting").due?.text, "{{number_of_days}} business days after start");
  assert.equal(step("welcome_pack_dispatch").due?.text, "{{number_of_days}} business days after handoff_meeting");
  assert.equal(step("initial_feedback_collection").opens?.text, "{{number_of_days}} days after completion");
  const survey = p.surveys.client_onboarding_feedback;
  assert.ok(survey);
  assert.equal(survey.title, "Client Onboarding Feedback Survey");
  assert.equal(survey.send.text, "{{number_of_days}} days after completion");
  assert.deepEqual(survey.to, ["client"]);
  assert.deepEqual(
    survey.questions.map((q) => [q.id, q.type]),
    [
      ["satisfaction", "csat"],
      ["feedback", "text"],
    ],
  );
  assert.equal(step("initial_feedback_collection").survey, "client_onboarding_feedback");
});

test("handoff meeting attendees and handed-over documentation", () => {
  const meeting = step("handoff_meeting");
  assert.deepEqual(meeting.meeting?.attendees, ["sales_team", "account_manager", "operations_technical_team"]);
  assert.deepEqual(meeting.handoff, {
    from: "sales_team",
    to: "account_manager",
    information: ["Contracts", "NCIF", "Special requirements"],
  });
});

test("checklists per step", () => {
  const counts = loaded()
    .phases.flatMap((ph) => ph.steps)
    .filter((s) => s.checklist.length > 0)
    .map((s) => [s.id, s.checklist.length]);
  assert.deepEqual(counts, [
    ["sales_confirmation", 2],
    ["documentation_review", 3],
    ["communication_plan", 2],
    ["welcome_pack_dispatch", 3],
    ["system_setup", 3],
    ["service_agreement_activation", 2],
    ["onboarding_schedule", 4],
  ]);
  assert.deepEqual(step("system_setup").systems, ["CRM", "Project management software"]);
});

test("gates: documentation acknowledged, schedule and completion approved by the client", () => {
  const gates = loaded()
    .phases.flatMap((ph) => ph.steps)
    .filter((s) => s.gate)
    .map((s) => [s.id, s.gate?.approvers, s.visible_to_client]);
  assert.deepEqual(gates, [
    ["documentation_review", ["account_manager"], false],
    ["onboarding_schedule", ["client"], true],
    ["onboarding_completion_confirmation", ["client"], true],
  ]);
  const steps = loaded().phases.flatMap((ph) => ph.steps);
  assert.equal(steps.filter((s) => s.decision).length, 0);
  assert.deepEqual(
    steps.filter((s) => s.go_live).map((s) => s.id),
    ["initial_service_delivery"],
  );
  assert.deepEqual(
    steps.filter((s) => s.completes_project).map((s) => s.id),
    ["onboarding_completion_confirmation"],
  );
});

test("conditional data migration, training format, internal review agenda", () => {
  assert.equal(step("data_migration_integration").when, "facts.data_migration_applicable");
  assert.deepEqual(Object.keys(loaded().facts), ["data_migration_applicable"]);
  assert.match(step("client_training").instructions[0] ?? "", /online, in-person/);
  assert.deepEqual(
    step("internal_review").meeting?.agenda.map((a) => a.topic),
    ["Assess the efficiency of the process", "Identify areas for improvement", "Discuss any client-specific nuances"],
  );
  assert.deepEqual(step("initial_service_delivery").raci?.responsible, ["account_manager", "operations_technical_team"]);
});

test("templates: the NCIF", () => {
  const p = loaded();
  assert.deepEqual(Object.keys(p.templates), ["NCIF"]);
  assert.equal(p.templates.NCIF?.kind, "form");
  assert.equal(step("sales_confirmation").template, "NCIF");
  assert.deepEqual(p.references, []);
  assert.equal(p.training, undefined);
  assert.deepEqual(p.compliance, []);
  assert.deepEqual(p.cadences, []);
});

test("the four KPIs of the template", () => {
  assert.deepEqual(
    loaded().kpis.map((k) => k.target),
    [undefined, undefined, undefined, undefined],
  );
  assert.deepEqual(
    loaded().kpis.map((k) => [k.id, k.metric, k.frequency]),
    [
      ["time_to_onboard", "time_to_onboard", "monthly"],
      ["client_satisfaction_score", "csat", "per_interaction"],
      ["first_service_delivery_success_rate", "first_delivery_success_rate", "monthly"],
      ["retention_rate", "retention_rate", "annually"],
    ],
  );
});

test("rules: one added escalation to Management", () => {
  const rules = loaded().rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.category, r.on, r.step]),
    [["handoff_meeting_overdue", "escalation", "step.overdue", "handoff_meeting"]],
  );
  assert.equal(rules[0]?.actions[0]?.escalate?.to, "management");
  assert.equal(rules.filter((r) => r.category === "automation").length, 0);
  assert.equal(rules.filter((r) => r.category === "exception").length, 0);
});
