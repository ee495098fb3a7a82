// Projects that start on a CRM stage before the deal is won (issue 15 item 7): the playbook's
// `starts_on: crm_stages` names them; the generic webhook, HubSpot, Pipedrive and Salesforce all
// start the project on such a stage, still once per deal (the won delivery later is a duplicate),
// other stages are still ignored, and a won deal starts projects as before.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { signGeneric, signHubspot } from "../../src/api/webhooks/signatures.ts";
import { edited } from "../support/fixtures.ts";
import { type Json, type Response, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const SECRET = "generic webhook secret for tests";
const HUBSPOT_SECRET = "hubspot-client-secret-for-tests";
const ORG_ID = "00D5g000004SalEEAS";
const PIPEDRIVE_AUTH = `Basic ${Buffer.from("pipedrive:pipedrive password").toString("base64")}`;
const NEGOTIATING = edited([[["starts_on"], { crm_stages: ["5 - Negotiating", "appointmentscheduled", "7", "Negotiation/Review"] }]]);

function opportunity(id: string, stage: string, won: boolean): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${ORG_ID}</OrganizationId>
   <ActionId>04k5g000000GmEMAA0</ActionId>
   <Notification>
    <Id>04l5g0000000000001</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${id}</sf:Id>
     <sf:AccountId>0015g00000AcctN</sf:AccountId>
     <sf:Amount>48000.0</sf:Amount>
     <sf:IsWon>${won}</sf:IsWon>
     <sf:Name>Stark Industries</sf:Name>
     <sf:StageName>${stage}</sf:StageName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

for (const backend of BACKENDS) {
  describe(`projects starting on a CRM stage on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    const postGeneric = (body: unknown): Promise<Response> => {
      const raw = JSON.stringify(body);
      const signature = signGeneric(SECRET, raw, Math.floor(Date.now() / 1000));
      return t.anonymous.request("POST", "/webhooks/deals/generic", {
        raw,
        headers: { "content-type": "application/json", "onboard-signature": signature },
      });
    };
    const projectsOf = async (source: string, dealId: string) =>
      Number(
        (
          await sql<{
            n: number | string;
          }>`SELECT count(*) AS n FROM projects WHERE deal_source = ${source} AND deal_id = ${dealId}`.execute(t.fresh.database.db)
        ).rows[0]?.n,
      );
    const deal = (dealId: string, stage: string) => ({
      source: "crm",
      deal_id: dealId,
      stage,
      amount: 9000,
      client: { id: `acct-${dealId}`, name: `Account ${dealId}`, time_zone: "Europe/Berlin", country: "DE" },
      playbook: { id: "minimal" },
      facts: { user_count: 25 },
    });

    before(async () => {
      t = await startTestServer(
        backend,
        {
          ONBOARD_WEBHOOK_SECRET: SECRET,
          HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
          CRM_DEFAULT_PLAYBOOK: "minimal",
          PIPEDRIVE_WEBHOOK_USER: "pipedrive",
          PIPEDRIVE_WEBHOOK_PASSWORD: "pipedrive password",
          SALESFORCE_ORGANIZATION_ID: ORG_ID,
          WEBHOOK_RATE_LIMIT: "100000",
          // CRM_DEFAULT_PLAYBOOK must be published when the server starts (checked then).
        },
        { publish: [NEGOTIATING] },
      );
    });
    after(() => t?.close());

    test("generic: a stage the playbook starts on starts the project; won later is a duplicate; other stages are ignored", async () => {
      const early = await postGeneric(deal("N-1", "5 - negotiating"));
      assert.equal(early.status, 201, JSON.stringify(early.body));
      assert.equal(early.body.outcome, "accepted");
      const project = await t.admin.get(`/projects/${early.body.projectId}`);
      assert.equal(project.status, 200);
      const won = await postGeneric(deal("N-1", "won"));
      assert.deepEqual([won.status, won.body.outcome, won.body.projectId], [200, "duplicate", early.body.projectId]);
      assert.equal(await projectsOf("crm", "N-1"), 1);

      const other = await postGeneric(deal("N-2", "3 - Qualified"));
      assert.deepEqual([other.status, other.body.outcome], [200, "ignored"]);
      assert.match(other.body.reason, /nor a stage playbook minimal starts on/);
      assert.equal(await projectsOf("crm", "N-2"), 0);
      // The won path is unchanged.
      const plain = await postGeneric(deal("N-3", "won"));
      assert.deepEqual([plain.status, plain.body.outcome], [201, "accepted"]);
    });

    test("HubSpot, Pipedrive and Salesforce deliver stage changes that start it, once per deal", async () => {
      const raw = JSON.stringify([
        { objectId: 501, subscriptionType: "deal.propertyChange", propertyName: "dealstage", propertyValue: "appointmentscheduled" },
        { objectId: 502, subscriptionType: "deal.propertyChange", propertyName: "dealstage", propertyValue: "qualifiedtobuy" },
        { objectId: 501, subscriptionType: "deal.propertyChange", propertyName: "dealstage", propertyValue: "closedwon" },
      ]);
      const timestamp = String(Date.now());
      const hubspot = await t.anonymous.request("POST", "/webhooks/deals/hubspot", {
        raw,
        headers: {
          "content-type": "application/json",
          "x-hubspot-request-timestamp": timestamp,
          "x-hubspot-signature-v3": signHubspot(HUBSPOT_SECRET, "POST", `${t.url}/webhooks/deals/hubspot`, raw, timestamp),
        },
      });
      assert.equal(hubspot.status, 200, JSON.stringify(hubspot.body));
      assert.deepEqual(
        hubspot.body.results.map((r: Json) => [r.dealId, r.outcome]),
        [
          ["501", "accepted"],
          ["502", "ignored"],
          ["501", "duplicate"],
        ],
      );

      const pipedrive = (id: number, stage: number, previousStage: number, status = "open") =>
        t.anonymous.request("POST", "/webhooks/deals/pipedrive", {
          body: {
            event: "updated.deal",
            meta: { action: "updated", object: "deal", id },
            current: { id, status, stage_id: stage, title: `Deal ${id}`, org_name: "Acme GmbH", value: 5000 },
            previous: { id, status: "open", stage_id: previousStage },
          },
          headers: { authorization: PIPEDRIVE_AUTH },
        });
      const moved = await pipedrive(61, 7, 6);
      assert.deepEqual([moved.status, moved.body.outcome], [201, "accepted"], JSON.stringify(moved.body));
      assert.equal((await pipedrive(62, 6, 5)).body.outcome, "ignored");
      assert.equal((await pipedrive(61, 8, 7, "won")).body.outcome, "duplicate");
      assert.equal(await projectsOf("pipedrive", "61"), 1);

      const post = (xml: string) =>
        t.anonymous.request("POST", "/webhooks/deals/salesforce", { raw: xml, headers: { "content-type": "text/xml; charset=utf-8" } });
      assert.equal((await post(opportunity("0065g00000Neg09AAA", "Negotiation/Review", false))).status, 200);
      assert.equal(await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Neg09AAA"), 1);
      assert.equal((await post(opportunity("0065g00000Neg09AAA", "Closed Won", true))).status, 200);
      assert.equal(await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Neg09AAA"), 1);
      assert.equal((await post(opportunity("0065g00000Pro10AAA", "Prospecting", false))).status, 200);
      assert.equal(await projectsOf(`salesforce:${ORG_ID.slice(0, 15)}`, "0065g00000Pro10AAA"), 0);
    });
  });
}
