// The go-live forecast (issue #20, item 3), calibrated on simulated history: 320 onboardings run
// through the minimal playbook by the engine, each step taking a seeded random time (log-normal, so
// some run long); the model learns from the first 220, which all went live, and forecasts each of
// the other 100 at a random moment of its life, from the events up to then. The 80% interval must
// hold the real go-live for 75-85% of them, and the median must beat the plan's own date
// (engine/forecast.ts) on mean absolute error. An onboarding stuck longer than nearly all before it
// gets no forecast (at most a tenth of them).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { forecast as planForecast } from "../../src/engine/forecast.ts";
import { type Actor, replay } from "../../src/engine/index.ts";
import type { ProjectEvent } from "../../src/engine/types.ts";
import type { CaseEvents } from "../../src/mining/activities.ts";
import { GoLiveModel, MIN_BASIS } from "../../src/mining/forecast.ts";
import { START } from "../../src/mining/insights.ts";
import { traceOf } from "../../src/mining/trace.ts";
import { MANAGER, modelOf, Run } from "../support/engine.ts";
import { MINIMAL } from "../support/fixtures.ts";

const MODEL = modelOf(MINIMAL);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2025-01-06T14:00:00.000Z");
const CLIENT_ACTOR: Actor = { id: "pat", kind: "contact", roles: ["client_primary"] };

/** mulberry32: a small seeded generator, so the history is the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logNormalHours(random: () => number, medianHours: number, sigma: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Math.max(1, Math.round(medianHours * Math.exp(sigma * normal)));
}

interface Simulated {
  readonly run: Run;
  readonly events: ProjectEvent[];
  readonly goLiveAt: string;
  readonly startAt: number;
}

function simulate(id: string, startAt: number, random: () => number): Simulated {
  let clock = startAt;
  const next = (hours: number) => {
    clock += hours * HOUR;
    return new Date(clock).toISOString();
  };
  const run = new Run(MODEL, new Date(clock).toISOString(), { projectId: id, facts: { user_count: 25, data_migration: false } });
  const send = (command: Parameters<Run["send"]>[0], hours: number, actor: Actor = MANAGER) => run.send(command, actor, next(hours));
  send({ type: "complete_step", step: "handoff" }, logNormalHours(random, 20, 0.6));
  send({ type: "approve", step: "kickoff_call", role: "client_primary" }, logNormalHours(random, 60, 0.7), CLIENT_ACTOR);
  send({ type: "complete_step", step: "kickoff_call" }, logNormalHours(random, 10, 0.5));
  const fails = random() < 0.3;
  send({ type: "submit_form", step: "uat", values: { failed_scenarios: fails ? 3 : 0 } }, logNormalHours(random, 200, 0.5));
  send({ type: "complete_step", step: "uat" }, 1);
  if (fails) {
    send({ type: "complete_step", step: "fix_uat" }, logNormalHours(random, 72, 0.6));
    send({ type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, logNormalHours(random, 48, 0.5));
    send({ type: "complete_step", step: "uat" }, 1);
  }
  send({ type: "complete_step", step: "go_live" }, logNormalHours(random, 36, 0.6));
  const goLive = run.events.find((e) => e.type === "project.go_live");
  assert.ok(goLive, "the simulated onboarding went live");
  return { run, events: run.events, goLiveAt: goLive.at, startAt };
}

function caseOf(id: string, events: readonly ProjectEvent[]): CaseEvents {
  return {
    info: {
      projectId: id,
      clientId: `${id}-c`,
      clientName: id,
      playbookId: MODEL.playbook.id,
      playbookVersion: MODEL.playbook.document.version,
      segment: null,
      csm: null,
      status: "active",
      startedAt: events[0]?.at ?? "",
    },
    model: MODEL,
    events: events.map((event, i) => ({ seq: i + 1, event })),
  };
}

describe("the go-live forecast on simulated history", () => {
  const random = generator(20261207);
  const history = Array.from({ length: 320 }, (_, i) => simulate(`h${i}`, T0 + i * 0.5 * DAY, random));
  const model = new GoLiveModel();
  for (const [i, h] of history.slice(0, 220).entries()) model.add(traceOf(caseOf(`h${i}`, h.events), h.goLiveAt));

  test("the 80% interval holds the real go-live for 75-85% of held-out onboardings; the median beats the plan", (t) => {
    let inside = 0;
    let held = 0;
    let forecasts = 0;
    let errorDays = 0;
    let planErrorDays = 0;
    for (const [i, h] of history.slice(220).entries()) {
      const live = Date.parse(h.goLiveAt);
      const cut = new Date(h.startAt + Math.floor(random() * (live - h.startAt))).toISOString();
      const seen = h.events.filter((e) => e.at <= cut);
      const trace = traceOf(caseOf(`t${i}`, seen), cut);
      const f = model.predict(trace, cut);
      held++;
      // Stuck longer than nearly every onboarding before it: the forecast says it cannot tell.
      if (!f) continue;
      assert.ok(f.p10 <= f.p50 && f.p50 <= f.p90 && f.p10 >= cut, JSON.stringify(f));
      forecasts++;
      if (f.p10 <= h.goLiveAt && h.goLiveAt <= f.p90) inside++;
      errorDays += Math.abs(Date.parse(f.p50) - live) / DAY;
      const plan = planForecast(h.run.ctx, replay(MODEL, seen), cut).goLiveAt;
      assert.ok(plan);
      planErrorDays += Math.abs(Date.parse(plan) - live) / DAY;
    }
    const coverage = inside / forecasts;
    const mae = errorDays / forecasts;
    const planMae = planErrorDays / forecasts;
    t.diagnostic(
      `coverage ${(coverage * 100).toFixed(1)}% of ${forecasts} forecasts (${held} held out); mean absolute error ${mae.toFixed(2)} d (the plan's ${planMae.toFixed(2)} d)`,
    );
    assert.ok(forecasts >= 0.9 * held, `a forecast for ${forecasts} of ${held}`);
    assert.ok(coverage >= 0.75 && coverage <= 0.85, `coverage ${coverage}`);
    assert.ok(mae < planMae, `the median (${mae.toFixed(2)} d) beats the plan (${planMae.toFixed(2)} d)`);
  });

  test("it reckons from the latest progress, and knows when it knows too little", () => {
    const h = history[300] as Simulated;
    const afterKickoff = h.events.filter(
      (e) => e.at <= (h.events.find((x) => x.type === "step.completed" && x.step === "kickoff_call")?.at ?? ""),
    );
    const cut = afterKickoff.at(-1)?.at ?? "";
    const f = model.predict(traceOf(caseOf("k", afterKickoff), cut), cut);
    assert.equal(f?.anchor, "kickoff_call");
    assert.equal(
      model.predict(traceOf(caseOf("live", h.events), h.goLiveAt), h.goLiveAt),
      undefined,
      "a client already live needs no forecast",
    );
    const little = new GoLiveModel();
    for (const past of history.slice(0, MIN_BASIS - 1)) little.add(traceOf(caseOf("x", past.events), past.goLiveAt));
    assert.equal(little.predict(traceOf(caseOf("k", afterKickoff), cut), cut), undefined, `fewer than ${MIN_BASIS} comparable onboardings`);
    assert.equal(START, "(start)");
  });
});
