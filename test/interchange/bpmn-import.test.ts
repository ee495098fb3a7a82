// onboard import <file.bpmn>: real models (Camunda 7, Camunda 8, plain BPMN; test/fixtures/bpmn/README.md)
// become draft playbooks that load and lint without errors, with every guess and gap said.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse as parseCel } from "@marcbachmann/cel-js";
import { parse as parseYaml } from "yaml";
import { main } from "../../src/cli/main.ts";
import { simulate } from "../../src/engine/simulate.ts";
import { translateCondition } from "../../src/interchange/bpmn-import/conditions.ts";
import { BpmnImportError, importBpmn } from "../../src/interchange/bpmn-import/index.ts";
import { dueDateWords, isoDurationWords, timerDurationWords } from "../../src/interchange/bpmn-import/time.ts";
import type { DraftImport } from "../../src/interchange/draft.ts";
import { lintLoaded } from "../../src/lint/lint.ts";
import { loadPlaybook } from "../../src/playbook/load.ts";

const FIXTURES = new URL("../fixtures/bpmn/", import.meta.url);
const MODELS = [
  "camunda7-invoice.v2.bpmn",
  "camunda8-client-onboarding.bpmn",
  "camunda8-send-email.bpmn",
  "miwg-A.4.1.bpmn",
  "miwg-C.3.0.bpmn",
  "miwg-C.4.0.bpmn",
];

// biome-ignore lint/suspicious/noExplicitAny: the parsed draft is read field by field and compared whole
type Json = Record<string, any>;
/** A JUEL expression as Camunda 7 writes it: ${...}. */
const juel = (inner: string): string => `${"$"}{${inner}}`;

interface Imported {
  readonly draft: DraftImport;
  readonly playbook: Json;
  readonly steps: Map<string, Json>;
}

const cache = new Map<string, Promise<Imported>>();
function imported(name: string): Promise<Imported> {
  let result = cache.get(name);
  if (!result) {
    result = (async () => {
      const draft = await importBpmn(readFileSync(new URL(name, FIXTURES), "utf8"), { fileName: name, today: "2026-12-07" });
      const playbook = parseYaml(draft.yaml) as Json;
      const steps = new Map<string, Json>(playbook.phases.flatMap((p: Json) => p.steps).map((s: Json) => [s.id, s]));
      return { draft, playbook, steps };
    })();
    cache.set(name, result);
  }
  return result;
}

function step(model: Imported, id: string): Json {
  const found = model.steps.get(id);
  assert.ok(found, `no step ${id}; there are ${[...model.steps.keys()].join(", ")}`);
  return found;
}

function findingsOf(model: Imported): string[] {
  return model.draft.findings.map((f) => `${f.line} ${f.element ?? ""} ${f.severity}: ${f.message}`);
}

