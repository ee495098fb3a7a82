// Issue 15 item 2: a condition that fails at run time (division by zero, a bad regular expression,
// a fact the client was not given) never fails a start or a command. The project records an
// incident (the expression, the values it read, the error); what it guards waits; an admin
// retries after fixing the data or moving the project to a corrected playbook version.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type Actor,
  type Command,
  EngineError,
  execute,
  migrateProject,
  openIncidents,
  type ProjectState,
  replay,
  SYSTEM,
  startProject,
} from "../../src/engine/index.ts";
import { CLIENT, MANAGER, modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const LATER = "2026-03-09T15:00:00.000Z";
const csm = person("csm");
const ae = person("ae");
const client = person("client_primary", "contact");

/** The minimal playbook with conditions that lint clean and fail for some data. */
const faultyEdits: [(string | number)[], unknown][] = [
  [["phases", 1, "steps", 0, "when"], "100 / facts.user_count > 1"],
  [["forms", "uat_results", "fields", "total"], { label: "Scenarios run", type: "int" }],
  [
    ["phases", 1, "steps", 1, "decision", "branches"],
    [
      { label: "Passed", when: "forms.uat_results.failed_scenarios * 100 / forms.uat_results.total < 5", next: "continue" },
      { label: "Failed", otherwise: true, next: "fix_uat" },
    ],
  ],
];
const v11 = modelOf(edited(faultyEdits));
// Version 1.2 corrects the data migration's condition.
const v12 = modelOf(
  edited([
    ...faultyEdits,
    [["document", "version"], "1.2"],
    [["document", "revisions", 2], { version: "1.2", date: "2026-03-01", changes: "Guard the user count" }],
    [["document", "effective"], "2026-03-01"],
    [["phases", 1, "steps", 0, "when"], "facts.user_count > 0 && 100 / facts.user_count > 1"],
  ]),
);

function throughKickoff(run: Run): void {
  run.send({ type: "complete_step", step: "handoff" }, ae, START);
  run.send({ type: "approve", step: "kickoff_call", role: "client_primary" }, client, START);
  run.send({ type: "complete_step", step: "kickoff_call" }, csm, START);
}

function refused(fn: () => unknown, code: EngineError["code"], pattern: RegExp): void {
  assert.throws(fn, (error) => error instanceof EngineError && error.code === code && pattern.test(error.message));
}

describe("a condition that fails at run time opens an incident", () => {
  test("at start: the step waits (neither opens nor is left out), with the expression, its inputs and the error", () => {
    const run = new Run(v11, START, { facts: { user_count: 0 } });
    const opened = run.events.find((e) => e.type === "incident.opened");
    assert.ok(opened && opened.type === "incident.opened");
    assert.deepEqual(
      { ...opened.incident, error: opened.incident.error.toLowerCase() },
      {
        id: "incident-1",
        kind: "step_condition",
        step: "migrate",
        expression: "100 / facts.user_count > 1",
        inputs: { "facts.user_count": 0 },
        error: "division by zero",
        openedAt: START,
      },
    );
    throughKickoff(run);
    assert.equal(run.state.steps.migrate?.status, "blocked");
    assert.equal(run.state.steps.uat?.status, "blocked", "what follows the held step waits too");
    assert.equal(run.state.status, "active");
    // Retrying without a fix changes nothing and says why; only CS operations retry.
    refused(
      () => run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER),
      "illegal_state",
      /still fails: division by zero/i,
    );
    refused(() => run.send({ type: "retry_incident", incident: "incident-1" }, csm, LATER), "forbidden", /CS operations/);
    refused(() => run.send({ type: "retry_incident", incident: "incident-9" }, MANAGER, LATER), "not_found", /incident-9/);
    // Skipping the step that waits (with a reason, in the audit trail) lets a retry close the incident.
    run.send({ type: "skip_step", step: "migrate", reason: "No data to migrate" }, MANAGER, LATER);
    assert.equal(run.state.steps.uat?.status, "open");
    assert.deepEqual(run.types(run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER)), ["incident.resolved"]);
    assert.equal(run.state.steps.migrate?.status, "skipped");
  });

  test("a retry after moving to a corrected version resolves it and the flow moves on", () => {
    const run = new Run(v11, START, { facts: { user_count: 0 } });
    throughKickoff(run);
    const moved = migrateProject(v11, v12, run.state, MANAGER, LATER, "Guard the user count");
    run.ctx = moved.ctx;
    run.state = moved.state;
    run.events.push(...moved.events);
    const events = run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER);
    assert.deepEqual(run.types(events), ["incident.resolved", "step.opened:uat"]);
    assert.equal(run.state.steps.migrate?.status, "not_applicable");
    assert.equal(run.state.incidents?.["incident-1"]?.resolvedAt, LATER);
    assert.deepEqual(openIncidents(run.state), []);
    const models = (version: string) => (version === "1.1" ? v11 : v12);
    assert.deepEqual(replay(models, run.events), run.state);
  });

  test("a retry whose condition now holds opens the step", () => {
    const run = new Run(v11, START, { facts: { user_count: 0 } });
    throughKickoff(run);
    const fixed = modelOf(
      edited([
        ...faultyEdits,
        [["document", "version"], "1.2"],
        [["document", "revisions", 2], { version: "1.2", date: "2026-03-01", changes: "Always migrate" }],
        [["document", "effective"], "2026-03-01"],
        [["phases", 1, "steps", 0, "when"], "facts.user_count >= 0"],
      ]),
    );
    const moved = migrateProject(v11, fixed, run.state, MANAGER, LATER, "Always migrate");
    run.ctx = moved.ctx;
    run.state = moved.state;
    assert.deepEqual(run.types(run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER)), [
      "incident.resolved",
      "step.opened:migrate",
    ]);
  });

  test("in a decision: completing goes through, the step stays open, and a retry after fixing the form completes it", () => {
    const run = new Run(v11, START, { facts: { user_count: 50 } });
    throughKickoff(run);
    run.send({ type: "complete_step", step: "migrate" }, csm, START);
    run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, csm, START);
    const events = run.send({ type: "complete_step", step: "uat" }, csm, START);
    assert.deepEqual(run.types(events), ["incident.opened"]);
    const incident = openIncidents(run.state)[0];
    assert.equal(incident?.kind, "decision");
    assert.equal(incident?.expression, "forms.uat_results.failed_scenarios * 100 / forms.uat_results.total < 5");
    assert.deepEqual(incident?.inputs, { "forms.uat_results.failed_scenarios": 0, "forms.uat_results.total": null });
    assert.equal(run.state.steps.uat?.status, "open");
    // Completing again while it is open is refused with the incident named, not a second incident.
    refused(() => run.send({ type: "complete_step", step: "uat" }, csm, START), "illegal_state", /waits on incident incident-1/);
    refused(() => run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER), "illegal_state", /still fails/);
    run.send({ type: "submit_form", step: "uat", values: { total: 40 } }, csm, LATER);
    const retried = run.send({ type: "retry_incident", incident: "incident-1" }, MANAGER, LATER);
    assert.deepEqual(run.types(retried), ["incident.resolved", "step.completed:uat", "step.opened:go_live"]);
    assert.equal(run.state.steps.uat?.branch, "Passed");
  });

  test("a fact the client was not given is absent: has() tells, and reading it without has() is an incident", () => {
    const guarded = modelOf(edited([[["phases", 1, "steps", 0, "when"], "has(facts.user_count) && facts.user_count > 100"]]));
    const unguarded = modelOf(edited([[["phases", 1, "steps", 0, "when"], "facts.user_count > 100"]]));
    assert.equal(new Run(guarded, START).state.steps.migrate?.status, "not_applicable");
    assert.equal(new Run(guarded, START, { facts: { user_count: 150 } }).state.steps.migrate?.status, "blocked");
    const run = new Run(unguarded, START);
    const incident = openIncidents(run.state)[0];
    assert.equal(incident?.step, "migrate");
    assert.match(incident?.error ?? "", /user_count/);
    assert.deepEqual(incident?.inputs, { "facts.user_count": null });
    // A fact with a default is given: the minimal playbook's data_migration defaults to false.
    assert.deepEqual(openIncidents(new Run(modelOf(edited([])), START).state), []);
  });

  test("in a rule: the rule waits on the incident, and a retry reacts to the same occurrence", () => {
    const ruled = modelOf(
      edited([
        ...faultyEdits,
        [
          ["rules", 1],
          {
            id: "many_failures",
            title: "Tell the AE when many scenarios fail",
            category: "exception",
            on: "form.submitted",
            when: "forms.uat_results.failed_scenarios * 100 / forms.uat_results.total > 10",
            actions: [{ notify: { to: ["ae"], message: "UAT is failing" } }],
          },
        ],
      ]),
    );
    const run = new Run(ruled, START, { facts: { user_count: 50 } });
    throughKickoff(run);
    run.send({ type: "complete_step", step: "migrate" }, csm, START);
    const events = run.send({ type: "submit_form", step: "uat", values: { failed_scenarios: 8 } }, csm, START);
    assert.deepEqual(run.types(events), ["form.submitted:uat", "incident.opened"]);
    const incident = openIncidents(run.state)[0];
    assert.deepEqual([incident?.kind, incident?.rule, incident?.subject], ["rule", "many_failures", "uat_results"]);
    run.send({ type: "submit_form", step: "uat", values: { total: 40 } }, csm, LATER);
    const notified = run.effects.length;
    const retried = run.send({ type: "retry_incident", incident: incident?.id ?? "" }, MANAGER, LATER);
    assert.deepEqual(run.types(retried), ["incident.resolved", "rule.fired"]);
    assert.equal(run.effects.length, notified + 1);
  });

  test("a cadence whose condition fails waits on an incident instead of failing every command", () => {
    const cadenced = modelOf(
      edited([
        [["cadences"], [{ id: "weekly", title: "Weekly status", owner: "csm", every: "1 week", when: "100 / facts.user_count > 1" }]],
      ]),
    );
    const run = new Run(cadenced, START, { facts: { user_count: 0 } });
    assert.deepEqual(
      openIncidents(run.state).map((i) => [i.kind, i.cadence]),
      [["cadence", "weekly"]],
    );
    run.send({ type: "complete_step", step: "handoff" }, ae, START);
    assert.equal(openIncidents(run.state).length, 1, "one incident, not one per command");
    assert.equal(run.state.cadences.weekly, undefined);
  });
});

