// The pure side of CRM intake (issue #16): each vendor's payload read into one deal shape, and a
// connection's rules (what means won, which playbook, the client, the facts) applied to it.
// Payloads follow the vendors' documentation:
// Pipedrive v2 https://pipedrive.readme.io/docs/guide-for-webhooks-v2, v1 https://pipedrive.readme.io/docs/guide-for-webhooks
// HubSpot https://developers.hubspot.com/docs/api/webhooks, https://developers.hubspot.com/changelog/public-beta-generic-webhook-subscriptions
// Salesforce https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type Connection, ConnectionSettings, choosePlaybook, decideWon, wasAlreadyWon } from "../../src/crm/connection.ts";
import type { CrmDeal, CrmKind } from "../../src/crm/deal.ts";
import { readHubspotEvent } from "../../src/crm/hubspot/webhook.ts";
import { countryCode, mapClient, mapFacts } from "../../src/crm/mapping.ts";
import { readPipedriveWebhook } from "../../src/crm/pipedrive/webhook.ts";
import { decodeXmlText, readOutboundMessage } from "../../src/crm/salesforce/outbound-message.ts";
import type { Fact } from "../../src/playbook/schema.ts";

function connection(kind: CrmKind, settings: Record<string, unknown> = {}): Connection {
  return {
    id: `${kind}-test`,
    kind,
    managedBy: "database",
    secrets: {},
    settings: ConnectionSettings.parse({ name: "Test", playbooks: [{ playbook: "default" }], ...settings }),
  };
}

function deal(kind: CrmKind, fields: Record<string, string | null>, more: Partial<CrmDeal> = {}): CrmDeal {
  return { kind, tenant: undefined, dealId: "1", fields, complete: true, ...more };
}

describe("what means won", () => {
  test("each CRM's default: HubSpot closedwon, Pipedrive status won, Salesforce IsWon or Closed Won", () => {
    assert.equal(decideWon(connection("hubspot"), deal("hubspot", { dealstage: "closedwon" })).won, true);
    assert.equal(decideWon(connection("hubspot"), deal("hubspot", { dealstage: "qualifiedtobuy" })).won, false);
    assert.equal(decideWon(connection("pipedrive"), deal("pipedrive", { status: "won" })).won, true);
    assert.equal(decideWon(connection("pipedrive"), deal("pipedrive", { status: "lost" })).won, false);
    assert.equal(decideWon(connection("salesforce"), deal("salesforce", { IsWon: "true" })).won, true);
    assert.equal(decideWon(connection("salesforce"), deal("salesforce", { StageName: "closed won" })).won, true);
    assert.equal(decideWon(connection("salesforce"), deal("salesforce", { StageName: "Closed Lost", IsWon: "false" })).won, false);
  });

  test("a Salesforce message with neither field is won by its rule; a HubSpot one without the stage is unknown", () => {
    const bare = decideWon(connection("salesforce"), deal("salesforce", { Name: "Acme" }));
    assert.equal(bare.won, true);
    assert.deepEqual(decideWon(connection("hubspot"), deal("hubspot", { amount: "5" })), { won: "unknown", missing: ["dealstage"] });
    // A connection that says what won means is taken at its word: no field, no decision.
    const explicit = connection("salesforce", { won: [{ kind: "stages", stages: ["Ganho"] }] });
    assert.equal(decideWon(explicit, deal("salesforce", { Name: "Acme" })).won, "unknown");
    assert.equal(decideWon(explicit, deal("salesforce", { StageName: "ganho" })).won, true);
    assert.equal(decideWon(explicit, deal("salesforce", { StageName: "Closed Won" })).won, false);
  });

  test("the message itself, and a field's value, as rules", () => {
    assert.equal(decideWon(connection("hubspot", { won: [{ kind: "message" }] }), deal("hubspot", {})).won, true);
    const byField = connection("hubspot", { won: [{ kind: "field", field: "hs_is_closed_won", equals: ["true"] }] });
    assert.equal(decideWon(byField, deal("hubspot", { hs_is_closed_won: "true" })).won, true);
    assert.equal(decideWon(byField, deal("hubspot", { hs_is_closed_won: "false" })).won, false);
  });

  test("a deal won before this change is not news; one that turned won now is", () => {
    const pipedrive = connection("pipedrive");
    assert.equal(wasAlreadyWon(pipedrive, deal("pipedrive", { status: "won" }, { previous: { status: "won" } })), true);
    assert.equal(wasAlreadyWon(pipedrive, deal("pipedrive", { status: "won" }, { previous: { status: "open" } })), false);
    // Previous values that say nothing of the won fields (a title edit) do not make it old news.
    assert.equal(wasAlreadyWon(pipedrive, deal("pipedrive", { status: "won" }, { previous: { title: "x" } })), false);
  });

  test("property: a stage rule decides exactly by membership, whatever the capitals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,10}$/), { minLength: 1, maxLength: 5 }),
        fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,10}$/),
        (stages, stage) => {
          const c = connection("salesforce", { won: [{ kind: "stages", stages }] });
          const expected = stages.some((s) => s.trim().toLowerCase() === stage.trim().toLowerCase());
          return decideWon(c, deal("salesforce", { StageName: stage.toUpperCase() })).won === expected;
        },
      ),
    );
  });
});

