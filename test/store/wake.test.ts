// Wake-ups across processes: work queued by one process wakes the others' loops through
// LISTEN/NOTIFY on a shared PostgreSQL database, a burst is coalesced, a process ignores its own
// notifications, and a lost LISTEN connection is re-established (waking every loop once, for what
// was missed meanwhile). Where the database is one process's, only local loops wake.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Database } from "../../src/store/database.ts";
import { parseWorkPayload, WORK_CHANNEL, type WorkKind, WorkSignal } from "../../src/store/wake.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";

const BACKENDS = await testBackends({ embedded: true });

function counter() {
  const woken: WorkKind[] = [];
  const wakers = {
    outbox: () => void woken.push("outbox"),
    webhooks: () => void woken.push("webhooks"),
    scheduler: () => void woken.push("scheduler"),
  };
  return { woken, wakers };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("payloads name their sender and the loops with work; unknown kinds are ignored", () => {
  assert.deepEqual(parseWorkPayload("abc:outbox,webhooks"), { sender: "abc", kinds: ["outbox", "webhooks"] });
  assert.deepEqual(parseWorkPayload("abc:outbox,nonsense"), { sender: "abc", kinds: ["outbox"] });
  assert.deepEqual(parseWorkPayload("garbage"), { sender: "garbage", kinds: [] });
});

for (const backend of BACKENDS) {
  describe(`wake-ups on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    before(async () => {
      fresh = await backend.fresh();
    });
    after(async () => {
      await fresh?.dispose();
    });

    test("queued work wakes this process's loops at once", async () => {
      const here = counter();
      const signal = new WorkSignal(fresh.database, here.wakers);
      // Only a database several processes share has other processes to tell.
      assert.equal(signal.crossProcess, fresh.database.capabilities.sharedByProcesses);
      signal.queued(["outbox", "scheduler"]);
      assert.deepEqual(here.woken, ["outbox", "scheduler"]);
      await signal.stop();
    });

    if (backend.name !== "postgres") return;

    test("another process's loops wake through NOTIFY; its own notifications do not wake a process twice", async () => {
      const another = (await fresh.openAnother?.()) as Database;
      const a = counter();
      const b = counter();
      const signalA = new WorkSignal(fresh.database, a.wakers);
      const signalB = new WorkSignal(another, b.wakers);
      assert.equal(signalA.crossProcess, true);
      signalA.start();
      signalB.start();
      // Each wakes every loop once when it starts listening (what was missed before).
      await eventually(() => a.woken.length === 3 && b.woken.length === 3, "both listening");
      a.woken.length = 0;
      b.woken.length = 0;
      signalA.queued(["webhooks"]);
      await eventually(() => b.woken.includes("webhooks"), "B woken by A's NOTIFY");
      // A's own notification came back to its listener too, and was ignored.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(a.woken, ["webhooks"]);
      assert.deepEqual(b.woken, ["webhooks"]);

      // A burst costs a few notifications, not one each, and wakes every kind it named.
      b.woken.length = 0;
      for (let i = 0; i < 50; i++) signalA.queued(i % 2 === 0 ? ["outbox"] : ["scheduler"]);
      await eventually(() => b.woken.includes("outbox") && b.woken.includes("scheduler"), "B woken for the burst");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(b.woken.length < 20, `a burst of 50 woke B ${b.woken.length} times`);

      // B's LISTEN connection is killed (a server restart, a proxy timeout): it listens again.
      b.woken.length = 0;
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE ${`LISTEN%${WORK_CHANNEL}%`}`.execute(
        fresh.database.db,
      );
      await eventually(() => b.woken.length >= 3, "B listening again (and looking once at every loop)");
      b.woken.length = 0;
      signalA.queued(["outbox"]);
      await eventually(() => b.woken.includes("outbox"), "B woken after reconnecting");
      await signalA.stop();
      await signalB.stop();
      await another.close();
    });
  });
}
