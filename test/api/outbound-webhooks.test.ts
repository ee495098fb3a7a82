// Outbound webhooks over real HTTP on both backends: a subscriber on loopback receives Onboard's
// events signed per Standard Webhooks (verified by the `standardwebhooks` package), failures are
// retried on the schedule and logged, a subscription that keeps failing is disabled, and SSRF
// checks keep deliveries out of private networks unless an admin allowed it.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { apiDb } from "../../src/api/data/tables.ts";
import { postWebhook } from "../../src/api/outbound/deliver.ts";
import { dispatchWebhooks, RETRY_SCHEDULE_MS } from "../../src/api/outbound/dispatcher.ts";
import { blockedAddress, checkWebhookUrl } from "../../src/api/outbound/network-guard.ts";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS, MINIMAL, MINIMAL_REF } from "./support/world.ts";

const BACKENDS = await testBackends();

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function receiver(): Promise<{ server: Server; url: string; received: Received[]; status: { value: number } }> {
  const received: Received[] = [];
  const status = { value: 200 };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(status.value).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, status };
}

describe("the SSRF guard", () => {
  test("refuses loopback, private, link-local and reserved addresses, v4 and v6", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:10.0.0.1",
      // IPv4-compatible (::/96), SIIT-translated (::ffff:0:0:0/96), 6to4, Teredo, NAT64, ULA, multicast, documentation.
      "::127.0.0.1",
      "::7f00:1",
      "::ffff:0:7f00:1",
      "2002:7f00:1::1",
      "2002:a00:1::",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2",
      "64:ff9b::7f00:1",
      "fc00::5",
      "ff02::1",
      "2001:db8::1",
      "255.255.255.255",
      "224.0.0.1",
      "192.0.2.7",
    ]) {
      assert.ok(blockedAddress(address), address);
    }
    for (const address of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"]) assert.equal(blockedAddress(address), undefined, address);
  });

  test("checks a URL's shape and literal addresses; an admin may allow private targets", () => {
    assert.match(checkWebhookUrl("ftp://example.com/hook", false) ?? "", /http/);
    assert.match(checkWebhookUrl("https://user:pw@example.com/hook", false) ?? "", /credentials/);
    assert.ok(checkWebhookUrl("http://localhost:8080/hook", false));
    assert.ok(checkWebhookUrl("http://[::1]/hook", false));
    assert.ok(checkWebhookUrl("http://169.254.169.254/latest/meta-data", false));
    assert.equal(checkWebhookUrl("https://hooks.example.com/onboard", false), undefined);
    assert.equal(checkWebhookUrl("http://127.0.0.1:9000/hook", true), undefined);
    // A fully qualified local name, in any case; bare intranet names; addresses spelled otherwise.
    for (const url of [
      "http://localhost./hook",
      "http://LOCALHOST./hook",
      "http://api.localhost./hook",
      "http://intranet/hook",
      "http://printer.home.arpa/",
      "http://2130706433/hook",
      "http://0x7f.1/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://[::127.0.0.1]/hook",
      "http://[2002:7f00:1::1]/hook",
    ])
      assert.ok(checkWebhookUrl(url, false), url);
  });

  test("a name that resolves to loopback is refused at delivery time", async () => {
    const r = await receiver();
    try {
      const port = new URL(r.url).port;
      const refused = await postWebhook(`http://localhost:${port}/hook`, "{}", {}, { allowPrivate: false, timeoutMs: 2000 });
      assert.equal(refused.ok, false);
      assert.match(refused.error ?? "", /refused/);
      assert.equal(r.received.length, 0, "nothing reached the private address");
      const allowed = await postWebhook(`http://localhost:${port}/hook`, "{}", {}, { allowPrivate: true, timeoutMs: 2000 });
      assert.equal(allowed.ok, true);
    } finally {
      r.server.close();
    }
  });

  test("an endpoint that answers a byte at a time is cut off at the timeout, well within the delivery's lease", async () => {
    const drips: NodeJS.Timeout[] = [];
    const server = createNetServer((socket) => {
      socket.on("error", () => {});
      const answer = `HTTP/1.1 200 OK\r\nX-Slow: ${"x".repeat(100)}`;
      let i = 0;
      const drip = setInterval(() => {
        if (socket.destroyed || i >= answer.length) return clearInterval(drip);
        socket.write(answer[i++] ?? "");
      }, 100);
      drips.push(drip);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const outcome = await postWebhook(`http://127.0.0.1:${port}/hook`, "{}", {}, { allowPrivate: true, timeoutMs: 1000 });
      assert.equal(outcome.ok, false);
      assert.match(outcome.error ?? "", /not answered within 1000 ms/);
    } finally {
      for (const drip of drips) clearInterval(drip);
      server.close();
    }
  });
});

