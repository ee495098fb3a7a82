// Coverage of seed 003 (the description of a commercial "Customer Onboarding SOP" template): every part
// the description names (four sub-processes, three risks and mitigations, GDPR checks, three KPIs and
// three controls, RACI roles, four systems, three appendices) is built into the playbook and stays there.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { builtIn } from "../support/built-in.ts";

const { file, diagnostics, loaded, allSteps: steps, step } = await builtIn("customer-onboarding-gdpr");

test("loads without errors", () => {
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.equal(loaded().id, "customer_onboarding_gdpr");
});

test("the header says the seed is a description and what is built from it", async () => {
  const text = await readFile(file, "utf8");
  const header = text.slice(0, text.indexOf("onboard: 1"));
  assert.match(header, /only the\s+#?\s*DESCRIPTION/);
  assert.match(header, /Built from the description/);
  assert.match(header, /Appendix C is illustrative/);
  assert.match(text, /# Added: not in the source SOP/);
});

test("document control: CS-SOP-ONB-003 version 1.0 with one revision", () => {
  const doc = loaded().document;
  assert.equal(doc.id, "CS-SOP-ONB-003");
  assert.equal(doc.title, "Customer Onboarding SOP");
  assert.equal(doc.version, "1.0");
  assert.equal(doc.status, "approved");
  assert.equal(doc.owner, "Head of Customer Success");
  assert.equal(doc.effective, "2025-02-03");
  assert.equal(doc.review, "2026-02-02");
  assert.deepEqual(
    doc.revisions.map((r) => [r.version, r.date]),
    [["1.0", "2025-01-27"]],
  );
  assert.deepEqual(
    doc.approvals.map((a) => a.role),
    ["Process Owner", "Data Protection Review"],
  );
  assert.match(loaded().purpose, /from purchase to active use/);
  assert.equal(loaded().scope.applies_to.length, 3);
  assert.equal(loaded().scope.excludes.length, 2);
  assert.equal(loaded().definitions.length, 9);
  assert.equal(loaded().prerequisites.length, 4);
});

test("the four sub-processes of the description are the four phases, with their steps", () => {
  assert.deepEqual(
    loaded().phases.map((ph) => [ph.id, ph.title, ph.window?.text, ph.steps.map((s) => s.id)]),
    [
      [
        "initial_contact_welcome",
        "Initial Contact and Welcome",
        "Days 1-7",
        [
          "sales_handover",
          "assign_onboarding_team",
          "send_welcome_email",
          "collect_customer_information",
          "validate_customer_information",
          "request_missing_information",
          "confirm_dpa",
          "kickoff_meeting",
          "agree_onboarding_plan",
        ],
      ],
      [
        "product_introduction",
        "Product Introduction",
        "Days 8-30",
        [
          "provision_access",
          "configure_and_import_data",
          "product_walkthrough",
          "administrator_training",
          "go_live_readiness_review",
          "resolve_readiness_gaps",
          "go_live",
        ],
      ],
      [
        "ongoing_support_training",
        "Ongoing Support and Training",
        "Days 29-60",
        [
          "hypercare_support",
          "end_user_training",
          "training_effectiveness_review",
          "remedial_training",
          "adoption_checkpoint",
          "adoption_improvement_plan",
        ],
      ],
      [
        "evaluation_optimisation",
        "Evaluation and Optimisation",
        "Days 61-90",
        [
          "onboarding_satisfaction_survey",
          "evaluation_meeting",
          "optimisation_actions",
          "gdpr_compliance_audit",
          "remediate_compliance_findings",
          "process_optimisation_review",
          "onboarding_completion_sign_off",
        ],
      ],
    ],
  );
  assert.equal(steps().length, 29);
  assert.equal(step("go_live").go_live, true);
  assert.equal(step("onboarding_completion_sign_off").completes_project, true);
  assert.deepEqual(
    steps()
      .filter((s) => s.kind === "meeting")
      .map((s) => s.id),
    ["kickoff_meeting", "product_walkthrough", "evaluation_meeting"],
  );
});

test("roles: the four RACI roles of the description, the customer, and the added escalation level", () => {
  const roles = loaded().roles;
  assert.deepEqual(
    Object.entries(roles).map(([id, r]) => [id, r.side]),
    [
      ["onboarding_manager", "internal"],
      ["customer_success_manager", "internal"],
      ["it_support", "internal"],
      ["account_manager", "internal"],
      ["head_of_customer_success", "internal"],
      ["customer", "client"],
    ],
  );
  assert.equal(roles.customer_success_manager?.escalates_to, "onboarding_manager");
  assert.equal(roles.it_support?.escalates_to, "onboarding_manager");
  assert.equal(roles.onboarding_manager?.escalates_to, "head_of_customer_success");
  assert.equal(roles.account_manager?.escalates_to, "head_of_customer_success");
});

test("RACI for every task, and each of the four RACI roles and the customer engaged in every phase", () => {
  for (const s of steps()) assert.ok(s.raci, `${s.id} has a RACI`);
  for (const phase of loaded().phases) {
    const involved = new Set(
      phase.steps.flatMap((s) => [
        ...(s.raci?.responsible ?? []),
        s.raci?.accountable,
        ...(s.raci?.consulted ?? []),
        ...(s.raci?.informed ?? []),
      ]),
    );
    for (const role of ["onboarding_manager", "customer_success_manager", "it_support", "account_manager", "customer"]) {
      assert.ok(involved.has(role), `${role} is in the RACI of phase ${phase.id}`);
    }
  }
  assert.deepEqual(step("collect_customer_information").raci?.responsible, ["customer"]);
  assert.equal(step("confirm_dpa").raci?.accountable, "account_manager");
  assert.equal(step("provision_access").owner, "it_support");
});

test("handoffs: sales to onboarding, onboarding to customer success", () => {
  assert.deepEqual(
    steps()
      .filter((s) => s.handoff)
      .map((s) => [s.id, s.handoff?.from, s.handoff?.to, s.handoff?.information.length]),
    [
      ["sales_handover", "account_manager", "onboarding_manager", 5],
      ["onboarding_completion_sign_off", "onboarding_manager", "customer_success_manager", 4],
    ],
  );
});

test("checklists per step", () => {
  assert.deepEqual(
    steps()
      .filter((s) => s.checklist.length > 0)
      .map((s) => [s.id, s.checklist.length]),
    [
      ["sales_handover", 4],
      ["assign_onboarding_team", 4],
      ["send_welcome_email", 4],
      ["validate_customer_information", 6],
      ["confirm_dpa", 3],
      ["provision_access", 5],
      ["configure_and_import_data", 5],
      ["go_live_readiness_review", 5],
      ["gdpr_compliance_audit", 7],
    ],
  );
  assert.equal(
    steps().reduce((n, s) => n + s.checklist.length, 0),
    43,
  );
});

test("meetings: kickoff with six agenda items, introduction and evaluation with four", () => {
  const kickoff = step("kickoff_meeting");
  assert.equal(kickoff.meeting?.length?.text, "60 minutes");
  assert.deepEqual(kickoff.meeting?.attendees, ["onboarding_manager", "customer_success_manager", "it_support", "customer"]);
  assert.deepEqual(
    kickoff.meeting?.agenda.map((a) => a.topic),
    [
      "Welcome and introductions",
      "Goals and success criteria",
      "Onboarding plan and timeline",
      "Communication protocol",
      "Data protection",
      "Questions and next steps",
    ],
  );
  assert.equal(kickoff.meeting?.preparation.length, 3);
  assert.equal(kickoff.meeting?.during.length, 2);
  assert.equal(step("product_walkthrough").meeting?.agenda.length, 4);
  assert.equal(step("evaluation_meeting").meeting?.agenda.length, 4);
});

test("decision points with measurable criteria, and their loops", () => {
  const decisions = steps()
    .filter((s) => s.decision)
    .map((s) => [s.id, s.decision?.branches.map((b) => [b.label, b.when ?? "otherwise", b.next])]);
  assert.deepEqual(decisions, [
    [
      "validate_customer_information",
      [
        ["Complete", "step.checklist_complete", "continue"],
        ["Still incomplete after two requests", "step.attempt >= 3", "hold"],
        ["Incomplete", "otherwise", "request_missing_information"],
      ],
    ],
    [
      "go_live_readiness_review",
      [
        ["Ready", "step.checklist_complete", "continue"],
        ["Not ready after two rounds of fixes", "step.attempt >= 3", "hold"],
        ["Gaps remain", "otherwise", "resolve_readiness_gaps"],
      ],
    ],
    [
      "training_effectiveness_review",
      [
        ["Effective", "training.completion_rate >= 90.0 && training.average_score >= 80.0", "continue"],
        ["Still not effective after remedial training", "step.attempt >= 3", "continue"],
        ["Not effective", "otherwise", "remedial_training"],
      ],
    ],
    [
      "adoption_checkpoint",
      [
        ["Adopted", "forms.adoption_review.active_user_rate >= 70.0", "continue"],
        ["Low adoption after an improvement plan", "step.attempt >= 2", "continue"],
        ["Low adoption", "otherwise", "adoption_improvement_plan"],
      ],
    ],
    [
      "evaluation_meeting",
      [
        [
          "Success criteria met",
          "forms.onboarding_evaluation.success_criteria_met && forms.onboarding_evaluation.csat_score >= 4.0",
          "continue",
        ],
        ["Not met after optimisation", "step.attempt >= 2", "continue"],
        ["Not met", "otherwise", "optimisation_actions"],
      ],
    ],
    [
      "gdpr_compliance_audit",
      [
        ["Compliant", "step.checklist_complete", "continue"],
        ["Findings remain", "otherwise", "remediate_compliance_findings"],
      ],
    ],
  ]);
  assert.deepEqual(
    steps()
      .filter((s) => s.on_demand)
      .map((s) => [s.id, s.next]),
    [
      ["request_missing_information", "validate_customer_information"],
      ["resolve_readiness_gaps", "go_live_readiness_review"],
      ["remedial_training", "training_effectiveness_review"],
      ["adoption_improvement_plan", "adoption_checkpoint"],
      ["optimisation_actions", "evaluation_meeting"],
      ["remediate_compliance_findings", "gdpr_compliance_audit"],
    ],
  );
});

test("gates: DPA (blocks the phase), onboarding plan, completion sign-off; all visible to the customer", () => {
  const gated = steps().filter((s) => s.gate);
  assert.deepEqual(
    gated.map((s) => [s.id, s.gate?.approvers, s.gate?.blocks, s.visible_to_client]),
    [
      ["confirm_dpa", ["customer", "account_manager"], "phase", true],
      ["agree_onboarding_plan", ["customer", "onboarding_manager"], "step", true],
      ["onboarding_completion_sign_off", ["customer", "onboarding_manager"], "step", true],
    ],
  );
});

test("standardised data collection form with its required fields; consents optional", () => {
  const forms = loaded().forms;
  assert.deepEqual(Object.keys(forms), ["customer_data_collection", "adoption_review", "onboarding_evaluation"]);
  const intake = forms.customer_data_collection;
  assert.ok(intake);
  assert.equal(intake.template, "FORM-ONB-001");
  assert.equal(intake.system, "CRM platform");
  assert.equal(Object.keys(intake.fields).length, 21);
  assert.deepEqual(
    Object.entries(intake.fields)
      .filter(([, f]) => f.required)
      .map(([id]) => id),
    [
      "company_legal_name",
      "billing_address",
      "primary_contact_name",
      "primary_contact_email",
      "technical_contact_name",
      "technical_contact_email",
      "billing_contact_email",
      "number_of_users",
      "products_purchased",
      "business_goals",
      "success_criteria",
      "preferred_communication_channel",
      "time_zone",
      "privacy_notice_acknowledged",
    ],
  );
  assert.equal(intake.fields.recording_consent?.required, false);
  assert.equal(intake.fields.marketing_consent?.required, false);
  assert.equal(intake.fields.primary_contact_phone?.required, false);
  assert.deepEqual(intake.fields.preferred_communication_channel?.options, ["Email", "Phone", "Video call", "Chat"]);
  assert.equal(step("collect_customer_information").form, "customer_data_collection");
  assert.equal(Object.keys(forms.adoption_review?.fields ?? {}).length, 4);
  assert.equal(Object.keys(forms.onboarding_evaluation?.fields ?? {}).length, 4);
  assert.equal(step("adoption_checkpoint").form, "adoption_review");
  assert.equal(step("evaluation_meeting").form, "onboarding_evaluation");
});

test("feedback mechanisms: three surveys and two weekly cadences", () => {
  const p = loaded();
  assert.deepEqual(
    Object.entries(p.surveys).map(([id, s]) => [id, s.kind, s.send.text, s.questions.length]),
    [
      ["welcome_feedback", "csat", "1 day after kickoff_meeting", 3],
      ["training_feedback", "custom", "1 day after end_user_training", 4],
      ["onboarding_satisfaction", "csat", "Day 65", 5],
    ],
  );
  assert.equal(step("kickoff_meeting").survey, "welcome_feedback");
  assert.equal(step("end_user_training").survey, "training_feedback");
  assert.equal(step("onboarding_satisfaction_survey").survey, "onboarding_satisfaction");
  assert.deepEqual(
    p.cadences.map((c) => [c.id, c.every.text, c.during, c.owner]),
    [
      ["weekly_status_update", "1 week", "product_introduction", "onboarding_manager"],
      ["weekly_check_in", "1 week", "ongoing_support_training", "customer_success_manager"],
    ],
  );
});

test("training: three tracks with hours, pass mark 80, three delivery methods", () => {
  const training = loaded().training;
  assert.equal(training?.pass_mark, 80);
  assert.deepEqual(
    Object.entries(training?.tracks ?? {}).map(([id, t]) => [id, t.hours, t.modules.length, t.required]),
    [
      ["administrator_essentials", 3, 5, true],
      ["end_user_fundamentals", 2, 4, true],
      ["advanced_features", 2, 2, false],
    ],
  );
  assert.equal(training?.tracks.advanced_features?.when, "facts.advanced_features_purchased");
  assert.deepEqual(
    training?.delivery.map((d) => d.id),
    ["live_virtual", "self_paced", "recorded_sessions"],
  );
  assert.equal(training?.delivery[2]?.when, "forms.customer_data_collection.recording_consent");
  assert.deepEqual(step("administrator_training").training, ["administrator_essentials"]);
  assert.deepEqual(step("end_user_training").training, ["end_user_fundamentals", "advanced_features"]);
  assert.deepEqual(step("remedial_training").training, ["end_user_fundamentals"]);
});

test("rules: 3 automations, 9 exceptions, 4 escalations", () => {
  const rules = loaded().rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.category, r.on]),
    [
      ["start_on_deal_won", "automation", "deal.won"],
      ["intake_form_received", "automation", "form.submitted"],
      ["record_feedback", "automation", "survey.answered"],
      ["customer_information_overdue", "exception", "step.overdue"],
      ["low_satisfaction_feedback", "exception", "survey.answered"],
      ["low_onboarding_satisfaction", "exception", "survey.answered"],
      ["training_not_passed", "exception", "training.completed"],
      ["delay_requested", "exception", "change.requested"],
      ["out_of_scope_request", "exception", "change.requested"],
      ["dpa_not_signed", "exception", "gate.rejected"],
      ["completion_sign_off_rejected", "exception", "gate.rejected"],
      ["personal_data_incident", "exception", "issue.opened"],
      ["critical_issue", "escalation", "issue.opened"],
      ["issue_unresolved_24h", "escalation", "issue.opened"],
      ["step_overdue_escalation", "escalation", "step.overdue"],
      ["compliance_audit_overdue", "escalation", "step.overdue"],
    ],
  );
  const byId = (id: string) => rules.find((r) => r.id === id);
  assert.equal(byId("critical_issue")?.repeat_every?.text, "4 hours");
  assert.equal(byId("critical_issue")?.until, "issue.resolved");
  assert.equal(byId("issue_unresolved_24h")?.after?.text, "24h");
  assert.equal(byId("dpa_not_signed")?.step, "confirm_dpa");
  assert.equal(byId("compliance_audit_overdue")?.step, "gdpr_compliance_audit");
  assert.deepEqual(
    byId("intake_form_received")?.actions.map((a) => a.when),
    [undefined, "!forms.customer_data_collection.marketing_consent", "!forms.customer_data_collection.recording_consent"],
  );
});

