// The outbox: effects written with their events are delivered at least once; a failing handler is
// retried with exponential backoff and jitter and then delivered; attempts run out into "failed";
// an unknown kind is a recorded failure; every attempt is logged; concurrent dispatchers deliver
// each effect once; a dispatcher that dies mid-delivery loses nothing. Time and jitter are injected.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Effect } from "../../src/engine/types.ts";
import type { Database } from "../../src/store/database.ts";
import {
  backoffDelay,
  type Delivery,
  type DispatchResult,
  dispatchOutbox,
  enqueueEffects,
  listOutbox,
  OutboxDispatcher,
} from "../../src/store/outbox.ts";
import type { ProjectService } from "../../src/store/project-service.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { hoursAfter, OPS, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const BACKOFF = { baseMs: 60_000, maxMs: 3_600_000 };
const HALF = () => 0.5;

function secondsAfter(at: string, seconds: number): string {
  return new Date(Date.parse(at) + seconds * 1000).toISOString();
}

/** Effects on project `projectId` (created with the minimal playbook), queued at `at`. */
async function queue(database: Database, projectId: string, effects: readonly Effect[], at: string, version = 1000): Promise<void> {
  await database.db.transaction().execute((trx) => enqueueEffects(trx, projectId, version, 1, effects, at));
}

async function deliveries(database: Database, key: string) {
  return database.db
    .selectFrom("deliveries")
    .innerJoin("outbox", "outbox.id", "deliveries.outbox_id")
    .select(["deliveries.attempt", "deliveries.outcome", "deliveries.error", "deliveries.finished_at"])
    .where("outbox.delivery_key", "=", key)
    .orderBy("deliveries.attempt")
    .execute();
}

describe("backoff", () => {
  test("doubles per attempt, is capped, and jitters within the upper half", () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(n, BACKOFF, HALF)),
      [45_000, 90_000, 180_000, 360_000],
    );
    assert.equal(backoffDelay(20, BACKOFF, HALF), 2_700_000);
    assert.equal(
      backoffDelay(1, BACKOFF, () => 0),
      30_000,
    );
    assert.equal(
      backoffDelay(1, BACKOFF, () => 0.999999),
      60_000,
    );
  });
});

