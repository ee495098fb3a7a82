// Three real, public procedures the project had never seen, written faithfully as built-in
// playbooks (playbooks/fin-proc-001.yaml, gitlab-tam-onboarding.yaml, op-proc-007.yaml): each runs
// to completion on the engine along the paths its text describes, and refuses a value its forms forbid,
// naming the field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checklistKey } from "../../src/engine/context.ts";
import { type Actor, EngineError, type ProjectEvent } from "../../src/engine/index.ts";
import { passingValue, type SimulationOptions, type SimulationResult, simulate } from "../../src/engine/simulate.ts";
import { ACTIVE } from "../../src/engine/types.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import type { Step } from "../../src/playbook/schema.ts";
import { person, Run } from "../support/engine.ts";

const START = "2026-01-05T15:00:00.000Z"; // Monday 10:00 in New York
const LATER = "2026-01-05T16:00:00.000Z";

async function model(name: string): Promise<PlaybookModel> {
  const loaded = await loadPlaybookFile(new URL(`../../playbooks/${name}.yaml`, import.meta.url));
  assert.ok(loaded.model, `${name}: ${JSON.stringify(loaded.diagnostics.filter((d) => d.severity === "error"))}`);
  return loaded.model;
}

type Answers = Record<string, Readonly<Record<string, unknown>> | ((attempt: number) => Readonly<Record<string, unknown>>)>;

/** Runs a project day by day; the team answers each step's form as `answers` says (by step id). */
function run(m: PlaybookModel, facts: Record<string, unknown>, answers: Answers = {}, options: Partial<SimulationOptions> = {}) {
  const result = simulate(m, {
    start: START,
    maxDays: 200,
    input: { projectId: "sim", client: { id: "c1", name: "Globex", timeZone: "America/New_York", country: "US" }, facts },
    formValues: (step: Step, attempt: number) => {
      const given = answers[step.id];
      return typeof given === "function" ? given(attempt) : given;
    },
    ...options,
  });
  assert.deepEqual(
    result.refused
      // The simulated team finishes the day's cadence task after the step that closed the project.
      .filter((r) => !(r.command.type === "complete_task" && result.state.status === "closed" && r.at >= (result.state.closedAt ?? "")))
      .map((r) => `${r.command.type} ${"step" in r.command ? r.command.step : ""}: ${r.error}`),
    [],
    "the engine refused none of the team's actions",
  );
  return result;
}

const status = (r: SimulationResult, step: string) => r.state.steps[step]?.status;
const completed = (r: SimulationResult) =>
  r.events.filter((e): e is Extract<ProjectEvent, { type: "step.completed" }> => e.type === "step.completed").map((e) => e.step);

/** The engine refuses the command with an "invalid" error naming exactly these fields. */
function refuses(send: () => unknown, fields: readonly string[]) {
  assert.throws(send, (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, "invalid");
    const named = ((error.details.fieldErrors ?? []) as { field: string }[]).map((f) => f.field);
    assert.deepEqual(named, fields, error.message);
    return true;
  });
}

const MANAGER_ACTOR: Actor = { id: "ops-1", kind: "user", roles: [], manager: true };

