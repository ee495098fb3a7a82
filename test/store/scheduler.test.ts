// The scheduler: due projects get the engine's tick through the command path, each timer fires
// once even with several workers, a worker that dies mid-batch loses nothing, one broken project
// does not hold up the others, and the long-running Scheduler stops gracefully. Time is injected.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Database } from "../../src/store/database.ts";
import { listOutbox } from "../../src/store/outbox.ts";
import type { PublishedPlaybook } from "../../src/store/playbooks.ts";
import type { ProjectService } from "../../src/store/project-service.ts";
import { runDueTicks, Scheduler, type TickResult } from "../../src/store/scheduler.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { tamper } from "./support/tamper.ts";
import { hoursAfter, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });

// The minimal playbook's handoff is due 24 h after the start; its reminder is due 12 h after it.
const REMINDER_DUE = hoursAfter(12);
const AFTER_REMINDER = hoursAfter(13);

async function typeCounts(database: Database, type: string, prefix: string): Promise<Map<string, number>> {
  const rows = await database.db
    .selectFrom("events")
    .select(["project_id", (eb) => eb.fn.countAll<number>().as("n")])
    .where("type", "=", type)
    .where("project_id", "like", `${prefix}%`)
    .groupBy("project_id")
    .execute();
  return new Map(rows.map((r) => [r.project_id, Number(r.n)]));
}

