import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError, nextWakeAt, replay, SYSTEM } from "../../src/engine/index.ts";
import { CLIENT, MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const model = modelOf(MINIMAL);
const START = "2026-03-06T15:00:00.000Z"; // Friday 10:00 in New York
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

function refused(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof EngineError && error.code === code && (!message || message.test(error.message)));
}

describe("starting a project", () => {
  test("resolves conditional steps from the client's facts and opens the first step with its deadline", () => {
    const run = new Run(model, START, { facts: { data_migration: false, user_count: 20 } });
    assert.equal(run.state.steps.migrate?.status, "not_applicable");
    assert.equal(run.state.steps.handoff?.status, "open");
    assert.equal(run.state.steps.handoff?.dueAt, "2026-03-07T15:00:00.000Z"); // 24h after start
    assert.deepEqual(run.types(), ["project.started", "step.opened:handoff"]);
  });

  test("refuses facts the playbook does not declare or of the wrong type", () => {
    refused(() => new Run(model, START, { facts: { users: 3 } }), "invalid", /declares no fact "users"/);
    refused(() => new Run(model, START, { facts: { user_count: "many" } }), "invalid", /must be a whole number/);
    refused(() => new Run(model, START, { params: { number_of_days: 2.5 } }), "invalid", /must be a whole number/);
  });

  test("assigns roles by territory and load, and says so when nobody fits", () => {
    const text = edited([
      [["facts", "territory"], { type: "string", label: "Territory" }],
      [["roles", "csm", "assignment"], { strategies: ["territory", "capacity", "least_loaded"], match_on: ["territory"], capacity: 2 }],
    ]);
    const people = [
      { id: "ann", name: "Ann", roles: ["csm"], attributes: { territory: "EMEA" }, activeProjects: 1 },
      { id: "bob", name: "Bob", roles: ["csm"], attributes: { territory: "EMEA" }, activeProjects: 0 },
      { id: "cy", name: "Cy", roles: ["csm"], attributes: { territory: "AMER" }, activeProjects: 0 },
      { id: "dee", name: "Dee", roles: ["csm"], attributes: { territory: "EMEA" }, activeProjects: 2 },
    ];
    const emea = new Run(modelOf(text), START, { facts: { territory: "EMEA" }, people });
    assert.equal(emea.state.assignments.csm, "bob");
    const full = new Run(modelOf(text), START, { facts: { territory: "EMEA" }, people: people.map((p) => ({ ...p, activeProjects: 2 })) });
    assert.equal(full.state.assignments.csm, undefined);
    assert.ok(full.effects.some((e) => e.kind === "assignment_needed" && JSON.stringify(e.effect).includes("capacity")));
    const apac = new Run(modelOf(text), START, { facts: { territory: "APAC" }, people });
    assert.ok(apac.types().includes("assignment.failed"));
    // The reason points where a person assigns (the project's Team tab), never to "by hand".
    const failed = apac.events.find((e) => e.type === "assignment.failed");
    assert.match(
      failed && "why" in failed ? String(failed.why) : "",
      /nobody matches territory "APAC"; choose someone on the project's Team tab$/,
    );
  });
});

