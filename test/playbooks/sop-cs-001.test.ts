// Coverage of seed 002 (SOP-CS-001, Customer Onboarding Procedure): everything the source SOP
// contains is still in the playbook, so a later edit cannot silently drop any of it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtIn } from "../support/built-in.ts";

const { diagnostics, loaded, allSteps, step } = await builtIn("sop-cs-001");

function rule(id: string) {
  const found = loaded().rules.find((r) => r.id === id);
  assert.ok(found, `rule ${id} exists`);
  return found;
}

test("loads without errors", () => {
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.equal(loaded().id, "sop_cs_001");
});

test("document control: SOP-CS-001 v1.0 with parameterised dates, history and approval block", () => {
  const p = loaded();
  const doc = p.document;
  assert.equal(doc.id, "SOP-CS-001");
  assert.equal(doc.title, "Customer Onboarding Procedure");
  assert.equal(doc.version, "1.0");
  assert.equal(doc.owner, "VP of Customer Success");
  assert.equal(doc.classification, "internal");
  assert.equal(doc.effective, "{{effective_date}}");
  assert.equal(doc.review, "{{review_date}}");
  assert.deepEqual(Object.keys(p.parameters).sort(), ["effective_date", "review_date", "revision_author"]);
  assert.equal(p.parameters.effective_date?.type, "date");
  assert.equal(p.parameters.effective_date?.default, "2026-01-01");
  assert.equal(p.parameters.review_date?.type, "date");
  assert.equal(p.parameters.review_date?.default, "2027-01-01");
  assert.deepEqual(
    doc.revisions.map((r) => [r.version, r.date, r.author, r.changes]),
    [["1.0", "{{effective_date}}", "{{revision_author}}", "Initial release"]],
  );
  assert.deepEqual(
    doc.approvals.map((a) => a.role),
    ["Process Owner", "Quality Review", "Compliance Review"],
  );
  assert.match(p.purpose, /from signed contract\s+through successful go-live/);
  assert.match(p.purpose, /compliance with data handling requirements/);
});

test("scope with its three exclusions and their SOP references", () => {
  const scope = loaded().scope;
  assert.deepEqual(scope.applies_to, [
    "All new customer accounts",
    "Existing customers purchasing new products",
    "Customer migrations from legacy systems",
  ]);
  assert.deepEqual(
    scope.excludes.map((e) => [e.text, e.see]),
    [
      ["Self-service product tiers", "SOP-CS-003"],
      ["Free trial conversions", "SOP-CS-002"],
      ["Partner-led implementations", "SOP-PART-001"],
    ],
  );
});

test("definitions and prerequisites", () => {
  const p = loaded();
  assert.deepEqual(
    p.definitions.map((d) => d.term),
    ["Go-Live", "Kickoff", "Health Score", "SOC 2 Customer"],
  );
  assert.deepEqual(p.prerequisites, [
    "Signed contract received in Salesforce",
    "Payment terms confirmed by Finance",
    "License provisioning approved",
    "Customer contacts identified (Primary, Technical, Executive)",
    "SOC 2 requirements identified (if applicable)",
  ]);
});

test("references (section 10) and templates", () => {
  const p = loaded();
  assert.deepEqual(
    p.references.map((r) => [r.id, r.kind]),
    [
      ["EMAIL-CS-001", "template"],
      ["PROJ-ONBOARD-STANDARD", "template"],
      ["PROJ-ONBOARD-ENTERPRISE", "template"],
      ["DOC-IMPL-001", "template"],
      ["DOC-SUCCESS-001", "template"],
      ["FORM-UAT-001", "template"],
      ["DOC-GOLIVE-001", "template"],
      ["SOP-CS-002", "sop"],
      ["SOP-CS-003", "sop"],
    ],
  );
  assert.deepEqual(
    Object.entries(p.templates).map(([id, t]) => [id, t.kind]),
    [
      ["EMAIL-CS-001", "email"],
      ["PROJ-ONBOARD-STANDARD", "project"],
      ["PROJ-ONBOARD-ENTERPRISE", "project"],
      ["DOC-IMPL-001", "document"],
      ["DOC-SUCCESS-001", "document"],
      ["FORM-UAT-001", "form"],
      ["DOC-GOLIVE-001", "report"],
    ],
  );
});

