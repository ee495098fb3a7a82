// CRM connections (issue #16): each CRM account says what won means, which playbook runs, how the
// client and facts are filled; deals arrive in the vendors' current formats; what was not started
// can be replayed once fixed; a reconciliation pull starts what a lost webhook missed. The CRM's
// REST API is a loopback server answering the vendors' documented shapes:
// HubSpot  https://developers.hubspot.com/docs/api/crm/deals (GET /crm/v3/objects/deals/{id}?associations=companies),
//          https://developers.hubspot.com/docs/api/crm/search, .../crm/associations (v4 batch read)
// Pipedrive https://developers.pipedrive.com/docs/api/v1/Deals (v2 GET /api/v2/deals/{id}, /api/v2/organizations/{id}),
//          https://pipedrive.readme.io/docs/guide-for-webhooks-v2 (webhook v2 payload)
// Salesforce https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { parseConfig } from "../../src/api/config.ts";
import { startServer } from "../../src/api/server.ts";
import { signHubspot } from "../../src/api/webhooks/signatures.ts";
import { edited } from "../support/fixtures.ts";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const HUBSPOT_SECRET = "hubspot-app-secret-for-connection-tests";
const ORG_ID = "00D5g000004SalEEAS";
const PIPEDRIVE_AUTH = `Basic ${Buffer.from("pd-hook:pipedrive password 1").toString("base64")}`;
// The minimal playbook with the facts a CRM fills.
const CRM_PLAYBOOK = edited([
  [["id"], "crm_onboarding"],
  [["facts", "user_count"], { type: "int", label: "Number of users", default: 10 }],
  [["facts", "arr"], { type: "int", label: "Annual recurring revenue", source: "crm" }],
  [["facts", "tier"], { type: "string", label: "Tier", values: ["Standard", "Enterprise"], source: "crm" }],
]);

