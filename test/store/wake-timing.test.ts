// The scheduler wakes a project for what issue 15 item 7 added: an open on-demand step's own
// deadline (it kept no wake-up before), and a step's soft target (step.target_missed). Through the
// store's command path and runDueTicks, on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ProjectService } from "../../src/store/project-service.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import { edited } from "../support/fixtures.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { CSM, hoursAfter, startInput, T0 } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
// Straight to UAT: no handoff or kickoff before it, no phase deadline, and a target on the fix.
const TEXT = edited([
  [["phases", 0, "steps", 0, "due"], undefined],
  [["phases", 1, "steps", 1, "after"], []],
  [["phases", 1, "steps", 1, "due"], undefined],
  [["phases", 1, "window"], undefined],
  [["phases", 1, "steps", 2, "target"], "4h"],
]);

for (const backend of BACKENDS) {
  describe(`wake-ups for on-demand deadlines and targets on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    before(async () => {
      fresh = await backend.fresh();
      service = new ProjectService(fresh.database);
    });
    after(() => fresh?.dispose());

    test("an opened on-demand step's target and deadline are when the project wakes; the ticks raise them", async () => {
      const playbook = await service.publishPlaybook(TEXT, { file: "timing.yaml", now: T0 });
      await service.startProject({ playbook, input: startInput("w-1"), now: T0 });
      const run = (command: Parameters<ProjectService["runCommand"]>[1]["command"], actor = CSM, now = hoursAfter(1)) =>
        service.runCommand("w-1", { command, actor, now });
      await run({ type: "submit_form", step: "uat", values: { failed_scenarios: 3 } });
      await run({ type: "complete_step", step: "uat" });
      const opened = await service.getProject("w-1");
      const fix = opened.state.steps.fix_uat;
      assert.equal(fix?.status, "open");
      assert.ok(fix?.dueAt && fix.targetAt);
      assert.equal(fix.targetAt, hoursAfter(5));
      // The handoff (no deadline) and the kickoff call wait; the fix's target is what comes first.
      assert.equal(opened.nextWakeAt, hoursAfter(5));

      const missed = await runDueTicks(fresh.database, hoursAfter(5));
      assert.equal(missed.changed, 1);
      const events = (await service.listEvents("w-1")).map((e) => e.event.type);
      assert.ok(events.includes("step.target_missed"));
      const next = await service.getProject("w-1");
      assert.ok(next.nextWakeAt !== undefined && next.nextWakeAt <= fix.dueAt, `then the reminder or the deadline (${next.nextWakeAt})`);

      await runDueTicks(fresh.database, fix.dueAt);
      const late = (await service.listEvents("w-1")).map((e) => e.event);
      assert.ok(late.some((e) => e.type === "step.overdue" && e.step === "fix_uat"));
    });
  });
}
