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
import { replay } from "../../src/engine/index.ts";
import { GoLiveModel, MIN_BASIS } from "../../src/mining/forecast.ts";
import { START } from "../../src/mining/insights.ts";
import { settledTally, Tally } from "../../src/mining/tally.ts";
import { traceOf } from "../../src/mining/trace.ts";
import { caseOf, generator, HISTORY_MODEL, type SimulatedOnboarding, simulateOnboarding } from "../support/simulated-history.ts";

const MODEL = HISTORY_MODEL;
const DAY = 86_400_000;
const T0 = Date.parse("2025-01-06T14:00:00.000Z");

describe("the go-live forecast on simulated history", () => {
  const random = generator(20261207);
  const history = Array.from({ length: 320 }, (_, i) => simulateOnboarding(`h${i}`, T0 + i * 0.5 * DAY, random));
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
    const h = history[300] as SimulatedOnboarding;
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

  test("each milestone not reached yet is forecast too, calibrated like the go-live", (t) => {
    const tally = new Tally();
    for (const [i, h] of history.slice(0, 220).entries()) tally.merge(settledTally(traceOf(caseOf(`h${i}`, h.events), h.goLiveAt), MODEL));
    const milestones = new GoLiveModel(tally);
    const cover = new Map<string, { inside: number; forecasts: number; held: number }>();
    const check = generator(7);
    for (const [i, h] of history.slice(220).entries()) {
      const live = Date.parse(h.goLiveAt);
      const cut = new Date(h.startAt + Math.floor(check() * (live - h.startAt))).toISOString();
      const trace = traceOf(
        caseOf(
          `m${i}`,
          h.events.filter((e) => e.at <= cut),
        ),
        cut,
      );
      const reached = new Map<string, string>();
      for (const e of h.events) if (e.type === "step.completed" && !reached.has(e.step)) reached.set(e.step, e.at);
      const ahead = milestones.milestones(trace, MODEL, cut);
      assert.ok(
        ahead.every((m) => !trace.completions.some((c) => c.step === m.step)),
        "only milestones not reached yet",
      );
      for (const m of ahead) {
        const actual = reached.get(m.step);
        if (!actual) continue;
        const c = cover.get(m.step) ?? { inside: 0, forecasts: 0, held: 0 };
        c.held++;
        if (m.forecast) {
          assert.ok(m.forecast.p10 <= m.forecast.p50 && m.forecast.p50 <= m.forecast.p90);
          c.forecasts++;
          if (m.forecast.p10 <= actual && actual <= m.forecast.p90) c.inside++;
        }
        cover.set(m.step, c);
      }
    }
    assert.deepEqual([...cover.keys()].sort(), ["go_live", "kickoff_call"], "the gate and the go-live are the milestones");
    for (const [step, c] of cover) {
      t.diagnostic(`${step}: ${c.inside} of ${c.forecasts} forecasts inside the 80% interval (${c.held} held out)`);
      assert.ok(c.forecasts >= 0.8 * c.held && c.forecasts >= 20, `${step}: a forecast for ${c.forecasts} of ${c.held}`);
      const coverage = c.inside / c.forecasts;
      assert.ok(coverage >= 0.7 && coverage <= 0.9, `${step}: coverage ${coverage}`);
    }
  });
});