/** A loopback CRM: answers what each test put in `routes` ("METHOD /path" → JSON), records what was asked. */
function fakeCrm() {
  const routes = new Map<string, (body: Json) => Json>();
  const asked: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      const key = `${req.method} ${path}`;
      asked.push(key);
      const route = routes.get(key);
      if (!route) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: `no ${key}` }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(route(data ? JSON.parse(data) : {})));
    });
  });
  return {
    routes,
    asked,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function outboundMessage(fields: Record<string, string>, id = "04l5g00000N0t1fAAA"): string {
  const sObject = Object.entries(fields)
    .map(([k, v]) => `<sf:${k}>${v}</sf:${k}>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${ORG_ID}</OrganizationId>
   <ActionId>04k5g000000GmEMAA0</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/60.0/00D5g000004SalE</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/60.0/00D5g000004SalE</PartnerUrl>
   <Notification>
    <Id>${id}</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${sObject}</sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

for (const backend of BACKENDS) {
  describe(`CRM connections on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    const crm = fakeCrm();
    let crmUrl = "";
    const projectsOf = async (source: string, dealId: string) =>
      (
        await sql<{
          id: string;
          client_id: string;
        }>`SELECT id, client_id FROM projects WHERE deal_source = ${source} AND deal_id = ${dealId}`.execute(t.fresh.database.db)
      ).rows;
    const connect = async (body: Json) => {
      const response = await t.admin.post("/crm/connections", body);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const postHubspot = (connectionId: string, events: Json[]) => {
      const raw = JSON.stringify(events);
      const timestamp = String(Date.now());
      const path = `/webhooks/crm/${connectionId}`;
      return t.anonymous.request("POST", path, {
        raw,
        headers: {
          "content-type": "application/json",
          "x-hubspot-request-timestamp": timestamp,
          "x-hubspot-signature-v3": signHubspot(HUBSPOT_SECRET, "POST", `${t.url}${path}`, raw, timestamp),
        },
      });
    };

    before(async () => {
      crmUrl = await crm.start();
      t = await startTestServer(backend, { WEBHOOK_RATE_LIMIT: "100000" }, { publish: [CRM_PLAYBOOK] });
      const person = await t.admin.request("PUT", "/people/dana", { body: { name: "Dana Scully", roles: ["csm"] } });
      assert.ok([200, 201].includes(person.status), JSON.stringify(person.body));
    });
    after(async () => {
      await t?.close();
      await crm.close();
    });

    test("HubSpot object.propertyChange with an API token: the company is the client, facts are mapped, the owner is the CSM; portals are kept apart", async () => {
      crm.routes.set("GET /crm/v3/objects/deals/7301", () => ({
        id: "7301",
        properties: {
          dealname: "Müller – 40 seats",
          dealstage: "closedwon",
          amount: "48000.50",
          hubspot_owner_id: "9001",
          tier_c: "enterprise",
          pipeline: "default",
        },
        associations: { companies: { results: [{ id: "555", type: "deal_to_company" }] } },
      }));
      crm.routes.set("GET /crm/v3/objects/companies/555", () => ({
        id: "555",
        properties: { name: "Müller Maschinenbau GmbH", country: "Germany" },
      }));
      const created = await connect({
        id: "hubspot-eu",
        kind: "hubspot",
        settings: {
          name: "HubSpot EU",
          tenant: "4711",
          playbooks: [{ playbook: "crm_onboarding" }],
          facts: { arr: "amount", tier: "tier_c" },
          owners: { role: "csm", people: { "9001": "dana" } },
          apiBaseUrl: crmUrl,
        },
        secrets: { hubspotClientSecret: HUBSPOT_SECRET, apiToken: "pat-na1-test" },
      });
      assert.equal(created.webhookUrl, `${t.url}/webhooks/crm/hubspot-eu`);
      assert.deepEqual(created.secretsSet, { hubspotClientSecret: true, webhookUser: false, webhookPassword: false, apiToken: true });
      assert.equal(JSON.stringify(created).includes("pat-na1-test"), false, "secrets are never read back");

      const event = {
        objectId: 7301,
        objectTypeId: "0-3",
        subscriptionType: "object.propertyChange",
        propertyName: "dealstage",
        propertyValue: "closedwon",
        portalId: 4711,
        occurredAt: Date.now(),
      };
      const response = await postHubspot("hubspot-eu", [event]);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.results[0].outcome, "accepted", JSON.stringify(response.body));
      const [project] = await projectsOf("hubspot:4711", "7301");
      assert.ok(project);
      const client = await t.admin.get(`/clients/${project.client_id}`);
      assert.deepEqual(
        [client.body.id, client.body.name, client.body.country],
        ["hubspot-4711-company-555", "Müller Maschinenbau GmbH", "DE"],
      );
      const state = (await t.admin.get(`/projects/${project.id}`)).body;
      assert.deepEqual([state.facts?.arr ?? state.state?.facts?.arr, state.facts?.tier ?? state.state?.facts?.tier], [48001, "Enterprise"]);
      assert.deepEqual(
        state.origin,
        { source: "hubspot:4711", dealId: "7301", connectionId: "hubspot-eu" },
        "the project says which deal started it",
      );
      const team = await t.admin.get(`/projects/${project.id}/team`);
      assert.match(JSON.stringify(team.body), /dana/, "the deal owner's person holds csm");

      // The same app in another portal: the same deal id is another deal.
      const other = await postHubspot("hubspot-eu", [{ ...event, portalId: 9999 }]);
      assert.equal(other.body.results[0].outcome, "ignored");
      assert.match(other.body.results[0].reason, /account 9999, not this connection's \(4711\)/);
      // A change of a property that does not say won (the amount) is ignored, with why, and fetches nothing.
      const amount = await postHubspot("hubspot-eu", [{ ...event, objectId: 7399, propertyName: "amount", propertyValue: "5" }]);
      assert.match(
        amount.body.results[0].reason,
        /a change of amount, which does not say whether the deal is won \(only a change of dealstage does\)/,
      );
      // Events of other objects are recorded as ignored, with why.
      const company = await postHubspot("hubspot-eu", [{ ...event, objectTypeId: "0-2" }]);
      assert.match(company.body.results[0].reason, /object type 0-2 is not a deal property change/);
      // A second won deal of the same company: one client, two onboardings, the client not renamed.
      await t.admin.request("PATCH", `/clients/${project.client_id}`, {
        body: { name: "Müller (renamed by CS)" },
        headers: { "if-match": `"${client.body.version}"` },
      });
      crm.routes.set("GET /crm/v3/objects/deals/7302", () => ({
        id: "7302",
        properties: { dealname: "Müller – upsell", dealstage: "closedwon", amount: "1000" },
        associations: { companies: { results: [{ id: "555", type: "deal_to_company" }] } },
      }));
      assert.equal((await postHubspot("hubspot-eu", [{ ...event, objectId: 7302 }])).body.results[0].outcome, "accepted");
      // A deal created won (an import): the creation event names only the id; the API says it is won.
      crm.routes.set("GET /crm/v3/objects/deals/7303", () => ({
        id: "7303",
        properties: { dealname: "Imported", dealstage: "closedwon" },
        associations: { companies: { results: [{ id: "555", type: "deal_to_company" }] } },
      }));
      const creation = await postHubspot("hubspot-eu", [
        { objectId: 7303, objectTypeId: "0-3", subscriptionType: "object.creation", portalId: 4711 },
      ]);
      assert.equal(creation.body.results[0].outcome, "accepted", JSON.stringify(creation.body));
      const [second] = await projectsOf("hubspot:4711", "7302");
      assert.equal(second?.client_id, project.client_id);
      const renamed = (await t.admin.get(`/clients/${project.client_id}`)).body.name;
      assert.ok(renamed === "Müller (renamed by CS)" || renamed === "Müller Maschinenbau GmbH");
    });

    test("Pipedrive v2 (the default format): a deal turning won starts once; a wrong mapping is rejected, fixed and replayed", async () => {
      // Pipedrive's API answers deal 41 as the webhook carried it; deal 43 it does not find (the webhook's data is used).
      for (const id of [41])
        crm.routes.set(`GET /api/v2/deals/${id}`, () => ({
          success: true,
          data: {
            id,
            title: "Rossi deal",
            value: 25000,
            currency: "EUR",
            status: "won",
            stage_id: 5,
            pipeline_id: 1,
            owner_id: 18487521,
            org_id: 9,
            custom_fields: { "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": 25000 },
          },
        }));
      crm.routes.set("GET /api/v2/organizations/9", () => ({
        success: true,
        data: { id: 9, name: "Rossi Logistica SpA", address: { value: "Via Roma 1, Milano", country: "Italy" } },
      }));
      const connection = await connect({
        id: "pipedrive-main",
        kind: "pipedrive",
        settings: {
          name: "Pipedrive",
          tenant: "12882925",
          playbooks: [{ playbook: "crm_onboarding" }],
          facts: { arr: "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e" },
          apiBaseUrl: crmUrl,
        },
        secrets: { webhookUser: "pd-hook", webhookPassword: "pipedrive password 1", apiToken: "pd-token" },
      });
      // The payload as Pipedrive's webhooks v2 guide shows it (meta.entity, data, previous with the changed fields).
      const v2 = (id: number, value: unknown) => ({
        meta: {
          action: "change",
          entity: "deal",
          version: "2.0",
          company_id: 12882925,
          user_id: 18487521,
          id: 1,
          entity_id: id,
          host: "company.pipedrive.com",
          timestamp: 1727447128,
          change_source: "app",
        },
        data: {
          id,
          title: "Rossi deal",
          value: 25000,
          custom_fields: { "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": value },
          currency: "EUR",
          status: "won",
          stage_id: 5,
          pipeline_id: 1,
          owner_id: 18487521,
          org_id: 9,
          add_time: "2024-09-27T14:25:27Z",
          update_time: "2024-09-27T14:25:28Z",
        },
        previous: { status: "open" },
      });
      const post = (body: Json) =>
        t.anonymous.request("POST", `/webhooks/crm/${connection.id}`, { body, headers: { authorization: PIPEDRIVE_AUTH } });
      const won = await post(v2(41, 25000));
      assert.equal(won.status, 201, JSON.stringify(won.body));
      // The owner is not mapped: the delivery says who holds csm now, as the project shows it.
      assert.match(
        won.body.reason,
        /deal owner 18487521 is not mapped to a person, and the playbook has no assignment rules for csm: assign one on the project's Team tab/,
      );
      const [project] = await projectsOf("pipedrive:12882925", "41");
      assert.equal((await t.admin.get(`/clients/${project?.client_id}`)).body.name, "Rossi Logistica SpA");
      assert.equal((await post(v2(41, 25000))).body.outcome, "duplicate");
      // Not won: recorded as ignored, with the reason.
      const open = await post({ ...v2(42, 1), data: { ...v2(42, 1).data, status: "open" }, previous: { stage_id: 4 } });
      assert.equal(open.body.outcome, "ignored");
      assert.match(open.body.reason, /status is "open"/);
      // A custom field's value the fact cannot take (arr is a whole number): rejected, replayable.
      const bad = await post(v2(43, "a lot"));
      assert.equal(bad.body.outcome, "rejected", JSON.stringify(bad.body));
      assert.match(bad.body.reason, /fact arr from 9dc80c50d78a15643bfc4ca79d76156a73a1ca0e: "a lot" is not a number/);
      const listed = await t.admin.get(`/webhooks/deliveries?connection=${connection.id}&outcome=rejected`);
      const delivery = listed.body.items.find((d: Json) => d.dealId === "43");
      assert.equal(delivery.replayable, true);
      // Replaying unchanged is rejected again; after the mapping is fixed it starts the project.
      assert.equal((await t.admin.post(`/webhooks/deliveries/${delivery.id}/replay`, {})).body.outcome, "rejected");
      const fixed = await t.admin.request("PATCH", `/crm/connections/${connection.id}`, {
        body: { settings: { ...connection.settings, facts: {} } },
        headers: { "if-match": `"${connection.version}"` },
      });
      assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
      const replayed = await t.admin.post(`/webhooks/deliveries/${delivery.id}/replay`, {});
      assert.equal(replayed.status, 201, JSON.stringify(replayed.body));
      assert.equal(replayed.body.outcome, "accepted");
      // The original rejection is shown resolved, with the project its deal has now, and no longer offered for replay.
      const after = (await t.admin.get(`/webhooks/deliveries?connection=${connection.id}&outcome=rejected`)).body.items;
      const original = after.find((d: Json) => d.id === delivery.id);
      assert.deepEqual([original.resolved, original.replayable, original.projectId], [true, false, replayed.body.projectId]);
      // A wrong password is refused at the door, not logged; the connection counts it with why.
      const refused = await t.anonymous.request("POST", `/webhooks/crm/${connection.id}`, {
        body: v2(44, 1),
        headers: { authorization: `Basic ${Buffer.from("pd-hook:wrong password!!").toString("base64")}` },
      });
      assert.equal(refused.status, 401);
      const counted = (await t.admin.get(`/crm/connections/${connection.id}`)).body.refused;
      assert.equal(counted.count, 1);
      assert.match(counted.reason, /credentials/);
      const again = await t.admin.post(`/webhooks/deliveries/${replayed.body.deliveryId}/replay`, {});
      assert.equal(again.status, 409, "a delivery that started its project is not replayed");
      // The token goes only where it was given for: a new API address needs it again.
      const moved = await t.admin.request("PATCH", `/crm/connections/${connection.id}`, {
        body: { settings: { ...fixed.body.settings, apiBaseUrl: "https://attacker.example" } },
        headers: { "if-match": `"${fixed.body.version}"` },
      });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      assert.equal(moved.body.errors[0].pointer, "/body/secrets/apiToken");
      // A stale If-Match is refused, not overwritten.
      const stale = await t.admin.request("PATCH", `/crm/connections/${connection.id}`, {
        body: { settings: connection.settings },
        headers: { "if-match": `"${connection.version}"` },
      });
      assert.equal(stale.status, 412);
    });

    test("Salesforce: the rule is the won condition when StageName and IsWon are not sent; a renamed won stage; character references decoded; the account is the client", async () => {
      const connection = await connect({
        id: "salesforce-br",
        kind: "salesforce",
        settings: {
          name: "Salesforce Brasil",
          tenant: ORG_ID,
          won: [
            { kind: "stages", stages: ["Ganho"] },
            { kind: "field", field: "IsWon", equals: ["true"] },
          ],
          playbooks: [{ playbook: "crm_onboarding" }],
          client: { name: "Account_Name__c", defaultTimeZone: "America/Sao_Paulo" },
        },
      });
      const post = (xml: string, id = connection.id) =>
        t.anonymous.request("POST", `/webhooks/crm/${id}`, { raw: xml, headers: { "content-type": "text/xml; charset=utf-8" } });
      const ganho = await post(
        outboundMessage({
          Id: "0065g00000Gan01AAA",
          AccountId: "0015g00000AccBR",
          StageName: "Ganho",
          Account_Name__c: "M&#252;ller &amp; Filhos Ltda",
        }),
      );
      assert.equal(ganho.status, 200, String(ganho.body));
      const logged = (await t.admin.get(`/webhooks/deliveries?connection=${connection.id}`)).body.items;
      assert.equal(logged[0]?.outcome, "accepted", JSON.stringify(logged));
      assert.match(String(ganho.body), /<Ack>true<\/Ack>/);
      const [project] = await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Gan01AAA");
      const client = (await t.admin.get(`/clients/${project?.client_id}`)).body;
      assert.deepEqual(
        [client.id, client.name, client.timeZone],
        ["salesforce-0015g00000AccBR", "Müller & Filhos Ltda", "America/Sao_Paulo"],
      );

      // This connection says what won means, and the message carries neither field: rejected (replayable), not dropped.
      const bare = await post(outboundMessage({ Id: "0065g00000Bar02AAA", AccountId: "0015g00000AccB2" }, "04l5g00000N0t2fAAA"));
      assert.equal(bare.status, 200);
      const rejected = (await t.admin.get(`/webhooks/deliveries?connection=${connection.id}&outcome=rejected`)).body.items;
      assert.match(
        rejected.find((d: Json) => d.dealId === "0065g00000Bar02AAA")?.reason ?? "",
        /none of the fields the won rules read \(StageName, IsWon\)/,
      );

      // A connection without won rules: a message carrying neither field comes from a rule that is the won condition.
      await connect({
        id: "salesforce-rule",
        kind: "salesforce",
        settings: { name: "Salesforce rule", tenant: ORG_ID, playbooks: [{ playbook: "crm_onboarding" }] },
      });
      const byRule = await post(
        outboundMessage({ Id: "0065g00000Rul03AAA", AccountId: "0015g00000AccR3", Name: "Acme" }, "04l5g00000N0t3fAAA"),
        "salesforce-rule",
      );
      assert.equal(byRule.status, 200);
      assert.equal((await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Rul03AAA")).length, 1);
      // A lost stage name (Closed Lost) is ignored with its reason.
      const lost = await post(
        outboundMessage({ Id: "0065g00000Los04AAA", StageName: "Closed Lost", IsWon: "false" }, "04l5g00000N0t4fAAA"),
        "salesforce-rule",
      );
      assert.equal(lost.status, 200);
      assert.equal((await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Los04AAA")).length, 0);
    });

    test("reconciliation starts the won deals no webhook delivered, once", async () => {
      crm.routes.set("POST /crm/v3/objects/deals/search", () => ({
        total: 2,
        results: [
          {
            id: "8801",
            properties: {
              dealname: "Lost webhook deal",
              dealstage: "closedwon",
              amount: "900",
              hs_lastmodifieddate: "2026-12-06T10:00:00Z",
            },
          },
          { id: "7301", properties: { dealname: "Müller – 40 seats", dealstage: "closedwon", amount: "48000.50" } },
        ],
      }));
      crm.routes.set("POST /crm/v4/associations/deals/companies/batch/read", () => ({
        status: "COMPLETE",
        results: [
          {
            from: { id: "8801" },
            to: [{ toObjectId: 777, associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 5, label: "Primary" }] }],
          },
        ],
      }));
      crm.routes.set("POST /crm/v3/objects/companies/batch/read", () => ({
        status: "COMPLETE",
        results: [{ id: "777", properties: { name: "Lost & Found AG", country: "CH" } }],
      }));
      const first = await t.admin.post("/crm/connections/hubspot-eu/reconcile", {});
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual([first.body.checked, first.body.started, first.body.duplicates, first.body.error], [2, 1, 1, null]);
      const [project] = await projectsOf("hubspot:4711", "8801");
      assert.equal((await t.admin.get(`/clients/${project?.client_id}`)).body.name, "Lost & Found AG");
      const second = await t.admin.post("/crm/connections/hubspot-eu/reconcile", {});
      assert.deepEqual([second.body.started, second.body.duplicates], [0, 2]);
      const listed = (await t.admin.get("/crm/connections")).body.items.find((c: Json) => c.id === "hubspot-eu");
      assert.ok(listed.reconciledAt);
      const logged = (await t.admin.get("/webhooks/deliveries?endpoint=reconcile")).body.items;
      assert.deepEqual(
        logged.map((d: Json) => [d.dealId, d.outcome]),
        [["8801", "accepted"]],
      );
    });

    test("a connection is saved only when it can work, each error at its field", async () => {
      const wrong = await t.admin.post("/crm/connections", {
        id: "broken",
        kind: "hubspot",
        settings: {
          name: "Broken",
          playbooks: [{ playbook: "no-such-playbook" }],
          owners: { people: { "1": "nobody" } },
          reconcile: { enabled: true },
        },
      });
      assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
      const pointers = wrong.body.errors.map((e: Json) => e.pointer);
      for (const p of [
        "/body/settings/playbooks/0/playbook",
        "/body/settings/owners/people/1",
        "/body/secrets/hubspotClientSecret",
        "/body/secrets/apiToken",
        "/body/settings/tenant",
      ])
        assert.ok(pointers.includes(p), `${p} in ${JSON.stringify(pointers)}`);
    });

    test("Salesforce reads every refusal as a SOAP fault, a body too large included", async () => {
      const huge = outboundMessage({ Id: "0065g00000Big01AAA", Name: "x".repeat(2 * 1024 * 1024) });
      const response = await t.anonymous.request("POST", "/webhooks/crm/salesforce-rule", {
        raw: huge,
        headers: { "content-type": "text/xml" },
      });
      assert.equal(response.status, 413);
      assert.match(String(response.body), /<faultcode>soapenv:Client<\/faultcode>/);
      const unknown = await t.anonymous.request("POST", "/webhooks/crm/nobody", { raw: "<x/>", headers: { "content-type": "text/xml" } });
      assert.equal(unknown.status, 404);
      assert.match(String(unknown.body), /<faultstring>no CRM connection/);
    });

    test("HubSpot deliveries that are not JSON are 415, not a signature mismatch", async () => {
      const response = await t.anonymous.request("POST", "/webhooks/crm/hubspot-eu", {
        raw: "[]",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(response.status, 415, JSON.stringify(response.body));
    });
  });
}

describe("configuration checked at start", () => {
  test("a CRM_DEFAULT_PLAYBOOK that names no published playbook refuses to start, naming the variable", async () => {
    const pglite = BACKENDS.find((b) => b.name === "pglite");
    assert.ok(pglite);
    const fresh = await pglite.fresh();
    try {
      const config = parseConfig({
        PORT: "0",
        LOG_LEVEL: "silent",
        SCHEDULER: "off",
        OUTBOX: "off",
        CRM_DEFAULT_PLAYBOOK: "no-such-playbook",
        HUBSPOT_CLIENT_SECRET: "x",
      });
      await assert.rejects(
        startServer(config, { database: fresh.database }),
        /CRM_DEFAULT_PLAYBOOK names no-such-playbook, which is not published: use one of/,
      );
    } finally {
      await fresh.dispose();
    }
  });
});