describe("starting never fails on a condition", () => {
  test("a won deal's rule whose condition fails opens an incident; the project starts", () => {
    const dealt = modelOf(
      edited([
        [
          ["rules", 1],
          {
            id: "big_deal",
            title: "Big deals get a kickoff task",
            category: "automation",
            on: "deal.won",
            when: "event.deal_id.matches(event.stage)",
            actions: [{ create_task: { title: "Plan an executive kickoff", owner: "csm" } }],
          },
        ],
      ]),
    );
    const out = startProject(
      dealt,
      {
        projectId: "p",
        client: CLIENT,
        facts: { user_count: 10 },
        deal: { source: "hubspot", dealId: "d1", stage: "[won", amount: 50_000 },
      },
      START,
    );
    // A stage that is not a regular expression: a lint-clean condition that fails at run time.
    assert.deepEqual(
      openIncidents(out.state).map((i) => [i.kind, i.rule, i.event?.stage, i.inputs]),
      [["rule", "big_deal", "[won", { "event.deal_id": "d1", "event.stage": "[won" }]],
    );
    assert.equal(out.state.steps.handoff?.status, "open");
  });
});

describe("property: random commands on a playbook whose conditions fail never throw out of the engine", () => {
  const ACTORS: Actor[] = [csm, ae, client, MANAGER, SYSTEM];
  test("only EngineErrors, and a retry after the fixing data resolves every incident", () => {
    fc.assert(
      fc.property(
        fc.nat(2),
        fc.array(fc.record({ kind: fc.nat(7), who: fc.nat(ACTORS.length - 1), value: fc.nat(3) }), { maxLength: 25 }),
        (users, moves) => {
          let { ctx, state } = startProject(v11, { projectId: "p", client: CLIENT, facts: { user_count: users } }, START);
          const send = (command: Command, actor: Actor): void => {
            try {
              state = execute(ctx, state, command, actor, LATER).state;
            } catch (error) {
              if (!(error instanceof EngineError)) throw error;
            }
          };
          for (const move of moves) {
            const open = Object.values(state.steps).filter((s) => s.status === "open" || s.status === "in_progress");
            const step = open[move.value % Math.max(open.length, 1)]?.id ?? "uat";
            const actor = ACTORS[move.who] ?? csm;
            const commands: Command[] = [
              { type: "complete_step", step },
              { type: "approve", step, role: "client_primary" },
              { type: "submit_form", step, values: { failed_scenarios: move.value, total: move.value } },
              { type: "submit_form", step, values: { failed_scenarios: move.value } },
              { type: "retry_incident", incident: openIncidents(state)[0]?.id ?? "incident-1" },
              { type: "reopen_step", step: "uat", reason: "retest" },
              { type: "tick" },
              { type: "skip_step", step, reason: "not needed" },
            ];
            send(commands[move.kind] ?? { type: "tick" }, actor);
          }
          // Fix the data that decisions read, then retry every open incident of a decision.
          if (state.status === "active" && (state.steps.uat?.status === "open" || state.steps.uat?.status === "in_progress"))
            send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0, total: 10 } }, MANAGER);
          for (const incident of openIncidents(state).filter((i) => i.kind === "decision")) {
            if (state.status !== "active") break;
            send({ type: "retry_incident", incident: incident.id }, MANAGER);
          }
          if (state.status === "active")
            assert.deepEqual(
              openIncidents(state).filter((i) => i.kind === "decision"),
              [],
            );
          // A step condition that still fails (no user count to divide by) keeps its incident and its step waiting.
          const held = openIncidents(state as ProjectState).find((i) => i.kind === "step_condition");
          if (held) assert.equal(state.steps[held.step ?? ""]?.status, "blocked");
        },
      ),
      { numRuns: 150 },
    );
  });
});
