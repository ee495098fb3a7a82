// A phase may have no window (the procedure gives none): its steps get no phase deadline, and a
// project on such a playbook still runs to completion.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { modelOf, person, Run } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";

const START = "2026-03-06T15:00:00.000Z";
const FAITHFUL = readFileSync(new URL("../fixtures/faithful.yaml", import.meta.url), "utf8");

describe("phases without a window", () => {
  test("a step without due: is due at its phase's window end, and has no deadline when the phase has no window", () => {
    // migrate is the first step of "Implementation" (Days 11-45) once kickoff is done; open it by making it first.
    const withWindow = edited([
      [["phases", 1, "steps", 0, "due"], undefined],
      [["phases", 1, "steps", 0, "after"], []],
    ]);
    const windowed = new Run(modelOf(withWindow), START, { facts: { data_migration: true } });
    assert.equal(windowed.state.steps.migrate?.status, "open");
    assert.ok(windowed.state.steps.migrate?.dueAt, "the phase window gives a deadline");

    const without = edited([[["phases", 1, "window"], undefined]], withWindow);
    const run = new Run(modelOf(without), START, { facts: { data_migration: true } });
    assert.equal(run.state.steps.migrate?.status, "open");
    assert.equal(run.state.steps.migrate?.dueAt, undefined);
  });

  test("a faithful playbook without windows, results or KPIs runs to completion", () => {
    const ops = person("ops");
    const run = new Run(modelOf(FAITHFUL), START);
    assert.equal(run.state.steps.collect_forms?.status, "open");
    assert.equal(run.state.steps.collect_forms?.dueAt, undefined);
    run.send({ type: "complete_step", step: "collect_forms" }, ops, "2026-03-06T16:00:00.000Z");
    run.send({ type: "complete_step", step: "open_account" }, ops, "2026-03-06T17:00:00.000Z");
    assert.equal(run.state.status, "closed");
  });
});
