// Coverage of seed 001 (ONB-001, a Markdown SOP with YAML/JSON blocks): everything the source SOP
// contains is still in the playbook.
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtIn } from "../support/built-in.ts";

const { diagnostics, loaded, allSteps, step } = await builtIn("onb-001");

function checklistIds(id: string): (string | undefined)[] {
  return step(id).checklist.map((item) => (typeof item === "string" ? item : item.id));
}

function checklistTexts(id: string): string[] {
  return step(id).checklist.map((item) => (typeof item === "string" ? item : item.text));
}

function optionalItems(id: string): (string | undefined)[] {
  return step(id)
    .checklist.filter((item) => typeof item !== "string" && !item.required)
    .map((item) => (typeof item === "string" ? item : item.id));
}

test("loads without errors", () => {
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.equal(loaded().id, "onb_001");
});

test("document control: ONB-001 version 1.0.0, effective 2024-01-01, next review 2024-04-01", () => {
  const doc = loaded().document;
  assert.equal(doc.id, "ONB-001");
  assert.equal(doc.title, "Client Onboarding SOP");
  assert.equal(doc.version, "1.0.0");
  assert.equal(doc.owner, "Client Success Team Lead");
  assert.equal(doc.effective, "2024-01-01");
  assert.equal(doc.last_review, "2024-01-01");
  assert.equal(doc.review, "2024-04-01");
  assert.deepEqual(
    doc.revisions.map((r) => [r.version, r.date]),
    [["1.0.0", "2024-01-01"]],
  );
  assert.deepEqual(doc.approvals, []);
  assert.match(loaded().purpose, /^Standardize the client onboarding process/);
  assert.match(loaded().purpose, /maximizing early adoption and long-term satisfaction\.$/);
  assert.deepEqual(loaded().scope.applies_to, [
    "All new client implementations",
    "Enterprise accounts",
    "SMB clients",
    "Partner-driven onboardings",
  ]);
});

test("references: the four documents", () => {
  assert.deepEqual(
    loaded().references.map((r) => [r.id, r.title]),
    [
      ["implementation_playbook", "Implementation Playbook"],
      ["training_materials_library", "Training Materials Library"],
      ["best_practices_guide", "Best Practices Guide"],
      ["integration_documentation", "Integration Documentation"],
    ],
  );
});

test("seven phases with the source's windows and their steps", () => {
  assert.deepEqual(
    loaded().phases.map((ph) => [ph.id, ph.window?.text, ph.steps.map((s) => s.id)]),
    [
      ["pre_kickoff_setup", "Day 0-2", ["sales_handoff", "internal_setup", "welcome_email"]],
      ["client_kickoff_meeting", "Day 3-5", ["kickoff_meeting", "kickoff_deliverables"]],
      [
        "discovery_planning",
        "Week 1-2",
        [
          "interview_executive_sponsor",
          "interview_project_manager",
          "interview_technical_lead",
          "interview_end_users",
          "implementation_plan",
        ],
      ],
      [
        "implementation",
        "Week 3-6",
        [
          "configure_account_settings",
          "configure_user_management",
          "setup_integrations",
          "data_assessment",
          "data_mapping",
          "data_validation",
          "migration_window",
          "data_verification",
          "data_user_access",
          "custom_workflows",
          "reports_dashboards",
          "automated_processes",
          "testing",
        ],
      ],
      ["training_enablement", "Week 5-6", ["admin_training", "end_user_training", "enablement"]],
      ["go_live", "Week 6", ["go_live_checklist", "go_live_achieved"]],
      [
        "post_go_live_reviews",
        "Days 0-90 after go_live",
        ["support_week_1", "support_week_2", "support_standard_hours", "checkin_30_day", "review_60_day", "success_review_90_day"],
      ],
    ],
  );
  assert.equal(allSteps().length, 34);
  assert.deepEqual(
    allSteps()
      .filter((s) => s.go_live)
      .map((s) => s.id),
    ["go_live_achieved"],
  );
  assert.deepEqual(
    allSteps()
      .filter((s) => s.completes_project)
      .map((s) => s.id),
    ["success_review_90_day"],
  );
});

