// Where the days go and who deviates (issue #20, items 1 and 2), on simulated history: projects run
// through the minimal playbook by the engine with seeded variation, a planted bottleneck (the kickoff
// call of every third project runs two weeks late) and planted deviations (a hand-off skipped by a
// person, a kickoff call reopened by a person). The miner must find exactly those, and must not take
// the playbook's own loop (UAT fails → fix → retest) for a deviation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Actor } from "../../src/engine/index.ts";
import type { CaseEvents } from "../../src/mining/activities.ts";
import { END, InsightsBuilder, START } from "../../src/mining/insights.ts";
import { type Trace, traceOf } from "../../src/mining/trace.ts";
import { MANAGER, modelOf, Run } from "../support/engine.ts";
import { MINIMAL } from "../support/fixtures.ts";

const MODEL = modelOf(MINIMAL);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse("2026-03-02T14:00:00.000Z");
const CLIENT_ACTOR: Actor = { id: "pat", kind: "contact", roles: ["client_primary"] };

interface Plan {
  readonly slowKickoff: boolean;
  readonly skipHandoff: boolean;
  readonly reopenKickoff: boolean;
  readonly uatFails: boolean;
  readonly jitterHours: number;
}

/** One project through the playbook as the plan says; the case the miner reads, and its trace. */
function simulate(id: string, plan: Plan, startAt: number): { c: CaseEvents; trace: Trace } {
  let clock = startAt;
  const at = (hours: number) => {
    clock += hours * HOUR;
    return new Date(clock).toISOString();
  };
  const run = new Run(MODEL, new Date(clock).toISOString(), { projectId: id, facts: { user_count: 25, data_migration: false } });
  const send = (command: Parameters<Run["send"]>[0], hours: number, actor: Actor = MANAGER) => run.send(command, actor, at(hours));
  if (plan.skipHandoff) send({ type: "skip_step", step: "handoff", reason: "Sales never answered" }, 2);
  else send({ type: "complete_step", step: "handoff" }, 3 + plan.jitterHours);
  send({ type: "start_step", step: "kickoff_call" }, 20);
  send({ type: "approve", step: "kickoff_call", role: "client_primary" }, 24, CLIENT_ACTOR);
  send({ type: "complete_step", step: "kickoff_call" }, plan.slowKickoff ? 16 * 24 : 24 + plan.jitterHours);
  if (plan.reopenKickoff) {
    send({ type: "reopen_step", step: "kickoff_call", reason: "The client changed the success plan" }, 24);
    send({ type: "approve", step: "kickoff_call", role: "client_primary" }, 24, CLIENT_ACTOR);
    send({ type: "complete_step", step: "kickoff_call" }, 24);
  }
  send({ type: "start_step", step: "uat" }, 48);
  send({ type: "submit_form", step: "uat", values: { failed_scenarios: plan.uatFails ? 2 : 0 } }, 72);
  send({ type: "complete_step", step: "uat" }, 1);
  if (plan.uatFails) {
    send({ type: "complete_step", step: "fix_uat" }, 48);
    send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, 24);
    send({ type: "complete_step", step: "uat" }, 1);
  }
  send({ type: "complete_step", step: "go_live" }, 24 + plan.jitterHours);
  const c: CaseEvents = {
    info: {
      projectId: id,
      clientId: `${id}-client`,
      clientName: `Client ${id}`,
      playbookId: MODEL.playbook.id,
      playbookVersion: MODEL.playbook.document.version,
      segment: null,
      csm: null,
      status: run.state.status,
      startedAt: new Date(startAt).toISOString(),
    },
    model: MODEL,
    events: run.events.map((event, i) => ({ seq: i + 1, event })),
  };
  return { c, trace: traceOf(c, new Date(clock).toISOString()) };
}

const planOf = (i: number): Plan => ({
  slowKickoff: i % 3 === 0,
  skipHandoff: i === 7,
  reopenKickoff: i === 11,
  uatFails: i % 4 === 1,
  jitterHours: (i * 7) % 13,
});

describe("a project's trace", () => {
  test("visits, waiting and working time, and a clean run's fitness of 1 with the playbook's own loop", () => {
    const { trace } = simulate(
      "clean",
      { slowKickoff: false, skipHandoff: false, reopenKickoff: false, uatFails: true, jitterHours: 0 },
      T0,
    );
    assert.equal(trace.ended, true);
    assert.deepEqual(trace.deviations, []);
    assert.equal(trace.fitness, 1);
    assert.deepEqual(
      trace.completions.map((x) => x.step),
      ["handoff", "kickoff_call", "uat", "fix_uat", "uat", "go_live"],
    );
    const kickoff = trace.visits.find((v) => v.step === "kickoff_call");
    assert.equal(kickoff?.waitingMs, 20 * HOUR, "opened when the hand-off was done, started 20 hours later");
    assert.equal(kickoff?.workingMs, 48 * HOUR);
    assert.deepEqual(
      trace.visits.filter((v) => v.step === "uat").map((v) => [v.round, v.outcome]),
      [
        [1, "looped"],
        [2, "done"],
      ],
      "UAT failed, went to the fix and was tested again",
    );
  });

  test("a person's skip and a person's reopen are deviations; fitness drops", () => {
    const skipped = simulate("s", { ...planOf(0), slowKickoff: false, skipHandoff: true }, T0).trace;
    assert.deepEqual(
      skipped.deviations.map((d) => [d.kind, d.step]),
      [["skipped", "handoff"]],
    );
    assert.ok(skipped.fitness < 1);
    const reopened = simulate("r", { ...planOf(0), slowKickoff: false, reopenKickoff: true }, T0).trace;
    assert.deepEqual(
      reopened.deviations.map((d) => [d.kind, d.step]),
      [["repeated", "kickoff_call"]],
    );
    assert.ok(reopened.fitness < 1);
  });
});