describe("which playbook", () => {
  test("the first choice whose condition holds; none is a reason", () => {
    const c = connection("hubspot", {
      playbooks: [
        { when: { field: "pipeline", equals: ["enterprise"] }, playbook: "enterprise@2.0" },
        { when: { field: "account.industry", equals: ["Banking", "Insurance"] }, playbook: "regulated" },
      ],
    });
    assert.deepEqual(choosePlaybook(c, deal("hubspot", { pipeline: "Enterprise" })), { id: "enterprise", version: "2.0", choice: 0 });
    assert.deepEqual(choosePlaybook(c, deal("hubspot", {}, { account: { id: "9", fields: { industry: "insurance" } } })), {
      id: "regulated",
      choice: 1,
    });
    const none = choosePlaybook(c, deal("hubspot", { pipeline: "smb" }));
    assert.ok("none" in none);
    assert.match(none.none, /pipeline = enterprise \(is smb\)/);
  });
});

describe("the client and the facts", () => {
  test("the account is the client, named after it, with its country; without one, the deal", () => {
    const withAccount = mapClient(
      connection("hubspot", { tenant: "4711" }),
      deal("hubspot", { dealname: "Big deal" }, { account: { id: "555", fields: { name: "Müller GmbH", country: "Germany" } } }),
    );
    assert.deepEqual(withAccount, { id: "hubspot-4711-company-555", name: "Müller GmbH", timeZone: "UTC", country: "DE", named: true });
    const bare = mapClient(connection("hubspot"), deal("hubspot", { dealstage: "closedwon" }, { dealId: "77" }));
    assert.deepEqual([bare.id, bare.name, bare.named], ["hubspot-deal-77", "HubSpot deal 77", false]);
    const pipedrive = mapClient(connection("pipedrive"), deal("pipedrive", { org_id: "9", org_name: "Rossi SpA", title: "Deal" }));
    assert.deepEqual([pipedrive.id, pipedrive.name], ["pipedrive-org-9", "Rossi SpA"]);
    const zone = mapClient(
      connection("salesforce", { client: { timeZone: "Time_Zone__c", defaultTimeZone: "Europe/Berlin" } }),
      deal("salesforce", { AccountId: "001A", Time_Zone__c: "Not/AZone", Name: "Opp" }),
    );
    assert.deepEqual([zone.id, zone.timeZone], ["salesforce-001A", "Europe/Berlin"]);
    assert.equal(countryCode("United States"), "US");
    assert.equal(countryCode("de"), "DE");
    assert.equal(countryCode("Atlantis"), undefined);
  });

  test("facts take their declared types from CRM text, and a value that cannot is a located reason", () => {
    const declared: Record<string, Fact> = {
      arr: { type: "int", label: "ARR", source: "crm" } as Fact,
      go_live: { type: "date", label: "Close", source: "crm" } as Fact,
      regulated: { type: "bool", label: "Regulated", source: "crm" } as Fact,
      modules: { type: "list", label: "Modules", values: ["Billing", "CRM"], source: "crm" } as Fact,
      tier: { type: "string", label: "Tier", values: ["Standard", "Enterprise"], source: "crm" } as Fact,
    };
    const c = connection("hubspot", {
      facts: { arr: "amount", go_live: "closedate", regulated: "account.regulated", modules: "modules", tier: "tier", unknown_fact: "x" },
    });
    const mapped = mapFacts(
      c,
      deal(
        "hubspot",
        { amount: "48,000.4", closedate: "1733443200000", modules: "billing;crm", tier: "enterprise" },
        { account: { id: "1", fields: { regulated: "Yes" } } },
      ),
      declared,
    );
    assert.deepEqual(mapped, {
      facts: { arr: 48000, go_live: "2024-12-06", regulated: true, modules: ["Billing", "CRM"], tier: "Enterprise" },
    });
    const wrong = mapFacts(c, deal("hubspot", { amount: "lots" }), declared);
    assert.deepEqual(wrong, { fact: "arr", error: 'fact arr from amount: "lots" is not a number' });
  });
});