test("roles: the five of section 3 plus CS Ops, CS leadership, security, compliance, customer security officer", () => {
  const roles = loaded().roles;
  assert.deepEqual(
    Object.entries(roles).map(([id, r]) => [id, r.side]),
    [
      ["account_executive", "internal"],
      ["customer_success_manager", "internal"],
      ["implementation_specialist", "internal"],
      ["support_engineer", "internal"],
      ["customer_stakeholder", "client"],
      ["cs_operations", "internal"],
      ["cs_leadership", "internal"],
      ["security_team", "internal"],
      ["compliance_team", "internal"],
      ["customer_security_officer", "client"],
    ],
  );
  assert.deepEqual(roles.account_executive?.responsibilities, [
    "Hand off complete customer information, introduce Customer Success Manager",
  ]);
  assert.deepEqual(roles.customer_stakeholder?.responsibilities, ["Provide requirements, make decisions, allocate customer resources"]);
  assert.deepEqual(roles.customer_success_manager?.assignment?.strategies, ["segment", "specialization", "manual"]);
  assert.deepEqual(roles.implementation_specialist?.assignment?.strategies, ["product", "complexity", "manual"]);
  assert.deepEqual(roles.support_engineer?.assignment?.strategies, ["contract", "manual"]);
  assert.equal(roles.customer_success_manager?.escalates_to, "cs_leadership");
});

test("facts: user count, SOC 2, data migration and the assignment inputs", () => {
  const facts = loaded().facts;
  assert.deepEqual(Object.keys(facts).sort(), [
    "complexity",
    "data_migration_applicable",
    "products",
    "segment",
    "soc2_required",
    "specialization",
    "support_tier",
    "user_count",
  ]);
  assert.equal(facts.user_count?.type, "int");
  assert.equal(facts.soc2_required?.type, "bool");
  assert.equal(facts.data_migration_applicable?.type, "bool");
});

test("six phases with the source's windows and their steps", () => {
  const p = loaded();
  assert.deepEqual(
    p.phases.map((ph) => [ph.id, ph.window?.text, ph.steps.map((s) => s.id)]),
    [
      [
        "handoff_and_assignment",
        "Days 1-2",
        ["complete_handoff", "assign_resources", "review_handoff", "clarify_handoff_gaps", "send_introduction_email"],
      ],
      [
        "kickoff_and_planning",
        "Days 3-10",
        ["kickoff_meeting", "create_onboarding_project", "technical_discovery", "create_success_plan", "approve_plans", "revise_plans"],
      ],
      [
        "implementation",
        "Days 11-45",
        [
          "execute_implementation_plan",
          "configure_environment",
          "migrate_data",
          "set_up_integrations",
          "soc2_security_review",
          "soc2_compliance_sign_off",
          "soc2_customer_security_approval",
          "uat",
          "fix_uat_issues",
          "uat_sign_off",
        ],
      ],
      ["training_and_enablement", "Days 46-55", ["training_delivery", "additional_training", "customer_documentation"]],
      // Source conflict: "Days 56-60" in the source, widened for 6.16 (Day 65-70).
      [
        "go_live_and_transition",
        "Days 56-70",
        ["go_live_readiness_review", "address_readiness_gaps", "execute_go_live", "post_go_live_review", "soc2_evidence_package"],
      ],
      ["transition_to_ongoing_success", "Day 70+", ["transition_to_ongoing_success"]],
    ],
  );
  assert.equal(allSteps().length, 30);
  assert.match(p.phases[4]?.description ?? "", /Days 56-60/);
});

test("the numbered source steps 6.1-6.17 (with 6.9.1-6.9.3) are steps, 6.10 a cadence", () => {
  const numbered = [
    "complete_handoff", // 6.1
    "assign_resources", // 6.2
    "review_handoff", // 6.3
    "send_introduction_email", // 6.4
    "kickoff_meeting", // 6.5
    "create_onboarding_project", // 6.6
    "technical_discovery", // 6.7
    "create_success_plan", // 6.8
    "execute_implementation_plan", // 6.9
    "configure_environment", // 6.9.1
    "migrate_data", // 6.9.2
    "set_up_integrations", // 6.9.3
    "uat", // 6.11
    "training_delivery", // 6.12
    "customer_documentation", // 6.13
    "go_live_readiness_review", // 6.14
    "execute_go_live", // 6.15
    "post_go_live_review", // 6.16
    "transition_to_ongoing_success", // 6.17
  ];
  for (const id of numbered) assert.equal(step(id).on_demand, false, id);
  assert.deepEqual(
    numbered.map((id) => step(id).owner),
    [
      "account_executive",
      "cs_operations",
      "customer_success_manager",
      "customer_success_manager",
      "customer_success_manager",
      "customer_success_manager",
      "implementation_specialist",
      "customer_success_manager",
      "implementation_specialist",
      "implementation_specialist",
      "implementation_specialist",
      "implementation_specialist",
      "implementation_specialist",
      "customer_success_manager",
      "implementation_specialist",
      "customer_success_manager",
      "customer_success_manager",
      "customer_success_manager",
      "customer_success_manager",
    ],
  );
  assert.deepEqual(
    allSteps()
      .filter((s) => s.on_demand)
      .map((s) => [s.id, s.next]),
    [
      ["clarify_handoff_gaps", "review_handoff"],
      ["revise_plans", "approve_plans"],
      ["fix_uat_issues", "uat"],
      ["additional_training", "training_delivery"],
      ["address_readiness_gaps", "go_live_readiness_review"],
    ],
  );
});

