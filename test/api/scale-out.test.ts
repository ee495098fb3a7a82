// Scale-out on one PostgreSQL database, as an operator runs it: three `onboard serve` processes
// (one API-only, two with the scheduler and the outbox) and an `onboard worker`, 1,200 commands
// driven through all three APIs while the processes with background loops are killed (kill -9) and
// restarted at random. Afterwards: every acknowledged command is in the log exactly once (retries
// carry their Idempotency-Key to another server), every due timer fired exactly once, every
// outbox effect and webhook message was delivered, every webhook message reached its receiver
// under its id (at least once: the receiver deduplicates on it), and the audit trail verifies.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { verifyAudit } from "../../src/store/audit.ts";
import { openDatabase } from "../../src/store/database.ts";
import { type ServeProcess, startOnboard } from "../cli/support/serve-process.ts";
import { POSTGRES_ADMIN_URL } from "../store/support/backends.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, testBackends } from "./support/http.ts";

const postgres = (await testBackends()).find((b) => b.name === "postgres");
const PROJECTS = 30;
const COMMANDS_PER_PROJECT = 40; // the start, one deadline, 38 health changes: 1,200 in all

// The minimal fixture with a first step due 15 seconds after the start; each project moves that
// deadline a little later (extend_deadline, to 16-24 s after its start), and the scheduler must
// fire the moved one exactly once. The extension lands within a second or two of the start (the
// test says how soon), well before the first deadline; deadlines this near may fire while the
// commands are still being driven (that project's next command meets a 412 and decides again),
// and the test waits seconds for the last of them, not the minute and more of a 1-minute deadline.
const FIRST_DEADLINE_S = 15;
const PLAYBOOK = readFileSync(new URL("../fixtures/minimal.yaml", import.meta.url), "utf8")
  .replace("id: minimal", "id: scale_out")
  .replace("due: 24h after start", `due: ${FIRST_DEADLINE_S / 60} minutes after start`)
  // Every deadline that fires also queues an effect (a notification) for the outbox.
  .replace("    when: event.days_overdue > 2\n", "");