for (const backend of BACKENDS) {
  describe(`outbound webhooks (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let r: Awaited<ReturnType<typeof receiver>>;

    before(async () => {
      t = await startTestServer(backend);
      r = await receiver();
      assert.equal((await t.admin.post("/playbooks", { source: MINIMAL, file: "minimal.yaml" })).status, 201);
    });
    after(async () => {
      r?.server.close();
      await t?.close();
    });

    test("subscribing: SSRF-checked URLs; only an admin allows private targets", async () => {
      const refused = await t.admin.post("/webhook-subscriptions", { url: `${r.url}/hook`, eventTypes: ["project.started"] });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0].pointer, "/body/url");
      const ops = await t.user("ops-hooks", ["cs_ops"]);
      const notAdmin = await ops.post("/webhook-subscriptions", {
        url: `${r.url}/hook`,
        eventTypes: ["project.started"],
        allowPrivateNetwork: true,
      });
      assert.equal(notAdmin.status, 403);
      const csm = await t.user("csm-hooks", ["csm"]);
      assert.equal((await csm.get("/webhook-subscriptions")).status, 403);
    });

    test("events arrive signed per Standard Webhooks; failures retry on the schedule, then disable the subscription", async () => {
      const good = await t.admin.post("/webhook-subscriptions", {
        url: `${r.url}/good`,
        eventTypes: ["project.started", "step.completed"],
        allowPrivateNetwork: true,
      });
      assert.equal(good.status, 201, JSON.stringify(good.body));
      assert.match(good.body.secret, /^whsec_/);
      assert.equal((await t.admin.get("/webhook-subscriptions")).body.items[0].secret, undefined, "the secret is shown once");
      const bad = await t.admin.post("/webhook-subscriptions", {
        url: `${r.url}/bad`,
        eventTypes: ["project.started"],
        allowPrivateNetwork: true,
      });

      await t.admin.post("/clients", { id: "initech", name: "Initech", timeZone: "America/Chicago", country: "US" });
      const project = await t.admin.post("/projects", { id: "hooked", playbook: MINIMAL_REF, clientId: "initech", facts: FACTS });
      assert.equal(project.status, 201);
      const db = apiDb(t.server.database);
      r.status.value = 200;
      // The receiver answers 200 to /good and (below) 500 to /bad: route by path.
      r.server.removeAllListeners("request");
      r.server.on("request", (req, res) => {
        let body = "";
        req.on("data", (chunk) => {
          body += chunk;
        });
        req.on("end", () => {
          r.received.push({ path: req.url ?? "", headers: req.headers, body });
          res.writeHead(req.url === "/bad" ? 500 : 200).end();
        });
      });
      const now = new Date().toISOString();
      const round = await dispatchWebhooks(db, now, { random: () => 0.5, disableAfter: RETRY_SCHEDULE_MS.length + 1 });
      assert.equal(round.claimed, 2);
      assert.equal(round.delivered, 1);
      assert.equal(round.retried, 1);

      const delivered = r.received.filter((x) => x.path === "/good");
      assert.equal(delivered.length, 1);
      const [message] = delivered;
      assert.ok(message);
      const verified = new Webhook(good.body.secret).verify(message.body, message.headers as Record<string, string>) as Json;
      assert.equal(verified.type, "project.started");
      assert.equal(verified.data.projectId, "hooked");
      assert.throws(
        () => new Webhook(bad.body.secret).verify(message.body, message.headers as Record<string, string>),
        "another secret fails",
      );

      // The failing one: every retry on the schedule (±10 % jitter; 0.5 → exactly the delay), then failed.
      let at = now;
      for (const delay of RETRY_SCHEDULE_MS) {
        at = new Date(Date.parse(at) + delay + 1).toISOString();
        const retry = await dispatchWebhooks(db, at, { random: () => 0.5, disableAfter: RETRY_SCHEDULE_MS.length + 1 });
        assert.equal(retry.claimed, 1, `retried after ${delay} ms`);
      }
      const early = await dispatchWebhooks(db, new Date(Date.parse(at) + 86_400_000).toISOString());
      assert.equal(early.claimed, 0, "a message that failed every attempt is not tried again");
      const log = await t.admin.get(`/webhook-subscriptions/${bad.body.id}/messages`);
      assert.equal(log.status, 200);
      assert.equal(log.body.items[0].status, "failed");
      assert.equal(log.body.items[0].attempts.length, RETRY_SCHEDULE_MS.length + 1);
      assert.equal(log.body.items[0].attempts[0].status, 500);
      const disabled = (await t.admin.get("/webhook-subscriptions")).body.items.find((s: Json) => s.id === bad.body.id);
      assert.equal(disabled.enabled, false);
      assert.match(disabled.disabledReason, /failed deliveries in a row/);
      const goodLog = await t.admin.get(`/webhook-subscriptions/${good.body.id}/messages`);
      assert.equal(goodLog.body.items[0].status, "delivered");

      // A disabled subscription gets no new messages; re-enabled, it does again.
      const reenabled = await t.admin.request("PATCH", `/webhook-subscriptions/${bad.body.id}`, { body: { enabled: true } });
      assert.equal(reenabled.body.consecutiveFailures, 0);
      assert.equal(reenabled.body.enabled, true);
    });
  });
}
