// GET /metrics over real HTTP on both backends, its text read by an independent parser of the
// Prometheus format (parse-prometheus-text-format): request durations by route pattern, commands
// and events, outbox depth and age, scheduler lag, delivery outcomes, the connection pool and the
// process metrics; and who may read it (METRICS_TOKEN, else loopback callers without a proxy).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { edited } from "../support/fixtures.ts";
import { type Caller, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS } from "./support/world.ts";

const BACKENDS = await testBackends();
const TOKEN = "metrics-token-0123456789abcdef";

const ASSIGNED = edited([
  [["id"], "assigned"],
  [["roles", "csm", "assignment"], { strategies: ["least_loaded"] }],
]);

type Families = ReturnType<typeof parsePrometheusTextFormat>;

/**
 * The parser folds a histogram's series into one (it drops their labels), so each histogram's
 * `_count` lines are parsed again on their own: one labelled sample per series.
 */
function parseExposition(text: string): Families {
  const families = parsePrometheusTextFormat(text);
  const counts = families
    .filter((f) => f.type === "HISTOGRAM")
    .flatMap((f) =>
      parsePrometheusTextFormat(
        `${text
          .split("\n")
          .filter((line) => line.startsWith(`${f.name}_count`))
          .join("\n")}\n`,
      ),
    );
  return [...families, ...counts];
}

async function scrape(caller: Caller, headers: Record<string, string> = {}): Promise<Families> {
  const response = await caller.get("/metrics", headers);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(response.body as string);
}

function family(families: Families, name: string) {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `${name} is exposed`);
  return found;
}

/** The value of the sample of `name` whose labels include `labels`. */
function value(families: Families, name: string, labels: Record<string, string> = {}): number | undefined {
  const sample = family(families, name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample === undefined ? undefined : Number(sample.value ?? sample.count);
}

function isProblem(response: { status: number; headers: Headers; body: { type?: string } }, status: number, type: string) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(response.body.type, `urn:onboard:problem:${type}`);
}