test("KPIs: onboarding completion time, customer satisfaction, retention rate with targets", () => {
  assert.deepEqual(
    loaded().kpis.map((k) => [k.id, k.metric, k.target, k.frequency, k.owner, k.definition !== undefined]),
    [
      ["onboarding_completion_time", "time_to_onboard", "<= 90 days", "per_project", "onboarding_manager", true],
      ["customer_satisfaction", "csat", ">= 4.0/5", "monthly", "customer_success_manager", true],
      ["retention_rate", "retention_rate", ">= 90%", "quarterly", "account_manager", true],
    ],
  );
});

test("controls: feedback collection, compliance audits, training effectiveness reviews", () => {
  const qc = loaded().quality_controls;
  assert.equal(qc?.in_process.length, 4);
  assert.equal(qc?.final.length, 4);
  const all = [...(qc?.in_process ?? []), ...(qc?.final ?? [])].join("\n");
  assert.match(all, /Feedback collection/);
  assert.match(all, /Compliance audit/);
  assert.match(all, /Training effectiveness review/);
});

test("risk register: the three named risks with their named mitigations, plus data privacy", () => {
  assert.deepEqual(
    loaded().risks.map((r) => [r.id, r.risk, r.mitigation, r.owner, r.controls.length]),
    [
      ["incomplete_customer_information", "Incomplete customer information", "Standardised data collection forms", "onboarding_manager", 3],
      ["miscommunication", "Miscommunication", "Clear communication protocols", "onboarding_manager", 3],
      ["inadequate_training", "Inadequate training", "Comprehensive training materials", "customer_success_manager", 3],
      [
        "data_privacy_non_compliance",
        "Non-compliance with GDPR and data privacy laws",
        "Compliance checks during data handling, onboarding communications and customer interactions",
        "onboarding_manager",
        3,
      ],
    ],
  );
});

