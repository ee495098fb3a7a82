// Coverage of seed 000 (OPS-SOP-020): everything the source SOP contains is still in the playbook.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { lintFile } from "../../src/lint/lint.ts";
import { builtIn } from "../support/built-in.ts";

const { diagnostics, loaded, step } = await builtIn("ops-sop-020");

test("loads without errors", () => {
  const errors = diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors, []);
  assert.equal(loaded().id, "ops_sop_020");
});

test("lints without errors or warnings", async () => {
  const { diagnostics: all } = await lintFile(fileURLToPath(new URL("../../playbooks/ops-sop-020.yaml", import.meta.url)));
  assert.deepEqual(
    all.filter((d) => d.severity !== "info").map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    [],
  );
});

test("document control: OPS-SOP-020 revision 1.1 with its history", () => {
  const doc = loaded().document;
  assert.equal(doc.id, "OPS-SOP-020");
  assert.equal(doc.title, "Client Onboarding Process");
  assert.equal(doc.version, "1.1");
  assert.equal(doc.owner, "Customer Success Department");
  // Source conflict: header says 2025-09-01, but v1.1 is dated 2025-10-22.
  assert.equal(doc.effective, "2025-10-22");
  assert.equal(doc.review, "2026-10-22");
  assert.deepEqual(
    doc.revisions.map((r) => [r.version, r.date]),
    [
      ["1.0", "2025-09-01"],
      ["1.1", "2025-10-22"],
    ],
  );
  assert.equal(doc.revisions[0]?.changes, "Initial version.");
  assert.equal(doc.revisions[1]?.changes, "Added a phased approach, specified handoff triggers, and detailed the tools used.");
  assert.match(loaded().purpose, /rapid time-to-value/);
});

test("four phases with their windows and steps", () => {
  const p = loaded();
  assert.deepEqual(
    p.phases.map((ph) => [ph.id, ph.window?.text, ph.steps.map((s) => s.id)]),
    [
      ["pre_onboarding", "Days 0-1", ["sales_to_cs_handoff", "csm_assignment"]],
      ["kickoff_discovery", "Week 1", ["schedule_kickoff_call", "kickoff_call", "success_plan"]],
      ["implementation_training", "Weeks 2-4", ["account_setup", "training_sessions", "technical_support"]],
      ["value_realization_handover", "Weeks 5-13", ["first_value_review", "transition_to_support"]],
    ],
  );
  assert.equal(p.phases.flatMap((ph) => ph.steps).length, 10);
});

test("roles, with CSM auto-assignment by territory and capacity", () => {
  const roles = loaded().roles;
  assert.deepEqual(Object.keys(roles).sort(), [
    "account_executive",
    "client_primary_contact",
    "csm",
    "onboard_automation",
    "solutions_engineer",
    "support",
  ]);
  assert.equal(roles.client_primary_contact?.side, "client");
  assert.equal(roles.onboard_automation?.side, "system");
  assert.deepEqual(roles.csm?.assignment?.strategies, ["territory", "capacity"]);
  assert.deepEqual(roles.csm?.assignment?.match_on, ["territory"]);
  assert.deepEqual(Object.keys(loaded().facts).sort(), ["complex_integrations", "data_migration", "territory"]);
});

test("Sales-to-CS Handoff Form in Salesforce with its three items, handed from AE to CSM", () => {
  const form = loaded().forms.sales_to_cs_handoff;
  assert.ok(form);
  assert.equal(form.title, "Sales-to-CS Handoff Form");
  assert.equal(form.system, "Salesforce");
  assert.deepEqual(Object.keys(form.fields), ["key_stakeholders", "business_objectives", "sales_commitments"]);
  const handoff = step("sales_to_cs_handoff");
  assert.equal(handoff.owner, "account_executive");
  assert.equal(handoff.form, "sales_to_cs_handoff");
  assert.deepEqual(handoff.systems, ["Salesforce"]);
  assert.equal(handoff.handoff?.from, "account_executive");
  assert.equal(handoff.handoff?.to, "csm");
  assert.equal(handoff.handoff?.information.length, 3);
  assert.equal(step("csm_assignment").owner, "onboard_automation");
});

test("kickoff: outreach within 2 business days, five agenda items, Success Plan approved by the client", () => {
  const outreach = step("schedule_kickoff_call");
  assert.equal(outreach.due?.text, "2 business days after csm_assignment");
  assert.deepEqual(outreach.after, ["sales_to_cs_handoff", "csm_assignment"]);
  const kickoff = step("kickoff_call");
  assert.equal(kickoff.kind, "meeting");
  assert.deepEqual(kickoff.meeting?.attendees, ["csm", "client_primary_contact"]);
  assert.deepEqual(
    kickoff.meeting?.agenda.map((a) => a.topic),
    [
      "Introductions and role definitions.",
      "Review of client's goals and desired outcomes.",
      "Establish and agree upon key success metrics (KPIs).",
      "Outline the onboarding timeline and next steps.",
      "Identify key users for training.",
    ],
  );
  const plan = step("success_plan");
  assert.equal(plan.deliverable?.title, "Success Plan");
  assert.deepEqual(plan.systems, ["Gainsight"]);
  assert.deepEqual(plan.gate?.approvers, ["client_primary_contact"]);
  assert.equal(plan.visible_to_client, true);
});

