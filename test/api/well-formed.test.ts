// What PostgreSQL cannot store is refused at the edge (src/api/well-formed.ts), over real HTTP on
// both backends: U+0000 and lone surrogates anywhere (body, query, path, cookies, a signed
// webhook, a SOAP message), bodies that are not UTF-8, values nested too deep, instants and
// integers beyond its types, crafted cursors. Each refusal is a 400 naming the field by JSON
// pointer, like schema validation; the SOAP endpoint answers a fault. (The fuzz suite found most.)
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { signGeneric } from "../../src/api/webhooks/signatures.ts";
import { type Response, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { sendRaw } from "./support/raw-http.ts";

const BACKENDS = await testBackends();
const SECRET = "generic webhook secret for the edge tests";
const ORG_ID = "00D5g000004SalEEAS";

function pointers(response: Response): string[] {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.equal(response.body.type, "urn:onboard:problem:validation");
  return response.body.errors.map((e: { pointer: string }) => e.pointer);
}

for (const backend of BACKENDS) {
  describe(`text PostgreSQL cannot store is refused at the edge (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    const json = { "content-type": "application/json" };

    before(async () => {
      t = await startTestServer(backend, {
        ONBOARD_WEBHOOK_SECRET: SECRET,
        CRM_DEFAULT_PLAYBOOK: "ops_sop_020",
        SALESFORCE_ORGANIZATION_ID: ORG_ID,
        WEBHOOK_RATE_LIMIT: "1000",
      });
    });
    after(() => t?.close());

    test("NUL and lone surrogates in a JSON body: 400 naming each field, nothing stored", async () => {
      assert.deepEqual(pointers(await t.admin.post("/clients", { name: "Acme\u0000", timeZone: "UTC" })), ["/body/name"]);
      // JSON.stringify writes a lone surrogate as the escape \ud800, which jsonb refuses: send it that way.
      const surrogate = await t.admin.request("POST", "/clients", { raw: '{"name":"Acme \\ud800","timeZone":"UTC"}', headers: json });
      assert.deepEqual(pointers(surrogate), ["/body/name"]);
      assert.match(surrogate.body.errors[0].detail, /lone UTF-16 surrogate/);
      // A member's name counts too, and every field at fault is named.
      const facts = await t.admin.post("/projects", {
        playbook: { id: "ops_sop_020", version: "1.1" },
        clientId: "x\u0000",
        facts: { "a\u0000b": 1, list: ["ok", "\udfff"] },
      });
      assert.deepEqual(pointers(facts), ["/body/clientId", "/body/facts/a\u0000b", "/body/facts/list/1"]);
      const stored = await sql<{ n: string }>`SELECT count(*) AS n FROM clients`.execute(t.fresh.database.db);
      assert.equal(Number(stored.rows[0]?.n), 0);
    });

    test("signing in with a NUL is a 400, not a 500", async () => {
      assert.deepEqual(pointers(await t.anonymous.post("/auth/login", { email: "admin@example.com\u0000", password: "x" })), [
        "/body/email",
      ]);
      assert.deepEqual(pointers(await t.anonymous.post("/portal/api/magic-links", { email: "a\u0000@example.com" })), ["/body/email"]);
    });

    test("the query, the path and Onboard's cookies are checked before anything reads them", async () => {
      assert.deepEqual(pointers(await t.admin.get("/clients?cursor=a%00b")), ["/query/cursor"]);
      assert.deepEqual(pointers(await t.admin.get("/clients/a%00b")), ["/params/id"]);
      assert.deepEqual(pointers(await t.anonymous.get("/auth/session", { cookie: "onboard_session=a%00b" })), ["/cookies/onboard_session"]);
      // Someone else's cookie on the same host is not ours to judge.
      assert.equal((await t.anonymous.get("/auth/session", { cookie: "other=a%00b" })).status, 401);
    });

    test("a body that is not UTF-8 is a 400 naming the first bad byte, not text with U+FFFD", async () => {
      const bytes = Buffer.concat([Buffer.from('{"name":"Acme '), Buffer.from([0xff, 0xfe]), Buffer.from('","timeZone":"UTC"}')]);
      const port = Number(new URL(t.url).port);
      const { cookie, csrfToken } = t.admin.credentials;
      const response = await sendRaw(port, {
        method: "POST",
        target: "/clients",
        headers: [
          ["cookie", cookie ?? ""],
          ["x-csrf-token", csrfToken ?? ""],
          ["content-type", "application/json"],
        ],
        body: bytes,
      });
      assert.equal(response.status, 400);
      const problem = JSON.parse(response.body.toString("utf8"));
      assert.deepEqual(problem.errors, [
        { pointer: "/body", detail: "is not UTF-8: byte 14 (0xff, line 1, column 15) is not part of a UTF-8 character" },
      ]);
      const yaml = await sendRaw(port, {
        method: "POST",
        target: "/playbooks",
        headers: [
          ["cookie", cookie ?? ""],
          ["x-csrf-token", csrfToken ?? ""],
          ["content-type", "application/yaml"],
        ],
        body: Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xc0, 0xaf]),
      });
      assert.equal(yaml.status, 400, yaml.body.toString());
    });

    test("a value nested thousands deep is a 400, not a stack overflow", async () => {
      const deep = `{"name":"x","timeZone":"UTC","region":${"[".repeat(5000)}${"]".repeat(5000)}}`;
      const [pointer] = pointers(await t.admin.request("POST", "/clients", { raw: deep, headers: json }));
      assert.match(pointer ?? "", /^\/body\/region(\/0){63}$/);
    });

    test("requests Node's parser or the router refuse are problem+json too", async () => {
      const port = Number(new URL(t.url).port);
      const nulHeader = await sendRaw(port, { method: "GET", target: "/health/live", headers: [["idempotency-key", "a\u0000b"]] });
      assert.equal(nulHeader.status, 400);
      assert.match(nulHeader.headers["content-type"] ?? "", /^application\/problem\+json/);
      const badUrl = await sendRaw(port, { method: "GET", target: "/clients/%FF", headers: [] });
      assert.equal(badUrl.status, 400);
      assert.equal(JSON.parse(badUrl.body.toString()).type, "urn:onboard:problem:bad-request");
    });

    test("a signed webhook with a NUL is judged after its signature: a 400 recorded as rejected", async () => {
      const raw = JSON.stringify({
        source: "crm",
        deal_id: "D-NUL",
        stage: "won",
        client: { id: "acct-nul", name: "Nul\u0000 GmbH", time_zone: "Europe/Berlin" },
        playbook: { id: "ops_sop_020" },
      });
      const post = (body: string | Buffer, signature: string) =>
        sendRaw(Number(new URL(t.url).port), {
          method: "POST",
          target: "/webhooks/deals/generic",
          headers: [
            ["content-type", "application/json"],
            ["onboard-signature", signature],
          ],
          body: Buffer.from(body),
        });
      const unsigned = await post(raw, "t=1,v1=00");
      assert.equal(unsigned.status, 401, "without a valid signature nothing is said about the body");
      const signed = await post(raw, signGeneric(SECRET, raw, Math.floor(Date.now() / 1000)));
      assert.equal(signed.status, 400, signed.body.toString());
      assert.deepEqual(JSON.parse(signed.body.toString()).errors, [
        { pointer: "/body/client/name", detail: "must not contain U+0000 (NUL)" },
      ]);
      // A body that is not even JSON, with a NUL byte: the log keeps it, NUL shown as U+FFFD.
      const garbage = Buffer.from([0x7b, 0x00, 0xff]);
      const malformed = await post(garbage, signGeneric(SECRET, garbage, Math.floor(Date.now() / 1000)));
      assert.equal(malformed.status, 422, malformed.body.toString());
      const rows = await sql<{ outcome: string; body: string }>`
        SELECT outcome, body FROM webhook_deliveries WHERE endpoint = 'generic' ORDER BY received_at`.execute(t.fresh.database.db);
      assert.deepEqual(
        rows.rows.map((r) => r.outcome),
        ["rejected", "rejected"],
      );
      assert.equal(rows.rows[1]?.body, "{\ufffd\ufffd");
    });

    test("instants, integers and cursors PostgreSQL cannot read are 400s too (each answered 500)", async () => {
      assert.deepEqual(pointers(await t.admin.get("/kpis?from=0000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")), ["/query/from"]);
      assert.deepEqual(pointers(await t.admin.get(`/kpis?to=${encodeURIComponent("1970-01-01T00:00:00+23:59")}`)), ["/query/to"]);
      assert.equal((await t.admin.get(`/kpis?to=${encodeURIComponent("1970-01-01T00:00:00+15:59")}`)).status, 200);
      assert.deepEqual(
        pointers(await t.admin.request("PUT", "/people/ann", { body: { name: "Ann", roles: ["csm"], capacity: 2 ** 40 } })),
        ["/body/capacity"],
      );
      const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString("base64url");
      for (const [path, key] of [
        ["/clients", ["clients", "a\u0000", "b"]],
        ["/projects", ["projects", "0000-01-01T00:00:00Z", "x"]],
        ["/portfolio?sort=health", ["portfolio:health:asc", 2 ** 40, "x"]],
      ] as const) {
        const response = await t.admin.get(`${path}${path.includes("?") ? "&" : "?"}cursor=${cursor([...key])}`);
        assert.deepEqual(pointers(response), ["/query/cursor"], path);
      }
    });

    test("the SOAP endpoint answers a NUL with a SOAP fault", async () => {
      const response = await t.anonymous.request("POST", "/webhooks/deals/salesforce", {
        raw: `<soapenv:Envelope><OrganizationId>${ORG_ID}\u0000</OrganizationId></soapenv:Envelope>`,
        headers: { "content-type": "text/xml" },
      });
      assert.equal(response.status, 400);
      assert.match(response.headers.get("content-type") ?? "", /^text\/xml/);
      assert.match(String(response.body), /<faultcode>soapenv:Client<\/faultcode><faultstring>\/body: must not contain U\+0000/);
      const json = await t.anonymous.request("POST", "/webhooks/deals/salesforce", {
        raw: "{}",
        headers: { "content-type": "application/json" },
      });
      assert.equal(json.status, 400);
      assert.match(String(json.body), /<soapenv:Fault>/);
    });
  });
}