test("roles: the five internal roles, System, and the client stakeholders", () => {
  const roles = loaded().roles;
  assert.deepEqual(Object.keys(roles), [
    "csm",
    "implementation_specialist",
    "training_specialist",
    "support_engineer",
    "sales_ae",
    "system",
    "client_primary_contact",
    "client_technical_contact",
    "client_executive_contact",
    "client_end_users",
  ]);
  const sides = Object.fromEntries(Object.entries(roles).map(([id, r]) => [id, r.side]));
  assert.deepEqual(sides, {
    csm: "internal",
    implementation_specialist: "internal",
    training_specialist: "internal",
    support_engineer: "internal",
    sales_ae: "internal",
    system: "system",
    client_primary_contact: "client",
    client_technical_contact: "client",
    client_executive_contact: "client",
    client_end_users: "client",
  });
  assert.equal(roles.csm?.title, "Client Success Manager");
  assert.deepEqual(roles.csm?.responsibilities, ["Overall ownership", "Relationship management"]);
  assert.equal(roles.csm?.escalates_to, "sales_ae");
  assert.deepEqual(roles.implementation_specialist?.responsibilities, ["Technical setup", "Integrations", "Data migration"]);
  assert.deepEqual(roles.training_specialist?.responsibilities, ["Training delivery", "Enablement materials"]);
  assert.deepEqual(roles.support_engineer?.responsibilities, ["Issue resolution", "Go-live support"]);
  assert.equal(roles.sales_ae?.title, "Sales Account Executive");
  assert.deepEqual(roles.sales_ae?.responsibilities, ["Escalation point", "Expansion opportunities"]);
});

test("facts and parameters: account type, data migration, plan duration, end users", () => {
  const p = loaded();
  assert.deepEqual(Object.keys(p.parameters), ["company_name"]);
  assert.deepEqual(Object.keys(p.facts), ["account_type", "data_migration", "project_duration_weeks", "end_user_interviewees"]);
  assert.deepEqual(p.facts.account_type?.values, ["enterprise", "smb", "partner"]);
  assert.equal(p.facts.data_migration?.type, "bool");
  assert.equal(p.facts.end_user_interviewees?.type, "list");
});

test("1.1 internal handoff checklist: received from sales (4) and internal setup (5)", () => {
  const handoff = step("sales_handoff");
  assert.equal(handoff.kind, "handoff");
  assert.equal(handoff.owner, "sales_ae");
  assert.deepEqual(handoff.after, []);
  assert.equal(handoff.handoff?.from, "sales_ae");
  assert.equal(handoff.handoff?.to, "csm");
  assert.equal(handoff.handoff?.information.length, 4);
  assert.deepEqual(checklistIds("sales_handoff"), ["signed_contract", "sow_completed", "customer_contacts", "special_terms"]);
  assert.deepEqual(optionalItems("sales_handoff"), ["special_terms"]);
  assert.equal(handoff.form, "sales_handoff");
  const form = loaded().forms.sales_handoff;
  assert.deepEqual(Object.keys(form?.fields ?? {}), ["signed_contract", "sow_completed", "customer_contacts", "special_terms"]);
  assert.deepEqual(form?.fields.customer_contacts?.options, ["primary", "technical", "executive"]);
  assert.deepEqual(checklistIds("internal_setup"), [
    "create_customer_account",
    "assign_cs_manager",
    "setup_billing",
    "create_project_folder",
    "schedule_kickoff",
  ]);
});

