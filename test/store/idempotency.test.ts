// Idempotency keys with Stripe's semantics: the same key and request replays the stored response
// without running again, the same key with another request is refused, and concurrent duplicates
// do not both run.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { IdempotencyMismatchError, isAppError } from "../../src/store/errors.ts";
import { pruneIdempotencyKeys } from "../../src/store/idempotency.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { CSM, hoursAfter, json, OPS, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });

for (const backend of BACKENDS) {
  describe(`idempotency on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    before(async () => {
      fresh = await backend.fresh();
    });
    after(() => fresh?.dispose());

    const eventCount = async (projectId: string) =>
      Number(
        (
          await fresh.database.db
            .selectFrom("events")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("project_id", "=", projectId)
            .executeTakeFirstOrThrow()
        ).n,
      );

    test("a start retried with the same key and body replays, even with a generated id", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const { projectId: _, ...input } = startInput("unused");
      const first = await service.startProject({ playbook, input, idempotencyKey: "start-1", now: T0 });
      const again = await service.startProject({ playbook, input, idempotencyKey: "start-1", now: hoursAfter(1) });
      assert.equal(first.replayed, false);
      assert.equal(again.replayed, true);
      assert.deepEqual({ ...again, replayed: false }, json(first));
      assert.equal((await service.listProjects({ clientId: input.client.id })).filter((p) => p.id === first.projectId).length, 1);
      assert.equal(await eventCount(first.projectId), first.version);
    });

    test("the same key with a different body is refused and changes nothing", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      await service.startProject({ playbook, input: startInput("p-idem"), idempotencyKey: "start-2", now: T0 });
      await assert.rejects(
        service.startProject({ playbook, input: startInput("p-idem-other"), idempotencyKey: "start-2", now: T0 }),
        (e) => e instanceof IdempotencyMismatchError && e.code === "idempotency_mismatch",
      );
      await assert.rejects(service.getProject("p-idem-other"), (e) => isAppError(e, "not_found"));

      const command = { type: "open_issue", severity: "high", title: "Data import stuck" } as const;
      const ran = await service.runCommand("p-idem", { command, actor: CSM, idempotencyKey: "cmd-1", now: hoursAfter(1) });
      const replay = await service.runCommand("p-idem", { command, actor: CSM, idempotencyKey: "cmd-1", now: hoursAfter(2) });
      assert.equal(replay.replayed, true);
      assert.deepEqual(replay.events, json(ran.events));
      assert.equal(await eventCount("p-idem"), ran.version, "the replay appended nothing");
      await assert.rejects(
        service.runCommand("p-idem", {
          command: { ...command, title: "Another" },
          actor: CSM,
          idempotencyKey: "cmd-1",
          now: hoursAfter(2),
        }),
        (e) => e instanceof IdempotencyMismatchError,
      );
      // Keys are scoped: the start scope's key is free in the command scope and vice versa.
      const scoped = await service.runCommand("p-idem", {
        command: { ...command, title: "Scoped" },
        actor: CSM,
        idempotencyKey: "start-2",
        now: hoursAfter(3),
      });
      assert.equal(scoped.replayed, false);
      assert.equal(await eventCount("p-idem"), scoped.version);
    });

    test("a refused request keeps no key, so the fixed retry runs", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      await service.startProject({ playbook, input: startInput("p-retry"), now: T0 });
      const command = { type: "complete_step", step: "handoff" } as const;
      await assert.rejects(service.runCommand("p-retry", { command, actor: CSM, idempotencyKey: "cmd-retry", now: hoursAfter(1) }), (e) =>
        isAppError(e, "forbidden"),
      );
      const key = await fresh.database.db.selectFrom("idempotency_keys").selectAll().where("key", "=", "cmd-retry").executeTakeFirst();
      assert.equal(key, undefined);
      // Sent again by someone who may (a different body, but nothing was stored under the key).
      const retried = await service.runCommand("p-retry", { command, actor: OPS, idempotencyKey: "cmd-retry", now: hoursAfter(2) });
      assert.equal(retried.replayed, false);
      assert.ok(retried.events.some((e) => e.event.type === "step.completed"));
    });

    test("10 concurrent identical requests run once", async () => {
      const { service, playbook } = await withMinimal(fresh.database);
      const starts = await Promise.all(
        Array.from({ length: 10 }, () =>
          service.startProject({ playbook, input: startInput("p-burst"), idempotencyKey: "burst-start", now: T0 }),
        ),
      );
      assert.equal(starts.filter((r) => !r.replayed).length, 1);
      const start = starts.find((r) => !r.replayed);
      assert.ok(start);
      const command = { type: "open_issue", severity: "critical", title: "Outage" } as const;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          service.runCommand("p-burst", { command, actor: CSM, idempotencyKey: "burst-cmd", now: hoursAfter(1 + i / 10) }),
        ),
      );
      assert.equal(results.filter((r) => !r.replayed).length, 1, "exactly one ran");
      for (const r of results) assert.deepEqual(json(r.events), json(results[0]?.events));
      const project = await service.getProject("p-burst");
      assert.equal(Object.keys(project.state.issues).length, 1);
      assert.equal(await eventCount("p-burst"), project.version);
      assert.equal(project.version, start.version + (results[0]?.events.length ?? 0));
    });

    test("old keys can be pruned", async () => {
      const removed = await pruneIdempotencyKeys(fresh.database.db, hoursAfter(0.5));
      assert.ok(removed >= 3, `removed ${removed}`);
      const left = await fresh.database.db.selectFrom("idempotency_keys").select("created_at").execute();
      assert.ok(left.every((k) => k.created_at.toISOString() >= hoursAfter(0.5)));
    });
  });
}
