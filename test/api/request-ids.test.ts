// Request ids over real HTTP on both backends: every response says its id (the caller's
// X-Request-Id when well-formed, else a new one), every request log line carries it as reqId, and
// a command's id travels with what it queued: the outbox row, the log line of its delivery, and
// the X-Request-Id header of the outbound webhook its event caused.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { edited } from "../support/fixtures.ts";
import { startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The minimal playbook with a CSM assigned from the directory: with nobody in it, a start queues assignment_needed. */
const ASSIGNED = edited([
  [["id"], "assigned"],
  [["roles", "csm", "assignment"], { strategies: ["least_loaded"] }],
]);

/** Wait (bounded) until `found` returns something. */
async function eventually<T>(found: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = found();
    if (value !== undefined) return value;
    await delay(50);
  }
  throw new Error(`not within 10 s: ${what}`);
}

for (const backend of BACKENDS) {
  describe(`request ids (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    const lines: Record<string, unknown>[] = [];
    const hooks: IncomingHttpHeaders[] = [];
    const receiver = createServer((req, res) => {
      hooks.push(req.headers);
      req.resume();
      req.on("end", () => res.writeHead(204).end());
    });

    before(async () => {
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      t = await startTestServer(
        backend,
        { OUTBOX: "on", LOG_LEVEL: "info" },
        { logStream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
      );
      assert.equal((await t.admin.post("/playbooks", { source: ASSIGNED, file: "assigned.yaml" })).status, 201);
      assert.equal((await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "UTC", country: "US" })).status, 201);
    });
    after(async () => {
      receiver.close();
      await t?.close();
    });

    test("a well-formed X-Request-Id is kept and echoed; anything else is replaced by a new id", async () => {
      const kept = await t.anonymous.get("/health/live", { "x-request-id": "lb-7f3a:0001" });
      assert.equal(kept.headers.get("x-request-id"), "lb-7f3a:0001");
      const generated = await t.anonymous.get("/health/live");
      assert.match(generated.headers.get("x-request-id") ?? "", UUID);
      for (const bad of ["has space", "a".repeat(129), "-leading-dash", 'quote"d']) {
        const replaced = await t.anonymous.get("/health/live", { "x-request-id": bad });
        assert.match(replaced.headers.get("x-request-id") ?? "", UUID, bad);
      }
      const problem = await t.anonymous.get("/no/such/route", { "x-request-id": "trace-404" });
      assert.equal(problem.headers.get("x-request-id"), "trace-404");
      assert.equal(problem.body.requestId, "trace-404", "the problem document names it too");
      const logged = lines.filter((l) => l.reqId === "lb-7f3a:0001").map((l) => l.msg);
      assert.deepEqual(logged, ["incoming request", "request completed"], "every request line carries reqId");
    });

    test("a command's request id goes with its outbox row into the delivery's log line and its webhook's header", async () => {
      const subscribed = await t.admin.post("/webhook-subscriptions", {
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        eventTypes: ["project.started"],
        allowPrivateNetwork: true,
      });
      assert.equal(subscribed.status, 201, JSON.stringify(subscribed.body));
      const requestId = `start-${backend.name}-42`;
      const started = await t.admin.post(
        "/projects",
        { id: "traced", playbook: { id: "assigned", version: "1.1" }, clientId: "initech", facts: FACTS },
        { "x-request-id": requestId },
      );
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.headers.get("x-request-id"), requestId);

      const rows = await t.server.database.db
        .selectFrom("outbox")
        .select(["kind", "request_id"])
        .where("project_id", "=", "traced")
        .execute();
      assert.deepEqual(rows, [{ kind: "assignment_needed", request_id: requestId }]);

      const delivery = await eventually(
        () => lines.find((l) => typeof l.msg === "string" && l.msg.startsWith("outbox delivery") && l.projectId === "traced"),
        "the delivery's log line",
      );
      assert.equal(delivery.reqId, requestId);
      assert.equal(delivery.kind, "assignment_needed");
      assert.equal(delivery.outcome, "delivered");

      const hook = await eventually(() => hooks.find((h) => h["x-request-id"] !== undefined), "the webhook");
      assert.equal(hook["x-request-id"], requestId);
    });

    test("what no request queued (the scheduler, a CRM reconciliation) carries no request id, even while requests run", async () => {
      const [, direct] = await Promise.all([
        t.admin.get("/projects", { "x-request-id": "concurrent-read" }),
        t.server.deps.service.startProject({
          playbook: { id: "assigned", version: "1.1" },
          input: { projectId: "untraced", client: { id: "initech", name: "Initech", timeZone: "UTC" }, facts: FACTS },
          now: new Date(),
        }),
      ]);
      assert.equal(direct.effects.length, 1);
      const rows = await t.server.database.db.selectFrom("outbox").select("request_id").where("project_id", "=", "untraced").execute();
      assert.deepEqual(rows, [{ request_id: null }]);
    });
  });
}