test("every SLA of the source", () => {
  const due = (id: string) => step(id).due?.text;
  assert.equal(due("complete_handoff"), "24 hours after start");
  assert.equal(due("assign_resources"), "4 business hours");
  assert.equal(due("clarify_handoff_gaps"), "4 business hours");
  assert.equal(due("send_introduction_email"), "24 hours after assign_resources");
  assert.equal(due("create_onboarding_project"), "24 hours after kickoff_meeting");
  assert.equal(due("execute_go_live"), "Day 60");
  assert.equal(step("execute_go_live").lasts?.text, "5 business days");
  assert.equal(step("post_go_live_review").opens?.text, "Day 65");
  assert.equal(due("post_go_live_review"), "Day 70");
});

test("6.1 Customer Handoff Form in Salesforce: eight required fields, handed from AE to CSM", () => {
  const p = loaded();
  const form = p.forms.customer_handoff;
  assert.ok(form);
  assert.equal(form.title, "Customer Handoff Form");
  assert.equal(form.system, "Salesforce");
  assert.deepEqual(Object.keys(form.fields), [
    "company_information",
    "key_contacts",
    "purchased_products",
    "contract_terms",
    "technical_environment",
    "success_criteria",
    "known_risks",
    "compliance_requirements",
  ]);
  assert.ok(Object.values(form.fields).every((f) => f.required));
  assert.equal(form.fields.compliance_requirements?.type, "list");
  const handoff = step("complete_handoff");
  assert.equal(handoff.form, "customer_handoff");
  assert.equal(handoff.kind, "handoff");
  assert.equal(handoff.handoff?.from, "account_executive");
  assert.equal(handoff.handoff?.to, "customer_success_manager");
  assert.equal(handoff.handoff?.information.length, 8);
  assert.equal(handoff.instructions.length, 8);
  assert.equal(handoff.expected_result, 'Handoff form shows "Complete" status with all required fields populated.');
  assert.deepEqual(Object.keys(p.forms).sort(), ["customer_handoff", "readiness_gap_plan", "uat_results"]);
});

test("6.2 assignment and its notification to the CSM", () => {
  assert.deepEqual(step("assign_resources").instructions, [
    "Customer Success Manager based on segment and specialization",
    "Implementation Specialist based on product and complexity",
    "Support tier based on contract terms",
  ]);
  const r = rule("notify_csm_of_assignment");
  assert.equal(r.on, "step.completed");
  assert.equal(r.step, "assign_resources");
  assert.deepEqual(r.actions[0]?.notify?.to, ["customer_success_manager"]);
});

test("6.3 IF/THEN: incomplete handoff loops through clarification with the AE until complete", () => {
  const review = step("review_handoff");
  assert.equal(review.checklist.length, 8);
  assert.deepEqual(
    review.decision?.branches.map((b) => [b.when, b.next]),
    [
      ["step.checklist_unchecked > 0", "clarify_handoff_gaps"],
      ["step.checklist_complete", "continue"],
    ],
  );
  const clarify = step("clarify_handoff_gaps");
  assert.deepEqual(clarify.instructions, [
    "Contact Account Executive for clarification within 4 business hours",
    "Document gaps in handoff notes",
    "Do not proceed to kickoff until critical information obtained",
  ]);
  assert.deepEqual(step("send_introduction_email").after, ["review_handoff"]);
});