/** Does each open step as its owners would, with `answers` (else passing values), until `target` is open or the project closes. */
function drive(r: Run, m: PlaybookModel, answers: Answers = {}, target?: string): Run {
  for (
    let guard = 0;
    guard < 80 && r.state.status !== "closed" && (target === undefined || r.state.steps[target]?.status !== "open");
    guard++
  ) {
    const open = m.order.map((o) => o.step).find((s) => s.id !== target && ACTIVE.has(r.state.steps[s.id]?.status ?? "done"));
    if (!open) break;
    if (open.form) {
      const given = answers[open.id];
      const values =
        (typeof given === "function" ? given(r.state.steps[open.id]?.attempt ?? 1) : given) ??
        Object.fromEntries(Object.entries(m.playbook.forms[open.form]?.fields ?? {}).map(([id, field]) => [id, passingValue(field)]));
      r.send({ type: "submit_form", step: open.id, values }, MANAGER_ACTOR, LATER);
    }
    open.checklist.forEach((item, i) => {
      r.send({ type: "tick_checklist", step: open.id, item: checklistKey(item, i), checked: true }, MANAGER_ACTOR, LATER);
    });
    for (const track of open.training) r.send({ type: "record_training", track, person: "trainee", score: 95 }, MANAGER_ACTOR, LATER);
    for (const role of open.gate?.approvers ?? []) r.send({ type: "approve", step: open.id, role }, person(role), LATER);
    for (const [item, done] of Object.entries(r.state.steps[open.id]?.items ?? {}))
      if (done === null) r.send({ type: "complete_step", step: open.id, item }, MANAGER_ACTOR, LATER);
    if (ACTIVE.has(r.state.steps[open.id]?.status ?? "done")) r.send({ type: "complete_step", step: open.id }, MANAGER_ACTOR, LATER);
  }
  if (target !== undefined) assert.equal(r.state.steps[target]?.status, "open", `${target} is reached`);
  return r;
}

/** A fresh project with `target` open: the steps before it are done by their owners with passing answers. */
function reach(m: PlaybookModel, facts: Record<string, unknown>, target: string, answers: Answers = {}): Run {
  return drive(new Run(m, START, { facts }), m, answers, target);
}

