// `onboard worker --metrics-port`: a worker has no API, but its operator scrapes its metrics (its
// deliveries are counted there, nowhere else) and probes its health, under the same rules as a
// server's: METRICS_TOKEN, or loopback callers only.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import pg from "pg";
import { type ServeProcess, startOnboard } from "../cli/support/serve-process.ts";
import { POSTGRES_ADMIN_URL } from "../store/support/backends.ts";
import { testBackends } from "./support/http.ts";

const postgres = (await testBackends()).find((b) => b.name === "postgres");
const started: ServeProcess[] = [];
after(async () => {
  await Promise.all(started.map((p) => p.kill()));
});

describe("a worker's metrics and health probes", { skip: postgres?.skip ?? "no PostgreSQL backend" }, () => {
  test("GET /metrics and the probes answer on --metrics-port, with the servers' access rules; nothing else does", async () => {
    const name = `onboard_worker_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const env = { DATABASE_URL: POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`), METRICS_TOKEN: "a-scrape-token-for-the-tests" };
      const worker = await startOnboard("worker", env, 120_000, ["--metrics-port", "0"]);
      started.push(worker);
      assert.match(worker.url, /^http:\/\/127\.0\.0\.1:\d+$/);

      const refused = await fetch(`${worker.url}/metrics`);
      assert.equal(refused.status, 401);
      const scraped = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${env.METRICS_TOKEN}` } });
      assert.equal(scraped.status, 200);
      assert.match(scraped.headers.get("content-type") ?? "", /^text\/plain/);
      const text = await scraped.text();
      assert.match(text, /^# TYPE onboard_\w+ /m);
      assert.match(text, /onboard_scheduler_lag_seconds/);

      assert.equal((await fetch(`${worker.url}/health/live`)).status, 200);
      const ready = await fetch(`${worker.url}/health/ready`);
      assert.equal(ready.status, 200, await ready.text());

      const api = await fetch(`${worker.url}/projects`);
      assert.equal(api.status, 404);
      assert.match(((await api.json()) as { detail: string }).detail, /a worker answers only GET/);
      assert.equal(await worker.stop(), 0);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