test("gates: only the Success Plan sign-off; no decisions, checklists or loops in the source", () => {
  const steps = loaded().phases.flatMap((ph) => ph.steps);
  assert.deepEqual(
    steps.filter((s) => s.gate).map((s) => s.id),
    ["success_plan"],
  );
  assert.equal(steps.filter((s) => s.decision).length, 0);
  assert.equal(
    steps.reduce((n, s) => n + s.checklist.length, 0),
    0,
  );
  assert.equal(steps.filter((s) => s.on_demand).length, 0);
});

test("implementation and training: Admin and User sessions, Solutions Engineer when needed", () => {
  const tracks = loaded().training?.tracks ?? {};
  assert.deepEqual(Object.keys(tracks), ["admin", "user"]);
  assert.equal(tracks.admin?.audience, "Account administrators");
  assert.equal(tracks.admin?.hours, undefined, "the source gives no hours");
  assert.equal(tracks.user?.audience, "General users");
  assert.equal(tracks.user?.hours, undefined, "the source gives no hours");
  assert.equal(loaded().training?.pass_mark, undefined);
  assert.deepEqual(step("training_sessions").training, ["admin", "user"]);
  assert.equal(step("account_setup").owner, "csm");
  const support = step("technical_support");
  assert.equal(support.owner, "solutions_engineer");
  assert.equal(support.when, "facts.complex_integrations || facts.data_migration");
  assert.deepEqual(support.after, ["account_setup"]);
});

test("value realization: bi-weekly check-ins, Day 90 review, handover to the support queue", () => {
  const p = loaded();
  assert.equal(p.cadences.length, 1);
  const checkIn = p.cadences[0];
  assert.equal(checkIn?.id, "biweekly_check_in");
  assert.equal(checkIn?.every.text, "2 weeks");
  assert.equal(checkIn?.during, "value_realization_handover");
  assert.equal(checkIn?.owner, "csm");
  assert.equal(checkIn?.instructions.length, 3);
  const review = step("first_value_review");
  assert.equal(review.due?.text, "Day 90");
  assert.deepEqual(review.after, ["training_sessions", "technical_support"]);
  const transition = step("transition_to_support");
  assert.equal(transition.handoff?.from, "csm");
  assert.equal(transition.handoff?.to, "support");
  assert.equal(transition.completes_project, true);
  assert.deepEqual(
    p.phases
      .flatMap((ph) => ph.steps)
      .filter((s) => s.handoff)
      .map((s) => s.id),
    ["sales_to_cs_handoff", "technical_support", "transition_to_support"],
  );
});

test("rules: the Closed-Won trigger and one added exception", () => {
  const rules = loaded().rules;
  assert.deepEqual(
    rules.map((r) => [r.id, r.category, r.on]),
    [
      ["closed_won_trigger", "automation", "deal.won"],
      ["kickoff_outreach_overdue", "exception", "step.overdue"],
    ],
  );
  assert.deepEqual(
    rules[0]?.actions.map((a) => Object.keys(a).filter((k) => k !== "when")),
    [["start_project"], ["assign"]],
  );
  assert.equal(rules[0]?.actions[1]?.assign?.role, "csm");
  assert.equal(rules[1]?.step, "schedule_kickoff_call");
  assert.equal(rules.filter((r) => r.category === "escalation").length, 0);
});

test("KPIs with targets (added: the source's two time commitments)", () => {
  assert.deepEqual(
    loaded().kpis.map((k) => [k.id, k.metric, k.target, k.frequency]),
    [
      ["kickoff_outreach_within_2_business_days", "sla_compliance", "= 100%", "monthly"],
      ["time_to_first_value", "time_to_first_value", "<= 90 days", "per_project"],
    ],
  );
});

test("tools: Salesforce, Gainsight, Confluence; no templates, references, compliance or parameters", () => {
  const p = loaded();
  assert.deepEqual(
    p.systems.map((s) => s.name),
    ["Salesforce", "Gainsight", "Confluence"],
  );
  assert.equal(p.systems[2]?.purpose, "For internal and external knowledge base articles.");
  assert.deepEqual(Object.keys(p.templates), []);
  assert.deepEqual(p.references, []);
  assert.deepEqual(p.compliance, []);
  assert.deepEqual(Object.keys(p.parameters), []);
  assert.deepEqual(Object.keys(p.surveys), []);
  assert.deepEqual(p.document.approvals, []);
});