describe("working through steps", () => {
  test("a gate holds the step until the named role signs; nobody else can sign", () => {
    const run = new Run(model, START, { facts: { data_migration: true } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    refused(
      () => run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T15:00:00.000Z"),
      "illegal_state",
      /waiting for sign-off by client_primary/,
    );
    refused(
      () => run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, csm, "2026-03-09T15:00:00.000Z"),
      "forbidden",
    );
    refused(
      () => run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, MANAGER, "2026-03-09T15:00:00.000Z"),
      "forbidden",
    );
    refused(
      () => run.send({ type: "reject", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z"),
      "invalid",
      /comment/,
    );
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary", comment: "Looks right" }, client, "2026-03-09T15:00:00.000Z");
    const events = run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
    assert.deepEqual(run.types(events), ["step.completed:kickoff_call", "step.opened:migrate"]);
  });

  test("a sign-off is withdrawn by its own role, with a reason, while the step is open; the step waits again", () => {
    const run = new Run(model, START, { facts: { data_migration: true } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
    const withdraw = { type: "withdraw_approval", step: "kickoff_call", role: "client_primary", reason: "Signed the wrong plan" } as const;
    refused(() => run.send(withdraw, csm, "2026-03-09T15:10:00.000Z"), "forbidden");
    refused(() => run.send(withdraw, MANAGER, "2026-03-09T15:10:00.000Z"), "forbidden");
    refused(() => run.send({ ...withdraw, reason: " " }, client, "2026-03-09T15:10:00.000Z"), "invalid", /reason/);
    const events = run.send(withdraw, client, "2026-03-09T15:10:00.000Z");
    assert.deepEqual(run.types(events), ["gate.withdrawn:kickoff_call"]);
    assert.equal(events[0]?.reason, "Signed the wrong plan");
    assert.deepEqual(run.state.steps.kickoff_call?.approvals, {});
    refused(() => run.send(withdraw, client, "2026-03-09T15:20:00.000Z"), "illegal_state", /has not signed/);
    refused(
      () => run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T15:30:00.000Z"),
      "illegal_state",
      /waiting for sign-off by client_primary/,
    );
    // Signed again and done: the sign-off is now part of the record.
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T16:00:00.000Z");
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:10:00.000Z");
    refused(() => run.send(withdraw, client, "2026-03-09T16:20:00.000Z"), "illegal_state");
  });

  test("only the step's roles may complete it", () => {
    const run = new Run(model, START);
    refused(() => run.send({ type: "complete_step", step: "handoff" }, csm, "2026-03-06T16:00:00.000Z"), "forbidden");
    refused(() => run.send({ type: "complete_step", step: "migrate" }, ae, "2026-03-06T16:00:00.000Z"), "forbidden");
    refused(() => run.send({ type: "complete_step", step: "nope" }, ae, "2026-03-06T16:00:00.000Z"), "not_found");
  });

  test("UAT fails, is fixed and retested: the loop runs until the criterion passes", () => {
    const run = new Run(model, START, { facts: { data_migration: false } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
    refused(
      () => run.send({ type: "complete_step", step: "uat" }, csm, "2026-03-10T15:00:00.000Z"),
      "illegal_state",
      /missing required fields: failed_scenarios/,
    );
    refused(
      () => run.send({ type: "submit_form", step: "uat", values: { failed: 1 } }, csm, "2026-03-10T15:00:00.000Z"),
      "invalid",
      /no field "failed"/,
    );
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 3 } }, csm, "2026-03-10T15:00:00.000Z");
    assert.deepEqual(run.types(run.send({ type: "complete_step", step: "uat" }, csm, "2026-03-10T16:00:00.000Z")), [
      "step.looped:uat",
      "step.activated:fix_uat",
      "step.opened:fix_uat",
    ]);
    assert.equal(run.state.steps.go_live?.status, "blocked");
    assert.deepEqual(run.types(run.send({ type: "complete_step", step: "fix_uat" }, csm, "2026-03-11T16:00:00.000Z")), [
      "step.completed:fix_uat",
      "step.reopened:uat",
      "step.opened:uat",
    ]);
    assert.equal(run.state.steps.uat?.attempt, 2);
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, csm, "2026-03-12T15:00:00.000Z");
    refused(
      () => run.send({ type: "record_decision", step: "uat", branch: "Failed" }, csm, "2026-03-12T16:00:00.000Z"),
      "invalid",
      /selects "Passed"/,
    );
    run.send({ type: "record_decision", step: "uat", branch: "Passed" }, csm, "2026-03-12T16:00:00.000Z");
    assert.equal(run.state.steps.uat?.status, "done");
    assert.equal(run.state.steps.go_live?.status, "open");
    const golive = run.send({ type: "complete_step", step: "go_live" }, csm, "2026-03-13T16:00:00.000Z");
    assert.deepEqual(run.types(golive), ["step.completed:go_live", "project.go_live", "project.completed", "project.closed"]);
    assert.equal(run.state.status, "closed");
    refused(() => run.send({ type: "hold", reason: "x" }, MANAGER, "2026-03-14T16:00:00.000Z"), "illegal_state");
  });

  test("skip and extend need a reason and the accountable role or CS operations", () => {
    const run = new Run(model, START);
    refused(() => run.send({ type: "skip_step", step: "handoff", reason: "not needed" }, csm, START), "forbidden");
    refused(() => run.send({ type: "skip_step", step: "handoff", reason: " " }, MANAGER, START), "invalid");
    run.send({ type: "skip_step", step: "handoff", reason: "Signed in person" }, MANAGER, START);
    assert.equal(run.state.steps.handoff?.status, "skipped");
    assert.equal(run.state.steps.kickoff_call?.status, "open");
    refused(
      () =>
        run.send({ type: "extend_deadline", step: "kickoff_call", until: "2026-03-01T00:00:00Z", reason: "Client away" }, MANAGER, START),
      "invalid",
      /must be after/,
    );
    run.send({ type: "extend_deadline", step: "kickoff_call", until: "2026-03-20T21:00:00.000Z", reason: "Client away" }, MANAGER, START);
    assert.equal(run.state.steps.kickoff_call?.dueAt, "2026-03-20T21:00:00.000Z");
    const extended = run.events.at(-1);
    assert.equal(extended?.reason, "Client away");
  });

  test("a hold shifts every pending deadline by the time on hold", () => {
    const run = new Run(model, START);
    const due = run.state.steps.handoff?.dueAt ?? "";
    run.send({ type: "hold", reason: "Client reorganising" }, MANAGER, "2026-03-06T16:00:00.000Z");
    refused(() => run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-07T16:00:00.000Z"), "illegal_state", /on hold/);
    assert.deepEqual(run.send({ type: "tick" }, SYSTEM, "2026-03-20T16:00:00.000Z"), []);
    run.send({ type: "resume", reason: "Back" }, MANAGER, "2026-03-10T16:00:00.000Z");
    assert.equal(run.state.steps.handoff?.dueAt, new Date(Date.parse(due) + 4 * 86_400_000).toISOString());
  });

  test("cancel and reopen a project, with reasons", () => {
    const run = new Run(model, START);
    refused(() => run.send({ type: "cancel", reason: "Deal reopened in CRM" }, ae, START), "forbidden");
    run.send({ type: "cancel", reason: "Deal reopened in CRM" }, MANAGER, START);
    assert.equal(run.state.status, "cancelled");
    refused(() => run.send({ type: "complete_step", step: "handoff" }, ae, START), "illegal_state");
    run.send({ type: "reopen", reason: "Deal won again" }, MANAGER, "2026-03-07T15:00:00.000Z");
    assert.equal(run.state.status, "active");
  });
});

describe("time: reminders, SLA breaches, escalations, cadences, milestones", () => {
  const timed = modelOf(
    edited([
      [
        ["rules"],
        [
          {
            id: "overdue",
            title: "Late",
            category: "escalation",
            on: "step.overdue",
            actions: [{ escalate: { to: "ae", reason: "late" } }],
          },
          {
            id: "critical",
            title: "Critical issue unresolved > 24h",
            category: "escalation",
            on: "issue.opened",
            when: 'event.severity == "critical"',
            after: "24h",
            until: "issue.resolved",
            repeat_every: "4h",
            actions: [{ escalate: { to: "ae", reason: "critical issue open" } }],
          },
          {
            id: "nps",
            title: "Low NPS",
            category: "automation",
            on: "survey.answered",
            when: "event.score < 7",
            actions: [{ create_task: { title: "Call the client", owner: "csm", due: "2 business days" } }],
          },
        ],
      ],
      [
        ["surveys"],
        {
          nps: {
            title: "NPS",
            kind: "nps",
            to: ["client_primary"],
            send: "Day 30 after go_live",
            questions: [{ id: "score", text: "How likely…", type: "nps" }],
          },
        },
      ],
      [["cadences"], [{ id: "weekly", title: "Weekly status", owner: "csm", every: "1 week", during: "implementation" }]],
    ]),
  );

  test("a reminder before the deadline, one SLA breach when it passes, each once", () => {
    const run = new Run(timed, START);
    assert.equal(nextWakeAt(run.state), "2026-03-07T03:00:00.000Z");
    assert.deepEqual(run.types(run.send({ type: "tick" }, SYSTEM, "2026-03-07T03:00:00.000Z")), ["step.reminded:handoff"]);
    assert.deepEqual(run.types(run.send({ type: "tick" }, SYSTEM, "2026-03-07T04:00:00.000Z")), []);
    const breach = run.send({ type: "tick" }, SYSTEM, "2026-03-09T15:00:00.000Z");
    assert.deepEqual(run.types(breach), ["step.overdue:handoff", "rule.fired"]);
    assert.deepEqual(run.send({ type: "tick" }, SYSTEM, "2026-03-10T15:00:00.000Z"), []);
    assert.equal(run.effects.filter((e) => e.kind === "escalate").length, 1);
  });

  test("critical issue unresolved > 24h escalates, then every 4h until resolved", () => {
    const run = new Run(timed, START);
    run.send({ type: "open_issue", severity: "critical", title: "SSO broken" }, csm, "2026-03-06T16:00:00.000Z");
    run.send({ type: "open_issue", severity: "minor", title: "Typo" }, csm, "2026-03-06T16:00:00.000Z");
    assert.equal(run.state.timers.length, 1);
    run.send({ type: "tick" }, SYSTEM, "2026-03-07T15:59:00.000Z");
    assert.equal(run.effects.filter((e) => e.kind === "escalate" && JSON.stringify(e.effect).includes("critical")).length, 0);
    run.send({ type: "tick" }, SYSTEM, "2026-03-07T16:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-03-07T20:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-03-08T00:00:00.000Z");
    assert.equal(run.effects.filter((e) => e.kind === "escalate" && JSON.stringify(e.effect).includes("critical")).length, 3);
    run.send({ type: "resolve_issue", issue: "issue-1" }, csm, "2026-03-08T01:00:00.000Z");
    assert.equal(run.state.timers.length, 0);
    run.send({ type: "tick" }, SYSTEM, "2026-03-09T00:00:00.000Z");
    assert.equal(run.effects.filter((e) => e.kind === "escalate" && JSON.stringify(e.effect).includes("critical")).length, 3);
  });

  test("an NPS below 7 opens a follow-up task with a business-day deadline", () => {
    const run = new Run(timed, START);
    run.send({ type: "answer_survey", survey: "nps", score: 9 }, client, "2026-03-06T16:00:00.000Z");
    assert.equal(Object.keys(run.state.tasks).length, 0);
    run.send({ type: "answer_survey", survey: "nps", score: 5, comment: "slow" }, client, "2026-03-06T16:00:00.000Z");
    const task = Object.values(run.state.tasks)[0];
    assert.equal(task?.title, "Call the client");
    // Friday 11:00 EST + 2 business days = Tuesday 11:00 EDT: the clocks changed on Sunday.
    assert.equal(task?.dueAt, "2026-03-10T15:00:00.000Z");
  });

  test("a weekly cadence runs while its phase runs, and missed weeks are not held twice", () => {
    const run = new Run(timed, START, { facts: { data_migration: true } });
    run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
    run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z");
    run.send({ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z");
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-03-16T16:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-03-16T16:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-04-01T16:00:00.000Z"); // two weeks missed: one occurrence
    assert.equal(run.events.filter((e) => e.type === "cadence.occurred").length, 2);
    assert.equal(run.state.cadences.weekly?.nextAt, "2026-04-06T16:00:00.000Z");
  });

  test("30/60/90-day milestones open relative to go-live", () => {
    const text = MINIMAL.replace(
      "rules:\n",
      `  - id: reviews\n    title: Reviews\n    window: Days 0-95 after go_live\n    steps:\n      - { id: day_30, title: 30-day check-in, owner: csm, after: [go_live], opens: Day 25 after go_live, due: Day 30 after go_live, expected_result: Adoption reviewed. }\n      - { id: day_90, title: 90-day review, owner: csm, opens: Day 85 after go_live, due: Day 90 after go_live, expected_result: Value reviewed. }\nrules:\n`,
    ).replace("        go_live: true\n        completes_project: true\n", "        go_live: true\n");
    const run = new Run(modelOf(text), START, { facts: { data_migration: false } });
    for (const [command, actor, at] of [
      [{ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z"],
      [{ type: "approve", step: "kickoff_call", role: "client_primary" }, client, "2026-03-09T15:00:00.000Z"],
      [{ type: "complete_step", step: "kickoff_call" }, csm, "2026-03-09T16:00:00.000Z"],
      [{ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, csm, "2026-03-10T15:00:00.000Z"],
      [{ type: "complete_step", step: "uat" }, csm, "2026-03-10T16:00:00.000Z"],
      [{ type: "complete_step", step: "go_live" }, csm, "2026-04-01T16:00:00.000Z"],
    ] as const)
      run.send(command, actor, at);
    assert.equal(run.state.steps.day_30?.status, "scheduled");
    assert.equal(run.state.steps.day_30?.opensAt, "2026-04-27T21:00:00.000Z");
    run.send({ type: "tick" }, SYSTEM, "2026-04-27T21:00:00.000Z");
    assert.equal(run.state.steps.day_30?.status, "open");
    assert.equal(run.state.steps.day_30?.dueAt, "2026-05-01T21:00:00.000Z");
  });
});

test("replaying the events rebuilds the same state", () => {
  const run = new Run(model, START, { facts: { data_migration: true } });
  run.send({ type: "complete_step", step: "handoff" }, ae, "2026-03-06T16:00:00.000Z");
  run.send({ type: "hold", reason: "pause" }, MANAGER, "2026-03-07T16:00:00.000Z");
  run.send({ type: "resume" }, MANAGER, "2026-03-08T16:00:00.000Z");
  run.send({ type: "tick" }, SYSTEM, "2026-03-20T16:00:00.000Z");
  assert.deepEqual(replay(model, run.events), run.state);
  assert.equal(run.state.version, run.events.length);
  assert.equal(CLIENT.name, run.state.client.name);
});