test("GDPR addendum: eight checks attached where they happen, six evidence items", () => {
  const addenda = loaded().compliance;
  assert.equal(addenda.length, 1);
  const gdpr = addenda[0];
  assert.equal(gdpr?.id, "gdpr_data_privacy");
  assert.equal(gdpr?.framework, "gdpr");
  assert.equal(gdpr?.applies_when, undefined);
  assert.deepEqual(
    gdpr?.checks.map((c) => [c.id, c.at]),
    [
      ["lawful_basis", ["sales_handover", "gdpr_compliance_audit"]],
      [
        "data_minimisation",
        ["collect_customer_information", "validate_customer_information", "configure_and_import_data", "gdpr_compliance_audit"],
      ],
      ["privacy_notice", ["send_welcome_email"]],
      [
        "recording_consent",
        ["collect_customer_information", "kickoff_meeting", "product_walkthrough", "administrator_training", "end_user_training"],
      ],
      ["marketing_consent", ["collect_customer_information", "validate_customer_information"]],
      ["dpa_signed", ["confirm_dpa"]],
      ["access_restricted", ["assign_onboarding_team", "provision_access", "hypercare_support", "gdpr_compliance_audit"]],
      ["retention", ["gdpr_compliance_audit", "remediate_compliance_findings"]],
    ],
  );
  assert.deepEqual(
    gdpr?.evidence.map((e) => e.id),
    ["lawful_basis_record", "privacy_notice_sent", "consent_records", "signed_dpa", "access_list", "audit_record"],
  );
  assert.equal(gdpr?.approvals.length, 1);
  assert.equal(gdpr?.package.length, 3);
  assert.deepEqual(
    steps()
      .filter((s) => s.compliance === "gdpr_data_privacy")
      .map((s) => s.id),
    [
      "sales_handover",
      "assign_onboarding_team",
      "send_welcome_email",
      "collect_customer_information",
      "validate_customer_information",
      "confirm_dpa",
      "kickoff_meeting",
      "provision_access",
      "configure_and_import_data",
      "product_walkthrough",
      "administrator_training",
      "hypercare_support",
      "end_user_training",
      "gdpr_compliance_audit",
      "remediate_compliance_findings",
    ],
  );
  assert.match(loaded().templates["EMAIL-ONB-001"]?.body ?? "", /\{\{privacy_notice_url\}\}/);
});