describe("FEEL and JUEL conditions into CEL", () => {
  const cel = (text: string, dialect: "feel" | "juel") => {
    const result = translateCondition(text, dialect);
    assert.ok(result.ok, `${text}: ${result.ok ? "" : result.reason}`);
    const out = result.render((name) => `facts.${name}`);
    parseCel(out); // it is CEL the playbook's checker can read
    return { out, variables: Object.fromEntries(result.variables) };
  };
  const refused = (text: string, dialect: "feel" | "juel") => {
    const result = translateCondition(text, dialect);
    assert.equal(result.ok, false, text);
    return result.ok ? "" : result.reason;
  };

  test("simple FEEL: comparisons, and/or/not, text in double quotes", () => {
    assert.deepEqual(cel('=amount > 1000 and region = "EU"', "feel"), {
      out: 'facts.amount > 1000 && facts.region == "EU"',
      variables: { amount: "int", region: "string" },
    });
    assert.deepEqual(cel("= not(approved) or score >= 2.5", "feel"), {
      out: "!facts.approved || facts.score >= 2.5",
      variables: { approved: "bool", score: "double" },
    });
    assert.equal(cel('=(a = "x" or b != 2) and c', "feel").out, '(facts.a == "x" || facts.b != 2) && facts.c');
  });

  test("simple JUEL: dollar-braces, && || !, eq/ne/and/not words, single-quoted text", () => {
    assert.deepEqual(cel(juel("amount > 1000 && region == 'EU'"), "juel"), {
      out: 'facts.amount > 1000 && facts.region == "EU"',
      variables: { amount: "int", region: "string" },
    });
    assert.equal(cel(juel("!approved"), "juel").out, "!facts.approved");
    assert.equal(cel("#{not (tier eq 'gold') and seats ge 10}", "juel").out, '!(facts.tier == "gold") && facts.seats >= 10');
    assert.deepEqual(cel(juel("approved == true"), "juel").variables, { approved: "bool" });
  });

  test("refuses what it cannot translate faithfully, saying why", () => {
    assert.match(refused("=count(items) > 2", "feel"), /function call count/);
    assert.match(refused(juel("a == b"), "juel"), /two variables/);
    assert.match(refused(juel("invoice.amount > 1"), "juel"), /"\."/);
    assert.match(refused("=amount = null", "feel"), /null/);
    assert.match(refused("=amount + 1 > 2", "feel"), /"\+"/);
    assert.match(refused('=region < "EU"', "feel"), /compares numbers/);
    assert.match(refused('=amount > 1 and amount = "x"', "feel"), /both as int and as string/);
    assert.match(refused("=true", "feel"), /constant/);
    assert.match(refused("amount > 1", "feel"), /starts with "="/);
    assert.match(refused("amount > 1", "juel"), /braces/);
    assert.match(refused("=a == 1", "feel"), /not FEEL/);
    assert.match(refused(juel("a = 1"), "juel"), /"=="/);
  });
});

describe("BPMN time values", () => {
  test("ISO 8601 durations and the due dates modelers write", () => {
    assert.equal(isoDurationWords("PT48H"), "48 hours");
    assert.equal(isoDurationWords("P1W"), "1 week");
    assert.equal(isoDurationWords("P1DT12H"), "36 hours");
    assert.equal(isoDurationWords("P1Y"), "12 months");
    assert.equal(isoDurationWords("R3/PT1H"), undefined);
    assert.equal(isoDurationWords("2026-12-24T10:00:00Z"), undefined);
    assert.equal(dueDateWords(juel("dateTime().plusWeeks(1).toDate()")), "1 week");
    assert.equal(dueDateWords('=now() + duration("P2D")'), "2 days");
    assert.equal(timerDurationWords('=duration("PT4H")'), "4 hours");
    assert.equal(timerDurationWords("=P3D"), "3 days");
    assert.equal(dueDateWords(juel("someBean.due()")), undefined);
  });
});