describe("FIN-PROC-001 Customer Onboarding Due Diligence (KYC/CDD)", async () => {
  const m = await model("fin-proc-001");
  const clear = { identity_verification: { verification_successful: true }, entity_verification: { entity_verified: true } };
  const noMatch = { sanctions_match: "no match" };
  const owners = {
    owners: [
      { full_legal_name: "Ana Ruiz", date_of_birth: "1980-04-02", residential_address: "1 Main St, Springfield", id_number: "123-45-6789" },
      { full_legal_name: "Ben Okafor", date_of_birth: "1975-11-30", residential_address: "9 Elm St, Springfield", id_number: "P1234567" },
    ],
  };

  test("4.1: a low-risk individual, verified and clear, goes straight to account activation", () => {
    const r = run(
      m,
      { customer_type: "individual" },
      {
        individual_verify_identity: clear.identity_verification,
        individual_screening: noMatch,
        individual_risk_rating: { rating: "low" },
      },
    );
    assert.equal(r.state.status, "closed");
    assert.equal(status(r, "individual_account_activation"), "done");
    assert.equal(status(r, "entity_information"), "not_applicable");
    assert.equal(status(r, "individual_edd.edd_approval"), "not_applicable", "no enhanced due diligence");
  });

  test("4.1 step 8: a high-risk individual goes through enhanced due diligence (4.3) before activation", () => {
    const r = run(
      m,
      { customer_type: "individual" },
      {
        individual_verify_identity: clear.identity_verification,
        individual_screening: noMatch,
        individual_risk_rating: { rating: "high" },
      },
    );
    assert.equal(r.state.status, "closed");
    const order = completed(r);
    for (const edd of [
      "edd_identify_triggers",
      "edd_gather_information",
      "edd_enhanced_screening",
      "edd_document_findings",
      "edd_approval",
    ])
      assert.ok(order.indexOf(`individual_edd.${edd}`) < order.indexOf("individual_account_activation"), `${edd} before activation`);
    assert.ok(r.events.some((e) => e.type === "gate.approved" && e.step === "individual_edd.edd_approval" && e.role === "bsa_aml_officer"));
    assert.equal(
      r.state.steps["individual_edd.edd_document_decision"]?.branch,
      "Approved: proceed with activation",
      "the decision reads the sign-off",
    );
  });

  test("4.2: a high-risk legal entity: information collected for each beneficial owner it names, EDD from the second path too, then activation", () => {
    const answers: Answers = {
      entity_beneficial_ownership_certification: {
        owners: [{ full_name: "Ana Ruiz", ownership: 60 }],
        control_person: [{ full_name: "Ben Okafor" }],
      },
      entity_verify_entity: clear.entity_verification,
      entity_verify_owners: { owners_verified: true },
      entity_screening: noMatch,
      entity_risk_rating: { rating: "high" },
    };
    const r = reach(m, { customer_type: "legal_entity" }, "entity_collect_owner_information", answers);
    const step = r.state.steps.entity_collect_owner_information;
    assert.deepEqual(step?.itemLabels, { "1": "Ana Ruiz", "2": "Ben Okafor" }, "the 25% owner and the control person, as named in step 2");
    const system = person("onboarding_system");
    const [ana, ben] = owners.owners;
    refuses(
      () =>
        r.send(
          { type: "submit_form", step: "entity_collect_owner_information", item: "2", values: { ...ben, date_of_birth: "30/11/1975" } },
          system,
          LATER,
        ),
      ["values.date_of_birth"],
    );
    r.send({ type: "submit_form", step: "entity_collect_owner_information", item: "1", values: { ...ana } }, system, LATER);
    r.send({ type: "submit_form", step: "entity_collect_owner_information", item: "2", values: { ...ben } }, system, LATER);
    assert.deepEqual(r.state.steps.entity_collect_owner_information?.itemWork?.["2"]?.values, ben);
    drive(r, m, answers);
    assert.equal(r.state.status, "closed");
    assert.equal(r.state.steps.individual_cip_information?.status, "not_applicable");
    assert.equal(r.state.steps["entity_edd.edd_approval"]?.status, "done", "the same procedure, called from 4.2");
    assert.equal(r.state.steps.entity_account_activation?.status, "done");
  });

  test("4.3 steps 5-6: the BSA/AML Officer rejects the EDD case: the decision reads the sign-off, and the onboarding ends without activation", () => {
    const answers: Answers = {
      individual_verify_identity: clear.identity_verification,
      individual_screening: noMatch,
      individual_risk_rating: { rating: "high" },
      "individual_edd.edd_document_findings": { findings: "Source of wealth not evidenced", recommendation: "reject" },
    };
    const r = reach(m, { customer_type: "individual" }, "individual_edd.edd_approval", answers);
    const officer = person("bsa_aml_officer");
    r.send(
      { type: "reject", step: "individual_edd.edd_approval", role: "bsa_aml_officer", comment: "Source of wealth not evidenced" },
      officer,
      LATER,
    );
    r.send({ type: "complete_step", step: "individual_edd.edd_approval" }, officer, LATER);
    assert.equal(r.state.steps["individual_edd.edd_document_decision"]?.status, "open");
    r.send({ type: "complete_step", step: "individual_edd.edd_document_decision" }, person("onboarding_analyst"), LATER);
    assert.equal(r.state.steps["individual_edd.edd_document_decision"]?.branch, "Rejected: proceed with rejection");
    assert.notEqual(r.state.steps.individual_account_activation?.status, "done");
    assert.equal(r.state.status, "closed");
  });

  test("a mistyped risk rating, an owner under 25% and a date that is not a date are refused, each field named", () => {
    const rating = reach(m, { customer_type: "individual" }, "individual_risk_rating");
    refuses(
      () => rating.send({ type: "submit_form", step: "individual_risk_rating", values: { rating: "HIGH" } }, person("risk_engine"), LATER),
      ["values.rating"],
    );
    assert.equal(rating.state.forms.risk_rating, undefined, "nothing was recorded");

    const cert = reach(m, { customer_type: "legal_entity" }, "entity_beneficial_ownership_certification");
    const customer: Actor = { id: "customer-1", kind: "contact", roles: ["customer"] };
    refuses(
      () =>
        cert.send(
          {
            type: "submit_form",
            step: "entity_beneficial_ownership_certification",
            values: { owners: [{ full_name: "Ana Ruiz", ownership: 10 }], control_person: [{ full_name: "Ben Okafor" }] },
          },
          customer,
          LATER,
        ),
      ["values.owners"],
    );

    const cip = reach(m, { customer_type: "individual" }, "individual_cip_information");
    refuses(
      () =>
        cip.send(
          {
            type: "submit_form",
            step: "individual_cip_information",
            values: {
              full_legal_name: "Ana Ruiz",
              date_of_birth: "not a date",
              residential_address: "1 Main St",
              id_number: "123-45-6789",
            },
          },
          customer,
          LATER,
        ),
      ["values.date_of_birth"],
    );
  });
});

