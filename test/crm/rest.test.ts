// The CRM REST clients against a loopback server that answers as each vendor documents: the deal
// comes back in the one CrmDeal shape, paging is followed to its end, the requests are the
// documented ones (path, query, auth header, search body, SOQL), and failures (a refused token,
// a rate limit, a server that never answers) become CrmApiErrors that never carry the token.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import type { CrmDeal } from "../../src/crm/deal.ts";
import { CrmApiError, crmApi } from "../../src/crm/rest.ts";
import { soqlString, wonSoql } from "../../src/crm/salesforce/rest.ts";

const TOKEN = "tok-5f3c9a1e-secret";

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

interface Answer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly json: unknown;
}

type Handler = (seen: Seen, index: number) => Answer | "hang";

const servers: { close(): void }[] = [];
after(() => {
  for (const server of servers) server.close();
});

/** A loopback vendor: records each request and answers with the handler's JSON ("hang": never answers). */
async function vendor(handler: Handler): Promise<{ baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request: Seen = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(request);
      const answer = handler(request, seen.length - 1);
      if (answer === "hang") return;
      res.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function notFound(seen: Seen): Answer {
  return { status: 404, json: { message: `no fixture for ${seen.method} ${seen.path}` } };
}

async function rejected(promise: Promise<unknown>): Promise<CrmApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CrmApiError, `expected a CrmApiError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

// ---------------------------------------------------------------------------------------------
// HubSpot
// ---------------------------------------------------------------------------------------------

// GET /crm/v3/objects/deals/{dealId}?properties=…&associations=companies, shaped per
// https://developers.hubspot.com/docs/guides/api/crm/objects/deals (properties as strings or null)
// and the association list of https://developers.hubspot.com/changelog/announcing-a-change-to-how-v3-crm-apis-return-association-data
// (the primary company carries the type "deal_to_company", every company also "deal_to_company_unlabeled").
const HUBSPOT_DEAL = {
  id: "9185082778",
  properties: {
    amount: "12000",
    closedate: "2026-11-30T10:00:00Z",
    createdate: "2026-10-01T09:00:00.000Z",
    dealname: "Acme rollout",
    dealstage: "closedwon",
    deal_currency_code: "EUR",
    hs_lastmodifieddate: "2026-12-01T08:30:00.000Z",
    hs_object_id: "9185082778",
    hubspot_owner_id: "44",
    pipeline: "default",
    onboarding_tier: null,
  },
  createdAt: "2026-10-01T09:00:00.000Z",
  updatedAt: "2026-12-01T08:30:00.000Z",
  archived: false,
  associations: {
    companies: {
      results: [
        { id: "8939397913", type: "deal_to_company_unlabeled" },
        { id: "8913841277", type: "deal_to_company" },
        { id: "8913841277", type: "deal_to_company_unlabeled" },
      ],
    },
  },
};

// GET /crm/v3/objects/companies/{companyId}?properties=… (same object shape as a deal).
const HUBSPOT_COMPANY = {
  id: "8913841277",
  properties: {
    country: "Germany",
    createdate: "2025-01-01T00:00:00.000Z",
    domain: "acme.example",
    hs_object_id: "8913841277",
    industry: "MANUFACTURING",
    name: "Acme GmbH",
  },
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
  archived: false,
};

// POST /crm/v3/objects/deals/search, shaped per
// https://developers.hubspot.com/docs/api-reference/crm-deals-v3/search/post-crm-v3-objects-deals-search
function hubspotSearchPage(ids: readonly string[], after?: string) {
  return {
    total: 3,
    results: ids.map((id) => ({
      id,
      properties: {
        dealname: `Deal ${id}`,
        dealstage: "closedwon",
        amount: "100",
        hs_lastmodifieddate: "2026-12-02T00:00:00.000Z",
        hs_object_id: id,
      },
      createdAt: "2026-11-01T00:00:00.000Z",
      updatedAt: "2026-12-02T00:00:00.000Z",
      archived: false,
    })),
    ...(after ? { paging: { next: { after, link: `?after=${after}` } } } : {}),
  };
}

// POST /crm/v4/associations/deals/companies/batch/read, shaped per
// https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/batch/get-associations
// (typeId 5 is HubSpot's "deal to primary company", 341 the unlabeled deal-to-company type).
const HUBSPOT_ASSOCIATIONS = {
  status: "COMPLETE",
  results: [
    {
      from: { id: "101" },
      to: [
        { toObjectId: 7001, associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 341, label: null }] },
        {
          toObjectId: 7002,
          associationTypes: [
            { category: "HUBSPOT_DEFINED", typeId: 5, label: "Primary" },
            { category: "HUBSPOT_DEFINED", typeId: 341, label: null },
          ],
        },
      ],
    },
    { from: { id: "103" }, to: [{ toObjectId: 7002, associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 341, label: null }] }] },
    { from: { id: "104" }, to: [{ toObjectId: 7009, associationTypes: [{ category: "HUBSPOT_DEFINED", typeId: 5, label: "Primary" }] }] },
  ],
  startedAt: "2026-12-06T10:00:00.000Z",
  completedAt: "2026-12-06T10:00:00.100Z",
};

// POST /crm/v3/objects/companies/batch/read: {status, results: [company objects]} per
// https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/create-companies (same batch response).
const HUBSPOT_COMPANIES_BATCH = {
  status: "COMPLETE",
  results: [{ id: "7002", properties: { name: "Globex", country: "FR", domain: "globex.example", hs_object_id: "7002" }, archived: false }],
  startedAt: "2026-12-06T10:00:00.000Z",
  completedAt: "2026-12-06T10:00:00.100Z",
};

describe("HubSpot", () => {
  test("fetchDeal reads the deal and its primary company, with a bearer token", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/crm/v3/objects/deals/9185082778") return { json: HUBSPOT_DEAL };
      if (request.path === "/crm/v3/objects/companies/8913841277") return { json: HUBSPOT_COMPANY };
      return notFound(request);
    });
    const deal = await crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("9185082778", ["onboarding_tier"], ["industry"]);

    assert.deepEqual(deal, {
      kind: "hubspot",
      tenant: undefined,
      dealId: "9185082778",
      fields: { ...HUBSPOT_DEAL.properties, associatedcompanyid: "8913841277" },
      account: { id: "8913841277", fields: HUBSPOT_COMPANY.properties },
      complete: true,
      occurredAt: "2026-12-01T08:30:00.000Z",
    } satisfies CrmDeal);
    assert.equal(seen.length, 2);
    for (const request of seen) assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(seen[0]?.method, "GET");
    assert.equal(seen[0]?.query.get("associations"), "companies");
    const properties = seen[0]?.query.get("properties")?.split(",") ?? [];
    for (const name of [
      "dealname",
      "dealstage",
      "amount",
      "pipeline",
      "closedate",
      "hubspot_owner_id",
      "deal_currency_code",
      "onboarding_tier",
    ]) {
      assert.ok(properties.includes(name), `properties asks for ${name}`);
    }
    assert.deepEqual(seen[1]?.query.get("properties")?.split(","), ["name", "country", "domain", "industry"]);
  });

  test("a deal with no company has no account and an empty associatedcompanyid", async () => {
    const { associations: _associations, ...alone } = HUBSPOT_DEAL;
    const { baseUrl, seen } = await vendor(() => ({ json: alone }));
    const deal = await crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("9185082778", [], []);
    assert.equal(deal.account, undefined);
    assert.equal(deal.fields.associatedcompanyid, null);
    assert.equal(seen.length, 1);
  });

  test("a company HubSpot no longer has leaves the deal without an account but with its company id", async () => {
    const { baseUrl } = await vendor((request) => {
      if (request.path === "/crm/v3/objects/deals/9185082778") return { json: HUBSPOT_DEAL };
      return { status: 404, json: { status: "error", message: "resource not found", category: "OBJECT_NOT_FOUND" } };
    });
    const deal = await crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("9185082778", [], []);
    assert.equal(deal.account, undefined);
    assert.equal(deal.fields.associatedcompanyid, "8913841277");
  });

  test("listWon searches won stages since the time, follows paging, and batch-reads the primary companies", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/crm/v3/objects/deals/search") {
        const body = request.body as { after?: string };
        return { json: body.after === undefined ? hubspotSearchPage(["101", "102"], "NTI1Cg%3D%3D") : hubspotSearchPage(["103", "104"]) };
      }
      if (request.path === "/crm/v4/associations/deals/companies/batch/read") return { json: HUBSPOT_ASSOCIATIONS };
      if (request.path === "/crm/v3/objects/companies/batch/read") return { json: HUBSPOT_COMPANIES_BATCH };
      return notFound(request);
    });
    const deals = await crmApi("hubspot", { baseUrl, token: TOKEN }).listWon({
      since: "2026-12-01T00:00:00.000Z",
      wonStages: ["closedwon", "123456"],
      fields: ["onboarding_tier"],
      accountFields: ["industry"],
    });

    assert.deepEqual(
      deals.map((deal) => [deal.dealId, deal.account?.id, deal.fields.associatedcompanyid, deal.account?.fields.name]),
      [
        ["101", "7002", "7002", "Globex"],
        ["102", undefined, null, undefined],
        ["103", "7002", "7002", "Globex"],
        // Its company is gone from the batch read (deleted since): the id stays, the account does not.
        ["104", undefined, "7009", undefined],
      ],
    );
    assert.equal(deals[0]?.fields.dealname, "Deal 101");
    assert.equal(deals[0]?.complete, true);
    assert.deepEqual(
      seen.map((request) => `${request.method} ${request.path}`),
      [
        "POST /crm/v3/objects/deals/search",
        "POST /crm/v3/objects/deals/search",
        "POST /crm/v4/associations/deals/companies/batch/read",
        "POST /crm/v3/objects/companies/batch/read",
      ],
    );
    const first = seen[0]?.body as Record<string, unknown>;
    assert.deepEqual(first.filterGroups, [
      {
        filters: [
          { propertyName: "dealstage", operator: "IN", values: ["closedwon", "123456"] },
          { propertyName: "hs_lastmodifieddate", operator: "GTE", value: String(Date.parse("2026-12-01T00:00:00.000Z")) },
        ],
      },
    ]);
    assert.equal(first.limit, 100);
    assert.equal(first.after, undefined);
    assert.ok((first.properties as string[]).includes("onboarding_tier"));
    assert.equal((seen[1]?.body as Record<string, unknown> | undefined)?.after, "NTI1Cg%3D%3D");
    assert.deepEqual(seen[2]?.body, { inputs: [{ id: "101" }, { id: "102" }, { id: "103" }, { id: "104" }] });
    assert.deepEqual(seen[3]?.body, {
      properties: ["name", "country", "domain", "industry"],
      propertiesWithHistory: [],
      inputs: [{ id: "7002" }, { id: "7009" }],
    });
    for (const request of seen) assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
  });

  test("listWon stops at the limit and asks for no more than it needs", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/crm/v3/objects/deals/search") return { json: hubspotSearchPage(["101", "102"], "more") };
      return { json: { status: "COMPLETE", results: [] } };
    });
    const deals = await crmApi("hubspot", { baseUrl, token: TOKEN }).listWon({
      since: "2026-12-01T00:00:00Z",
      wonStages: ["closedwon"],
      fields: [],
      accountFields: [],
      limit: 1,
    });
    assert.deepEqual(
      deals.map((deal) => deal.dealId),
      ["101"],
    );
    assert.equal((seen[0]?.body as Record<string, unknown> | undefined)?.limit, 1);
    assert.equal(seen.filter((request) => request.path === "/crm/v3/objects/deals/search").length, 1);
  });

  test("a refused token says so, with HubSpot's message and without the token", async () => {
    // HubSpot's error body: https://developers.hubspot.com/docs/guides/api/error-handling
    const { baseUrl } = await vendor(() => ({
      status: 401,
      json: {
        status: "error",
        message: `Authentication credentials not found. Token ${TOKEN} is not valid.`,
        correlationId: "3a1b2c4d-0000-4000-8000-000000000000",
        category: "INVALID_AUTHENTICATION",
      },
    }));
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("1", [], []));
    assert.equal(error.status, 401);
    assert.equal(error.vendor, "hubspot");
    assert.equal(error.retryable, false);
    assert.match(error.message, /refused the token \(Authentication credentials not found/);
    assert.ok(!error.message.includes(TOKEN), error.message);
    assert.ok(!String(error.stack).includes(TOKEN));
  });

  test("a 429 is retried after Retry-After and then succeeds", async () => {
    const { baseUrl, seen } = await vendor((request, index) => {
      if (index === 0) {
        return {
          status: 429,
          headers: { "retry-after": "1" },
          json: { status: "error", message: "You have reached your secondly limit.", category: "RATE_LIMITS" },
        };
      }
      if (request.path.startsWith("/crm/v3/objects/deals/")) return { json: { ...HUBSPOT_DEAL, associations: undefined } };
      return notFound(request);
    });
    const started = performance.now();
    const deal = await crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("9185082778", [], []);
    assert.equal(deal.dealId, "9185082778");
    assert.equal(seen.length, 2);
    assert.ok(performance.now() - started >= 900, "waited the second Retry-After asked for");
  });

  test("a 429 that persists gives up after two retries as a retryable error", async () => {
    const { baseUrl, seen } = await vendor(() => ({
      status: 429,
      headers: { "retry-after": "0" },
      json: { status: "error", message: "Too many requests" },
    }));
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("1", [], []));
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.equal(seen.length, 3);
  });

  test("a Retry-After beyond the wait bound is not waited for", async () => {
    const { baseUrl, seen } = await vendor(() => ({ status: 429, headers: { "retry-after": "60" }, json: { message: "slow down" } }));
    const started = performance.now();
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("1", [], []));
    assert.equal(error.retryable, true);
    assert.equal(seen.length, 1);
    assert.ok(performance.now() - started < 2000);
  });

  test("a 5xx is a retryable error", async () => {
    const { baseUrl } = await vendor(() => ({ status: 502, json: { status: "error", message: "Bad gateway" } }));
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("1", [], []));
    assert.equal(error.status, 502);
    assert.equal(error.retryable, true);
  });

  test("a server that never answers is a timeout error, not a hang", async () => {
    const { baseUrl } = await vendor(() => "hang");
    const started = performance.now();
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN, timeoutMs: 200 }).fetchDeal("1", [], []));
    assert.equal(error.retryable, true);
    assert.equal(error.status, undefined);
    assert.match(error.message, /did not answer .* within 200 ms/);
    assert.ok(performance.now() - started < 3000);
  });

  test("a CRM that cannot be reached is a retryable error", async () => {
    const { baseUrl } = await vendor(() => ({ json: {} }));
    for (const server of servers.splice(0)) server.close();
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("1", [], []));
    assert.equal(error.retryable, true);
    assert.equal(error.status, undefined);
    assert.match(error.message, /could not be reached/);
  });

  test("a deal id that is not a number is refused before any request", async () => {
    const { baseUrl, seen } = await vendor(() => ({ json: HUBSPOT_DEAL }));
    const error = await rejected(crmApi("hubspot", { baseUrl, token: TOKEN }).fetchDeal("../companies/1", [], []));
    assert.equal(error.retryable, false);
    assert.equal(seen.length, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// Pipedrive
// ---------------------------------------------------------------------------------------------

// GET /api/v2/deals/{id}: {success, data} with custom fields under custom_fields, per
// https://developers.pipedrive.com/docs/api/v1/Deals#getDeal (v2) and the custom field formats of
// https://pipedrive.readme.io/docs/pipedrive-api-v2-migration-guide (monetary: {value, currency}; multiple options: ids).
const PIPEDRIVE_DEAL = {
  id: 42,
  title: "Initech onboarding",
  creator_user_id: 7,
  owner_id: 7,
  value: 5000,
  currency: "EUR",
  person_id: 12,
  org_id: 3,
  stage_id: 5,
  pipeline_id: 1,
  status: "won",
  add_time: "2026-11-01T09:00:00Z",
  update_time: "2026-12-02T10:15:00Z",
  stage_change_time: "2026-12-02T10:15:00Z",
  close_time: "2026-12-02T10:15:00Z",
  won_time: "2026-12-02T10:15:00Z",
  lost_time: null,
  expected_close_date: "2026-12-15",
  probability: null,
  is_deleted: false,
  visible_to: 3,
  label_ids: [1, 4],
  custom_fields: {
    d4de1c1518b4531717c676029a45911c340390a6: { value: 2300, currency: "EUR" },
    a1b2c3d4e5f60718293a4b5c6d7e8f9012345678: "Premium",
    f0e1d2c3b4a5968778695a4b3c2d1e0f12345678: [31, 32],
    c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00: null,
  },
};

// GET /api/v2/organizations/{id}: address as an object (value and its parts), per
// https://developers.pipedrive.com/docs/api/v1/Organizations#getOrganization (v2).
const PIPEDRIVE_ORG = {
  id: 3,
  name: "Initech",
  owner_id: 7,
  add_time: "2025-05-01T09:00:00Z",
  update_time: "2026-11-20T09:00:00Z",
  visible_to: 3,
  label_ids: [],
  is_deleted: false,
  address: {
    value: "Musterstraße 1, 10115 Berlin, Germany",
    street_number: "1",
    route: "Musterstraße",
    sublocality: null,
    locality: "Berlin",
    admin_area_level_1: "Berlin",
    admin_area_level_2: null,
    country: "Germany",
    postal_code: "10115",
    formatted_address: "Musterstraße 1, 10115 Berlin, Germany",
  },
  custom_fields: { b7e1f3a9c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f1: "DE123456789" },
};

// GET /api/v2/deals?status=won&updated_since=…: {success, data: [deals], additional_data: {next_cursor}}, per
// https://developers.pipedrive.com/changelog/post/introducing-2-new-cursor-paginated-codegetcode-endpoints-for-activities-and-deals-api
function pipedrivePage(deals: readonly { id: number; org_id: number | null }[], nextCursor: string | null) {
  return {
    success: true,
    data: deals.map((deal) => ({ ...PIPEDRIVE_DEAL, ...deal, title: `Deal ${deal.id}`, custom_fields: {} })),
    additional_data: { next_cursor: nextCursor },
  };
}

describe("Pipedrive", () => {
  test("fetchDeal flattens the deal and its organization, with the x-api-token header", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/api/v2/deals/42") return { json: { success: true, data: PIPEDRIVE_DEAL } };
      if (request.path === "/api/v2/organizations/3") return { json: { success: true, data: PIPEDRIVE_ORG } };
      return notFound(request);
    });
    const deal = await crmApi("pipedrive", { baseUrl, token: TOKEN }).fetchDeal("42", [], []);

    assert.equal(deal.kind, "pipedrive");
    assert.equal(deal.tenant, undefined);
    assert.equal(deal.dealId, "42");
    assert.equal(deal.complete, true);
    assert.equal(deal.occurredAt, "2026-12-02T10:15:00.000Z");
    assert.deepEqual(deal.fields, {
      id: "42",
      title: "Initech onboarding",
      creator_user_id: "7",
      owner_id: "7",
      value: "5000",
      currency: "EUR",
      person_id: "12",
      org_id: "3",
      stage_id: "5",
      pipeline_id: "1",
      status: "won",
      add_time: "2026-11-01T09:00:00Z",
      update_time: "2026-12-02T10:15:00Z",
      stage_change_time: "2026-12-02T10:15:00Z",
      close_time: "2026-12-02T10:15:00Z",
      won_time: "2026-12-02T10:15:00Z",
      lost_time: null,
      expected_close_date: "2026-12-15",
      probability: null,
      is_deleted: "false",
      visible_to: "3",
      label_ids: "1,4",
      d4de1c1518b4531717c676029a45911c340390a6: "2300",
      d4de1c1518b4531717c676029a45911c340390a6_currency: "EUR",
      a1b2c3d4e5f60718293a4b5c6d7e8f9012345678: "Premium",
      f0e1d2c3b4a5968778695a4b3c2d1e0f12345678: "31,32",
      c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00: null,
    });
    assert.equal(deal.account?.id, "3");
    assert.equal(deal.account?.fields.name, "Initech");
    assert.equal(deal.account?.fields.address, "Musterstraße 1, 10115 Berlin, Germany");
    assert.equal(deal.account?.fields.address_country, "Germany");
    assert.equal(deal.account?.fields.address_locality, "Berlin");
    assert.equal(deal.account?.fields.address_sublocality, null);
    assert.equal(deal.account?.fields.b7e1f3a9c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f1, "DE123456789");
    assert.equal(deal.account?.fields.label_ids, "");
    for (const request of seen) {
      assert.equal(request.headers["x-api-token"], TOKEN);
      assert.equal(request.headers.authorization, undefined);
    }
  });

  test("listWon asks for won deals updated since the time, follows the cursor, and reads each organization once", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/api/v2/deals") {
        return {
          json:
            request.query.get("cursor") === null
              ? pipedrivePage(
                  [
                    { id: 1, org_id: 3 },
                    { id: 2, org_id: null },
                  ],
                  "eyJkZWFscyI6Mn0",
                )
              : pipedrivePage([{ id: 3, org_id: 3 }], null),
        };
      }
      if (request.path === "/api/v2/organizations/3") return { json: { success: true, data: PIPEDRIVE_ORG } };
      return notFound(request);
    });
    const deals = await crmApi("pipedrive", { baseUrl, token: TOKEN }).listWon({
      since: "2026-12-01T06:00:00.123Z",
      wonStages: [],
      fields: [],
      accountFields: [],
    });

    assert.deepEqual(
      deals.map((deal) => [deal.dealId, deal.fields.title, deal.account?.fields.name]),
      [
        ["1", "Deal 1", "Initech"],
        ["2", "Deal 2", undefined],
        ["3", "Deal 3", "Initech"],
      ],
    );
    const lists = seen.filter((request) => request.path === "/api/v2/deals");
    assert.equal(lists.length, 2);
    assert.deepEqual(Object.fromEntries(lists[0]?.query ?? []), { status: "won", updated_since: "2026-12-01T06:00:00Z", limit: "100" });
    assert.equal(lists[1]?.query.get("cursor"), "eyJkZWFscyI6Mn0");
    assert.equal(seen.filter((request) => request.path === "/api/v2/organizations/3").length, 1);
  });

  test("listWon stops at the limit without following the cursor further", async () => {
    const { baseUrl, seen } = await vendor(() => ({
      json: pipedrivePage(
        [
          { id: 1, org_id: null },
          { id: 2, org_id: null },
        ],
        "more",
      ),
    }));
    const deals = await crmApi("pipedrive", { baseUrl: `${baseUrl}/`, token: TOKEN }).listWon({
      since: "2026-12-01T00:00:00Z",
      wonStages: [],
      fields: [],
      accountFields: [],
      limit: 1,
    });
    assert.deepEqual(
      deals.map((deal) => deal.dealId),
      ["1"],
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.path, "/api/v2/deals", "a base URL's trailing slash makes no double slash");
    assert.equal(seen[0]?.query.get("limit"), "1");
  });

  test("a refused token says so with Pipedrive's message", async () => {
    // Pipedrive's error body: {success: false, error, errorCode}.
    const { baseUrl } = await vendor(() => ({
      status: 401,
      json: { success: false, error: "unauthorized access", errorCode: 401, error_info: "Please check developers.pipedrive.com" },
    }));
    const error = await rejected(crmApi("pipedrive", { baseUrl, token: TOKEN }).fetchDeal("42", [], []));
    assert.equal(error.status, 401);
    assert.equal(error.vendor, "pipedrive");
    assert.match(error.message, /refused the token \(unauthorized access\)/);
  });

  test("an answer in the wrong shape is an error naming what was wrong", async () => {
    const { baseUrl } = await vendor(() => ({ json: { success: true, data: { title: "no id" } } }));
    const error = await rejected(crmApi("pipedrive", { baseUrl, token: TOKEN }).fetchDeal("42", [], []));
    assert.equal(error.retryable, false);
    assert.match(error.message, /unexpected shape \(data\.id/);
  });
});

// ---------------------------------------------------------------------------------------------
// Salesforce
// ---------------------------------------------------------------------------------------------

// GET /services/data/v60.0/sobjects/Opportunity/{id}: the record with an attributes header, per
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
const SALESFORCE_OPPORTUNITY = {
  attributes: { type: "Opportunity", url: "/services/data/v60.0/sobjects/Opportunity/006D000000IxPZhIAN" },
  Id: "006D000000IxPZhIAN",
  IsDeleted: false,
  AccountId: "001D000000IRFmaIAH",
  Name: "Umbrella renewal",
  StageName: "Closed Won",
  Amount: 25000.5,
  Probability: 100,
  CloseDate: "2026-12-03",
  Type: "New Customer",
  IsClosed: true,
  IsWon: true,
  OwnerId: "005D0000001AbcdIAC",
  LastModifiedDate: "2026-12-03T11:00:00.000+0000",
  Onboarding_Tier__c: null,
};

const SALESFORCE_ACCOUNT = {
  attributes: { type: "Account", url: "/services/data/v60.0/sobjects/Account/001D000000IRFmaIAH" },
  Id: "001D000000IRFmaIAH",
  Name: "Umbrella Corp",
  BillingCountry: "United Kingdom",
  BillingAddress: { city: "London", country: "United Kingdom", postalCode: "EC1A 1BB", street: "1 Example Way", geocodeAccuracy: null },
  Industry: "Biotechnology",
  NumberOfEmployees: 250,
};

// GET /services/data/v60.0/query?q=…: {totalSize, done, nextRecordsUrl, records}, relationship
// fields nested (Account: {attributes, Name, …}), per
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
function salesforceRecord(id: string, account: { id: string; name: string } | null) {
  return {
    attributes: { type: "Opportunity", url: `/services/data/v60.0/sobjects/Opportunity/${id}` },
    Id: id,
    Name: `Opportunity ${id}`,
    StageName: "Closed Won",
    IsWon: true,
    Amount: 1000,
    CloseDate: "2026-12-03",
    OwnerId: "005D0000001AbcdIAC",
    AccountId: account?.id ?? null,
    Type: null,
    LastModifiedDate: "2026-12-03T11:00:00.000+0000",
    Onboarding_Tier__c: "Gold",
    Account: account
      ? {
          attributes: { type: "Account", url: `/services/data/v60.0/sobjects/Account/${account.id}` },
          Name: account.name,
          BillingCountry: "DE",
          Industry: null,
        }
      : null,
  };
}

describe("Salesforce", () => {
  test("fetchDeal reads the Opportunity and its Account as text fields", async () => {
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/services/data/v60.0/sobjects/Opportunity/006D000000IxPZhIAN") return { json: SALESFORCE_OPPORTUNITY };
      if (request.path === "/services/data/v60.0/sobjects/Account/001D000000IRFmaIAH") return { json: SALESFORCE_ACCOUNT };
      return notFound(request);
    });
    const deal = await crmApi("salesforce", { baseUrl, token: TOKEN }).fetchDeal(
      "006D000000IxPZhIAN",
      ["Onboarding_Tier__c"],
      ["Industry"],
    );

    assert.deepEqual(deal, {
      kind: "salesforce",
      tenant: undefined,
      dealId: "006D000000IxPZhIAN",
      fields: {
        Id: "006D000000IxPZhIAN",
        IsDeleted: "false",
        AccountId: "001D000000IRFmaIAH",
        Name: "Umbrella renewal",
        StageName: "Closed Won",
        Amount: "25000.5",
        Probability: "100",
        CloseDate: "2026-12-03",
        Type: "New Customer",
        IsClosed: "true",
        IsWon: "true",
        OwnerId: "005D0000001AbcdIAC",
        LastModifiedDate: "2026-12-03T11:00:00.000+0000",
        Onboarding_Tier__c: null,
      },
      account: {
        id: "001D000000IRFmaIAH",
        fields: {
          Id: "001D000000IRFmaIAH",
          Name: "Umbrella Corp",
          BillingCountry: "United Kingdom",
          "BillingAddress.city": "London",
          "BillingAddress.country": "United Kingdom",
          "BillingAddress.postalCode": "EC1A 1BB",
          "BillingAddress.street": "1 Example Way",
          "BillingAddress.geocodeAccuracy": null,
          Industry: "Biotechnology",
          NumberOfEmployees: "250",
        },
      },
      complete: true,
      occurredAt: "2026-12-03T11:00:00.000Z",
    } satisfies CrmDeal);
    for (const request of seen) assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
  });

  test("listWon sends one SOQL query and follows nextRecordsUrl to the end", async () => {
    const nextRecordsUrl = "/services/data/v60.0/query/01gD0000002HU6KIAW-2000";
    const { baseUrl, seen } = await vendor((request) => {
      if (request.path === "/services/data/v60.0/query") {
        return {
          json: {
            totalSize: 3,
            done: false,
            nextRecordsUrl,
            records: [
              salesforceRecord("006000000000001AAA", { id: "001000000000001AAA", name: "Stark" }),
              salesforceRecord("006000000000002AAA", null),
            ],
          },
        };
      }
      if (request.path === nextRecordsUrl) {
        return {
          json: {
            totalSize: 3,
            done: true,
            records: [salesforceRecord("006000000000003AAA", { id: "001000000000001AAA", name: "Stark" })],
          },
        };
      }
      return notFound(request);
    });
    const deals = await crmApi("salesforce", { baseUrl, token: TOKEN }).listWon({
      since: "2026-12-01T00:00:00.500Z",
      wonStages: ["Closed Won", "Signed"],
      fields: ["Onboarding_Tier__c"],
      accountFields: ["Industry"],
      limit: 50,
    });

    assert.equal(
      seen[0]?.query.get("q"),
      "SELECT Id, Name, StageName, IsWon, Amount, CloseDate, OwnerId, AccountId, Type, LastModifiedDate, Onboarding_Tier__c, " +
        "Account.Name, Account.BillingCountry, Account.Industry FROM Opportunity " +
        "WHERE (IsWon = true OR StageName IN ('Closed Won', 'Signed')) AND LastModifiedDate >= 2026-12-01T00:00:00Z " +
        "ORDER BY LastModifiedDate LIMIT 50",
    );
    assert.deepEqual(
      seen.map((request) => request.path),
      ["/services/data/v60.0/query", nextRecordsUrl],
    );
    assert.deepEqual(
      deals.map((deal) => [deal.dealId, deal.account?.id, deal.account?.fields.Name]),
      [
        ["006000000000001AAA", "001000000000001AAA", "Stark"],
        ["006000000000002AAA", undefined, undefined],
        ["006000000000003AAA", "001000000000001AAA", "Stark"],
      ],
    );
    assert.deepEqual(deals[0]?.account?.fields, { Name: "Stark", BillingCountry: "DE", Industry: null });
    assert.equal(deals[0]?.fields.Onboarding_Tier__c, "Gold");
    assert.equal(deals[0]?.fields.IsWon, "true");
    assert.equal(deals[0]?.fields.Account, undefined, "the nested Account is the account, not a field");
    assert.equal(deals[0]?.fields["Account.Name"], undefined);
    for (const request of seen) assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
  });

  test("listWon stops at the limit without following nextRecordsUrl, and with no won stages asks for IsWon alone", async () => {
    const { baseUrl, seen } = await vendor(() => ({
      json: {
        totalSize: 5,
        done: false,
        nextRecordsUrl: "/services/data/v60.0/query/01gD0000002HU6KIAW-2",
        records: [salesforceRecord("006000000000001AAA", null), salesforceRecord("006000000000002AAA", null)],
      },
    }));
    const deals = await crmApi("salesforce", { baseUrl, token: TOKEN }).listWon({
      since: "2026-12-01T00:00:00Z",
      wonStages: [],
      fields: [],
      accountFields: [],
      limit: 2,
    });
    assert.equal(deals.length, 2);
    assert.equal(seen.length, 1);
    assert.match(
      seen[0]?.query.get("q") ?? "",
      / WHERE IsWon = true AND LastModifiedDate >= 2026-12-01T00:00:00Z ORDER BY LastModifiedDate LIMIT 2$/,
    );
  });

  test("a SOQL injection through a field name is refused before any request", async () => {
    const { baseUrl, seen } = await vendor(() => ({ json: { totalSize: 0, done: true, records: [] } }));
    const api = crmApi("salesforce", { baseUrl, token: TOKEN });
    const base = { since: "2026-12-01T00:00:00Z", wonStages: ["Closed Won"], fields: [], accountFields: [] };
    for (const query of [
      { ...base, fields: ["Name FROM Account WHERE Name != null --"] },
      { ...base, fields: ["Id,(SELECT Id FROM Contacts)"] },
      { ...base, accountFields: ["Name) FROM User --"] },
    ]) {
      const error = await rejected(api.listWon(query));
      assert.equal(error.retryable, false);
      assert.match(error.message, /not a Salesforce field name/);
    }
    assert.equal(seen.length, 0);
  });

  test("a stage name cannot end its string literal", () => {
    assert.equal(soqlString("Closed' OR Name != '"), "'Closed\\' OR Name != \\''");
    assert.equal(soqlString("back\\slash'"), "'back\\\\slash\\''");
    assert.equal(soqlString("line\nbreak"), "'line\\nbreak'");
    const soql = wonSoql({ since: "2026-12-01T00:00:00Z", wonStages: ["Won') OR (IsWon = false"], fields: [], accountFields: [] }, 10);
    assert.match(soql, /StageName IN \('Won\\'\) OR \(IsWon = false'\)\)/);
  });

  test("a nextRecordsUrl that leaves the query API is not followed", async () => {
    const { baseUrl, seen } = await vendor(() => ({
      json: {
        totalSize: 2,
        done: false,
        nextRecordsUrl: "//elsewhere.example/services/data/v60.0/query/x",
        records: [salesforceRecord("006000000000001AAA", null)],
      },
    }));
    const error = await rejected(
      crmApi("salesforce", { baseUrl, token: TOKEN }).listWon({
        since: "2026-12-01T00:00:00Z",
        wonStages: [],
        fields: [],
        accountFields: [],
      }),
    );
    assert.match(error.message, /outside the query API/);
    assert.equal(seen.length, 1);
  });

  test("a refused session says so with Salesforce's errorCode and message", async () => {
    // Salesforce's error body: [{message, errorCode}], https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
    const { baseUrl } = await vendor(() => ({
      status: 401,
      json: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }],
    }));
    const error = await rejected(crmApi("salesforce", { baseUrl, token: TOKEN }).fetchDeal("006D000000IxPZhIAN", [], []));
    assert.equal(error.status, 401);
    assert.equal(error.vendor, "salesforce");
    assert.match(error.message, /refused the token \(INVALID_SESSION_ID: Session expired or invalid\)/);
  });

  test("a missing record is a not-found error, not retryable", async () => {
    const { baseUrl } = await vendor(() => ({
      status: 404,
      json: [{ errorCode: "NOT_FOUND", message: "The requested resource does not exist" }],
    }));
    const error = await rejected(crmApi("salesforce", { baseUrl, token: TOKEN }).fetchDeal("006D000000IxPZhIAN", [], []));
    assert.equal(error.status, 404);
    assert.equal(error.retryable, false);
    assert.match(error.message, /not found/);
  });
});
