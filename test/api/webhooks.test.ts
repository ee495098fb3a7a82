// CRM webhooks over real HTTP, on in-memory PGlite and on a fresh PostgreSQL database: the generic
// signed format and HubSpot's signature v3 start a project once per won deal (source + deal id),
// however often and however concurrently the deal is delivered; bad signatures and stale
// timestamps are refused before anything is read; malformed payloads are located 422s; every
// authenticated delivery is recorded with its outcome.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { ConfigError, parseConfig } from "../../src/api/config.ts";
import { signGeneric, signHubspot } from "../../src/api/webhooks/signatures.ts";
import { type Json, type Response, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { MINIMAL } from "./support/world.ts";

const BACKENDS = await testBackends();
const SECRET = "generic webhook secret for tests";
const HUBSPOT_SECRET = "hubspot-client-secret-for-tests";
const GENERIC = "/webhooks/deals/generic";
const HUBSPOT = "/webhooks/deals/hubspot";
const PIPEDRIVE = "/webhooks/deals/pipedrive";
const SALESFORCE = "/webhooks/deals/salesforce";
const ORG_ID = "00D5g000004SalEEAS";

/** An Outbound Message as Salesforce sends it (API 2005/09 outbound namespace), one Opportunity per notification. */
function outboundMessage(orgId: string, opportunities: readonly { id: string; stage: string; won: boolean; name: string }[]): string {
  const notifications = opportunities
    .map(
      (o, i) => `
   <Notification>
    <Id>04l5g00000${String(i).padStart(8, "0")}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${o.id}</sf:Id>
     <sf:AccountId>0015g00000Acct${i}</sf:AccountId>
     <sf:Amount>48000.0</sf:Amount>
     <sf:IsWon>${o.won}</sf:IsWon>
     <sf:Name>${o.name}</sf:Name>
     <sf:StageName>${o.stage}</sf:StageName>
    </sObject>
   </Notification>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${orgId}</OrganizationId>
   <ActionId>04k5g000000GmEMAA0</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/59.0/00D5g000004SalE</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/59.0/00D5g000004SalE</PartnerUrl>${notifications}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

const PIPEDRIVE_AUTH = `Basic ${Buffer.from("pipedrive:pipedrive password").toString("base64")}`;

function deal(dealId: string, overrides: Record<string, unknown> = {}) {
  return {
    source: "salesforce",
    deal_id: dealId,
    stage: "won",
    amount: 12000,
    client: { id: `acct-${dealId}`, name: `Account ${dealId}`, time_zone: "Europe/Berlin", country: "DE" },
    playbook: { id: "minimal" },
    facts: { user_count: 25, data_migration: false },
    ...overrides,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

for (const backend of BACKENDS) {
  describe(`CRM webhooks on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;

    /** POST exactly `raw`, signed over those bytes (or with the given header). */
    const postGeneric = (raw: string, signature = signGeneric(SECRET, raw, nowSeconds())): Promise<Response> =>
      t.anonymous.request("POST", GENERIC, { raw, headers: { "content-type": "application/json", "onboard-signature": signature } });

    const postHubspot = (raw: string, timestamp = String(Date.now()), signature?: string): Promise<Response> =>
      t.anonymous.request("POST", HUBSPOT, {
        raw,
        headers: {
          "content-type": "application/json",
          "x-hubspot-request-timestamp": timestamp,
          "x-hubspot-signature-v3": signature ?? signHubspot(HUBSPOT_SECRET, "POST", `${t.url}${HUBSPOT}`, raw, timestamp),
        },
      });

    const count = async (query: ReturnType<typeof sql<{ n: number | string }>>): Promise<number> =>
      Number((await query.execute(t.fresh.database.db)).rows[0]?.n);
    const projectsOf = (source: string, dealId: string) =>
      count(sql`SELECT count(*) AS n FROM projects WHERE deal_source = ${source} AND deal_id = ${dealId}`);
    const deliveries = async (dealId: string) =>
      (
        await sql<{ outcome: string; n: number | string }>`
          SELECT outcome, count(*) AS n FROM webhook_deliveries WHERE deal_id = ${dealId} GROUP BY outcome ORDER BY outcome`.execute(
          t.fresh.database.db,
        )
      ).rows.map((r) => [r.outcome, Number(r.n)]);

    before(async () => {
      t = await startTestServer(
        backend,
        {
          ONBOARD_WEBHOOK_SECRET: SECRET,
          HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
          HUBSPOT_WON_STAGES: "closedwon, 4711",
          CRM_DEFAULT_PLAYBOOK: "minimal",
          PIPEDRIVE_WEBHOOK_USER: "pipedrive",
          PIPEDRIVE_WEBHOOK_PASSWORD: "pipedrive password",
          SALESFORCE_ORGANIZATION_ID: ORG_ID,
          WEBHOOK_RATE_LIMIT: "100000",
          // CRM_DEFAULT_PLAYBOOK must be published when the server starts (checked then).
        },
        { publish: [MINIMAL] },
      );
    });
    after(() => t?.close());

    test("a signed won deal creates the client and starts its project on the latest version, with the deal", async () => {
      const response = await postGeneric(JSON.stringify(deal("D-1")));
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const { outcome, projectId, deliveryId } = response.body;
      assert.equal(outcome, "accepted");
      assert.match(deliveryId, /^whd_/);
      const project = await t.admin.get(`/projects/${projectId}`);
      assert.equal(project.status, 200);
      assert.equal(project.body.clientId, "acct-D-1");
      assert.deepEqual(project.body.playbook, { id: "minimal", version: "1.1" });
      const client = await t.admin.get("/clients/acct-D-1");
      assert.deepEqual([client.body.name, client.body.timeZone, client.body.country], ["Account D-1", "Europe/Berlin", "DE"]);
      const row = (await sql<Json>`SELECT deal_source, deal_id, state FROM projects WHERE id = ${projectId}`.execute(t.fresh.database.db))
        .rows[0];
      assert.deepEqual([row.deal_source, row.deal_id], ["salesforce", "D-1"]);
      assert.deepEqual(await deliveries("D-1"), [["accepted", 1]]);

      // Delivered again (a CRM retry): the same project, recorded as a duplicate.
      const again = await postGeneric(JSON.stringify(deal("D-1")));
      assert.equal(again.status, 200);
      assert.deepEqual([again.body.outcome, again.body.projectId], ["duplicate", projectId]);
      assert.equal(await projectsOf("salesforce", "D-1"), 1);
      assert.deepEqual(await deliveries("D-1"), [
        ["accepted", 1],
        ["duplicate", 1],
      ]);
    });

    test("50 concurrent deliveries of one deal start exactly one project; the rest are recorded duplicates", async () => {
      const raw = JSON.stringify(deal("D-50"));
      const responses: Response[] = [];
      const queue = Array.from({ length: 50 }, () => () => postGeneric(raw));
      // Bounded: 25 in flight at a time over loopback.
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) responses.push(await next());
        }),
      );
      const statuses = responses.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(49).fill(200), 201], JSON.stringify(responses.find((r) => r.status >= 300)?.body));
      assert.equal(new Set(responses.map((r) => r.body.projectId)).size, 1, "every answer names the one project");
      assert.equal(await projectsOf("salesforce", "D-50"), 1);
      assert.deepEqual(await deliveries("D-50"), [
        ["accepted", 1],
        ["duplicate", 49],
      ]);
    });

    test("a bad signature, an old or future timestamp, no signature: 401, nothing created or recorded", async () => {
      const raw = JSON.stringify(deal("D-BAD"));
      const cases = [
        signGeneric("another secret entirely", raw, nowSeconds()),
        signGeneric(SECRET, `${raw} `, nowSeconds()),
        signGeneric(SECRET, raw, nowSeconds() - 6 * 60),
        signGeneric(SECRET, raw, nowSeconds() + 10 * 60),
        "t=123",
        "",
      ];
      for (const signature of cases) {
        const response = await postGeneric(raw, signature);
        assert.equal(response.status, 401, `${signature}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.type, "urn:onboard:problem:unauthenticated");
      }
      assert.match((await postGeneric(raw, cases[2])).body.detail, /older than 5 minutes/);
      assert.equal(await projectsOf("salesforce", "D-BAD"), 0);
      assert.deepEqual(await deliveries("D-BAD"), []);
      assert.equal((await t.admin.get("/clients/acct-D-BAD")).status, 404);
    });

    test("a malformed payload is a 422 naming the field, recorded as rejected with the reason", async () => {
      const before = await count(sql`SELECT count(*) AS n FROM webhook_deliveries WHERE outcome = 'rejected'`);
      const badZone = await postGeneric(
        JSON.stringify(deal("D-422", { client: { id: "acct-422", name: "X", time_zone: "Mars/Olympus" } })),
      );
      assert.equal(badZone.status, 422, JSON.stringify(badZone.body));
      assert.equal(badZone.headers.get("content-type")?.split(";")[0], "application/problem+json");
      assert.deepEqual(
        badZone.body.errors.map((e: Json) => e.pointer),
        ["/body/client/time_zone"],
      );
      const { deal_id: _, ...noDealId } = deal("D-422");
      const missing = await postGeneric(JSON.stringify(noDealId));
      assert.equal(missing.status, 422);
      assert.ok(missing.body.errors.some((e: Json) => e.pointer === "/body/deal_id"));
      const notJson = await postGeneric("{not json");
      assert.equal(notJson.status, 422);
      assert.equal(notJson.body.errors[0].pointer, "/body");
      const unknownPlaybook = await postGeneric(JSON.stringify(deal("D-422", { playbook: { id: "nope" } })));
      assert.equal(unknownPlaybook.status, 422);
      assert.equal(unknownPlaybook.body.errors[0].pointer, "/body/playbook");
      const badFact = await postGeneric(JSON.stringify(deal("D-422", { facts: { user_count: "many" } })));
      assert.equal(badFact.status, 422);
      assert.equal(badFact.body.errors[0].pointer, "/body/facts/user_count");

      const rows = (
        await sql<Json>`SELECT reason, body FROM webhook_deliveries WHERE outcome = 'rejected' ORDER BY received_at, id`.execute(
          t.fresh.database.db,
        )
      ).rows;
      assert.equal(rows.length - before, 5);
      assert.ok(rows.some((r: Json) => /\/body\/client\/time_zone/.test(r.reason) && /Mars\/Olympus/.test(r.body)));
      assert.ok(rows.some((r: Json) => r.body === "{not json"));
      assert.equal(await projectsOf("salesforce", "D-422"), 0);
    });

    test("a stage other than won is recorded and ignored", async () => {
      const response = await postGeneric(JSON.stringify(deal("D-OPEN", { stage: "negotiation" })));
      assert.equal(response.status, 200);
      assert.equal(response.body.outcome, "ignored");
      assert.equal(await projectsOf("salesforce", "D-OPEN"), 0);
      assert.deepEqual(await deliveries("D-OPEN"), [["ignored", 1]]);
    });

    test("HubSpot: signature v3 over the exact bytes; a won stage starts a project, other events are ignored", async () => {
      // Odd spacing on purpose: the signature covers these bytes, not a re-serialization.
      const raw = `[ {"objectId": 901, "subscriptionType":"deal.propertyChange", "propertyName":"dealstage", "propertyValue":"closedwon", "eventId": 1},
        {"objectId":902,"subscriptionType":"deal.propertyChange","propertyName":"dealstage","propertyValue":"appointmentscheduled"},
        {"objectId":903,"subscriptionType":"deal.creation"},
        {"objectId":904,"subscriptionType":"deal.propertyChange","propertyName":"dealstage","propertyValue":"4711"} ]`;
      const response = await postHubspot(raw);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(
        response.body.results.map((r: Json) => [r.dealId, r.outcome]),
        [
          ["901", "accepted"],
          ["902", "ignored"],
          ["903", "ignored"],
          ["904", "accepted"],
        ],
      );
      assert.equal(await projectsOf("hubspot", "901"), 1);
      assert.equal(await projectsOf("hubspot", "902"), 0);
      const client = await t.admin.get("/clients/hubspot-deal-901");
      assert.deepEqual([client.body.name, client.body.timeZone], ["HubSpot deal 901", "UTC"]);
      assert.deepEqual(await deliveries("902"), [["ignored", 1]]);

      // HubSpot retries the batch: duplicates, still one project per deal.
      const retry = await postHubspot(raw);
      assert.deepEqual(
        retry.body.results.map((r: Json) => r.outcome),
        ["duplicate", "ignored", "ignored", "duplicate"],
      );
      assert.equal(await projectsOf("hubspot", "901"), 1);
    });

    test("HubSpot: a signature over other bytes, another URI, or an old timestamp is a 401", async () => {
      const raw = `[{"objectId":950,"subscriptionType":"deal.propertyChange","propertyName":"dealstage","propertyValue":"closedwon"}]`;
      const timestamp = String(Date.now());
      const reserialized = JSON.stringify(JSON.parse(raw), null, 1);
      const cases = [
        signHubspot(HUBSPOT_SECRET, "POST", `${t.url}${HUBSPOT}`, reserialized, timestamp),
        signHubspot(HUBSPOT_SECRET, "POST", `${t.url}/elsewhere`, raw, timestamp),
        signHubspot("wrong secret", "POST", `${t.url}${HUBSPOT}`, raw, timestamp),
      ];
      for (const signature of cases) assert.equal((await postHubspot(raw, timestamp, signature)).status, 401);
      const old = String(Date.now() - 6 * 60 * 1000);
      assert.equal((await postHubspot(raw, old)).status, 401);
      assert.equal(await projectsOf("hubspot", "950"), 0);
      assert.deepEqual(await deliveries("950"), []);
    });

    test("HubSpot: a malformed batch is a 422 naming the field", async () => {
      const response = await postHubspot(`[{"subscriptionType":"deal.propertyChange"}]`);
      assert.equal(response.status, 422, JSON.stringify(response.body));
      assert.equal(response.body.errors[0].pointer, "/body/0/objectId");
      // A portal id is HubSpot's account number: anything else (here 5,000 characters, which the
      // deliveries' index could not hold) is refused at the edge, not a 500.
      const huge = await postHubspot(
        JSON.stringify([{ objectId: 1, subscriptionType: "deal.propertyChange", portalId: "A".repeat(5000), propertyName: "dealstage" }]),
      );
      assert.equal(huge.status, 422, JSON.stringify(huge.body));
      assert.equal(huge.body.errors[0].pointer, "/body/0/portalId");
    });

    test("Salesforce: an Outbound Message for a Closed Won Opportunity starts a project once and is ACKed", async () => {
      const post = (xml: string) =>
        t.anonymous.request("POST", SALESFORCE, { raw: xml, headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' } });
      const xml = outboundMessage(ORG_ID, [
        { id: "0065g00000Won01AAA", stage: "Closed Won", won: true, name: "Umbrella Corp – 300 seats" },
        { id: "0065g00000Neg02AAA", stage: "Negotiation/Review", won: false, name: "Stark Industries" },
      ]);
      const first = await post(xml);
      assert.equal(first.status, 200, String(first.body));
      assert.match(String(first.body), /<notificationsResponse xmlns="http:\/\/soap\.sforce\.com\/2005\/09\/outbound"><Ack>true<\/Ack>/);
      // Opportunity ids are keyed by the organization they live in.
      const source = `salesforce:${ORG_ID.slice(0, 15)}`;
      assert.equal(await projectsOf(source, "0065g00000Won01AAA"), 1);
      assert.equal(await projectsOf(source, "0065g00000Neg02AAA"), 0);
      const client = await t.admin.get("/clients/salesforce-0015g00000Acct0");
      assert.equal(client.body.name, "Umbrella Corp – 300 seats", "UTF-8 names survive");
      // Salesforce resends until it is ACKed: the same message again is a duplicate, still ACKed.
      assert.equal((await post(xml)).status, 200);
      assert.equal(await projectsOf(source, "0065g00000Won01AAA"), 1);
      assert.deepEqual(await deliveries("0065g00000Won01AAA"), [
        ["accepted", 1],
        ["duplicate", 1],
      ]);
      assert.deepEqual(await deliveries("0065g00000Neg02AAA"), [["ignored", 2]]);

      // Another org (the 15-character prefix decides): refused, not recorded.
      const foreign = await post(
        outboundMessage("00D000000000062EAA", [{ id: "0065g00000Frn03AAA", stage: "Closed Won", won: true, name: "X" }]),
      );
      assert.equal(foreign.status, 401);
      assert.match(String(foreign.body), /<faultcode>soapenv:Client<\/faultcode>.*another Salesforce organization/s);
      assert.deepEqual(await deliveries("0065g00000Frn03AAA"), []);
      // Malformed: a SOAP fault with the reason, recorded as rejected.
      const broken = await post("<soapenv:Envelope><oops");
      assert.equal(broken.status, 422);
      assert.match(String(broken.body), /<faultstring>/);
      const notOpportunity = await post(
        outboundMessage(ORG_ID, []).replace(
          "</notifications>",
          '<Notification><Id>1</Id><sObject xsi:type="sf:Lead"><sf:Id>00Q1</sf:Id></sObject></Notification></notifications>',
        ),
      );
      assert.equal(notOpportunity.status, 422);
      assert.match(String(notOpportunity.body), /does not carry an Opportunity/);
      const longId = await post(outboundMessage(ORG_ID, [{ id: "006".padEnd(5000, "x"), stage: "Closed Won", won: true, name: "X" }]));
      assert.equal(longId.status, 422);
      assert.match(String(longId.body), /Opportunity(?:'|&#39;)s Id is not a Salesforce id/);
      const rejected = await t.admin.get("/webhooks/deliveries?endpoint=salesforce&outcome=rejected");
      assert.equal(rejected.body.items.length, 3);
    });

    test("1,000 concurrent deliveries of the same HubSpot event create exactly one project", async () => {
      const raw = JSON.stringify([
        { objectId: 7000, subscriptionType: "deal.propertyChange", propertyName: "dealstage", propertyValue: "closedwon" },
      ]);
      const timestamp = String(Date.now());
      const responses = await Promise.all(Array.from({ length: 1000 }, () => postHubspot(raw, timestamp)));
      const statuses = new Map<number, number>();
      for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      assert.deepEqual([...statuses], [[200, 1000]], "every delivery was answered 200 (accepted or duplicate)");
      const outcomes = responses.map((r) => r.body.results[0].outcome);
      assert.equal(outcomes.filter((o) => o === "accepted").length, 1);
      assert.equal(outcomes.filter((o) => o === "duplicate").length, 999);
      assert.equal(await projectsOf("hubspot", "7000"), 1);
      assert.deepEqual(await deliveries("7000"), [
        ["accepted", 1],
        ["duplicate", 999],
      ]);
    });

    test("Pipedrive: basic auth; a deal turning won starts a project once, other updates are ignored", async () => {
      const update = (id: number, status: string, previous: string) => ({
        event: "updated.deal",
        meta: { action: "updated", object: "deal", id },
        current: { id, status, title: `Deal ${id}`, org_name: "Acme GmbH", value: 5000 },
        previous: { id, status: previous },
      });
      const post = (body: unknown, authorization = PIPEDRIVE_AUTH) =>
        t.anonymous.request("POST", PIPEDRIVE, { body, headers: { authorization } });
      const won = await post(update(77, "won", "open"));
      assert.equal(won.status, 201, JSON.stringify(won.body));
      assert.equal(won.body.outcome, "accepted");
      assert.equal((await t.admin.get("/clients/pipedrive-deal-77")).body.name, "Acme GmbH");
      assert.equal((await post(update(77, "won", "open"))).body.outcome, "duplicate");
      // A later update of a deal that started its project is a duplicate, whatever changed.
      assert.equal((await post(update(77, "won", "won"))).body.outcome, "duplicate");
      // A deal won before this update (a deal created won elsewhere, edited now) starts nothing new.
      assert.equal((await post(update(80, "won", "won"))).body.outcome, "ignored");
      assert.equal((await post(update(78, "lost", "open"))).body.outcome, "ignored");
      assert.equal(await projectsOf("pipedrive", "77"), 1);
      assert.equal(await projectsOf("pipedrive", "78"), 0);
      assert.deepEqual(await deliveries("77"), [
        ["accepted", 1],
        ["duplicate", 2],
      ]);

      const wrong = await post(update(79, "won", "open"), `Basic ${Buffer.from("pipedrive:guess").toString("base64")}`);
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get("www-authenticate") ?? "", /^Basic/);
      assert.equal((await post(update(79, "won", "open"), "")).status, 401);
      assert.equal(await projectsOf("pipedrive", "79"), 0);
      const malformed = await post({ event: "updated.deal", meta: { action: "updated", object: "deal" }, current: { status: "won" } });
      assert.equal(malformed.status, 422);
      assert.equal(malformed.body.errors[0].pointer, "/body/current/id");
    });
  });
}

describe("webhook configuration", () => {
  test("a source whose secret is unset answers 503 naming the variable", async () => {
    const pglite = BACKENDS.find((b) => b.name === "pglite");
    assert.ok(pglite);
    const t = await startTestServer(pglite, { HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET });
    try {
      const body = { raw: "[]", headers: { "content-type": "application/json" } };
      const generic = await t.anonymous.request("POST", GENERIC, body);
      assert.equal(generic.status, 503);
      assert.match(generic.body.detail, /ONBOARD_WEBHOOK_SECRET/);
      // A secret alone is not enough for HubSpot: it needs the playbook to start projects on.
      assert.match((await t.anonymous.request("POST", HUBSPOT, body)).body.detail, /CRM_DEFAULT_PLAYBOOK/);
      assert.match((await t.anonymous.request("POST", PIPEDRIVE, body)).body.detail, /PIPEDRIVE_WEBHOOK_USER/);
      const salesforce = await t.anonymous.request("POST", SALESFORCE, { raw: "<x/>", headers: { "content-type": "text/xml" } });
      assert.equal(salesforce.status, 503);
      assert.match(String(salesforce.body), /SALESFORCE_ORGANIZATION_ID/);
    } finally {
      await t.close();
    }
  });

  test("deliveries are rate limited per caller", async () => {
    const pglite = BACKENDS.find((b) => b.name === "pglite");
    assert.ok(pglite);
    const t = await startTestServer(pglite, { WEBHOOK_RATE_LIMIT: "3" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await t.anonymous.request("POST", GENERIC, { raw: "{}", headers: { "content-type": "application/json" } })).status);
      }
      assert.deepEqual(statuses, [503, 503, 503, 429, 429]);
    } finally {
      await t.close();
    }
  });

  test("the variables parse, and a wrong value names the variable", () => {
    const config = parseConfig({ HUBSPOT_WON_STAGES: " closedwon , 123 ,", CRM_DEFAULT_PLAYBOOK: "onb-001@1.2" });
    assert.deepEqual(config.webhooks.hubspotWonStages, ["closedwon", "123"]);
    assert.deepEqual(config.webhooks.defaultPlaybook, { id: "onb-001", version: "1.2" });
    assert.deepEqual(parseConfig({}).webhooks, {
      genericSecret: undefined,
      hubspotClientSecret: undefined,
      hubspotWonStages: ["closedwon"],
      pipedrive: undefined,
      defaultPlaybook: undefined,
      defaultTimeZone: "UTC",
      salesforceOrgId: undefined,
    });
    const variables = (env: Record<string, string>) => {
      try {
        parseConfig(env);
        return [];
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        return error.problems.map((p) => p.variable);
      }
    };
    assert.deepEqual(variables({ ONBOARD_WEBHOOK_SECRET: "short" }), ["ONBOARD_WEBHOOK_SECRET"]);
    assert.deepEqual(variables({ CRM_DEFAULT_PLAYBOOK: "a b" }), ["CRM_DEFAULT_PLAYBOOK"]);
    assert.deepEqual(variables({ CRM_DEFAULT_TIME_ZONE: "Mars/Olympus" }), ["CRM_DEFAULT_TIME_ZONE"]);
    assert.deepEqual(variables({ PIPEDRIVE_WEBHOOK_USER: "pd" }), ["PIPEDRIVE_WEBHOOK_PASSWORD"]);
    assert.deepEqual(variables({ SALESFORCE_ORGANIZATION_ID: "12345" }), ["SALESFORCE_ORGANIZATION_ID"]);
    assert.equal(parseConfig({ SALESFORCE_ORGANIZATION_ID: ORG_ID }).webhooks.salesforceOrgId, "00D5g000004SalE");
  });
});