test("6.4 introduction email from EMAIL-CS-001 with its five inclusions", () => {
  const email = step("send_introduction_email");
  assert.equal(email.kind, "email");
  assert.equal(email.template, "EMAIL-CS-001");
  assert.equal(email.instructions.length, 5);
  assert.equal(email.expected_result, "Email sent and logged in Salesforce activity.");
});

test("6.5 kickoff: preparation, seven-item agenda with minutes, during-meeting list", () => {
  const kickoff = step("kickoff_meeting");
  assert.equal(kickoff.kind, "meeting");
  assert.equal(kickoff.visible_to_client, true);
  const meeting = kickoff.meeting;
  assert.ok(meeting);
  assert.equal(meeting.preparation.length, 4);
  assert.deepEqual(
    meeting.agenda.map((a) => [a.minutes, a.topic]),
    [
      [10, "Introductions and role clarification"],
      [15, "Confirm business objectives and success criteria"],
      [20, "Review technical requirements"],
      [15, "Walk through onboarding timeline"],
      [10, "Establish communication cadence"],
      [10, "Identify risks and mitigation strategies"],
      [10, "Q&A and next steps"],
    ],
  );
  assert.equal(
    meeting.agenda.reduce((sum, a) => sum + (a.minutes ?? 0), 0),
    90,
  );
  assert.equal(meeting.during.length, 4);
  assert.equal(kickoff.expected_result, "Kickoff meeting completed with clear next steps documented.");
});

test("6.6 project template, PROJ-ONBOARD-ENTERPRISE for more than 100 users", () => {
  const project = step("create_onboarding_project");
  assert.equal(project.template, "PROJ-ONBOARD-STANDARD");
  assert.equal(project.instructions.length, 5);
  const r = rule("use_enterprise_project_template");
  assert.equal(r.on, "step.activated");
  assert.equal(r.step, "create_onboarding_project");
  // A client whose user count was not given gets the standard template, not an incident.
  assert.equal(r.when, "has(facts.user_count) && facts.user_count > 100");
  assert.match(r.actions[0]?.notify?.message ?? "", /PROJ-ONBOARD-ENTERPRISE/);
});

test("deliverables with their template ids", () => {
  assert.deepEqual(
    allSteps()
      .filter((s) => s.deliverable)
      .map((s) => [s.id, s.deliverable?.title, s.deliverable?.template]),
    [
      ["technical_discovery", "Technical Implementation Plan", "DOC-IMPL-001"],
      ["create_success_plan", "Customer Success Plan", "DOC-SUCCESS-001"],
      ["migrate_data", "Data validation report", undefined],
      ["set_up_integrations", "Integration test results", undefined],
      ["uat_sign_off", "UAT Sign-off Form", "FORM-UAT-001"],
      ["customer_documentation", "Customer documentation package", undefined],
      ["post_go_live_review", "Go-Live Summary Report", "DOC-GOLIVE-001"],
      ["soc2_evidence_package", "SOC 2 evidence package", undefined],
    ],
  );
  assert.equal(step("customer_documentation").deliverable?.location, "Customer's knowledge base");
});

test("gates: plans approval blocks Phase 3, checkpoints, UAT sign-off and SOC 2 approvals", () => {
  assert.deepEqual(
    allSteps()
      .filter((s) => s.gate)
      .map((s) => [s.id, s.gate?.approvers, s.gate?.blocks]),
    [
      ["approve_plans", ["customer_stakeholder"], "phase"],
      ["configure_environment", ["customer_success_manager"], "step"],
      ["migrate_data", ["customer_stakeholder"], "step"],
      ["set_up_integrations", ["customer_success_manager"], "step"],
      ["soc2_security_review", ["security_team"], "step"],
      ["soc2_compliance_sign_off", ["compliance_team"], "step"],
      ["soc2_customer_security_approval", ["customer_security_officer"], "step"],
      ["uat_sign_off", ["customer_stakeholder"], "step"],
    ],
  );
  for (const id of ["approve_plans", "migrate_data", "uat_sign_off", "soc2_customer_security_approval"]) {
    assert.equal(step(id).visible_to_client, true, id);
  }
  const revise = rule("revise_rejected_plans");
  assert.equal(revise.on, "gate.rejected");
  assert.equal(revise.step, "approve_plans");
  assert.equal(revise.actions[0]?.activate?.step, "revise_plans");
  assert.deepEqual(step("configure_environment").after, ["approve_plans"]);
});