test("systems requirements: CRM, communication tools, data management, feedback and reporting", () => {
  assert.deepEqual(
    loaded().systems.map((s) => s.name),
    ["CRM platform", "Communication tools", "Data management system", "Feedback and reporting tools"],
  );
  const names = new Set(loaded().systems.map((s) => s.name));
  for (const s of steps()) {
    for (const system of s.systems) assert.ok(names.has(system), `${s.id} uses a declared system (${system})`);
  }
});

test("templates, references, parameters and facts", () => {
  const p = loaded();
  assert.deepEqual(Object.keys(p.templates), [
    "EMAIL-ONB-001",
    "EMAIL-ONB-002",
    "EMAIL-ONB-003",
    "FORM-ONB-001",
    "MTG-ONB-001",
    "DOC-ONB-001",
    "DOC-ONB-002",
    "RPT-ONB-001",
    "RPT-ONB-002",
    "CHK-ONB-001",
    "SURVEY-ONB-001",
  ]);
  assert.deepEqual(
    p.references.map((r) => r.id),
    ["REF-GDPR", "REF-PRIVACY-LAWS", "REF-PRIVACY-NOTICE", "REF-DPA", "REF-RETENTION", "REF-ACCESS"],
  );
  assert.deepEqual(Object.keys(p.parameters), [
    "company_name",
    "privacy_notice_url",
    "support_email",
    "recording_retention_days",
    "intake_retention_months",
  ]);
  assert.deepEqual(Object.keys(p.facts), ["user_count", "advanced_features_purchased"]);
  assert.equal(p.change_management.length, 3);
});

test("appendices: onboarding checklist, feedback collection template, case study note", () => {
  assert.deepEqual(
    loaded().appendices.map((a) => [a.id, a.title]),
    [
      ["appendix_a_onboarding_checklist", "Appendix A: Onboarding checklist"],
      ["appendix_b_feedback_collection_template", "Appendix B: Feedback collection template"],
      ["appendix_c_case_study", "Appendix C: Case study note (illustrative)"],
    ],
  );
  const checklist = loaded().appendices[0]?.body ?? "";
  assert.equal((checklist.match(/\[ \]/g) ?? []).length, 20);
  assert.match(loaded().appendices[2]?.body ?? "", /not a real customer/);
});