test("1.2 welcome email: template with placeholders instead of [brackets]", () => {
  const email = step("welcome_email");
  assert.equal(email.kind, "email");
  assert.equal(email.template, "ONB-001-WELCOME");
  const templates = loaded().templates;
  assert.deepEqual(Object.keys(templates), ["ONB-001-WELCOME", "ONB-001-IMPLEMENTATION-PLAN", "ONB-001-90-DAY-REVIEW"]);
  const welcome = templates["ONB-001-WELCOME"];
  assert.equal(welcome?.kind, "email");
  assert.equal(welcome?.subject, "Welcome to {{company_name}} - Onboarding Kickoff Scheduled");
  const body = welcome?.body ?? "";
  for (const placeholder of [
    "Dear {{client.name}},",
    "partner with {{company_name}}!",
    "- Date: {{meeting.date}}",
    "- Time: {{meeting.time}}",
    "- Attendees: {{meeting.attendees}}",
    "Best regards,\n{{roles.csm.name}}",
  ]) {
    assert.ok(body.includes(placeholder), placeholder);
  }
  for (const bullet of [
    "Introduce your dedicated team",
    "Review your objectives and timeline",
    "Align on communication preferences",
    "Confirm your implementation plan",
  ]) {
    assert.ok(body.includes(`- ${bullet}`), bullet);
  }
  assert.doesNotMatch(body, /\[(Company|Client Name|Date|Time|List|CS Manager Name)\]/);
});

test("2. kickoff: 60-minute agenda of five items, four deliverables, signed summary", () => {
  const kickoff = step("kickoff_meeting");
  assert.equal(kickoff.kind, "meeting");
  assert.equal(kickoff.meeting?.length?.text, "60 minutes");
  assert.deepEqual(
    kickoff.meeting?.agenda.map((a) => [a.minutes, a.topic]),
    [
      [10, "Welcome & Introductions"],
      [15, "Success Goals"],
      [15, "Implementation Overview"],
      [10, "Communication Plan"],
      [10, "Q&A and Next Steps"],
    ],
  );
  assert.equal(
    kickoff.meeting?.agenda.reduce((n, a) => n + (a.minutes ?? 0), 0),
    60,
  );
  assert.equal(kickoff.meeting?.attendees.length, 7);
  assert.deepEqual(checklistTexts("kickoff_deliverables"), [
    "Signed Kickoff Summary",
    "Communication Preferences Form",
    "Technical Requirements Document",
    "Initial Project Schedule",
  ]);
  const deliverables = step("kickoff_deliverables");
  assert.equal(deliverables.form, "communication_preferences");
  assert.deepEqual(Object.keys(loaded().forms.communication_preferences?.fields ?? {}), ["channels", "frequency", "contacts"]);
  assert.deepEqual(deliverables.gate?.approvers, ["client_primary_contact"]);
  assert.equal(deliverables.visible_to_client, true);
});

test("3.1 stakeholder interviews: one tracked step each, with their durations", () => {
  const interviews = [
    ["interview_executive_sponsor", "30 minutes", "client_executive_contact"],
    ["interview_project_manager", "45 minutes", "client_primary_contact"],
    ["interview_technical_lead", "60 minutes", "client_technical_contact"],
    ["interview_end_users", "30 minutes", "client_end_users"],
  ] as const;
  for (const [id, length, stakeholder] of interviews) {
    const s = step(id);
    assert.equal(s.kind, "meeting", id);
    assert.equal(s.meeting?.length?.text, length, id);
    assert.ok(s.meeting?.attendees.includes(stakeholder), id);
    assert.deepEqual(s.after, ["kickoff_meeting"], id);
  }
  assert.equal(step("interview_end_users").repeat?.for_each, "facts.end_user_interviewees");
});