test("6.9 implementation: environment checklist, conditional data migration, integrations", () => {
  assert.deepEqual(step("execute_implementation_plan").after, ["configure_environment", "migrate_data", "set_up_integrations"]);
  assert.deepEqual(step("configure_environment").checklist, [
    "Provision customer instance",
    "Configure security settings",
    "Set up user roles and permissions",
    "Configure integrations",
    "Apply customer branding",
  ]);
  assert.equal(step("migrate_data").when, "facts.data_migration_applicable");
  assert.equal(step("migrate_data").instructions.length, 5);
  assert.equal(step("set_up_integrations").instructions.length, 4);
});

test("6.10 weekly status meetings during implementation, notes within 24 hours", () => {
  const cadences = loaded().cadences;
  assert.equal(cadences.length, 1);
  const weekly = cadences[0];
  assert.ok(weekly);
  assert.equal(weekly.id, "weekly_status_meeting");
  assert.equal(weekly.owner, "customer_success_manager");
  assert.equal(weekly.every.text, "1 week");
  assert.equal(weekly.during, "implementation");
  assert.equal(weekly.due?.text, "24 hours");
  assert.equal(weekly.instructions.length, 5);
  assert.equal(weekly.expected_result, "Status meeting notes distributed within 24 hours, project plan updated.");
});

test("6.11 UAT: fail, fix, retest; then the customer signs off", () => {
  const uat = step("uat");
  assert.equal(uat.form, "uat_results");
  assert.equal(uat.instructions.length, 5);
  assert.deepEqual(
    uat.decision?.branches.map((b) => [b.when, b.next]),
    [
      ["forms.uat_results.scenarios_failed > 0", "fix_uat_issues"],
      ["forms.uat_results.scenarios_failed == 0", "continue"],
    ],
  );
  assert.deepEqual(step("uat_sign_off").after, ["uat"]);
});

test("6.12 training: three tracks (4h/2h/1h), 80% pass mark, additional-training loop", () => {
  const training = loaded().training;
  assert.ok(training);
  assert.equal(training.pass_mark, 80);
  assert.deepEqual(
    Object.entries(training.tracks).map(([id, t]) => [id, t.title, t.hours]),
    [
      ["administrator", "Administrator Training", 4],
      ["end_user", "End User Training", 2],
      ["executive_dashboard", "Executive Dashboard Training", 1],
    ],
  );
  const delivery = step("training_delivery");
  assert.deepEqual(delivery.training, ["administrator", "end_user", "executive_dashboard"]);
  assert.equal(delivery.instructions.length, 5);
  assert.deepEqual(
    delivery.decision?.branches.map((b) => [b.when, b.next]),
    [
      ["!training.all_passed || training.completion_rate < 100.0", "additional_training"],
      ["training.all_passed && training.completion_rate >= 100.0", "continue"],
    ],
  );
  assert.equal(step("customer_documentation").instructions.length, 4);
});

test("6.14 go-live readiness: seven checks, address-gaps loop, escalation if impact > 1 week", () => {
  const review = step("go_live_readiness_review");
  assert.deepEqual(review.checklist, [
    "All implementation tasks completed",
    "UAT signed off",
    "Training completed for all users",
    "Support procedures communicated",
    "Escalation paths confirmed",
    "Rollback plan documented",
    "Go-live date confirmed by customer",
  ]);
  assert.deepEqual(
    review.decision?.branches.map((b) => [b.when, b.next]),
    [
      ["step.checklist_complete", "continue"],
      ["step.checklist_unchecked > 0", "address_readiness_gaps"],
    ],
  );
  const gaps = step("address_readiness_gaps");
  assert.equal(gaps.form, "readiness_gap_plan");
  assert.deepEqual(gaps.instructions, [
    "Document gap and remediation plan",
    "Reschedule go-live if necessary",
    "Escalate to CS leadership if timeline impact >1 week",
  ]);
  const escalate = rule("escalate_go_live_delay");
  assert.equal(escalate.category, "escalation");
  assert.match(escalate.when ?? "", /timeline_impact_days > 7/);
  assert.equal(escalate.actions[0]?.escalate?.to, "cs_leadership");
});