for (const backend of BACKENDS) {
  describe(`outbox on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let commands: ProjectService;
    before(async () => {
      fresh = await backend.fresh();
      const { service, playbook } = await withMinimal(fresh.database);
      for (const id of ["o-1", "o-2", "o-3", "o-4", "o-5", "o-6", "o-7", "o-8", "o-9"])
        await service.startProject({ playbook, input: startInput(id), now: T0 });
      commands = service;
    });
    after(() => fresh?.dispose());

    test("a failing handler is retried with backoff, then delivered; every attempt is logged", async () => {
      // A real effect: the scheduler's reminder for o-1's handoff.
      await fresh.database.db.updateTable("projects").set({ next_wake_at: null }).where("id", "!=", "o-1").execute();
      await runDueTicks(fresh.database, hoursAfter(13));
      const [entry] = await listOutbox(fresh.database.db, { projectId: "o-1" });
      assert.equal(entry?.effect.kind, "remind");
      const seen: Delivery[] = [];
      const handlers = {
        remind: async (_effect: Extract<Effect, { kind: "remind" }>, delivery: Delivery) => {
          seen.push(delivery);
          if (delivery.attempt < 3) throw new Error(`mail server said 451 (attempt ${delivery.attempt})`);
        },
      };
      const t1 = hoursAfter(13);
      const options = { handlers, backoff: BACKOFF, random: HALF };
      assert.deepEqual(await dispatchOutbox(fresh.database, t1, options), { claimed: 1, delivered: 0, retried: 1, failed: 0 });
      assert.equal((await listOutbox(fresh.database.db, { projectId: "o-1" }))[0]?.nextAttemptAt, secondsAfter(t1, 45));
      assert.equal((await dispatchOutbox(fresh.database, secondsAfter(t1, 44), options)).claimed, 0, "not before its backoff");
      assert.deepEqual(await dispatchOutbox(fresh.database, secondsAfter(t1, 45), options), {
        claimed: 1,
        delivered: 0,
        retried: 1,
        failed: 0,
      });
      assert.equal((await listOutbox(fresh.database.db, { projectId: "o-1" }))[0]?.nextAttemptAt, secondsAfter(t1, 135), "doubled");
      assert.deepEqual(await dispatchOutbox(fresh.database, secondsAfter(t1, 135), options), {
        claimed: 1,
        delivered: 1,
        retried: 0,
        failed: 0,
      });
      assert.equal((await dispatchOutbox(fresh.database, hoursAfter(20), options)).claimed, 0, "delivered: never again");

      const [done] = await listOutbox(fresh.database.db, { projectId: "o-1" });
      assert.equal(done?.status, "delivered");
      assert.equal(done?.attempts, 3);
      assert.equal(done?.deliveredAt, secondsAfter(t1, 135));
      assert.deepEqual(
        seen.map((d) => [d.attempt, d.key, d.projectId]),
        [1, 2, 3].map((n) => [n, entry?.key, "o-1"]),
      );
      const log = await deliveries(fresh.database, entry?.key ?? "");
      assert.deepEqual(
        log.map((d) => [d.attempt, d.outcome, d.error]),
        [
          [1, "failed", "Error: mail server said 451 (attempt 1)"],
          [2, "failed", "Error: mail server said 451 (attempt 2)"],
          [3, "delivered", null],
        ],
      );
    });

    test("attempts run out into failed; an unknown kind is a recorded failure", async () => {
      await queue(fresh.database, "o-2", [{ kind: "send_invite", meeting: "kickoff" }], T0);
      const options = { handlers: {}, maxAttempts: 2, backoff: BACKOFF, random: HALF };
      assert.deepEqual(await dispatchOutbox(fresh.database, T0, options), { claimed: 1, delivered: 0, retried: 1, failed: 0 });
      assert.deepEqual(await dispatchOutbox(fresh.database, hoursAfter(1), options), { claimed: 1, delivered: 0, retried: 0, failed: 1 });
      assert.equal((await dispatchOutbox(fresh.database, hoursAfter(100), options)).claimed, 0);
      const [entry] = await listOutbox(fresh.database.db, { projectId: "o-2" });
      assert.equal(entry?.status, "failed");
      assert.match(entry?.lastError ?? "", /no handler for effects of kind "send_invite"/);
      assert.deepEqual(
        (await deliveries(fresh.database, entry?.key ?? "")).map((d) => d.outcome),
        ["failed", "failed"],
      );
    });

    test("a dispatcher that dies mid-delivery loses nothing: the lease expires and the effect is delivered", async () => {
      await queue(fresh.database, "o-3", [{ kind: "escalate", to: "cs_lead", reason: "late" }], T0);
      // The claim a dispatcher makes (one attempt, a 5-minute lease), then it is killed.
      await sql`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ${hoursAfter(0.5)} WHERE project_id = 'o-3'`.execute(
        fresh.database.db,
      );
      const calls: number[] = [];
      const options = { handlers: { escalate: async (_e: unknown, d: Delivery) => void calls.push(d.attempt) }, leaseMs: 30 * 60_000 };
      assert.equal((await dispatchOutbox(fresh.database, hoursAfter(0.4), options)).claimed, 0, "still leased");
      assert.deepEqual(await dispatchOutbox(fresh.database, hoursAfter(0.5), options), { claimed: 1, delivered: 1, retried: 0, failed: 0 });
      assert.deepEqual(calls, [2]);
    });

    test("concurrent dispatchers deliver each effect exactly once", async () => {
      const effects: Effect[] = Array.from({ length: 20 }, (_, i) => ({ kind: "notify", to: ["csm"], message: `m${i}`, channel: "email" }));
      await queue(fresh.database, "o-4", effects, hoursAfter(2));
      const calls = new Map<string, number>();
      const handlers = {
        notify: async (_e: unknown, d: Delivery) => {
          calls.set(d.key, (calls.get(d.key) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
        },
      };
      const handles = fresh.openAnother
        ? [fresh.database, await fresh.openAnother(), await fresh.openAnother()]
        : [fresh.database, fresh.database, fresh.database];
      const drain = async (database: Database) => {
        let total = 0;
        for (;;) {
          const r = await dispatchOutbox(database, hoursAfter(2), { handlers, batchSize: 3 });
          total += r.delivered;
          if (r.claimed === 0) return total;
        }
      };
      const delivered = (await Promise.all(handles.map(drain))).reduce((a, b) => a + b, 0);
      assert.equal(delivered, 20);
      assert.equal(calls.size, 20);
      assert.ok([...calls.values()].every((n) => n === 1));
      const entries = await listOutbox(fresh.database.db, { projectId: "o-4" });
      assert.ok(entries.every((e) => e.status === "delivered" && e.attempts === 1));
    });

    test("a live dispatcher's slow delivery keeps its lease: a second dispatcher never takes it over", async () => {
      await queue(fresh.database, "o-8", [{ kind: "escalate", to: "cs_lead", reason: "slow" }], T0);
      const other = fresh.openAnother ? await fresh.openAnother() : fresh.database;
      // Real time here: the heartbeat renews on a timer. The lease is 300 ms, the handler takes
      // five of them, and the other dispatcher asks every 50 ms with the same clock.
      const clock = () => new Date().toISOString();
      const calls: string[] = [];
      const slow = async (_e: unknown, d: Delivery) => {
        calls.push(`slow#${d.attempt}`);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        assert.equal(d.signal.aborted, false, "the lease was renewed, not lost");
      };
      const eager = async (_e: unknown, d: Delivery) => void calls.push(`eager#${d.attempt}`);
      const first = dispatchOutbox(fresh.database, clock(), { handlers: { escalate: slow }, leaseMs: 300, clock });
      // The other dispatcher starts asking once the first holds the lease (on two connections its
      // claim could otherwise win the race to the row before the first has asked at all).
      for (const end = Date.now() + 5_000; calls.length === 0 && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(calls, ["slow#1"], "the first dispatcher claimed the effect");
      let claimedByOther = 0;
      const until = Date.now() + 1_400;
      while (Date.now() < until) {
        claimedByOther += (await dispatchOutbox(other, clock(), { handlers: { escalate: eager }, leaseMs: 300, clock })).claimed;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await first).delivered, 1);
      assert.equal(claimedByOther, 0);
      assert.deepEqual(calls, ["slow#1"]);
      const [entry] = await listOutbox(fresh.database.db, { projectId: "o-8" });
      assert.equal(entry?.status, "delivered");
      assert.equal((await deliveries(fresh.database, entry?.key ?? "")).length, 1);
      if (other !== fresh.database) await other.close();
    });

    test("a delivery whose lease was taken over is told so through its signal", async () => {
      await queue(fresh.database, "o-9", [{ kind: "escalate", to: "cs_lead", reason: "lost" }], T0);
      const clock = () => new Date().toISOString();
      let reason = "";
      const handler = async (_e: unknown, d: Delivery) => {
        // What another dispatcher's claim does to the row once the lease had run out.
        await sql`UPDATE outbox SET attempts = attempts + 1 WHERE project_id = 'o-9'`.execute(fresh.database.db);
        await new Promise<void>((resolve) => d.signal.addEventListener("abort", () => resolve(), { once: true }));
        reason = String((d.signal.reason as Error).message);
      };
      await dispatchOutbox(fresh.database, clock(), { handlers: { escalate: handler }, leaseMs: 150, clock });
      assert.match(reason, /lease was lost/);
      const [entry] = await listOutbox(fresh.database.db, { projectId: "o-9" });
      // The other claim's bookkeeping wins: the row is still pending under its attempt.
      assert.equal(entry?.status, "pending");
      assert.equal(entry?.attempts, 2);
    });

    test("the OutboxDispatcher polls with the injected clock and stops gracefully", async () => {
      await queue(fresh.database, "o-5", [{ kind: "send_survey", survey: "csat", to: ["client_primary"] }], hoursAfter(3));
      const rounds: DispatchResult[] = [];
      const delivered: string[] = [];
      await new Promise<void>((resolve) => {
        const dispatcher = new OutboxDispatcher(fresh.database, {
          handlers: { send_survey: async (e) => void delivered.push(e.survey) },
          clock: () => hoursAfter(3),
          // Idle after the first round: stop (which aborts this sleep at once).
          sleep: (_ms, signal) => {
            void dispatcher.stop();
            return signal.aborted
              ? Promise.resolve()
              : new Promise((done) => signal.addEventListener("abort", () => done(), { once: true }));
          },
          on: { round: (r) => rounds.push(r), stopped: resolve },
        });
        dispatcher.start();
      });
      assert.deepEqual(delivered, ["csat"]);
      assert.equal(rounds[0]?.delivered, 1);
    });

    test("what a command delivers (an email step's mail) is written with it: refused, nothing; accepted, once; a failed write undoes the command", async () => {
      const mail = (subject: string) => ({
        kind: "send_mail" as const,
        to: [{ name: "Dana", address: "dana@globex.example" }],
        subject,
        text: "Hello",
      });
      const rows = async () => (await listOutbox(fresh.database.db, { projectId: "o-7" })).filter((e) => e.effect.kind === "send_mail");
      const version = async () => (await commands.getProject("o-7")).version;
      // Refused (a step that is not open): no mail.
      await assert.rejects(
        commands.runCommand("o-7", {
          command: { type: "complete_step", step: "no_such_step" },
          actor: OPS,
          now: hoursAfter(1),
          deliver: () => ({ key: "o-7#refused", effect: mail("refused") }),
        }),
      );
      assert.deepEqual(await rows(), []);
      // Accepted: the mail is in the outbox under its key, with the command's events.
      const before = await version();
      const accepted = await commands.runCommand("o-7", {
        command: { type: "complete_step", step: "handoff" },
        actor: OPS,
        now: hoursAfter(1),
        idempotencyKey: "o-7-handoff",
        deliver: (result) => ({ key: `o-7@${result.version}#mail`, effect: mail("accepted") }),
      });
      assert.ok(accepted.version > before);
      assert.deepEqual(
        (await rows()).map((r) => [r.key, r.status, (r.effect as { subject: string }).subject]),
        [[`o-7@${accepted.version}#mail`, "pending", "accepted"]],
      );
      // A replay of the same request writes nothing more.
      const replay = await commands.runCommand("o-7", {
        command: { type: "complete_step", step: "handoff" },
        actor: OPS,
        now: hoursAfter(2),
        idempotencyKey: "o-7-handoff",
        deliver: () => ({ key: "o-7#replayed", effect: mail("replayed") }),
      });
      assert.equal(replay.replayed, true);
      assert.equal((await rows()).length, 1);
      // The mail cannot be written (its key is taken): the command is undone with it.
      const at = await version();
      const events = (await commands.listEvents("o-7")).length;
      await assert.rejects(
        commands.runCommand("o-7", {
          command: { type: "hold", reason: "waiting on the client" },
          actor: OPS,
          now: hoursAfter(3),
          deliver: () => ({ key: `o-7@${accepted.version}#mail`, effect: mail("duplicate") }),
        }),
      );
      assert.equal(await version(), at, "the command did not commit");
      assert.equal((await commands.listEvents("o-7")).length, events, "no event was written");
      assert.equal((await rows()).length, 1);
    });

    test("a service tells its listener once what a command queued is committed, and only then", async () => {
      const { ProjectService } = await import("../../src/store/project-service.ts");
      const seen: Promise<unknown>[] = [];
      const key = "o-7#queued-hook";
      const service = new ProjectService(fresh.database, {
        // Looked up when called: the row must already be there for anyone to read.
        queued: () => seen.push(fresh.database.db.selectFrom("outbox").select("id").where("delivery_key", "=", key).executeTakeFirst()),
      });
      const mail = { kind: "send_mail" as const, to: [{ address: "dana@globex.example" }], subject: "Hi", text: "Hello" };
      const request = {
        command: { type: "hold" as const, reason: "waiting on the client" },
        actor: OPS,
        now: hoursAfter(4),
        idempotencyKey: "o-7-hold",
        deliver: () => ({ key, effect: mail }),
      };
      await service.runCommand("o-7", request);
      assert.equal(seen.length, 1, "told once");
      assert.ok(await seen[0], "after the commit: the queued row is visible");
      const replay = await service.runCommand("o-7", request);
      assert.equal(replay.replayed, true);
      assert.equal(seen.length, 1, "a replay queues nothing, tells nothing");
      // A command that queues nothing tells nothing.
      const quiet = await service.runCommand("o-7", {
        command: { type: "resume", reason: "the client answered" },
        actor: OPS,
        now: hoursAfter(5),
      });
      assert.equal(seen.length, quiet.effects.length > 0 ? 2 : 1);
    });

    test("wake() ends the pause: an effect committed while the dispatcher waits goes at once, not at the next poll", async () => {
      const delivered: string[] = [];
      let arrived: () => void = () => undefined;
      const arrival = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const dispatcher = new OutboxDispatcher(fresh.database, {
        handlers: {
          send_survey: async (e) => {
            delivered.push(e.survey);
            arrived();
          },
        },
        clock: () => hoursAfter(4),
        // A pause that only ends when its signal aborts: without wake() nothing more would happen.
        sleep: (_ms, signal) =>
          signal.aborted ? Promise.resolve() : new Promise((done) => signal.addEventListener("abort", () => done(), { once: true })),
      });
      dispatcher.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await queue(fresh.database, "o-6", [{ kind: "send_survey", survey: "nps", to: ["client_primary"] }], hoursAfter(4));
        dispatcher.wake();
        const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5_000).unref());
        assert.notEqual(await Promise.race([arrival, timeout]), "timeout", "the woken dispatcher delivered");
        assert.deepEqual(delivered, ["nps"]);
      } finally {
        await dispatcher.stop();
      }
    });
  });
}