describe("vendor payloads", () => {
  test("Pipedrive v2: meta.entity, data, previous, custom fields by hash", () => {
    const reading = readPipedriveWebhook({
      meta: { action: "change", entity: "deal", version: "2.0", company_id: 12882925, entity_id: 1, timestamp: 1727447128 },
      data: {
        id: 1,
        title: "test deal",
        value: 2,
        currency: "USD",
        status: "won",
        stage_id: 1,
        owner_id: 18487521,
        org_id: 2,
        custom_fields: { d4de1c1518b4531717c676029a45911c340390a6: { value: 5, currency: "EUR" } },
      },
      previous: { status: "open" },
    });
    assert.ok("deal" in reading);
    assert.equal(reading.deal.tenant, "12882925");
    assert.deepEqual(reading.deal.previous, { status: "open" });
    assert.equal(reading.deal.fields.d4de1c1518b4531717c676029a45911c340390a6, "5");
    assert.equal(reading.deal.fields.owner_id, "18487521");
    assert.equal(reading.deal.occurredAt, "2024-09-27T14:25:28.000Z");
  });

  test("Pipedrive v1: event updated.deal, current, the owner as user_id", () => {
    const reading = readPipedriveWebhook({
      v: 1,
      event: "updated.deal",
      meta: { v: 1, action: "updated", object: "deal", id: 7, company_id: 55 },
      current: { id: 7, status: "won", user_id: 3, org_id: { value: 12, name: "Acme GmbH" } },
      previous: { id: 7, status: "open" },
    });
    assert.ok("deal" in reading);
    assert.deepEqual([reading.deal.fields.owner_id, reading.deal.fields.org_id, reading.deal.fields.org_name], ["3", "12", "Acme GmbH"]);
    assert.deepEqual(readPipedriveWebhook({ meta: { action: "change", entity: "person" }, data: { id: 1 } }), {
      ignored: "change.person is not about a deal",
    });
    assert.deepEqual(readPipedriveWebhook({ meta: { action: "change", entity: "deal" }, data: null }), {
      invalid: "a deal change must carry the deal in data",
      pointer: "/body/data",
    });
  });

  test("HubSpot: legacy deal.propertyChange and generic object.propertyChange of deals, each with its portal", () => {
    const legacy = readHubspotEvent({
      objectId: 1246965,
      subscriptionType: "deal.propertyChange",
      propertyName: "dealstage",
      propertyValue: "closedwon",
      portalId: 33,
    });
    assert.ok("deal" in legacy);
    assert.deepEqual([legacy.deal.tenant, legacy.deal.fields, legacy.deal.complete], ["33", { dealstage: "closedwon" }, false]);
    const generic = readHubspotEvent({
      objectId: 5,
      objectTypeId: "0-3",
      subscriptionType: "object.propertyChange",
      propertyName: "dealstage",
      propertyValue: "x",
    });
    assert.ok("deal" in generic);
    assert.deepEqual(
      readHubspotEvent({ objectId: 5, objectTypeId: "0-1", subscriptionType: "object.propertyChange", propertyName: "email" }),
      {
        ignored: "object.propertyChange of object type 0-1 is not a deal property change",
      },
    );
  });

  test("Salesforce: every sent field kept, nil as empty, character references decoded once", () => {
    assert.equal(decodeXmlText("M&#252;ller &amp; S&#xF6;hne"), "Müller & Söhne");
    assert.equal(decodeXmlText("&amp;#252;"), "&#252;", "an escaped ampersand is text, not a reference");
    assert.equal(decodeXmlText("&#0;&#xD800;"), "&#0;&#xD800;", "references XML forbids stay as written");
    const message = readOutboundMessage(`<?xml version="1.0"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D5g000004SalEEAS</OrganizationId>
<Notification><Id>04l1</Id><sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
<sf:Id>0065g00000AbCdEAAA</sf:Id><sf:Name>M&#252;ller &amp; Co</sf:Name><sf:Amount xsi:nil="true"/><sf:Region__c>EMEA</sf:Region__c>
</sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>`);
    assert.ok("notifications" in message);
    const [n] = message.notifications;
    assert.deepEqual(n?.deal.fields, { Id: "0065g00000AbCdEAAA", Name: "Müller & Co", Amount: null, Region__c: "EMEA" });
    assert.equal(n?.deal.tenant, "00D5g000004SalE");
  });
});