test("6.15-6.17 go-live with enhanced support, post go-live review, transition", () => {
  const goLive = step("execute_go_live");
  assert.equal(goLive.go_live, true);
  assert.equal(goLive.instructions.length, 5);
  assert.equal(step("post_go_live_review").instructions.length, 5);
  const transition = step("transition_to_ongoing_success");
  assert.equal(transition.completes_project, true);
  assert.equal(transition.instructions.length, 5);
  assert.equal(transition.expected_result, 'Customer status changed to "Active" in Salesforce, onboarding project marked complete.');
  assert.deepEqual(
    allSteps()
      .filter((s) => s.go_live || s.completes_project)
      .map((s) => s.id),
    ["execute_go_live", "transition_to_ongoing_success"],
  );
});

test("RACI matrix of the supporting materials, on the matching steps", () => {
  const raci = (id: string) => {
    const r = step(id).raci;
    assert.ok(r, `${id} has a RACI`);
    return [r.responsible, r.accountable, [...r.consulted].sort(), [...r.informed].sort()];
  };
  const ae = "account_executive";
  const csm = "customer_success_manager";
  const impl = "implementation_specialist";
  const support = "support_engineer";
  const customer = "customer_stakeholder";
  // Complete handoff: AE A/R, CSM I, Impl I, Support I, Customer C
  assert.deepEqual(raci("complete_handoff"), [[ae], ae, [customer], [csm, impl, support].sort()]);
  // Conduct kickoff: AE I, CSM A/R, Impl C, Support I, Customer C
  assert.deepEqual(raci("kickoff_meeting"), [[csm], csm, [customer, impl].sort(), [ae, support].sort()]);
  // Create project plan: AE I, CSM A/R, Impl C, Support I, Customer C
  assert.deepEqual(raci("create_onboarding_project"), [[csm], csm, [customer, impl].sort(), [ae, support].sort()]);
  // Technical discovery: AE I, CSM C, Impl A/R, Support C, Customer C
  assert.deepEqual(raci("technical_discovery"), [[impl], impl, [csm, customer, support].sort(), [ae]]);
  // Environment setup: AE I, CSM I, Impl A/R, Support C, Customer I
  assert.deepEqual(raci("configure_environment"), [[impl], impl, [support], [ae, csm, customer].sort()]);
  // Data migration: AE I, CSM I, Impl A/R, Support C, Customer C
  assert.deepEqual(raci("migrate_data"), [[impl], impl, [customer, support].sort(), [ae, csm].sort()]);
  // Training delivery: AE I, CSM A/R, Impl C, Support C, Customer R
  assert.deepEqual(raci("training_delivery"), [[csm, customer], csm, [impl, support].sort(), [ae]]);
  // UAT: AE I, CSM C, Impl A/R, Support C, Customer R
  assert.deepEqual(raci("uat"), [[impl, customer], impl, [csm, support].sort(), [ae]]);
  // Go-live support: AE I, CSM A, Impl C, Support R, Customer C
  assert.deepEqual(raci("execute_go_live"), [[support], csm, [customer, impl].sort(), [ae]]);
});

test("rules: automations, exceptions and escalations of section 9", () => {
  const rules = loaded().rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.category, r.on]),
    [
      ["start_on_contract_signature", "automation", "deal.won"],
      ["notify_csm_of_assignment", "automation", "step.completed"],
      ["use_enterprise_project_template", "automation", "step.activated"],
      ["revise_rejected_plans", "automation", "gate.rejected"],
      ["escalate_go_live_delay", "escalation", "form.submitted"],
      ["timeline_extension", "exception", "change.requested"],
      ["scope_change", "exception", "change.requested"],
      ["critical_issue_escalation", "escalation", "issue.opened"],
      ["critical_issue_executive_updates", "escalation", "issue.opened"],
    ],
  );
  const delay = rule("timeline_extension");
  assert.equal(delay.when, 'event.kind == "delay" && event.delay_days > 14');
  assert.deepEqual(delay.actions[0]?.notify?.to, ["cs_leadership"]);
  assert.deepEqual(
    delay.actions.slice(1).map((a) => a.create_task?.title),
    ["Document reason in project notes", "Adjust resource allocation", "Update contract terms if necessary"],
  );
  const scope = rule("scope_change");
  assert.equal(scope.when, 'event.kind == "scope" && !event.in_scope');
  assert.equal(scope.actions.length, 4);
  assert.equal(scope.actions[1]?.request_approval?.from, "cs_leadership");
  assert.equal(scope.actions[2]?.when, "event.billable");
  assert.equal(scope.actions[2]?.create_task?.title, "Create change order");
  const critical = rule("critical_issue_escalation");
  assert.equal(critical.when, 'event.severity == "critical"');
  assert.equal(critical.after?.text, "24 hours");
  assert.equal(critical.until, "issue.resolved");
  assert.equal(critical.actions[0]?.escalate?.to, "cs_leadership");
  assert.equal(critical.actions[1]?.create_task?.title, "Engage cross-functional tiger team");
  const updates = rule("critical_issue_executive_updates");
  assert.equal(updates.after?.text, "24 hours");
  assert.equal(updates.repeat_every?.text, "4 hours");
  assert.equal(updates.until, "issue.resolved");
});

