// What comes after an onboarding closes (issue 22, item 10): a cadence agreed for the steady state
// goes on until its own end, and surveys "N days after completion" go out. The scheduler claimed
// only active projects, so neither ever came. Through the store and runDueTicks, on both backends.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ProjectService } from "../../src/store/project-service.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import { modelOf } from "../support/engine.ts";
import { edited } from "../support/fixtures.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { CSM, hoursAfter, startInput, T0 } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const DAY = 86_400_000;
const daysAfter = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY).toISOString();

// The minimal procedure cut to one step (go-live), with a monthly check-in that continues for 90
// days after completion.
const TEXT = edited([
  [
    ["phases"],
    [
      {
        id: "live",
        title: "Go live",
        steps: [{ id: "go_live", title: "Go live", owner: "csm", go_live: true, completes_project: true, expected_result: "Live." }],
      },
    ],
  ],
  [["kpis"], []],
  [
    ["cadences"],
    [
      {
        id: "steady_check_in",
        title: "Steady-state check-in",
        owner: "csm",
        kind: "task",
        every: "30 days",
        from: "0 days after completion",
        until: "90 days after completion",
        after_close: "continue",
        expected_result: "The client's health is reviewed.",
      },
    ],
  ],
]);

test("a cadence that continues after closing needs its own end, and cannot belong to a phase", () => {
  assert.throws(
    () => modelOf(edited([[["cadences", 0, "until"], undefined]], TEXT)),
    /continues after the project closes, so it needs its own end/,
  );
});

for (const backend of BACKENDS) {
  describe(`after the project closes on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    before(async () => {
      fresh = await backend.fresh();
      service = new ProjectService(fresh.database);
    });
    after(() => fresh?.dispose());

    test("the steady-state cadence occurs every 30 days until its end, on a closed project", async () => {
      const playbook = await service.publishPlaybook(TEXT, { file: "steady.yaml", now: T0 });
      await service.startProject({ playbook, input: startInput("s-1"), now: T0 });
      const done = hoursAfter(2);
      await service.runCommand("s-1", { command: { type: "complete_step", step: "go_live" }, actor: CSM, now: done });
      const closed = await service.getProject("s-1");
      assert.equal(closed.state.status, "closed");
      // 30 days later on the client's calendar (Berlin: the clocks change in between, the local time stays).
      const first = closed.nextWakeAt;
      assert.ok(
        first !== undefined && Math.abs(Date.parse(first) - Date.parse(daysAfter(done, 30))) <= 3_600_000,
        `wakes for its cadence: ${first}`,
      );

      const woke: string[] = [];
      for (let round = 0; round < 5; round++) {
        const wake = (await service.getProject("s-1")).nextWakeAt;
        if (wake === undefined) break;
        woke.push(wake);
        await runDueTicks(fresh.database, wake);
      }
      const events = (await service.listEvents("s-1")).map((e) => e.event);
      const occurred = events.filter((e) => e.type === "cadence.occurred");
      assert.equal(occurred.length, 3, `check-ins at 30, 60 and 90 days, the last on the day it ends (woke at ${woke.join(", ")})`);
      assert.deepEqual(
        occurred.map((e) => e.at),
        woke.slice(0, 3),
      );
      assert.ok(events.some((e) => e.type === "cadence.ended"));
      const last = await service.getProject("s-1");
      assert.equal(last.nextWakeAt, undefined);
      const checkIns = Object.values(last.state.tasks).filter((t) => t.source === "cadence steady_check_in");
      assert.equal(checkIns.length, 3);
      // Each check-in is done by its owner, though the project is closed.
      const [checkIn] = checkIns;
      assert.ok(checkIn);
      await service.runCommand("s-1", { command: { type: "complete_task", task: checkIn.id }, actor: CSM, now: woke[2] ?? done });
      assert.ok((await service.getProject("s-1")).state.tasks[checkIn.id]?.doneAt);
    });
  });
}