test("3.2 implementation plan template: three phases of four items, success criteria, risks", () => {
  const plan = step("implementation_plan");
  assert.equal(plan.template, "ONB-001-IMPLEMENTATION-PLAN");
  assert.equal(plan.deliverable?.template, "ONB-001-IMPLEMENTATION-PLAN");
  assert.equal(plan.instructions.length, 6);
  const body = loaded().templates["ONB-001-IMPLEMENTATION-PLAN"]?.body ?? "";
  assert.ok(body.includes("## Implementation Plan: {{client.name}}"));
  assert.ok(body.includes("**Project Duration**: {{facts.project_duration_weeks}} weeks"));
  assert.ok(body.includes("**Go-Live Target**: {{project.go_live_date}}"));
  assert.ok(body.includes("### Phase 1: Foundation (Week 1-2)"));
  assert.ok(body.includes("### Phase 2: Configuration (Week 3-4)"));
  assert.ok(body.includes("### Phase 3: Training (Week 5-6)"));
  assert.equal(body.match(/^- \[ \] /gm)?.length, 12);
  assert.equal(body.match(/^\d\. \[Criteria \d\]$/gm)?.length, 3);
  assert.ok(body.includes("| Risk | Impact | Probability | Mitigation |"));
  // The plan's phases are steps: Foundation, Configuration, Training, go-live preparation.
  for (const id of [
    "configure_account_settings",
    "configure_user_management",
    "setup_integrations",
    "data_assessment",
    "custom_workflows",
    "reports_dashboards",
    "automated_processes",
    "testing",
    "admin_training",
    "end_user_training",
    "enablement",
    "go_live_checklist",
  ]) {
    step(id);
  }
  for (const id of ["custom_workflows", "reports_dashboards", "automated_processes"]) {
    assert.equal(step(id).due?.text, "4 weeks after start", id);
  }
  assert.equal(step("testing").target?.text, "4 weeks after start");
});

test("4.1 configuration standards: account settings, user management, integrations", () => {
  assert.deepEqual(checklistIds("configure_account_settings"), ["timezone", "currency", "language", "date_format"]);
  assert.deepEqual(checklistIds("configure_user_management"), ["sso_enabled", "mfa_required", "provisioning_automated"]);
  assert.deepEqual(checklistIds("setup_integrations"), ["primary_crm", "email", "calendar", "slack"]);
  assert.deepEqual(step("setup_integrations").systems, ["Primary CRM", "Email", "Calendar", "Slack"]);
  const forms = loaded().forms;
  assert.equal(step("configure_account_settings").form, "account_settings");
  assert.equal(step("configure_user_management").form, "user_management");
  assert.deepEqual(Object.keys(forms.account_settings?.fields ?? {}), ["timezone", "currency", "language", "date_format"]);
  assert.deepEqual(Object.keys(forms.user_management?.fields ?? {}), ["sso_enabled", "mfa_required", "provisioning"]);
});

test("4.2 data migration protocol: six steps in order, only where data migration applies", () => {
  const ids = ["data_assessment", "data_mapping", "data_validation", "migration_window", "data_verification", "data_user_access"];
  for (const id of ids) {
    assert.equal(step(id).when, "facts.data_migration", id);
    assert.equal(step(id).owner, "implementation_specialist", id);
  }
  assert.equal(step("data_validation").description, "Create validation rules and checksums.");
  assert.deepEqual(step("data_assessment").after, ["implementation_plan"]);
  assert.deepEqual(step("data_user_access").after, ["data_verification", "configure_user_management"]);
  const conditional = allSteps()
    .filter((s) => s.when)
    .map((s) => s.id);
  assert.deepEqual(conditional, ids);
});

test("4.3 testing requirements: five kinds of testing", () => {
  assert.deepEqual(checklistIds("testing"), [
    "functional_testing",
    "integration_testing",
    "performance_testing",
    "security_testing",
    "user_acceptance_testing",
  ]);
});

test("5. training: four role-based tracks with hours, four delivery options, in-person for enterprise", () => {
  const training = loaded().training;
  assert.ok(training);
  assert.deepEqual(
    Object.entries(training.tracks).map(([id, t]) => [id, t.hours, t.modules]),
    [
      ["administrator", 8, ["System Admin", "Configuration", "User Management"]],
      ["power_user", 4, ["Advanced Features", "Reporting", "Automation"]],
      ["standard_user", 2, ["Core Features", "Daily Workflows"]],
      ["executive", 1, ["Reports", "Dashboards", "ROI Tracking"]],
    ],
  );
  assert.equal(training.pass_mark, undefined);
  assert.deepEqual(
    training.delivery.map((d) => [d.id, d.when]),
    [
      ["live_virtual", undefined],
      ["self_paced", undefined],
      ["documentation", undefined],
      ["in_person", 'facts.account_type == "enterprise"'],
    ],
  );
  assert.deepEqual(step("admin_training").training, ["administrator"]);
  assert.deepEqual(step("end_user_training").training, ["power_user", "standard_user", "executive"]);
  assert.deepEqual(
    loaded().systems.map((s) => s.name),
    ["Learning portal"],
  );
});