const dir = mkdtempSync(join(tmpdir(), "onboard-scale-"));
const processes = new Set<ServeProcess>();
after(async () => {
  // A failed assertion must not leave servers running (the test process would never end).
  await Promise.all([...processes].map((p) => p.kill()));
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("several processes on one PostgreSQL database", { skip: postgres?.skip ?? "no PostgreSQL backend" }, () => {
  test("1,200 commands through three APIs while workers are killed and restarted: nothing lost, nothing twice", {
    timeout: 600_000,
  }, async (t) => {
    const name = `onboard_scale_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = POSTGRES_ADMIN_URL.replace(/\/postgres$/, `/${name}`);
    const received = new Map<string, number>();
    const receiver = createServer((request, response) => {
      const id = String(request.headers["webhook-id"] ?? "");
      received.set(id, (received.get(id) ?? 0) + 1);
      request.resume();
      request.on("end", () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const env = {
      DATABASE_URL: url,
      ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
      ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOGIN_RATE_LIMIT: "10000",
      LOGIN_ACCOUNT_LIMIT: "10000",
      MAIL_DIR: join(dir, "mail"),
      SHUTDOWN_TIMEOUT_SECONDS: "10",
    };
    const start = async (kind: "api" | "full" | "worker") => {
      const started = await startOnboard(
        kind === "worker" ? "worker" : "serve",
        kind === "api" ? { ...env, SCHEDULER: "off", OUTBOX: "off" } : env,
      );
      processes.add(started);
      return started;
    };
    try {
      // The first process migrates and publishes; the others start together on the migrated database.
      const apiOnly = await start("api");
      const [fullA, fullB, worker] = await Promise.all([start("full"), start("full"), start("worker")]);
      // Slots: what the chaos loop kills and restarts. The API-only server stays up throughout.
      const slots: { kind: "full" | "worker"; process: ServeProcess; alive: boolean }[] = [
        { kind: "full", process: fullA, alive: true },
        { kind: "full", process: fullB, alive: true },
        { kind: "worker", process: worker, alive: true },
      ];
      const apis = () => [apiOnly, ...slots.filter((s) => s.alive && s.kind === "full").map((s) => s.process)].map((p) => p.url);

      const login = await fetch(`${apiOnly.url}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
      });
      assert.equal(login.status, 200);
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = login.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      let retries = 0;
      /** One request, retried with the same Idempotency-Key on another server while servers die. */
      const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
        for (let attempt = 1; ; attempt++) {
          const live = apis();
          const base = live[Math.floor(Math.random() * live.length)];
          try {
            const response = await fetch(`${base}${path}`, {
              method,
              headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken, ...headers },
              body: JSON.stringify(body),
            });
            const text = await response.text();
            if (response.status < 500) return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
            if (attempt > 20) throw new Error(`${method} ${path}: ${response.status} ${text}`);
          } catch (error) {
            if (attempt > 20) throw error;
          }
          retries++;
          await sleep(100);
        }
      };

      const published = await send("POST", "/playbooks", { source: PLAYBOOK, file: "scale-out.yaml" });
      assert.equal(published.status, 201, JSON.stringify(published.body));
      const subscription = await send("POST", "/webhook-subscriptions", {
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        eventTypes: ["project.started", "step.overdue"],
        allowPrivateNetwork: true,
      });
      assert.equal(subscription.status, 201, JSON.stringify(subscription.body));
      assert.equal((await send("POST", "/clients", { id: "acme", name: "Acme", timeZone: "UTC" })).status, 201);

      // The chaos: every 1-3 s one of the live processes with background loops is killed; it is
      // restarted at once, in the background (a start takes seconds, meanwhile others may die too).
      let chaosOn = true;
      let kills = 0;
      const restarts: Promise<void>[] = [];
      const chaos = (async () => {
        while (chaosOn) {
          await sleep(1_000 + Math.random() * 2_000);
          const alive = slots.filter((s) => s.alive);
          const slot = alive[Math.floor(Math.random() * alive.length)];
          if (!chaosOn || !slot) continue;
          slot.alive = false;
          await slot.process.kill();
          processes.delete(slot.process);
          kills++;
          restarts.push(
            start(slot.kind).then((process) => {
              slot.process = process;
              slot.alive = true;
            }),
          );
        }
        await Promise.all(restarts);
      })();

      const acknowledged: string[] = [];
      const deadlines = new Map<string, string>();
      const drive = async (p: number) => {
        const projectId = `p-${p}`;
        const command = async (version: number, body: unknown, key: string) => {
          for (let expected = version; ; ) {
            const response = await send("POST", `/projects/${projectId}/commands`, body, {
              "if-match": `"${expected}"`,
              "idempotency-key": key,
            });
            // The scheduler moved the project on meanwhile (a deadline fired): decide again on its version, as a client would.
            if (response.status === 412 && typeof response.body.currentVersion === "number") {
              expected = response.body.currentVersion;
              continue;
            }
            assert.equal(response.status, 200, `${key}: ${JSON.stringify(response.body)}`);
            acknowledged.push(key);
            return response.body.version as number;
          }
        };
        const created = await send(
          "POST",
          "/projects",
          { id: projectId, playbook: { id: "scale_out", version: "1.1" }, clientId: "acme", facts: { user_count: 10 } },
          { "idempotency-key": `start-${projectId}` },
        );
        assert.equal(created.status, 201, JSON.stringify(created.body));
        let version = created.body.project.version as number;
        const until = new Date(Date.now() + (FIRST_DEADLINE_S + 1) * 1000 + Math.random() * 8_000).toISOString();
        deadlines.set(projectId, until);
        version = await command(
          version,
          { type: "extend_deadline", step: "handoff", until, reason: "scale-out test" },
          `deadline-${projectId}`,
        );
        for (let i = 0; i < COMMANDS_PER_PROJECT - 2; i++) {
          const key = `health-${projectId}-${i}`;
          version = await command(version, { type: "set_health", health: i % 2 === 0 ? "amber" : "green", reason: key }, key);
        }
      };
      const database = await openDatabase({ kind: "postgres", url }, { migrate: false });
      const fired = async () => {
        const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM events WHERE type = 'step.overdue'`.execute(database.db);
        return Number(rows[0]?.n);
      };
      try {
        // The chaos goes on until every deadline has fired: timers fire while schedulers die too.
        try {
          await Promise.all(Array.from({ length: PROJECTS }, (_, p) => drive(p)));
          const until = Date.now() + 180_000;
          while ((await fired()) < PROJECTS && Date.now() < until) await sleep(500);
        } finally {
          chaosOn = false;
          await chaos;
        }
        assert.ok(kills >= 3, `only ${kills} kills`);

        // Every deadline has passed and been fired, and every delivery has gone, once the workers caught up.
        // A delivery cut short by a kill is taken over when its lease runs out: two minutes after a
        // webhook's claim, a minute after an outbox claim's last renewal (its live dispatcher renews
        // it every 20 s). The test does not wait that out on the wall clock: it runs the clock out
        // for the claims no live process can hold any more, a webhook claim over 15 s old (a live
        // server's post to the local receiver takes milliseconds) and an outbox claim unrenewed for
        // over 30 s (or a retry due within 30 s), and a live dispatcher takes them over as it would
        // a minute or two later: a new claim (one attempt more), posted again.
        const endOrphanedLeases = async () => {
          await sql`UPDATE webhook_messages SET lease_until = now(), next_attempt_at = now()
            WHERE status = 'pending' AND lease_until > now() AND lease_until < now() + interval '105 seconds'`.execute(database.db);
          await sql`UPDATE outbox SET next_attempt_at = now()
            WHERE status = 'pending' AND attempts > 0 AND next_attempt_at > now() AND next_attempt_at < now() + interval '30 seconds'`.execute(
            database.db,
          );
        };
        const pending = async () => {
          const { rows } = await sql<{ overdue: string; outbox: string; webhooks: string }>`
            SELECT (SELECT count(*) FROM events WHERE type = 'step.overdue')::text AS overdue,
                   (SELECT count(*) FROM outbox WHERE status <> 'delivered')::text AS outbox,
                   (SELECT count(*) FROM webhook_messages WHERE status <> 'delivered')::text AS webhooks`.execute(database.db);
          return { deadlines: PROJECTS - Number(rows[0]?.overdue), outbox: Number(rows[0]?.outbox), webhooks: Number(rows[0]?.webhooks) };
        };
        const waitUntil = Date.now() + 200_000;
        let left = await pending();
        while ((left.deadlines > 0 || left.outbox > 0 || left.webhooks > 0) && Date.now() < waitUntil) {
          await endOrphanedLeases();
          await sleep(500);
          left = await pending();
        }
        assert.deepEqual(left, { deadlines: 0, outbox: 0, webhooks: 0 }, "still to fire or deliver after 200 s");

        // Every acknowledged command exactly once.
        const { rows: healthEvents } = await sql<{ reason: string; n: string }>`
          SELECT payload->>'reason' AS reason, count(*)::text AS n FROM events WHERE payload->>'reason' LIKE 'health-%' GROUP BY 1`.execute(
          database.db,
        );
        const byReason = new Map(healthEvents.map((r) => [r.reason, Number(r.n)]));
        const healthKeys = acknowledged.filter((k) => k.startsWith("health-"));
        assert.equal(healthKeys.length, PROJECTS * (COMMANDS_PER_PROJECT - 2));
        for (const key of healthKeys) assert.equal(byReason.get(key), 1, `${key} is in the log ${byReason.get(key) ?? 0} times`);
        const { rows: projects } = await sql<{ id: string }>`SELECT id FROM projects ORDER BY id`.execute(database.db);
        assert.equal(projects.length, PROJECTS);

        // Every due timer fired exactly once, at its deadline or after it.
        const { rows: overdue } = await sql<{ project_id: string; n: string; due: string }>`
          SELECT project_id, count(*)::text AS n, min(payload->>'dueAt') AS due FROM events
          WHERE type = 'step.overdue' AND payload->>'step' = 'handoff' GROUP BY project_id`.execute(database.db);
        assert.equal(overdue.length, PROJECTS, "every project's deadline fired");
        for (const row of overdue) {
          assert.equal(row.n, "1", `${row.project_id}'s deadline fired ${row.n} times`);
          assert.equal(Date.parse(row.due), Date.parse(deadlines.get(row.project_id) ?? ""));
        }

        // Every outbox effect delivered; every webhook message reached the receiver under its id.
        const { rows: outbox } = await sql<{
          status: string;
          n: string;
        }>`SELECT status, count(*)::text AS n FROM outbox GROUP BY status`.execute(database.db);
        assert.deepEqual(
          outbox.filter((r) => r.status !== "delivered"),
          [],
        );
        const effects = outbox.reduce((n, r) => n + Number(r.n), 0);
        assert.ok(effects >= PROJECTS, `${effects} outbox effects: every deadline queues one`);
        const { rows: messages } = await sql<{ id: string; status: string; attempts: number }>`
          SELECT id, status, attempts FROM webhook_messages`.execute(database.db);
        assert.equal(messages.length, PROJECTS * 2, "project.started and step.overdue for every project");
        for (const message of messages) {
          const posts = received.get(message.id) ?? 0;
          assert.equal(message.status, "delivered");
          assert.ok(posts >= 1, `webhook message ${message.id} never reached the receiver`);
          // A message is posted again only under a new claim, after the lease of a killed server's
          // claim ran out: never twice under one claim, never by two live servers.
          assert.ok(posts <= message.attempts, `webhook message ${message.id} was posted ${posts} times in ${message.attempts} claims`);
        }
        const duplicates = [...received.values()].reduce((n, times) => n + times - 1, 0);

        const { rows: types } = await sql<{ type: string; n: string }>`
          SELECT type, count(*)::text AS n FROM events WHERE project_id = 'p-0' GROUP BY type ORDER BY type`.execute(database.db);
        t.diagnostic(`p-0's events: ${types.map((row) => `${row.type} ${row.n}`).join(", ")}`);
        // How soon a server's command reached a worker's dispatcher (NOTIFY; the poll is the fallback), for the record.
        const { rows: latency } = await sql<{ p50: number | null; p90: number | null }>`
          SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90 FROM (
            SELECT extract(epoch FROM min(a.at) - m.created_at) * 1000 AS ms FROM webhook_messages m JOIN webhook_attempts a ON a.message_id = m.id
            WHERE m.event_type = 'project.started' GROUP BY m.id, m.created_at) t`.execute(database.db);
        t.diagnostic(
          `command to first webhook post: p50 ${Math.round(latency[0]?.p50 ?? -1)} ms, p90 ${Math.round(latency[0]?.p90 ?? -1)} ms`,
        );
        // The premise of the deadlines: each extension moved a deadline that had not fired yet.
        const { rows: extended } = await sql<{ ms: number | null }>`
          SELECT max(extract(epoch FROM e.at - s.at) * 1000)::float8 AS ms FROM events e
          JOIN events s ON s.project_id = e.project_id AND s.type = 'project.started' WHERE e.type = 'deadline.extended'`.execute(
          database.db,
        );
        const extendedMs = Math.round(Number(extended[0]?.ms ?? Number.NaN));
        t.diagnostic(`the deadlines were extended at most ${extendedMs} ms after their project's start`);
        assert.ok(extendedMs < FIRST_DEADLINE_S * 1000, `an extension came ${extendedMs} ms after the start, past the first deadline`);
        const audit = await verifyAudit(database);
        assert.equal(audit.intact, true);
        t.diagnostic(
          `${acknowledged.length + PROJECTS} commands, ${kills} kills, ${retries} retried requests, ${outbox.map((r) => `${r.n} outbox effects ${r.status}`).join(", ")}, ${messages.length} webhook messages, ${duplicates} posted twice`,
        );
      } finally {
        await database.close();
      }
      await Promise.all([apiOnly, ...slots.map((s) => s.process)].map((p) => p.stop()));
    } finally {
      await Promise.all([...processes].map((p) => p.kill()));
      receiver.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