describe("GitLab TAM Customer Onboarding", async () => {
  const m = await model("gitlab-tam-onboarding");
  const kickoff = {
    why_bought: "Replace three CI tools with one platform",
    tools: [
      { use_case: "SCM", tool: "Bitbucket" },
      { use_case: "CI", tool: "Jenkins" },
    ],
    business_goals: "Ship weekly instead of monthly",
    regular_contacts: [
      { name: "Dana Lee", email: "dana@globex.example" },
      { name: "Sam Ortiz", email: "sam@globex.example" },
    ],
    cadence_interval: "bi-weekly",
    cadence_day: "Tuesday",
  };

  test("kickoff within 14 days, first cadence call, onboarding closed with every task done", () => {
    const r = run(
      m,
      { tam_segment: "strategic", self_managed: true },
      {
        kickoff_call: kickoff,
        onboarding_completion_check: { all_done: true },
        close_onboarding: { first_value_date: "2026-01-28" },
      },
    );
    assert.equal(r.state.status, "closed");
    for (const step of [
      "assign_tam",
      "internal_transition",
      "intro_and_onboarding_emails",
      "kickoff_call",
      "success_plan",
      "first_cadence_call",
    ])
      assert.equal(status(r, step), "done", step);
    assert.equal(status(r, "customer_journey_spreadsheet"), "done", "recommended for Strategic TAMs");
    // The five enablement emails go to the customer's GitLab Admins, the TAM copied and replied to.
    const emails = r.effects.flatMap((e) => (e.effect.kind === "email" ? [e.effect] : []));
    assert.deepEqual(
      emails.map((e) => e.template),
      [1, 2, 3, 4, 5].map((n) => `GITLAB-CS-EMAIL-${n}`),
    );
    assert.ok(emails.every((e) => e.cc?.includes("tam") && e.replyTo === "tam" && e.to.includes("customer_contact")));
    // The cadence calls run at the schedule agreed in the kickoff call.
    assert.ok(r.events.some((e) => e.type === "cadence.started" && e.cadence === "cadence_call"));
    const kicked = r.events.find((e) => e.type === "step.completed" && e.step === "kickoff_call")?.at ?? "";
    assert.ok(Date.parse(kicked) - Date.parse(START) <= 14 * 86_400_000, `kickoff on ${kicked}`);
  });

  test("PubSec customers get no digital-programs emails; Growth TAMs keep no journey spreadsheet", () => {
    const r = run(m, { pubsec: true, tam_segment: "growth" }, { kickoff_call: kickoff, onboarding_completion_check: { all_done: true } });
    assert.equal(r.state.status, "closed");
    assert.equal(status(r, "intro_and_onboarding_emails"), "not_applicable");
    assert.equal(status(r, "customer_journey_spreadsheet"), "not_applicable");
  });

  test("onboarding still open after its 45-day goal: the TAM is told to document the delay", () => {
    const r = run(
      m,
      {},
      { kickoff_call: kickoff, onboarding_completion_check: { all_done: true } },
      { workDays: (step) => (step.id === "close_onboarding" ? 50 : undefined) },
    );
    assert.equal(r.state.status, "closed");
    assert.ok(r.events.some((e) => e.type === "step.target_missed" && e.step === "close_onboarding"));
    assert.ok(
      r.effects.some((e) => e.effect.kind === "notify" && e.effect.to.includes("tam") && /document the delay/.test(e.effect.message)),
    );
  });

  test("onboarding delayed by the customer: the account is flagged, then checked again at the next call", () => {
    const r = run(
      m,
      {},
      {
        kickoff_call: kickoff,
        onboarding_completion_check: (attempt) =>
          attempt === 1
            ? { all_done: false, delay_reason: "Customer went dark after kickoff", delay_caused_by: "customer" }
            : { all_done: true },
      },
    );
    assert.equal(r.state.status, "closed");
    assert.equal(status(r, "flag_account_risk"), "done");
    assert.notEqual(status(r, "document_delay"), "done");
    assert.equal(r.state.steps.onboarding_completion_check?.attempt, 2);
  });

  test("fewer than 2 regular contacts, a delay without its reason, an unknown use case: refused, each field named", () => {
    const call = reach(m, {}, "kickoff_call");
    refuses(
      () =>
        call.send(
          { type: "submit_form", step: "kickoff_call", values: { ...kickoff, regular_contacts: [{ name: "Dana Lee" }] } },
          person("tam"),
          LATER,
        ),
      ["values.regular_contacts"],
    );
    refuses(
      () =>
        call.send(
          { type: "submit_form", step: "kickoff_call", values: { ...kickoff, tools: [{ use_case: "Chat", tool: "Slack" }] } },
          person("tam"),
          LATER,
        ),
      ["values.tools"],
    );
    const check = reach(m, {}, "onboarding_completion_check");
    refuses(
      () => check.send({ type: "submit_form", step: "onboarding_completion_check", values: { all_done: false } }, person("tam"), LATER),
      ["values.delay_reason", "values.delay_caused_by"],
    );
  });
});

