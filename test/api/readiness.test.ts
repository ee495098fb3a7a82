// GET /health/ready on both backends: ready when the database answers at this Onboard's migration
// and the scheduler keeps up; 503 problem+json naming the reason when migrations are behind, when
// the database has one this Onboard does not know, or when due projects wait past
// READY_MAX_SCHEDULER_LAG on a node that runs the scheduler (an API-only node does not care).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadMigrations } from "../../src/store/index.ts";
import { edited } from "../support/fixtures.ts";
import { type Json, type Response, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const LATEST = (await loadMigrations()).at(-1);
assert.ok(LATEST);

const WAKING = edited([[["id"], "waking"]]);

function notReady(response: Response<Json>, reason: string, detail: RegExp) {
  assert.equal(response.status, 503, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(response.body.type, "urn:onboard:problem:unavailable");
  assert.equal(response.body.reason, reason);
  assert.match(response.body.detail, detail);
}

for (const backend of BACKENDS) {
  describe(`readiness (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    test("a database with a migration this Onboard does not know: 503 unknown_migration", async () => {
      await t.server.database.db
        .insertInto("schema_migrations")
        .values({ version: 9999, name: "from_the_future", checksum: "0".repeat(64) })
        .execute();
      notReady(await t.anonymous.get("/health/ready"), "unknown_migration", /migration 9999.*upgrade Onboard/);
      await t.server.database.db.deleteFrom("schema_migrations").where("version", "=", 9999).execute();
    });

    test("a database behind this Onboard's migrations: 503 migrations_pending, ready again once applied", async () => {
      const row = await t.server.database.db
        .selectFrom("schema_migrations")
        .selectAll()
        .where("version", "=", LATEST.version)
        .executeTakeFirstOrThrow();
      await t.server.database.db.deleteFrom("schema_migrations").where("version", "=", LATEST.version).execute();
      notReady(
        await t.anonymous.get("/health/ready"),
        "migrations_pending",
        new RegExp(`lacks 1 migration\\(s\\).*\\(${LATEST.version}\\)`),
      );
      await t.server.database.db.insertInto("schema_migrations").values(row).execute();
      const ready = await t.anonymous.get("/health/ready");
      assert.equal(ready.status, 200, JSON.stringify(ready.body));
      assert.deepEqual(ready.body, { status: "ready", database: backend.name === "pglite" ? "pglite" : "postgres" });
    });
  });

  describe(`readiness and the scheduler's lag (${backend.name})`, { skip: backend.skip }, () => {
    let scheduling: TestServer;
    let apiOnly: TestServer;
    before(async () => {
      scheduling = await startTestServer(backend, { SCHEDULER: "on", READY_MAX_SCHEDULER_LAG: "60" });
      apiOnly = await startTestServer(backend, { SCHEDULER: "off", READY_MAX_SCHEDULER_LAG: "60" });
    });
    after(async () => {
      await scheduling?.close();
      await apiOnly?.close();
    });

    test("due projects waiting past READY_MAX_SCHEDULER_LAG: 503 scheduler_lag where the scheduler runs, ready on an API-only node", async () => {
      // A scheduler that stopped ticking (stopped here by hand), and a project due 2 minutes ago.
      await scheduling.server.background.scheduler?.stop();
      for (const t of [scheduling, apiOnly]) {
        assert.equal((await t.admin.post("/playbooks", { source: WAKING, file: "waking.yaml" })).status, 201);
        assert.equal((await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "UTC" })).status, 201);
        const started = await t.admin.post("/projects", {
          id: "late",
          playbook: { id: "waking", version: "1.1" },
          clientId: "initech",
          facts: FACTS,
        });
        assert.equal(started.status, 201, JSON.stringify(started.body));
        assert.equal((await t.anonymous.get("/health/ready")).status, 200, "nothing overdue yet");
        const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
        await t.server.database.db.updateTable("projects").set({ next_wake_at: twoMinutesAgo }).where("id", "=", "late").execute();
      }
      notReady(
        await scheduling.anonymous.get("/health/ready"),
        "scheduler_lag",
        /scheduler is 1[2-9]\d s behind \(READY_MAX_SCHEDULER_LAG is 60 s\)/,
      );
      assert.equal((await apiOnly.anonymous.get("/health/ready")).status, 200, "an API-only node does not tick");
    });
  });
}
