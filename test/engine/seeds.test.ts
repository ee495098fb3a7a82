// Every built-in playbook, run end to end: a simulated client goes from start to the 90-day review
// with a clock that moves day by day, and the events show what the SOP says should happen.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProjectEvent } from "../../src/engine/index.ts";
import { type SimulationOptions, type SimulationResult, simulate } from "../../src/engine/simulate.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";

const START = "2026-01-05T15:00:00.000Z"; // Monday 10:00 in New York
const DAY = 86_400_000;

async function model(name: string): Promise<PlaybookModel> {
  const loaded = await loadPlaybookFile(new URL(`../../playbooks/${name}.yaml`, import.meta.url));
  assert.ok(loaded.model, name);
  return loaded.model;
}

function run(m: PlaybookModel, facts: Record<string, unknown>, options: Partial<SimulationOptions> = {}): SimulationResult {
  const result = simulate(m, {
    start: START,
    maxDays: 400,
    input: { projectId: "sim", client: { id: "c1", name: "Globex", timeZone: "America/New_York", country: "US" }, facts, ...options.input },
    ...options,
  });
  assert.deepEqual(
    result.refused.map((r) => `${r.command.type}: ${r.error}`),
    [],
    "the engine refused none of the team's actions",
  );
  return result;
}

const day = (at: string | undefined) => (at === undefined ? Number.NaN : Math.round((Date.parse(at) - Date.parse(START)) / DAY));
const of = (r: SimulationResult, type: string) => r.events.filter((e) => e.type === type);
const completedAt = (r: SimulationResult, step: string) =>
  r.events.find((e): e is Extract<ProjectEvent, { type: "step.completed" }> => e.type === "step.completed" && e.step === step)?.at;

describe("seed 002: SOP-CS-001", async () => {
  const m = await model("sop-cs-001");
  const soc2 = { user_count: 150, soc2_required: true, data_migration_applicable: true };

  test("a SOC 2 client with data migration: every phase, the SOC 2 approvals, go-live by Day 60, closed after Day 70", () => {
    // Implementation work takes the team a week a step, so the weekly status meetings have a phase to run in.
    const r = run(m, soc2, { workDays: (step) => (m.steps.get(step.id)?.phase.id === "implementation" ? 5 : undefined) });
    assert.equal(r.state.status, "closed");
    for (const step of [
      "complete_handoff",
      "kickoff_meeting",
      "approve_plans",
      "migrate_data",
      "uat",
      "training_delivery",
      "execute_go_live",
      "post_go_live_review",
      "transition_to_ongoing_success",
    ]) {
      assert.equal(r.state.steps[step]?.status, "done", step);
    }
    for (const step of ["soc2_security_review", "soc2_compliance_sign_off", "soc2_customer_security_approval", "soc2_evidence_package"])
      assert.equal(r.state.steps[step]?.status, "done", step);
    assert.ok(day(r.state.goLiveAt) <= 60, `go-live on day ${day(r.state.goLiveAt)}`);
    const review = day(completedAt(r, "post_go_live_review"));
    assert.ok(review >= 64 && review <= 70, `post go-live review on day ${review}`);
    assert.ok(of(r, "cadence.occurred").length >= 3, "weekly status meetings during implementation");
    assert.ok(day(completedAt(r, "complete_handoff")) <= 1, "handoff within 24 hours of signature");
  });

  test("a small client without SOC 2 or migration skips those parts", () => {
    const r = run(m, { user_count: 20, soc2_required: false, data_migration_applicable: false });
    assert.equal(r.state.status, "closed");
    assert.equal(r.state.steps.migrate_data?.status, "not_applicable");
    assert.equal(r.state.steps.soc2_security_review?.status, "not_applicable");
  });

  test("UAT fails once: issues are fixed and UAT is run again before training", () => {
    const r = run(m, soc2, {
      formValues: (step, attempt) =>
        step.form === "uat_results" ? { scenarios_executed: 12, scenarios_failed: attempt === 1 ? 2 : 0, results: "Run" } : undefined,
    });
    assert.ok(of(r, "step.looped").some((e) => "step" in e && e.step === "uat"));
    assert.equal(r.state.steps.fix_uat_issues?.status, "done");
    assert.equal(r.state.steps.uat?.attempt, 2);
    assert.ok((completedAt(r, "fix_uat_issues") ?? "") < (completedAt(r, "training_delivery") ?? ""));
  });

  test("a critical issue unresolved for 24 hours escalates to the CS Director, then every 4 hours", () => {
    const r = run(m, soc2, {
      extra: (d) =>
        d === 20
          ? [{ command: { type: "open_issue", severity: "critical", title: "Integration down" } }]
          : d === 23
            ? [{ command: { type: "resolve_issue", issue: "issue-1" } }]
            : [],
    });
    const escalations = r.effects.filter((e) => e.effect.kind === "escalate" && e.effect.to === "cs_leadership");
    assert.equal(escalations.length, 1);
    assert.equal(day(escalations[0]?.at), 21);
    // Open for three days: an executive update every 4 hours after the first 24 hours (48 h / 4 h + 1).
    const updates = of(r, "rule.fired").filter((e) => e.type === "rule.fired" && e.rule === "critical_issue_executive_updates");
    assert.ok(updates.length >= 12 && updates.length <= 13, `${updates.length} executive updates`);
  });
});