describe("OP-PROC-007 Employee Onboarding Security Checklist", async () => {
  const m = await model("op-proc-007");

  test("a CDE role: background check verified, agreements signed, access approved, all three trainings within the first week, checklist signed", () => {
    const r = run(m, { cde_access: true, npi_access: true, start_date: "2026-01-12" });
    assert.equal(r.state.status, "closed");
    for (const step of [
      "initiate_onboarding",
      "verify_background_check",
      "sign_agreements",
      "provision_access",
      "security_awareness_training",
    ])
      assert.equal(status(r, step), "done", step);
    const trained = new Set(r.events.flatMap((e) => (e.type === "training.recorded" ? [e.record.track] : [])));
    assert.deepEqual([...trained].sort(), ["npi_handling", "pci_dss_awareness", "security_awareness"]);
    assert.ok(r.events.some((e) => e.type === "gate.approved" && e.step === "sign_agreements" && e.role === "new_hire"));
    for (const role of ["hiring_manager", "hr"])
      assert.ok(
        r.events.some((e) => e.type === "gate.approved" && e.step === "sign_onboarding_checklist" && e.role === role),
        role,
      );
    const due = r.events.find((e) => e.type === "step.opened" && e.step === "security_awareness_training");
    assert.ok(due?.type === "step.opened" && due.dueAt?.startsWith("2026-01-19"), `training due ${JSON.stringify(due)}`);
  });

  test("a role without CDE or NPI access needs no background check verification", () => {
    const r = run(m, { start_date: "2026-01-12" });
    assert.equal(r.state.status, "closed");
    assert.equal(status(r, "verify_background_check"), "not_applicable");
  });

  test("a completion date that is not a date, and CDE access without its documented approval, are refused, each field named", () => {
    const check = reach(m, { cde_access: true, start_date: "2026-01-12" }, "verify_background_check");
    refuses(
      () =>
        check.send(
          { type: "submit_form", step: "verify_background_check", values: { completed: true, completed_on: "last Tuesday" } },
          person("hr"),
          LATER,
        ),
      ["values.completed_on"],
    );
    const access = reach(m, { cde_access: true, start_date: "2026-01-12" }, "provision_access");
    refuses(
      () =>
        access.send(
          { type: "submit_form", step: "provision_access", values: { systems: "Payments console, Jira" } },
          person("it_department"),
          LATER,
        ),
      ["values.cde_approval"],
    );
  });
});