test("5.3 enablement checklist: documentation, access, certification", () => {
  assert.deepEqual(checklistIds("enablement"), [
    "user_guide",
    "admin_guide",
    "faq_document",
    "video_tutorials",
    "help_center",
    "support_portal",
    "community_access",
    "admin_certification",
    "user_certification",
  ]);
  assert.deepEqual(optionalItems("enablement"), ["video_tutorials", "admin_certification", "user_certification"]);
});

test("6. go-live checklist (11 items) and the week 1 / week 2 / week 3+ support plan", () => {
  assert.deepEqual(checklistIds("go_live_checklist"), [
    "all_tests_passed",
    "integrations_verified",
    "data_migration_complete",
    "performance_baseline",
    "training_completed",
    "documentation_distributed",
    "helpdesk_notified",
    "super_users_identified",
    "go_live_announcement",
    "support_contacts_shared",
    "escalation_path_defined",
  ]);
  assert.deepEqual(step("go_live_checklist").after, ["admin_training", "end_user_training", "enablement"]);
  assert.equal(step("support_week_1").lasts?.text, "1 week");
  assert.equal(step("support_week_1").due?.text, "1 week after go_live");
  assert.match(step("support_week_1").title, /24\/7/);
  assert.equal(step("support_week_2").due?.text, "2 weeks after go_live");
  assert.match(step("support_week_2").title, /business hours \+ on-call/);
  assert.match(step("support_standard_hours").title, /Week 3\+: Standard support hours/);
  for (const id of ["support_week_1", "support_week_2", "support_standard_hours"]) {
    assert.equal(step(id).owner, "support_engineer", id);
  }
});

test("7. 30/60/90-day reviews after go-live", () => {
  const checkin = step("checkin_30_day");
  assert.equal(checkin.due?.text, "Day 30 after go_live");
  assert.deepEqual(
    checkin.meeting?.agenda.map((a) => a.topic),
    ["Adoption", "Satisfaction", "Issues", "Outcomes"],
  );
  assert.equal(checkin.survey, "nps_survey");
  assert.deepEqual(Object.keys(loaded().surveys), ["nps_survey"]);
  const review60 = step("review_60_day");
  assert.equal(review60.due?.text, "Day 60 after go_live");
  assert.deepEqual(review60.instructions, [
    "Deep dive into analytics and adoption metrics",
    "Identify power users and advocates",
    "Plan for expansion opportunities",
    "Gather case study material",
  ]);
  assert.deepEqual(review60.raci?.consulted, ["sales_ae"]);
  const review90 = step("success_review_90_day");
  assert.equal(review90.due?.text, "Day 90 after go_live");
  assert.equal(review90.template, "ONB-001-90-DAY-REVIEW");
  assert.equal(review90.form, "success_review");
});

test("90-day success review: four success metrics with correctly encoded RAG status", () => {
  const body = loaded().templates["ONB-001-90-DAY-REVIEW"]?.body ?? "";
  for (const row of [
    "| Adoption Rate | 80% | XX% | 🟢/🟡/🔴 |",
    "| User Satisfaction | 8/10 | X.X | 🟢/🟡/🔴 |",
    "| Time to Value | <30 days | XX days | 🟢/🟡/🔴 |",
    "| Support Ticket Volume | <10/week | XX | 🟢/🟡/🔴 |",
  ]) {
    assert.ok(body.includes(row), row);
  }
  assert.ok(body.includes("### Client: {{client.name}}"));
  assert.ok(body.includes("### Review Date: {{meeting.date}}"));
  assert.ok(body.includes("### CS Manager: {{roles.csm.name}}"));
  assert.doesNotMatch(body, /游/);
  const fields = loaded().forms.success_review?.fields ?? {};
  assert.deepEqual(Object.keys(fields), [
    "adoption_rate",
    "adoption_rate_status",
    "user_satisfaction",
    "user_satisfaction_status",
    "time_to_value_days",
    "time_to_value_status",
    "support_ticket_volume",
    "support_ticket_volume_status",
  ]);
  for (const id of ["adoption_rate_status", "user_satisfaction_status", "time_to_value_status", "support_ticket_volume_status"]) {
    assert.deepEqual(fields[id]?.options, ["🟢", "🟡", "🔴"], id);
  }
});