test("KPIs: the four success metrics with their targets", () => {
  assert.deepEqual(
    loaded().kpis.map((k) => [k.id, k.metric, k.target]),
    [
      ["time_to_go_live", "time_to_go_live", "<= 60 days"],
      ["customer_satisfaction", "csat", ">= 4.5/5"],
      ["first_pass_uat_success_rate", "first_pass_uat_rate", ">= 85%"],
      ["training_completion_rate", "training_completion", "= 100%"],
    ],
  );
  const survey = loaded().surveys.customer_satisfaction;
  assert.equal(survey?.kind, "csat");
  assert.deepEqual(survey?.to, ["customer_stakeholder"]);
});

test("SOC 2 compliance addendum: documentation, approvals as steps, evidence package", () => {
  const addenda = loaded().compliance;
  assert.equal(addenda.length, 1);
  const soc2 = addenda[0];
  assert.ok(soc2);
  assert.equal(soc2.id, "soc2");
  assert.equal(soc2.framework, "soc2");
  assert.equal(soc2.applies_when, "facts.soc2_required");
  assert.deepEqual(
    soc2.evidence.map((e) => e.text),
    [
      "Evidence collection at each checkpoint",
      "Access control verification",
      "Data handling certification",
      "Encryption verification",
      "Audit log preservation",
    ],
  );
  assert.deepEqual(soc2.evidence[0]?.at, ["configure_environment", "migrate_data", "set_up_integrations", "training_delivery"]);
  assert.deepEqual(
    soc2.approvals.map((a) => [a.role, a.text]),
    [
      ["security_team", "Security team review of configuration"],
      ["compliance_team", "Compliance team sign-off on controls"],
      ["customer_security_officer", "Customer security officer approval"],
    ],
  );
  assert.deepEqual(soc2.package, [
    "Access control implementation evidence",
    "Encryption configuration documentation",
    "Audit log samples",
    "Security assessment results",
  ]);
  const soc2Steps = allSteps().filter((s) => s.compliance === "soc2");
  assert.deepEqual(
    soc2Steps.map((s) => s.id),
    ["soc2_security_review", "soc2_compliance_sign_off", "soc2_customer_security_approval", "soc2_evidence_package"],
  );
  for (const s of soc2Steps) assert.equal(s.when, "facts.soc2_required", s.id);
  assert.equal(step("soc2_evidence_package").instructions.length, 4);
});

test("quality controls, systems, rollout plan, change management, appendices", () => {
  const p = loaded();
  assert.deepEqual(p.quality_controls?.in_process, [
    "Weekly project status reviews",
    "Checkpoint approvals before phase transitions",
    "Customer satisfaction pulse checks",
    "Health score monitoring",
  ]);
  assert.deepEqual(p.quality_controls?.final, [
    "Onboarding completion checklist (all phases verified)",
    "Customer satisfaction survey sent",
    "Success metrics documented",
    "Lessons learned captured",
  ]);
  assert.deepEqual(
    p.systems.map((s) => s.name),
    ["Salesforce", "Project management system", "Customer knowledge base"],
  );
  assert.deepEqual(
    p.rollout.map((r) => [r.when, r.activity]),
    [
      ["Week 1", "Leadership review and approval"],
      ["Week 2", "CSM team training"],
      ["Week 3", "Pilot with 2-3 new customers"],
      ["Week 4", "Collect feedback and revise"],
      ["Week 5", "Full rollout"],
    ],
  );
  assert.deepEqual(p.change_management, [
    'Communicate "why" to all stakeholders',
    "Provide job aids for daily reference",
    "Assign process champions in each team",
    "Establish feedback channel",
  ]);
  assert.deepEqual(
    p.appendices.map((a) => a.id),
    ["documentation_set", "sop_quality_assurance_checklist"],
  );
  assert.equal(p.appendices[1]?.body.split("\n").length, 8);
});