for (const backend of BACKENDS) {
  describe(`metrics (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;

    before(async () => {
      t = await startTestServer(backend);
      assert.equal((await t.admin.post("/playbooks", { source: ASSIGNED, file: "assigned.yaml" })).status, 201);
      assert.equal((await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "UTC", country: "US" })).status, 201);
    });
    after(() => t?.close());

    test("requests are counted by route pattern, method and status class, never by raw URL", async () => {
      await t.anonymous.get("/health/live");
      await t.admin.get("/projects/no-such-project");
      await t.admin.get("/projects/another-missing-one");
      await t.anonymous.get("/not/a/route/at/all");
      const families = await scrape(t.anonymous);
      assert.equal(family(families, "onboard_http_request_duration_seconds").type, "HISTOGRAM");
      const http = family(families, "onboard_http_request_duration_seconds_count");
      const routes = new Set(http.metrics.map((m) => m.labels?.route));
      assert.ok(routes.has("/health/live"));
      assert.ok(routes.has("/projects/:id"));
      assert.ok(routes.has("unmatched"));
      assert.ok(![...routes].some((r) => r?.includes("no-such-project") || r?.startsWith("/not/")), [...routes].join(", "));
      assert.equal(value(families, "onboard_http_request_duration_seconds_count", { route: "/projects/:id", status_class: "4xx" }), 2);
      assert.equal(
        value(families, "onboard_http_request_duration_seconds_count", { route: "/health/live", method: "GET", status_class: "2xx" }),
        1,
      );
      // The process's own metrics (prom-client's defaults) are there too.
      assert.ok(Number(value(families, "onboard_process_cpu_user_seconds_total")) > 0);
      assert.ok(family(families, "onboard_nodejs_eventloop_lag_seconds"));
    });

    test("commands and events are counted; the outbox's depth and the age of its oldest due message are read at scrape", async () => {
      const before = await scrape(t.anonymous);
      const started = await t.admin.post("/projects", {
        id: "counted",
        playbook: { id: "assigned", version: "1.1" },
        clientId: "initech",
        facts: FACTS,
      });
      assert.equal(started.status, 201);
      // The outbox is off in test servers: the effect waits; let it age a little.
      await delay(1_100);
      const families = await scrape(t.anonymous);
      assert.equal(
        Number(value(families, "onboard_commands_total", { command: "start" })),
        1 + (value(before, "onboard_commands_total", { command: "start" }) ?? 0),
      );
      assert.equal(value(families, "onboard_events_total", { command: "start" }), started.body.events.length);
      assert.equal(value(families, "onboard_outbox_pending", { kind: "assignment_needed" }), 1);
      assert.ok(Number(value(families, "onboard_outbox_oldest_due_age_seconds", { kind: "assignment_needed" })) >= 1);
      assert.equal(value(families, "onboard_webhook_messages_pending"), 0);

      const refused = await t.admin.post("/projects/counted/commands", { type: "complete_step", step: "nope" }, { "if-match": '"1"' });
      assert.ok(refused.status >= 400);
      const after = await scrape(t.anonymous);
      assert.equal(
        value(after, "onboard_commands_total", { command: "start" }),
        value(families, "onboard_commands_total", { command: "start" }),
      );
    });

    test("the scheduler's lag is how long the most overdue project has waited", async () => {
      const past = new Date(Date.now() - 120_000).toISOString();
      await t.server.database.db.updateTable("projects").set({ next_wake_at: past }).where("id", "=", "counted").execute();
      await delay(1_100);
      const families = await scrape(t.anonymous);
      const lag = Number(value(families, "onboard_scheduler_lag_seconds"));
      assert.ok(lag >= 120 && lag < 3600, String(lag));
      assert.equal(family(families, "onboard_scheduler_tick_lag_seconds").type, "HISTOGRAM");
      await t.server.database.db.updateTable("projects").set({ next_wake_at: null }).where("id", "=", "counted").execute();
    });

    test("the connection pool: PostgreSQL's use, PGlite's single connection", async () => {
      const families = await scrape(t.anonymous);
      const states = Object.fromEntries(family(families, "onboard_db_connections").metrics.map((m) => [m.labels?.state, Number(m.value)]));
      if (backend.name === "pglite") assert.deepEqual(states, { max: 1 });
      else {
        assert.equal(states.max, 30);
        assert.ok(Number(states.in_use) >= 0 && Number(states.idle) >= 0 && states.waiting === 0, JSON.stringify(states));
        assert.ok(Number(states.in_use) + Number(states.idle) <= 30);
      }
    });

    test("without METRICS_TOKEN: loopback callers only, and none a proxy forwarded", async () => {
      isProblem(await t.anonymous.get("/metrics", { "x-forwarded-for": "203.0.113.9" }), 403, "forbidden");
      isProblem(await t.anonymous.get("/metrics", { forwarded: "for=203.0.113.9" }), 403, "forbidden");
    });
  });

  describe(`delivery outcomes, and access with METRICS_TOKEN or behind a proxy (${backend.name})`, { skip: backend.skip }, () => {
    let withToken: TestServer;
    let behindProxy: TestServer;
    // A webhook subscriber that always fails.
    const failing = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(500).end());
    });
    before(async () => {
      await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
      withToken = await startTestServer(backend, { METRICS_TOKEN: TOKEN, OUTBOX: "on" });
      behindProxy = await startTestServer(backend, { TRUST_PROXY: "on" });
    });
    after(async () => {
      failing.close();
      await withToken?.close();
      await behindProxy?.close();
    });

    test("outbox deliveries are counted by kind and outcome, outbound webhook failures too", async () => {
      const t = withToken;
      const auth = { authorization: `Bearer ${TOKEN}` };
      assert.equal((await t.admin.post("/playbooks", { source: ASSIGNED, file: "assigned.yaml" })).status, 201);
      assert.equal((await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "UTC" })).status, 201);
      const subscribed = await t.admin.post("/webhook-subscriptions", {
        url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hook`,
        eventTypes: ["project.started"],
        allowPrivateNetwork: true,
      });
      assert.equal(subscribed.status, 201);
      const started = await t.admin.post("/projects", {
        id: "delivered",
        playbook: { id: "assigned", version: "1.1" },
        clientId: "initech",
        facts: FACTS,
      });
      assert.equal(started.status, 201);
      let families: Families = [];
      for (let i = 0; i < 100; i++) {
        families = await scrape(t.anonymous, auth);
        const delivered = value(families, "onboard_outbox_deliveries_total", { kind: "assignment_needed", outcome: "delivered" });
        const failed = value(families, "onboard_webhook_deliveries_total", { outcome: "retried" });
        if (delivered !== undefined && failed !== undefined) break;
        await delay(100);
      }
      assert.equal(value(families, "onboard_outbox_deliveries_total", { kind: "assignment_needed", outcome: "delivered" }), 1);
      assert.equal(value(families, "onboard_webhook_deliveries_total", { outcome: "retried" }), 1, "the failed attempt, to be retried");
      assert.equal(value(families, "onboard_webhook_messages_pending"), 1);
    });

    test("METRICS_TOKEN: a bearer token is asked for (401 without or wrong), from anywhere", async () => {
      const missing = await withToken.anonymous.get("/metrics");
      isProblem(missing, 401, "unauthenticated");
      assert.match(missing.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.match(missing.body.detail, /METRICS_TOKEN/);
      isProblem(await withToken.anonymous.get("/metrics", { authorization: `Bearer ${TOKEN}x` }), 401, "unauthenticated");
      isProblem(await withToken.anonymous.get("/metrics", { authorization: "Bearer short" }), 401, "unauthenticated");
      // An account's session is not the token.
      isProblem(await withToken.admin.get("/metrics"), 401, "unauthenticated");
      const families = await scrape(withToken.anonymous, { authorization: `Bearer ${TOKEN}`, "x-forwarded-for": "203.0.113.9" });
      assert.ok(family(families, "onboard_commands_total"));
    });

    test("TRUST_PROXY=on without METRICS_TOKEN: refused even from loopback (every caller would look local)", async () => {
      const refused = await behindProxy.anonymous.get("/metrics");
      isProblem(refused, 403, "forbidden");
      assert.match(refused.body.detail, /METRICS_TOKEN/);
    });
  });
}