test("gates and decisions: the signed kickoff summary only; the source has no decisions or loops", () => {
  assert.deepEqual(
    allSteps()
      .filter((s) => s.gate)
      .map((s) => s.id),
    ["kickoff_deliverables"],
  );
  assert.equal(allSteps().filter((s) => s.decision).length, 0);
  assert.equal(allSteps().filter((s) => s.on_demand).length, 0);
  assert.equal(
    allSteps().reduce((n, s) => n + s.checklist.length, 0),
    4 + 5 + 4 + 4 + 3 + 4 + 5 + 9 + 11,
  );
});

test("rules: the five automation triggers and one escalation", () => {
  const rules = loaded().rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.category, r.on]),
    [
      ["deal_won_create_project", "automation", "deal.won"],
      ["kickoff_scheduled_send_invite", "automation", "meeting.scheduled"],
      ["training_completed_update_tracker", "automation", "training.completed"],
      ["go_live_30_day_reminder", "automation", "project.go_live"],
      ["nps_alert_csm", "automation", "survey.answered"],
      ["ticket_unresolved_24h", "escalation", "issue.opened"],
    ],
  );
  for (const rule of rules) assert.equal(rule.owner, "system", rule.id);
  assert.deepEqual(rules[0]?.actions[0]?.start_project, { playbook: "self" });
  assert.deepEqual(rules[1]?.actions[0]?.send_invite, { meeting: "kickoff_meeting" });
  assert.equal(rules[4]?.when, 'event.survey == "nps_survey" && event.score < 7');
  assert.deepEqual(rules[4]?.actions[0]?.notify?.to, ["csm"]);
  const escalation = rules[5];
  assert.equal(escalation?.after?.text, "24h");
  assert.equal(escalation?.until, "issue.resolved");
  assert.equal(escalation?.actions[0]?.escalate?.to, "sales_ae");
});

test("KPIs: six metrics with their targets and frequencies", () => {
  assert.deepEqual(
    loaded().kpis.map((k) => [k.id, k.metric, k.target, k.frequency]),
    [
      ["time_to_go_live", "time_to_go_live", "< 45 days", "per_project"],
      ["training_completion", "training_completion", "> 90%", "weekly"],
      ["adoption_rate_30_day", "adoption_rate", "> 70%", "monthly"],
      ["nps_score", "nps", "> 50", "quarterly"],
      ["support_ticket_resolution", "ticket_resolution_time", "< 24 hours", "weekly"],
      ["csat", "csat", "> 4.5/5", "per_interaction"],
    ],
  );
});

test("compliance requirements: five checks attached to steps", () => {
  const compliance = loaded().compliance;
  assert.equal(compliance.length, 1);
  const addendum = compliance[0];
  assert.equal(addendum?.id, "compliance_requirements");
  assert.equal(addendum?.framework, "internal");
  assert.equal(addendum?.applies_when, undefined);
  assert.deepEqual(
    addendum?.checks.map((c) => [c.id, c.text, c.at]),
    [
      ["contract_terms_documented", "Contract terms documented in project", ["sales_handoff"]],
      ["data_migration_security", "Data migration with security compliance", ["migration_window", "data_verification"]],
      ["training_completion_tracked", "Training completion tracked", ["admin_training", "end_user_training"]],
      [
        "success_metrics_defined_reviewed",
        "Success metrics defined and reviewed",
        ["kickoff_meeting", "implementation_plan", "success_review_90_day"],
      ],
      [
        "stakeholder_communication_logged",
        "All stakeholder communication logged",
        ["welcome_email", "kickoff_meeting", "checkin_30_day", "review_60_day", "success_review_90_day"],
      ],
    ],
  );
  assert.deepEqual(addendum?.evidence, []);
});