describe("seed 001: ONB-001", async () => {
  const m = await model("onb-001");

  test("30, 60 and 90-day reviews happen that long after go-live", () => {
    const r = run(m, { data_migration: true, account_type: "enterprise" });
    assert.equal(r.state.status, "closed");
    const golive = day(r.state.goLiveAt);
    assert.ok(golive <= 45, `go-live on day ${golive}`);
    for (const [step, after] of Object.entries({ checkin_30_day: 30, review_60_day: 60, success_review_90_day: 90 })) {
      const at = day(completedAt(r, step)) - golive;
      assert.ok(Math.abs(at - after) <= 3, `${step} ${at} days after go-live`);
    }
  });

  test("an NPS answer below 7 alerts the CSM", () => {
    const r = run(
      m,
      { data_migration: false },
      { extra: (d) => (d === 50 ? [{ command: { type: "answer_survey", survey: "nps_survey", score: 4 } }] : []) },
    );
    assert.ok(r.effects.some((e) => e.effect.kind === "notify" && e.effect.to.includes("csm")));
  });
});

describe("seed 000: OPS-SOP-020", async () => {
  const m = await model("ops-sop-020");

  test("CSM assigned by territory, outreach within 2 business days, bi-weekly check-ins, Day-90 review", () => {
    const people = [
      { id: "emea", name: "Em", roles: ["csm"], attributes: { territory: "EMEA" }, activeProjects: 0 },
      { id: "amer", name: "Al", roles: ["csm"], attributes: { territory: "AMER" }, activeProjects: 3 },
    ];
    const r = run(
      m,
      { territory: "AMER", complex_integrations: false, data_migration: false },
      {
        input: {
          projectId: "sim",
          client: { id: "c1", name: "Globex", timeZone: "America/New_York", country: "US" },
          facts: { territory: "AMER" },
          people,
        },
      },
    );
    assert.equal(r.state.assignments.csm, "amer");
    assert.equal(r.state.status, "closed");
    assert.ok(of(r, "cadence.occurred").length >= 4, "bi-weekly check-ins in weeks 5-12");
    const review = day(completedAt(r, "first_value_review"));
    assert.ok(review >= 85 && review <= 91, `value review on day ${review}`);
  });
});

describe("seed 004: the fill-in template", async () => {
  const m = await model("ops-client-onboarding-template");

  test("the handoff meeting within {{number_of_days}} business days, the survey that many days after completion", () => {
    const r = run(
      m,
      {},
      {
        input: {
          projectId: "sim",
          client: { id: "c1", name: "Globex", timeZone: "America/New_York", country: "US" },
          facts: {},
          params: { number_of_days: 3 },
        },
        maxDays: 120,
      },
    );
    assert.equal(r.state.status, "closed");
    const meetingDue = r.events.find((e) => e.type === "step.opened" && e.step === "handoff_meeting");
    assert.equal(meetingDue?.type === "step.opened" && meetingDue.dueAt, "2026-01-08T15:00:00.000Z");
    const sent = r.events.find((e) => e.type === "survey.sent");
    assert.ok(sent, "the feedback survey went out");
    assert.equal(Math.round((Date.parse(sent.at) - Date.parse(r.state.completedAt ?? "")) / DAY), 3);
  });
});

describe("seed 003: customer onboarding with GDPR", async () => {
  const m = await model("customer-onboarding-gdpr");

  test("the DPA gate, GDPR checks and evaluation run to completion", () => {
    const facts = Object.fromEntries(
      Object.entries(m.playbook.facts).map(([id, f]) => [
        id,
        f.type === "bool" ? true : f.type === "int" ? 50 : f.type === "list" ? ["core"] : (f.values?.[0] ?? "x"),
      ]),
    );
    const r = run(m, facts);
    assert.equal(r.state.status, "closed");
    const gdprSteps = m.order.filter((e) => e.step.compliance === "gdpr_data_privacy").map((e) => e.step.id);
    assert.ok(gdprSteps.length > 0);
    for (const id of gdprSteps) assert.ok(["done", "not_applicable", "dormant"].includes(r.state.steps[id]?.status ?? ""), id);
    assert.ok(of(r, "gate.approved").length >= 3);
  });
});