async function startMany(service: ProjectService, playbook: PublishedPlaybook, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, "0")}`);
  for (const id of ids) await service.startProject({ playbook, input: startInput(id), now: T0 });
  return ids;
}

for (const backend of BACKENDS) {
  describe(`scheduler on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    let playbook: PublishedPlaybook;
    before(async () => {
      fresh = await backend.fresh();
      ({ service, playbook } = await withMinimal(fresh.database));
    });
    after(() => fresh?.dispose());

    test("due projects are ticked through the command path, once per due time", async () => {
      const ids = await startMany(service, playbook, "s1-", 3);
      assert.equal((await service.getProject("s1-00")).nextWakeAt, REMINDER_DUE);
      assert.equal((await runDueTicks(fresh.database, hoursAfter(11))).claimed, 0, "nothing is due yet");

      const first = await runDueTicks(fresh.database, AFTER_REMINDER);
      assert.deepEqual(
        { claimed: first.claimed, changed: first.changed, failed: first.failed, stalled: first.stalled },
        { claimed: 3, changed: 3, failed: [], stalled: [] },
      );
      for (const id of ids) {
        const project = await service.getProject(id);
        assert.equal(project.nextWakeAt, hoursAfter(24), "next: the handoff's deadline");
        const events = await service.listEvents(id);
        assert.equal(events.at(-1)?.event.type, "step.reminded");
        assert.equal(events.length, project.version);
        const outbox = await listOutbox(fresh.database.db, { projectId: id });
        assert.deepEqual(
          outbox.map((o) => o.effect.kind),
          ["remind"],
        );
      }
      assert.equal((await runDueTicks(fresh.database, AFTER_REMINDER)).claimed, 0, "the same instant again: nothing is due");
      const overdue = await runDueTicks(fresh.database, hoursAfter(25));
      assert.equal(overdue.claimed, 3);
      assert.deepEqual([...(await typeCounts(fresh.database, "step.overdue", "s1-")).values()], [1, 1, 1]);
    });

    test("3 concurrent workers fire every due timer exactly once", async () => {
      const ids = await startMany(service, playbook, "s2-", 30);
      const handles = fresh.openAnother
        ? [fresh.database, await fresh.openAnother(), await fresh.openAnother()]
        : [fresh.database, fresh.database, fresh.database];
      const worker = async (database: Database) => {
        const rounds: TickResult[] = [];
        for (;;) {
          const result = await runDueTicks(database, AFTER_REMINDER, { batchSize: 4 });
          rounds.push(result);
          if (result.claimed === 0) return rounds;
        }
      };
      const rounds = (await Promise.all(handles.map(worker))).flat();
      assert.equal(
        rounds.reduce((n, r) => n + r.claimed, 0),
        ids.length,
        "each project claimed by exactly one worker",
      );
      const reminded = await typeCounts(fresh.database, "step.reminded", "s2-");
      assert.deepEqual(
        ids.map((id) => reminded.get(id) ?? 0),
        ids.map(() => 1),
      );
      const remindEffects = (await listOutbox(fresh.database.db)).filter((o) => o.projectId?.startsWith("s2-"));
      assert.equal(remindEffects.length, ids.length);
    });

    test("a worker that dies mid-batch loses nothing: its claims roll back and stay due", async () => {
      const ids = await startMany(service, playbook, "s3-", 6);
      const due = () =>
        fresh.database.db
          .selectFrom("projects")
          .select("id")
          .where("id", "like", "s3-%")
          .where("next_wake_at", "<=", new Date(AFTER_REMINDER))
          .execute();
      let skippedMeanwhile: TickResult | undefined;
      await assert.rejects(
        fresh.database.db.transaction().execute(async (trx) => {
          // The dying worker claims three projects and starts on them...
          const claimed = await trx
            .selectFrom("projects")
            .selectAll()
            .where("id", "in", ids.slice(0, 3))
            .forUpdate()
            .skipLocked()
            .execute();
          assert.equal(claimed.length, 3);
          await sql`UPDATE projects SET next_wake_at = NULL WHERE id IN (${sql.join(ids.slice(0, 3))})`.execute(trx);
          // ... while another worker (another connection) skips them and takes the rest.
          if (fresh.openAnother) skippedMeanwhile = await runDueTicks(await fresh.openAnother(), AFTER_REMINDER);
          throw new Error("killed");
        }),
        /killed/,
      );
      if (skippedMeanwhile) assert.equal(skippedMeanwhile.claimed, 3, "the locked three were skipped, not waited for");
      assert.deepEqual((await due()).map((r) => r.id).sort(), fresh.openAnother ? ids.slice(0, 3) : ids);
      await runDueTicks(fresh.database, AFTER_REMINDER);
      assert.deepEqual(await due(), []);
      const reminded = await typeCounts(fresh.database, "step.reminded", "s3-");
      assert.deepEqual(
        ids.map((id) => reminded.get(id)),
        ids.map(() => 1),
      );
    });

    test("a project whose tick fails is set aside; the rest of the batch commits", async () => {
      const ids = await startMany(service, playbook, "s4-", 3);
      // Break one project's audit trail: the command path refuses to append to it.
      const broken = ids[1] ?? "";
      const { version } = await service.getProject(broken);
      await tamper(fresh.database.db, sql`DELETE FROM events WHERE project_id = ${broken} AND seq = ${version}`);
      const result = await runDueTicks(fresh.database, AFTER_REMINDER, { retryDelayMs: 3_600_000 });
      assert.equal(result.claimed, 3);
      assert.equal(result.changed, 2);
      assert.deepEqual(
        result.failed.map((f) => f.projectId),
        [broken],
      );
      assert.equal((await service.getProject(broken)).nextWakeAt, hoursAfter(14), "looked at again after the retry delay");
      const reminded = await typeCounts(fresh.database, "step.reminded", "s4-");
      assert.deepEqual(
        ids.map((id) => reminded.get(id) ?? 0),
        [1, 0, 1],
      );
    });

    test("the Scheduler polls with the injected clock and stops gracefully", async () => {
      const ids = await startMany(service, playbook, "s5-", 5);
      const rounds: TickResult[] = [];
      let sleeps = 0;
      let idle: () => void = () => {};
      const sawIdle = new Promise<void>((resolve) => {
        idle = resolve;
      });
      const stopped = new Promise<void>((resolve) => {
        const scheduler = new Scheduler(fresh.database, {
          batchSize: 2,
          intervalMs: 60_000,
          clock: () => AFTER_REMINDER,
          // Never waits on real time: the first idle sleep tells the test, then waits for stop().
          sleep: (_ms, signal) => {
            sleeps++;
            idle();
            return new Promise((done) => signal.addEventListener("abort", () => done(), { once: true }));
          },
          on: { round: (r) => rounds.push(r), stopped: resolve },
        });
        scheduler.start();
        void sawIdle.then(async () => {
          assert.equal(scheduler.running, true);
          await scheduler.stop();
          assert.equal(scheduler.running, false);
        });
      });
      await stopped;
      assert.equal(sleeps, 1, "full batches go again at once; it slept only when idle");
      assert.deepEqual(
        rounds.map((r) => r.claimed),
        [2, 2, 1],
      );
      const reminded = await typeCounts(fresh.database, "step.reminded", "s5-");
      assert.deepEqual(
        ids.map((id) => reminded.get(id)),
        ids.map(() => 1),
      );
    });
  });
}