describe("insights over simulated history", () => {
  const N = 36;
  const traces = Array.from({ length: N }, (_, i) => simulate(`p${i}`, planOf(i), T0 + i * 3 * DAY).trace);
  const insights = traces.reduce((b, t) => b.add(t), new InsightsBuilder(MODEL)).result();

  test("the planted bottleneck leads the ranking with most of the delay", () => {
    assert.equal(insights.projects, N);
    assert.equal(insights.ended, N);
    assert.equal(insights.bottlenecks[0]?.step, "kickoff_call");
    assert.ok((insights.bottlenecks[0]?.share ?? 0) > 0.8, JSON.stringify(insights.bottlenecks));
    const kickoff = insights.steps.find((s) => s.step === "kickoff_call");
    assert.ok(kickoff);
    const slowBreached = traces.filter((t, i) => planOf(i).slowKickoff && t.visits.some((v) => v.step === "kickoff_call" && v.breached));
    assert.equal(slowBreached.length, N / 3, "every slow kickoff breached its deadline");
    assert.ok(kickoff.breaches >= N / 3);
    assert.ok((kickoff.actual.p90Days ?? 0) > 14, "the slow third shows in p90");
    assert.ok((kickoff.actual.medianDays ?? 99) < 5, "but not in the median");
    assert.equal(kickoff.rework, 1, "one person's reopen");
  });

  test("the planted deviations are the projects that deviate, and nothing else", () => {
    assert.deepEqual(insights.conformance.worst.map((w) => [w.projectId, w.deviations.map((d) => d.kind)]).sort(), [
      ["p11", ["repeated"]],
      ["p7", ["skipped"]],
    ]);
    assert.equal(insights.conformance.deviating, 2);
    assert.deepEqual(insights.conformance.byKind, { skipped: 1, out_of_order: 0, repeated: 1, missing: 0 });
    assert.equal(insights.conformance.medianFitness, 1);
  });

  test("variants and the directly-follows graph: the playbook's paths, its loops and left-out steps included, and the deviations marked as not the playbook's", () => {
    const straight = ["handoff", "kickoff_call", "uat", "go_live"];
    const looped = ["handoff", "kickoff_call", "uat", "fix_uat", "uat", "go_live"];
    assert.deepEqual(insights.variants.top[0]?.steps, straight);
    assert.deepEqual(
      insights.variants.top.map((v) => v.count).reduce((a, b) => a + b, 0),
      N,
    );
    assert.ok(insights.variants.top.some((v) => JSON.stringify(v.steps) === JSON.stringify(looped)));
    const edge = (from: string, to: string) => insights.edges.find((e) => e.from === from && e.to === to);
    assert.equal(edge(START, "handoff")?.inPlaybook, true);
    assert.equal(edge("uat", "fix_uat")?.inPlaybook, true, "the decision's Failed branch sends the flow to the fix");
    assert.equal(edge("fix_uat", "uat")?.inPlaybook, true, "and the fix returns to UAT");
    assert.equal(edge("kickoff_call", "uat")?.inPlaybook, true, "the data migration in between was left out for these clients");
    assert.equal(edge("kickoff_call", "kickoff_call")?.inPlaybook, false, "a person's reopen is not the playbook's");
    assert.equal(edge(START, "kickoff_call")?.inPlaybook, false, "the skipped hand-off: kickoff first");
    assert.equal(edge("go_live", END)?.count, N);
    assert.equal(edge("kickoff_call", "kickoff_call")?.count, 1, "the reopened kickoff done twice in a row");
  });

  test("adding up is order-free: any order of the same traces gives the same figures", () => {
    const traces = Array.from({ length: 12 }, (_, i) => simulate(`q${i}`, planOf(i), T0 + i * DAY).trace);
    const reference = JSON.stringify(traces.reduce((b, t) => b.add(t), new InsightsBuilder(MODEL)).result());
    fc.assert(
      fc.property(fc.shuffledSubarray(traces, { minLength: traces.length, maxLength: traces.length }), (shuffled) => {
        assert.equal(JSON.stringify(shuffled.reduce((b, t) => b.add(t), new InsightsBuilder(MODEL)).result()), reference);
      }),
      { numRuns: 20 },
    );
  });
});

test("steps on parallel branches may follow each other either way; a step before the one it waits for may not", () => {
  const gdpr = modelOf(readFileSync(new URL("../../playbooks/customer-onboarding-gdpr.yaml", import.meta.url), "utf8"));
  const at = (h: number) => new Date(T0 + h * HOUR).toISOString();
  const trace = (steps: string[]): Trace => ({
    projectId: steps.join("-"),
    clientName: "Parallel",
    visits: [],
    completions: steps.map((step, i) => ({ step, at: at(i + 1) })),
    deviations: [],
    fitness: 1,
    ended: false,
    startedAt: at(0),
  });
  // The DPA waits only for the hand-off; validating waits for collecting: two branches.
  const insights = new InsightsBuilder(gdpr)
    .add(trace(["sales_handover", "collect_customer_information", "validate_customer_information", "confirm_dpa", "kickoff_meeting"]))
    .add(trace(["sales_handover", "confirm_dpa", "kickoff_meeting", "validate_customer_information"]))
    .result();
  const edge = (from: string, to: string) => insights.edges.find((e) => e.from === from && e.to === to)?.inPlaybook;
  assert.equal(edge("validate_customer_information", "confirm_dpa"), true, "parallel: either order");
  assert.equal(edge("confirm_dpa", "kickoff_meeting"), true);
  assert.equal(edge("kickoff_meeting", "validate_customer_information"), false, "the kickoff waits for the validation");
});
