// The portfolio health rules (src/metrics/health.ts): examples of each rule, and properties that
// hold for any project: worse facts never make health better, every red or amber says why, and
// the review time is when a verdict could change with no event.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { evaluateHealth, HEALTH_RANK, type HealthFacts } from "../../src/metrics/health.ts";
import { rag } from "../../src/metrics/kpis.ts";
import { parseTarget } from "../../src/metrics/summary.ts";

const NOW = "2026-06-01T12:00:00.000Z";
const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

const GREEN: HealthFacts = {
  status: "active",
  declared: "green",
  targetGoLiveAt: at(30),
  goLiveAt: null,
  goLiveOpen: false,
  overdueSteps: 0,
  missedMilestones: 0,
  overdueMilestones: 0,
  blockedGates: 0,
  criticalIssues: 0,
  highIssues: 0,
  nps: null,
  csat: null,
  heldSince: null,
  nextDeadline: at(2),
};

const verdict = (facts: Partial<HealthFacts>) => evaluateHealth({ ...GREEN, ...facts }, NOW);

describe("health rules", () => {
  test("a project on track is green with no reasons, reviewed at its next deadline", () => {
    assert.deepEqual(verdict({}), { health: "green", reasons: [], reviewAt: at(2) });
  });

  test("each red rule", () => {
    const cases: [Partial<HealthFacts>, RegExp][] = [
      [{ targetGoLiveAt: at(-1) }, /go-live target .* passed/],
      [{ missedMilestones: 1, overdueMilestones: 1 }, /1 milestone overdue/],
      [{ overdueSteps: 3 }, /3 steps overdue/],
      [{ criticalIssues: 1 }, /critical issue/],
      [{ nps: 6 }, /NPS 6 \(detractor\)/],
      [{ csat: 2 }, /CSAT 2\/5/],
      [{ status: "on_hold", heldSince: at(-15) }, /on hold for more than 14 days/],
      [{ declared: "red" }, /set to red/],
    ];
    for (const [facts, reason] of cases) {
      const v = verdict(facts);
      assert.equal(v.health, "red", JSON.stringify(facts));
      assert.ok(
        v.reasons.some((r) => reason.test(r)),
        `${JSON.stringify(facts)}: ${v.reasons.join("; ")}`,
      );
    }
  });

  test("each amber rule", () => {
    const cases: [Partial<HealthFacts>, RegExp][] = [
      [{ overdueSteps: 2 }, /2 steps overdue/],
      [{ missedMilestones: 1 }, /1 milestone done late/],
      [{ blockedGates: 1 }, /1 gate blocked/],
      [{ status: "on_hold", heldSince: at(-3) }, /^on hold$/],
      [{ highIssues: 2 }, /2 high-severity issues/],
      [{ nps: 8 }, /NPS 8 \(passive\)/],
      [{ csat: 3.5 }, /CSAT 3.5\/5/],
      [{ targetGoLiveAt: at(5) }, /less than 7 days away/],
      [{ declared: "amber" }, /set to amber/],
    ];
    for (const [facts, reason] of cases) {
      const v = verdict(facts);
      assert.equal(v.health, "amber", JSON.stringify(facts));
      assert.ok(
        v.reasons.some((r) => reason.test(r)),
        `${JSON.stringify(facts)}: ${v.reasons.join("; ")}`,
      );
    }
  });

  test("a client already live or in its go-live step is not warned about the target", () => {
    assert.equal(verdict({ targetGoLiveAt: at(-3), goLiveAt: at(-5) }).health, "green");
    assert.equal(verdict({ targetGoLiveAt: at(3), goLiveOpen: true }).health, "green");
  });

  test("closed projects are green, cancelled red, with nothing to review", () => {
    assert.deepEqual(verdict({ status: "closed", overdueSteps: 5 }), { health: "green", reasons: ["closed"], reviewAt: null });
    assert.deepEqual(verdict({ status: "cancelled" }), { health: "red", reasons: ["cancelled"], reviewAt: null });
  });

  const facts = fc
    .record({
      status: fc.constantFrom("active" as const, "on_hold" as const),
      declared: fc.constantFrom("green" as const, "amber" as const, "red" as const),
      targetGoLiveAt: fc.option(fc.integer({ min: -60, max: 90 }).map(at), { nil: null }),
      goLiveAt: fc.option(fc.integer({ min: -60, max: 0 }).map(at), { nil: null }),
      goLiveOpen: fc.boolean(),
      overdueSteps: fc.nat(6),
      missedMilestones: fc.nat(3),
      overdueMilestones: fc.nat(3),
      blockedGates: fc.nat(2),
      criticalIssues: fc.nat(2),
      highIssues: fc.nat(2),
      nps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      heldSince: fc.option(fc.integer({ min: -40, max: 0 }).map(at), { nil: null }),
      nextDeadline: fc.option(fc.integer({ min: -5, max: 30 }).map(at), { nil: null }),
    })
    .map((f) => ({ ...f, overdueMilestones: Math.min(f.overdueMilestones, f.missedMilestones) }));

  test("property: more trouble never makes health better", () => {
    fc.assert(
      fc.property(facts, fc.constantFrom("overdueSteps", "missedMilestones", "blockedGates", "criticalIssues", "highIssues"), (f, key) => {
        const worse = { ...f, [key]: (f[key as keyof typeof f] as number) + 1 };
        return HEALTH_RANK[evaluateHealth(worse, NOW).health] <= HEALTH_RANK[evaluateHealth(f, NOW).health];
      }),
    );
  });

  test("property: red or amber always says why; green never does", () => {
    fc.assert(
      fc.property(facts, (f) => {
        const v = evaluateHealth(f, NOW);
        return v.health === "green" ? v.reasons.length === 0 : v.reasons.length > 0;
      }),
    );
  });

  test("property: nothing changes between now and the review time", () => {
    fc.assert(
      fc.property(facts, fc.double({ min: 0, max: 1, noNaN: true }), (f, fraction) => {
        const v = evaluateHealth(f, NOW);
        const until = v.reviewAt === null ? Date.parse(NOW) + 365 * DAY : Date.parse(v.reviewAt);
        assert.ok(until > Date.parse(NOW));
        const between = new Date(Date.parse(NOW) + Math.floor((until - Date.parse(NOW) - 1) * fraction)).toISOString();
        // Facts whose meaning depends on now (overdue counts) do not move: only the clock does.
        assert.equal(evaluateHealth(f, between).health, v.health);
      }),
    );
  });
});

describe("KPI targets", () => {
  test("targets are parsed with their parameters", () => {
    assert.deepEqual(parseTarget("< 45 days"), { op: "<", value: 45, unit: "day" });
    assert.deepEqual(parseTarget(">= 4.5/5"), { op: ">=", value: 4.5, unit: "/5" });
    assert.deepEqual(parseTarget("<= {{target_days}} days", { target_days: 60 }), { op: "<=", value: 60, unit: "day" });
    assert.equal(parseTarget("soon"), null);
  });

  test("green when met, amber within 10%, red beyond", () => {
    assert.equal(rag("< 45 days", 40), "green");
    assert.equal(rag("< 45 days", 48), "amber");
    assert.equal(rag("< 45 days", 60), "red");
    assert.equal(rag(">= 85%", 80), "amber");
    assert.equal(rag(">= 85%", 70), "red");
    assert.equal(rag(">= 4.5/5", 4.6), "green");
    assert.equal(rag("> 50", 47), "amber");
    assert.equal(rag("= 100%", 100), "green");
    assert.equal(rag("< 45 days", null), null);
  });
});