describe("onboard import: the drafts", () => {
  test("every model becomes a draft that loads and lints without errors (draft profile)", async () => {
    for (const name of MODELS) {
      const { draft } = await imported(name);
      const loaded = loadPlaybook(`${name}.yaml`, draft.yaml);
      assert.ok(loaded.playbook, `${name}: ${loaded.diagnostics.map((d) => `${d.line}: ${d.message}`).join("\n")}`);
      const report = lintLoaded(loaded, { profile: "draft" });
      assert.deepEqual(
        report.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}: [${d.rule}] ${d.message}`),
        [],
        name,
      );
      // Lint's warnings tell the author what the model did not say.
      assert.ok(
        report.diagnostics.some((d) => d.rule === "coverage/kpis"),
        name,
      );
    }
  });

  test("Camunda 7 invoice: lanes and candidate groups as owners, JUEL as CEL on the task's form, the loop, the call", async () => {
    const model = await imported("camunda7-invoice.v2.bpmn");
    assert.deepEqual(
      [...model.steps.keys()],
      [
        "assign_approver_group",
        "approve_invoice",
        "invoice_approved",
        "review_invoice",
        "review_successful",
        "prepare_bank_transfer",
        "archive_invoice",
      ],
    );
    assert.deepEqual(model.playbook.roles, {
      automation: { title: "Automation", side: "system" },
      approver: { title: "Approver", side: "internal" },
      team_assistant: { title: "Team Assistant", side: "internal" },
      accounting: { title: "accounting", side: "internal" },
    });
    // candidateGroups is a JUEL expression: the lane decides, and it is said.
    assert.equal(step(model, "approve_invoice").owner, "approver");
    assert.equal(step(model, "prepare_bank_transfer").owner, "accounting");
    assert.equal(step(model, "archive_invoice").owner, "automation");
    // camunda:dueDate is dateTime().plusWeeks(1) in JUEL.
    assert.equal(step(model, "approve_invoice").due, "1 week");
    // JUEL's "approved" is the approver's answer: a field of the task's form, read by the decision.
    assert.deepEqual(model.playbook.forms.approve_invoice.fields.approved, { label: "approved", type: "bool", required: true });
    assert.deepEqual(step(model, "invoice_approved").decision.branches, [
      { label: "yes", when: "forms.approve_invoice.approved", next: "continue" },
      { label: "no", when: "!forms.approve_invoice.approved", next: "continue" },
    ]);
    assert.equal(step(model, "prepare_bank_transfer").when, "forms.approve_invoice.approved");
    assert.deepEqual(step(model, "prepare_bank_transfer").after, ["invoice_approved"]);
    // The review loops back to the approval: the person records the way, the JUEL stays as text.
    assert.deepEqual(step(model, "review_successful").decision.branches, [
      { label: "yes", when: 'forms.review_successful.outcome == "yes"', next: "approve_invoice" },
      { label: "no", when: 'forms.review_successful.outcome == "no"', next: "end" },
    ]);
    assert.match(step(model, "review_successful").description, /\$\{clarified\}/);
    // The call activity: a one-step procedure stands in for the called process.
    assert.deepEqual(step(model, "review_invoice"), {
      id: "review_invoice",
      call: "review_invoice",
      title: "Review Invoice",
      when: "!forms.approve_invoice.approved",
    });
    assert.equal(model.playbook.procedures[0].id, "review_invoice");
    assert.deepEqual(findingsOf(model), [
      `30 approveInvoice warning: the owner is computed at run time (camunda:candidateGroups ${juel("approverGroups")}); name the role that does it`,
      '51 reviewSuccessful_gw info: a loop decides on what is recorded on the way round: the decision "review_successful" asks its owner to record the way taken (form "review_successful")',
      '83 reviewInvoice info: call activity of ReviewInvoice: a one-step procedure "review_invoice" stands in for it; import that model and paste its steps there',
      // The engine redoes the step a branch goes back to, not the decision and call after it: said.
      '99 reviewSuccessful warning: the flow goes back to "approve_invoice"; a playbook redoes only that step and then takes this branch, not "invoice_approved", "review_invoice" between: check the loop (a decision right after the step, or an on-demand step with next:)',
    ]);
    assert.match(model.draft.yaml, /# From userTask approveInvoice \(line 30\); owner from lane\./);
  });

  test("Camunda 8 onboarding: FEEL, assignment and schedule, parallel join, boundary timer, subprocess phase", async () => {
    const model = await imported("camunda8-client-onboarding.bpmn");
    assert.deepEqual(
      model.playbook.phases.map((p: Json) => [p.id, p.steps.map((s: Json) => s.id)]),
      [
        [
          "client_onboarding",
          [
            "collect_client_details",
            "large_eu_account",
            "run_the_eu_compliance_check",
            "schedule_the_kickoff_call",
            "set_up_the_workspace",
          ],
        ],
        ["training", ["train_the_admins", "check_adoption"]],
        ["client_onboarding_2", ["go_live_checklist", "client_satisfied", "plan_the_follow_up", "escalate_to_the_cs_lead"]],
      ],
    );
    assert.equal(step(model, "collect_client_details").owner, "sales"); // candidateGroups="sales, sales-ops"
    assert.equal(step(model, "collect_client_details").due, "2 days"); // =now() + duration("P2D")
    assert.equal(step(model, "schedule_the_kickoff_call").owner, "customer_success"); // assignee is FEEL: the lane
    assert.equal(model.playbook.roles.customer_success.side, "internal");
    assert.deepEqual(step(model, "large_eu_account").decision.branches, [
      {
        label: "Large EU account",
        when: 'forms.collect_client_details.amount > 1000 && forms.collect_client_details.region == "EU"',
        next: "continue",
      },
      { label: "Other accounts", otherwise: true, next: "continue" },
    ]);
    assert.deepEqual(Object.keys(model.playbook.forms.collect_client_details.fields), ["amount", "region"]);
    assert.equal(step(model, "run_the_eu_compliance_check").when, step(model, "large_eu_account").decision.branches[0].when);
    // Parallel split after the exclusive merge; the parallel join waits for both branches.
    assert.deepEqual(step(model, "set_up_the_workspace").after, ["large_eu_account", "run_the_eu_compliance_check"]);
    assert.equal(step(model, "set_up_the_workspace").when, undefined);
    assert.deepEqual(step(model, "train_the_admins").after, ["set_up_the_workspace", "schedule_the_kickoff_call"]);
    // The subprocess is a phase; its intermediate timer opens the next step a week later.
    assert.equal(model.playbook.phases[1].description, "Admins first, then a week of use before adoption is checked.");
    assert.equal(step(model, "check_adoption").opens, "1 week after train_the_admins");
    // The boundary timer: the deadline, and an escalation rule that opens the escalation task.
    assert.equal(step(model, "schedule_the_kickoff_call").due, "48 hours");
    assert.equal(step(model, "escalate_to_the_cs_lead").on_demand, true);
    assert.equal(step(model, "escalate_to_the_cs_lead").owner, "cs_lead");
    assert.deepEqual(model.playbook.rules, [
      {
        id: "schedule_the_kickoff_call_overdue",
        title: "Kickoff not scheduled in 48 hours: Schedule the kickoff call",
        category: "escalation",
        description: "From the non-interrupting boundary timer Timer_kickoff (PT48H).",
        on: "step.overdue",
        step: "schedule_the_kickoff_call",
        actions: [{ activate: { step: "escalate_to_the_cs_lead" } }],
      },
    ]);
    // One condition is not simple FEEL: the owner records the way; both texts are kept.
    assert.deepEqual(step(model, "client_satisfied").decision.branches, [
      { label: "Satisfied", when: 'forms.client_satisfied.outcome == "Satisfied"', next: "end" },
      { label: "Open issues", when: 'forms.client_satisfied.outcome == "Open issues"', next: "continue" },
    ]);
    assert.match(step(model, "client_satisfied").description, /=nps >= 7[\s\S]*=count\(issues\) > 0/);
    assert.equal(step(model, "plan_the_follow_up").when, undefined);
    assert.deepEqual(step(model, "go_live_checklist").call, "go_live_checklist");
    assert.deepEqual(
      model.draft.findings.map((f) => [f.line, f.element, f.severity]),
      [
        [82, "Call_golive", "info"],
        [87, "Gateway_satisfied", "info"],
        [110, "Flow_unhappy", "warning"],
      ],
    );
    assert.match(
      findingsOf(model)[2] ?? "",
      /=count\(issues\) > 0 was not translated \(the function call count\(\.\.\.\) is not translated\)/,
    );
  });

  test("Camunda 8 send-email (a real Zeebe model): a user task and a service task", async () => {
    const model = await imported("camunda8-send-email.bpmn");
    assert.deepEqual(
      [...model.steps.values()].map((s) => [s.id, s.owner]),
      [
        ["enter_message", "process_owner"],
        ["send_email", "automation"],
      ],
    );
    assert.deepEqual(model.draft.findings, []);
  });

  test("plain BPMN C.3.0: the boundary timer's deadline and rule, the untranslated message boundary, recorded choices", async () => {
    const model = await imported("miwg-C.3.0.bpmn");
    const premium = step(model, "perform_repair_premium_level");
    assert.equal(premium.due, "2 hours");
    assert.equal(premium.when, 'forms.service_type.outcome == "Regular repair service" && forms.service_level.outcome == "Premium"');
    assert.deepEqual(model.playbook.rules[0].actions, [
      { notify: { to: ["process_owner"], message: "2 hours: Perform repair (premium level) is overdue" } },
    ]);
    assert.deepEqual(model.playbook.forms.service_type.fields.outcome.options, ["Warranty", "Emergency service", "Regular repair service"]);
    // "yes" ends the flow, so what follows "no" needs no condition of its own.
    assert.equal(
      step(model, "replace_fridge").when,
      '(forms.service_type.outcome == "Warranty") || (forms.service_type.outcome == "Emergency service")',
    );
    assert.deepEqual(step(model, "replace_fridge").after, ["service_type", "successful"]);
    const findings = findingsOf(model);
    assert.ok(
      findings.some((f) => f.startsWith("442 Bpmn_BoundaryEvent_LwKtwhqHEeWDuOtG0oS24A warning: message boundary event")),
      findings.join("\n"),
    );
    assert.ok(
      findings.some((f) => f.startsWith("325 _be893987-caec-4605-b078-bd96b7cd6c12 warning: the condition Service Level == 'Premium'")),
    );
    assert.ok(findings.some((f) => f.startsWith("61 _cc9778bd-edd8-4df2-ba15-56c310f90e62 info: the process starts on a message event")));
  });

  test("plain BPMN C.4.0 (employee onboarding): parallel gateways as after: lists, a rework loop, other pools listed", async () => {
    const model = await imported("miwg-C.4.0.bpmn");
    assert.deepEqual(step(model, "introduce_new_employee_to_the_team").after, [
      "register_for_medical_insurance",
      "request_preparations_for_a_new_employee",
    ]);
    for (const id of [
      "inform_employee_of_company_policies",
      "introduce_employee_to_company_mission",
      "perform_training_for_time_reports_sick",
    ])
      assert.equal(model.steps.has(id), true, id);
    assert.deepEqual(step(model, "contract_terms_accepted").decision.branches[1], {
      label: "No",
      when: 'forms.contract_terms_accepted.outcome == "No"',
      next: "review_terms_of_contract",
    });
    assert.equal(step(model, "review_terms_of_contract").on_demand, true);
    assert.equal(step(model, "review_terms_of_contract").next, "send_candidate_contract");
    assert.equal(step(model, "give_employee_welcome_package").when, undefined);
    const findings = findingsOf(model);
    assert.equal(findings.filter((f) => /another pool/.test(f)).length, 3);
    assert.ok(
      findings.some((f) =>
        f.startsWith('139 _fe77c2f2-278f-4752-9d03-aa0c8a12af1e warning: the flow waits here for message "Input from Payroll ready"'),
      ),
    );
  });

  test("the C.4.0 draft runs on the engine: contract refused once, reviewed, sent again, accepted, onboarded", async () => {
    const model = await imported("miwg-C.4.0.bpmn");
    const loaded = loadPlaybook("c4.yaml", model.draft.yaml);
    assert.ok(loaded.model);
    const result = simulate(loaded.model, {
      start: "2026-01-05T08:00:00.000Z",
      maxDays: 120,
      input: { projectId: "sim", client: { id: "c1", name: "Money Bank", timeZone: "Europe/Berlin", country: "DE" }, facts: {} },
      formValues: (s, attempt) => (s.id === "contract_terms_accepted" ? { outcome: attempt > 1 ? "Yes" : "No" } : undefined),
    });
    assert.deepEqual(result.refused, []);
    assert.equal(result.state.status, "closed");
    const flow = result.events.flatMap((e) =>
      e.type === "step.completed" || e.type === "step.looped" || e.type === "step.reopened" ? [`${e.type.slice(5)} ${e.step}`] : [],
    );
    assert.deepEqual(flow.slice(0, 6), [
      "completed send_candidate_contract",
      "looped contract_terms_accepted",
      "completed review_terms_of_contract",
      "reopened send_candidate_contract",
      "completed send_candidate_contract",
      "completed contract_terms_accepted",
    ]);
    assert.equal(flow.at(-1), "completed give_employee_welcome_package");
  });

  test("the Camunda 8 draft runs on the engine: the late kickoff escalates, adoption is checked a week after training", async () => {
    const model = await imported("camunda8-client-onboarding.bpmn");
    const loaded = loadPlaybook("c8.yaml", model.draft.yaml);
    assert.ok(loaded.model);
    const result = simulate(loaded.model, {
      start: "2026-01-05T08:00:00.000Z",
      maxDays: 120,
      // Scheduling the kickoff takes five days: longer than the 48 hours the timer allows.
      workDays: (s) => (s.id === "schedule_the_kickoff_call" ? 5 : 1),
      input: { projectId: "sim", client: { id: "c1", name: "Initech", timeZone: "Europe/Berlin", country: "DE" }, facts: {} },
      formValues: (s) =>
        s.id === "collect_client_details"
          ? { amount: 5000, region: "EU" }
          : s.id === "client_satisfied"
            ? { outcome: "Open issues" }
            : undefined,
    });
    assert.deepEqual(result.refused, []);
    assert.equal(result.state.status, "closed");
    const at = (type: string, step: string) =>
      result.events.find((e) => e.type === type && "step" in e && e.step === step)?.at ?? assert.fail(`no ${type} of ${step}`);
    assert.equal(result.state.steps.run_the_eu_compliance_check?.status, "done");
    assert.ok(at("step.overdue", "schedule_the_kickoff_call") <= at("step.activated", "escalate_to_the_cs_lead"));
    assert.equal(result.state.steps.escalate_to_the_cs_lead?.status, "done");
    const week = Date.parse(at("step.completed", "check_adoption")) - Date.parse(at("step.completed", "train_the_admins"));
    assert.ok(week >= 7 * 86_400_000, `${week / 86_400_000} days`);
    assert.equal(result.state.steps.plan_the_follow_up?.status, "done");
  });

  test("plain BPMN A.4.1: expanded subprocesses are phases whose steps take the lane the subprocess is drawn in", async () => {
    const model = await imported("miwg-A.4.1.bpmn");
    assert.deepEqual(
      model.playbook.phases.map((p: Json) => [p.title, p.steps.map((s: Json) => `${s.id}:${s.owner}`)]),
      [
        ["Pool 2", ["task_3:lane_2"]],
        ["Expanded Sub-Process 1", ["task_4:lane_2"]],
        ["Pool 2 (continued)", ["task_5:lane_2"]],
        ["Expanded Sub-Process 2", ["task_6:lane_3"]],
      ],
    );
  });

  test("an inclusive gateway after a service task reads what that task records; event-based gateways and multi-instance tasks are said", async () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">',
      '  <process id="kyc" name="KYC">',
      '    <startEvent id="s" />',
      '    <serviceTask id="score" name="Score the client" camunda:class="x.Score" />',
      '    <inclusiveGateway id="checks" name="Which checks?" />',
      '    <userTask id="pep" name="PEP screening" camunda:candidateGroups="compliance">',
      '      <multiInstanceLoopCharacteristics isSequential="false" />',
      "    </userTask>",
      '    <userTask id="edd" name="Enhanced due diligence" camunda:candidateGroups="compliance" />',
      '    <inclusiveGateway id="join" />',
      '    <eventBasedGateway id="wait" name="Documents or timeout?" />',
      '    <intermediateCatchEvent id="docs" name="Documents received"><messageEventDefinition /></intermediateCatchEvent>',
      '    <intermediateCatchEvent id="late" name="Two weeks"><timerEventDefinition><timeDuration>P14D</timeDuration></timerEventDefinition></intermediateCatchEvent>',
      '    <userTask id="open" name="Open the account" />',
      '    <userTask id="chase" name="Chase the client" />',
      '    <endEvent id="e" />',
      '    <sequenceFlow id="f1" sourceRef="s" targetRef="score" />',
      '    <sequenceFlow id="f2" sourceRef="score" targetRef="checks" />',
      `    <sequenceFlow id="f3" name="Politically exposed" sourceRef="checks" targetRef="pep"><conditionExpression>${juel("pep == true")}</conditionExpression></sequenceFlow>`,
      `    <sequenceFlow id="f4" name="High risk" sourceRef="checks" targetRef="edd"><conditionExpression>${juel("risk >= 70")}</conditionExpression></sequenceFlow>`,
      '    <sequenceFlow id="f5" sourceRef="pep" targetRef="join" />',
      '    <sequenceFlow id="f6" sourceRef="edd" targetRef="join" />',
      '    <sequenceFlow id="f7" sourceRef="join" targetRef="wait" />',
      '    <sequenceFlow id="f8" sourceRef="wait" targetRef="docs" />',
      '    <sequenceFlow id="f9" sourceRef="wait" targetRef="late" />',
      '    <sequenceFlow id="f10" sourceRef="docs" targetRef="open" />',
      '    <sequenceFlow id="f11" sourceRef="late" targetRef="chase" />',
      '    <sequenceFlow id="f12" sourceRef="open" targetRef="e" />',
      '    <sequenceFlow id="f13" sourceRef="chase" targetRef="e" />',
      "  </process>",
      "</definitions>",
    ].join("\n");
    const draft = await importBpmn(xml, { fileName: "kyc.bpmn", today: "2026-12-07" });
    const loaded = loadPlaybook("kyc.yaml", draft.yaml);
    assert.ok(loaded.playbook, JSON.stringify(loaded.diagnostics));
    assert.deepEqual(
      lintLoaded(loaded, { profile: "draft" }).diagnostics.filter((d) => d.severity === "error"),
      [],
    );
    const playbook = parseYaml(draft.yaml) as Json;
    const steps = new Map<string, Json>(playbook.phases[0].steps.map((s: Json) => [s.id, s]));
    // After a service task the variables are what it produces: fields of its form, which the
    // automation records through the API (not facts: the project does not know them at its start).
    assert.equal(playbook.facts, undefined);
    assert.deepEqual(playbook.forms.score_the_client.fields, {
      pep: { label: "pep", type: "bool", required: true },
      risk: { label: "risk", type: "int", required: true },
    });
    assert.equal(steps.get("pep_screening")?.when, "forms.score_the_client.pep == true");
    assert.equal(steps.get("enhanced_due_diligence")?.when, "forms.score_the_client.risk >= 70");
    // The event-based gateway: the owner records which event came; the timer's step opens after it.
    assert.deepEqual(playbook.forms.documents_or_timeout.fields.outcome.options, ["Documents received", "Two weeks"]);
    assert.equal(steps.get("chase_the_client")?.opens, "14 days after documents_or_timeout");
    assert.equal(steps.get("chase_the_client")?.when, 'forms.documents_or_timeout.outcome == "Two weeks"');
    assert.deepEqual(
      draft.findings.map((f) => `${f.line} ${f.element}: ${f.message.split(":")[0]}`),
      [
        "6 checks: inclusive gateway",
        "7 pep: multi-instance activity",
        "12 wait: an event-based gateway waits for whichever event comes first",
        '13 docs: the flow waits here for message "Documents received"; the next step opens without waiting',
      ],
    );
  });

  test("what the BPMN reader could not read is a finding at its line", async () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">',
      '  <process id="p" name="Tiny">',
      '    <startEvent id="s" />',
      '    <sequenceFlow id="f1" sourceRef="s" targetRef="t" />',
      '    <userTask id="t" name="Do it" />',
      '    <sequenceFlow id="f2" sourceRef="t" targetRef="missing" />',
      '    <unknownThing id="u" />',
      "  </process>",
      "</definitions>",
    ].join("\n");
    const draft = await importBpmn(xml, { fileName: "tiny.bpmn", today: "2026-12-07" });
    assert.deepEqual(
      draft.findings.map((f) => [f.line, f.element, f.message]),
      [
        [7, "f2", "the BPMN reader could not read this (unresolved reference <missing>); open the model in a BPMN modeler and fix it"],
        [
          8,
          undefined,
          "the BPMN reader could not read this (unparsable content <unknownThing> detected); open the model in a BPMN modeler and fix it",
        ],
      ],
    );
    assert.ok(loadPlaybook("tiny.yaml", draft.yaml).playbook);
  });

  test("a file that is not BPMN is refused with a clear message", async () => {
    await assert.rejects(importBpmn("<html><body/></html>", { fileName: "x.xml", today: "2026-12-07" }), BpmnImportError);
    await assert.rejects(importBpmn("not xml at all", { fileName: "x.bpmn", today: "2026-12-07" }), /not a BPMN 2\.0 model/);
    const empty = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><process id="p"/></definitions>';
    await assert.rejects(importBpmn(empty, { fileName: "x.bpmn", today: "2026-12-07" }), /no process with tasks/);
  });
});

describe("onboard import (CLI)", () => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["import", ...argv], { out: (t) => out.push(t), err: (t) => err.push(t), color: false });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  test("-o writes the draft and prints file:line: element: what, then the lint summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-import-"));
    const model = join(dir, "invoice.bpmn");
    writeFileSync(model, readFileSync(new URL("camunda7-invoice.v2.bpmn", FIXTURES)));
    const output = join(dir, "draft.yaml");
    const { code, out } = await run("-o", output, model);
    assert.equal(code, 0, out);
    assert.ok(existsSync(output));
    assert.match(out, new RegExp(`^${model.replaceAll("\\", "\\\\")}:30: approveInvoice: the owner is computed at run time`, "m"));
    assert.match(out, /:83: reviewInvoice: note: call activity of ReviewInvoice/);
    assert.match(out, /4 elements to check by hand; lint \(draft profile\): 0 errors, \d+ warnings \(.*coverage\/kpis.*\)/);
    assert.ok(loadPlaybook(output, readFileSync(output, "utf8")).playbook);
    // A second run does not overwrite the author's edits without --force.
    assert.equal((await run("-o", output, model)).code, 2);
    assert.equal((await run("--force", "-o", output, model)).code, 0);
  });

  test("without -o the draft goes to standard output and the report to standard error", async () => {
    const { code, out, err } = await run(new URL("camunda8-send-email.bpmn", FIXTURES).pathname);
    assert.equal(code, 0);
    assert.ok(loadPlaybook("stdout.yaml", out).playbook);
    assert.match(err, /0 elements to check by hand/);
  });

  test("--help", async () => {
    const { code, out } = await run("--help");
    assert.equal(code, 0);
    assert.match(out, /Usage: onboard import \[options\] <file>[\s\S]*Camunda 7, Camunda 8 or plain BPMN/);
  });

  test("other extensions, non-BPMN XML and missing files are refused", async () => {
    const unsupported = await run("notes.pdf");
    assert.equal(unsupported.code, 2);
    assert.match(
      unsupported.err,
      /cannot import "\.pdf"; supported: \.bpmn, \.bpmn2, \.xml, \.md, \.markdown, \.docx \(for a \.doc, PDF or Google Doc, save it as \.docx first\)/,
    );
    const dir = mkdtempSync(join(tmpdir(), "onboard-import-"));
    const html = join(dir, "page.xml");
    writeFileSync(html, '<?xml version="1.0"?><html><body/></html>');
    const notBpmn = await run(html);
    assert.equal(notBpmn.code, 1);
    assert.match(notBpmn.err, /page\.xml:1: this is not a BPMN 2\.0 model/);
    const missing = await run(join(dir, "nothing.bpmn"));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /nothing\.bpmn:1: no such file/);
  });
});
