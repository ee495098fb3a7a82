// The forward plan (issue 14 item 7): forecast dates of every remaining step and of go-live,
// re-planned from now on the client's business calendar, with the critical path. Property-based
// over the built-in SOP-CS-001 run to a random day with a team that is sometimes slow.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isWorkingTime } from "../../src/engine/calendar/business-calendar.ts";
import { type Forecast, forecast, forecastMoves } from "../../src/engine/forecast.ts";
import { execute } from "../../src/engine/index.ts";
import { simulate } from "../../src/engine/simulate.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import type { PlaybookModel } from "../../src/playbook/model.ts";
import { MANAGER } from "../support/engine.ts";

const START = "2026-01-05T15:00:00.000Z"; // Monday 10:00 in New York
const DAY = 86_400_000;
const FACTS = { user_count: 150, soc2_required: true, data_migration_applicable: true };

async function model(name: string): Promise<PlaybookModel> {
  const loaded = await loadPlaybookFile(new URL(`../../playbooks/${name}.yaml`, import.meta.url));
  assert.ok(loaded.model, name);
  return loaded.model;
}

function runTo(m: PlaybookModel, days: number, slow: number) {
  return simulate(m, {
    start: START,
    maxDays: days,
    input: { projectId: "sim", client: { id: "c1", name: "Globex", timeZone: "America/New_York", country: "US" }, facts: FACTS },
    // A slow team: every step takes `slow` days more than two.
    ...(slow > 0 ? { workDays: () => 2 + slow } : {}),
  });
}

function checkInvariants(f: Forecast, deps: ReadonlyMap<string, readonly string[]>, now: string) {
  const byStep = new Map(f.steps.map((s) => [s.step, s]));
  for (const s of f.steps) {
    assert.ok(s.finishAt >= s.startAt, `${s.step} finishes after it starts`);
    if (!s.remaining) continue;
    assert.ok(s.finishAt >= now, `${s.step}: a remaining step is never forecast in the past (${s.finishAt} < ${now})`);
    if (!s.late && s.startAt > now) {
      for (const dep of deps.get(s.step) ?? []) {
        const d = byStep.get(dep);
        if (d) assert.ok(s.startAt >= d.finishAt, `${s.step} opens after ${dep} finishes`);
      }
    }
  }
  if (f.goLiveStep !== null && byStep.get(f.goLiveStep)?.remaining) {
    assert.ok(f.goLiveAt !== null && f.goLiveAt >= now, "go-live is forecast from now");
    assert.equal(f.criticalPath.at(-1), f.goLiveStep, "the critical path ends at go-live");
  }
  for (let i = 1; i < f.criticalPath.length; i++)
    assert.equal(
      byStep.get(f.criticalPath[i] as string)?.drivenBy,
      f.criticalPath[i - 1],
      "each critical step is driven by the one before",
    );
  for (const id of f.criticalPath) assert.equal(byStep.get(id)?.critical, true);
}

describe("forecast", async () => {
  const m = await model("sop-cs-001");

  test("a fresh project: every step has a date, go-live is forecast, the critical path ends at go-live", () => {
    const r = runTo(m, 0, 0);
    const f = forecast(r.ctx, r.state, START);
    assert.ok(f.steps.length > 10);
    assert.ok(f.steps.every((s) => s.finishAt !== undefined));
    assert.ok(f.goLiveAt !== null && f.goLiveAt > START, `go-live forecast ${f.goLiveAt}`);
    assert.ok(f.criticalPath.length >= 3, f.criticalPath.join(" → "));
    checkInvariants(f, r.ctx.dependencies, START);
  });

  test("a late project: remaining steps are re-planned from today, on working time, never in the past", () => {
    const r = runTo(m, 30, 6);
    const now = new Date(Date.parse(START) + 30 * DAY + 3 * 3_600_000).toISOString();
    const f = forecast(r.ctx, r.state, now);
    assert.ok(
      f.steps.some((s) => s.late),
      "the slow team made something late",
    );
    checkInvariants(f, r.ctx.dependencies, now);
    for (const s of f.steps.filter((x) => x.remaining && !x.late && x.startAt > now))
      assert.ok(isWorkingTime(r.ctx.calendar, new Date(s.startAt)) || s.drivenBy !== null, `${s.step} opens on working time`);
  });

  test("property: for any day and pace, the invariants hold", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 23 }), (days, slow, hour) => {
        const r = runTo(m, days, slow);
        const now = new Date(Date.parse(START) + days * DAY + hour * 3_600_000).toISOString();
        checkInvariants(forecast(r.ctx, r.state, now), r.ctx.dependencies, now);
      }),
      { numRuns: 25 },
    );
  });

  test("property: extending an open step's deadline moves nothing earlier, and what moves is reported", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 20 }), (days, extra) => {
        const r = runTo(m, days, 0);
        if (r.state.status !== "active") return;
        const now = new Date(Date.parse(START) + days * DAY + 5 * 3_600_000).toISOString();
        const open = Object.values(r.state.steps).find((s) => (s.status === "open" || s.status === "in_progress") && s.dueAt !== undefined);
        if (!open?.dueAt) return;
        const until = new Date(Math.max(Date.parse(open.dueAt), Date.parse(now)) + extra * DAY).toISOString();
        const before = forecast(r.ctx, r.state, now);
        const after = forecast(
          r.ctx,
          execute(r.ctx, r.state, { type: "extend_deadline", step: open.id, until, reason: "test" }, MANAGER, now).state,
          now,
        );
        const was = new Map(before.steps.map((s) => [s.step, s.finishAt]));
        // Known exception: a step whose deadline counts from the extended one ("24 hours after X") can
        // get its own deadline back (before, it had passed before the step could open, and the forecast
        // gave it a business day from opening instead): it may then finish earlier.
        const anchored = (id: string) => {
          const due = r.ctx.model.order.find((e) => e.step.id === id)?.step.due;
          return due !== undefined && JSON.stringify(due).includes(`"${open.id}"`);
        };
        for (const s of after.steps)
          if (s.remaining && !anchored(s.step)) assert.ok(s.finishAt >= (was.get(s.step) ?? ""), `${s.step} did not move earlier`);
        const moves = forecastMoves(before, after);
        // A step already late is re-planned from now, so its forecast may stay put: then it stops being late.
        const wasLate = before.steps.find((s) => s.step === open.id)?.late === true;
        const isLate = after.steps.find((s) => s.step === open.id)?.late === true;
        assert.ok(
          moves.steps.some((x) => x.step === open.id) || (wasLate && !isLate),
          "the extended step itself moves, or is no longer late",
        );
        if (before.goLiveAt && after.goLiveAt) assert.ok(after.goLiveAt >= before.goLiveAt);
      }),
      { numRuns: 20 },
    );
  });
});
