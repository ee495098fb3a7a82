// A CRM connection made and mended by clicks: an admin adds a Pipedrive connection (basic auth
// user and password, a playbook choice for one pipeline, a fact from a custom field), first
// meeting the server's error at the row it names; the page gives the webhook address. Pipedrive
// (here fetch, with the v2 payload and basic auth) delivers a won deal: the admin sees it accepted.
// A deal from another pipeline is rejected (no choice matches); the admin adds a choice, replays
// the delivery, sees it accepted with a link to its project, and follows it. At 1440 and 390 px, with axe.
// Then "Reconcile now": refused in words without an API token; with one (typed in the form) and the
// API base URL of a Pipedrive REST API on loopback, the won deal no webhook brought starts, and the counts show.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  artifact,
  assertNoOverflow,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  must,
  openPage,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const HOOK_USER = "onboard-hook";
const HOOK_PASSWORD = "a long webhook password";
/** A Pipedrive custom field's key: the hash Pipedrive gives it. */
const SEGMENT_FIELD = "d4de1c1518b4531717c676029a45911c340390a6";

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  await must(
    web.admin.request("POST", "/playbooks", { raw: WEB_PLAYBOOK, headers: { "content-type": "application/yaml" } }),
    "upload playbook",
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors: pageErrors });
}

/** Pipedrive's v2 webhook for a deal that just turned won, as Pipedrive posts it (basic auth). */
async function deliverWonDeal(url: string, deal: { id: number; pipeline: number; org: number }) {
  const body = {
    meta: { action: "change", entity: "deal", company_id: "77", version: "2.0", timestamp: new Date().toISOString() },
    data: {
      id: deal.id,
      title: `Deal ${deal.id}`,
      status: "won",
      org_id: deal.org,
      pipeline_id: deal.pipeline,
      value: 100,
      custom_fields: { [SEGMENT_FIELD]: "smb" },
    },
    previous: { status: "open" },
  };
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${HOOK_USER}:${HOOK_PASSWORD}`).toString("base64")}`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as { outcome: string; reason: string | null; projectId: string | null } };
}

describe("CRM connections in the team app", () => {
  test("an admin connects Pipedrive by clicks, sees its deliveries, mends the connection and replays the rejected one", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "CRM connections" }).click();
    const crm = page.locator("section[aria-labelledby=crm-h]");
    await crm.getByText("No CRM connections yet").waitFor();

    // The form, filled as an admin would; the playbook is chosen last, after the server names it missing.
    await crm.getByRole("button", { name: "Add connection" }).click();
    const form = page.getByRole("form", { name: "Add a CRM connection" });
    await form.getByLabel("CRM").selectOption("pipedrive");
    await form.getByLabel("Pipedrive company id").waitFor();
    await form.getByLabel("Connection id").fill("pipedrive-eu");
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("Pipedrive EU");
    await form.getByLabel("Pipedrive company id").fill("77");
    await form.getByLabel("Webhook user").fill(HOOK_USER);
    await form.getByLabel("Webhook password").fill(HOOK_PASSWORD);
    assert.equal(await form.getByLabel("Webhook password").getAttribute("type"), "password");
    await form.getByText("Pipedrive's default: won when the deal's status is won.").waitFor();
    const choice1 = form.getByRole("group", { name: "Choice 1" });
    await choice1.getByLabel("Only when field").fill("pipeline_id");
    await choice1.getByLabel("Is one of").fill("1");
    await form.getByRole("button", { name: "Add a fact mapping" }).click();
    const fact1 = form.getByRole("group", { name: "Fact mapping 1" });
    await fact1.getByLabel("Fact id").fill("segment");
    await fact1.getByLabel("CRM field").fill(SEGMENT_FIELD);
    await form.getByRole("button", { name: "Add connection" }).click();
    // The server's error at the field its pointer names (/body/settings/playbooks/0/playbook).
    const playbook1 = choice1.getByLabel("Playbook");
    await page.waitForFunction(() => {
      const d = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document;
      return d.querySelectorAll("form [aria-invalid=true]").length > 0;
    });
    assert.equal(await playbook1.getAttribute("aria-invalid"), "true", "the playbook choice is marked invalid");
    assert.equal(await choice1.locator(".error").count(), 1, "the error stands in the choice's row");
    await form.getByRole("alert").getByText("Not saved: one field needs fixing, marked above.").waitFor();
    await settled(page);
    await assertNoOverflow(page, "the connection form at 1440");
    for (const v of await axeViolations(page)) problems.push(`form 1440: ${v}`);
    await page.screenshot({ path: artifact("crm-form-1440.png"), fullPage: true });

    await playbook1.selectOption("web_onboarding");
    // The facts the chosen playbook declares, named where the mappings are made.
    await form.getByText("The chosen playbooks declare: segment (Segment, smb/mid_market/enterprise).", { exact: false }).waitFor();
    await form.getByRole("button", { name: "Add connection" }).click();
    const saved = crm.getByRole("status").filter({ hasText: "Saved Pipedrive EU" });
    await saved.waitFor();
    const webhookUrl = ((await crm.locator("li .webhook-url").first().textContent()) ?? "").trim();
    assert.match(webhookUrl, /^http:\/\/127\.0\.0\.1:\d+\/webhooks\/crm\/pipedrive-eu$/, `the webhook address shown: ${webhookUrl}`);
    assert.ok(((await saved.textContent()) ?? "").includes(webhookUrl), "the saved notice gives the address");
    const item = crm.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Pipedrive EU" }) });
    await item.getByText("Webhook password: set").waitFor();
    // Copy puts the address on the clipboard, and says so.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: web.url });
    await item.getByRole("button", { name: "Copy the webhook address of Pipedrive EU" }).click();
    await item.getByText("Copied", { exact: true }).waitFor();
    const clipboard = await page.evaluate(() =>
      (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
    );
    assert.equal(clipboard, webhookUrl);
    await item.getByText("API token: not set").waitFor();

    // Pipedrive delivers a won deal of pipeline 1: accepted, a project started.
    const first = await deliverWonDeal(webhookUrl, { id: 5, pipeline: 1, org: 9 });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.outcome, "accepted");
    const deliveries = page.locator("section[aria-labelledby=inbound-h]");
    await deliveries.getByRole("button", { name: "Refresh" }).click();
    const row5 = deliveries.getByRole("row").filter({ has: page.getByRole("cell", { name: "5", exact: true }) });
    await row5.getByText("Accepted").waitFor();
    await row5.getByText("Pipedrive EU").waitFor();

    // A deal of pipeline 2 matches no choice: rejected, and said why.
    const second = await deliverWonDeal(webhookUrl, { id: 6, pipeline: 2, org: 10 });
    assert.equal(second.body.outcome, "rejected", JSON.stringify(second.body));
    assert.match(second.body.reason ?? "", /no playbook choice matches/);
    await deliveries.getByRole("button", { name: "Refresh" }).click();
    const row6 = deliveries.getByRole("row").filter({ has: page.getByRole("cell", { name: "6", exact: true }) });
    await row6.getByText("Rejected").waitFor();
    await row6.getByText(/no playbook choice matches/).waitFor();
    // The filters: only the rejected, of this connection.
    await deliveries.getByLabel("Outcome").selectOption("rejected");
    await deliveries.getByLabel("Connection").selectOption("pipedrive-eu");
    await row5.waitFor({ state: "detached" });
    await row6.getByText("Rejected").waitFor();

    // At a phone's width, the admin mends the connection: every deal runs the playbook when no pipeline matched.
    await page.setViewportSize({ width: 390, height: 844 });
    await item.getByRole("button", { name: "Edit Pipedrive EU" }).click();
    const edit = page.getByRole("form", { name: "Edit Pipedrive EU" });
    await edit.getByText("Set — leave blank to keep.", { exact: false }).first().waitFor();
    assert.equal(await edit.getByLabel("Webhook password").inputValue(), "", "a secret is never shown again");
    await edit.getByRole("button", { name: "Add a playbook choice" }).click();
    await edit.getByRole("group", { name: "Choice 2" }).getByLabel("Playbook").selectOption("web_onboarding");
    await settled(page);
    await assertNoOverflow(page, "the connection form at 390");
    for (const v of await axeViolations(page)) problems.push(`edit 390: ${v}`);
    await page.screenshot({ path: artifact("crm-edit-390.png"), fullPage: true });
    await edit.getByRole("button", { name: "Save connection" }).click();
    await crm.getByRole("status").filter({ hasText: "Saved Pipedrive EU" }).waitFor();

    // Replay: the stored deal goes through the mended connection, and starts its project.
    await row6.getByRole("button", { name: "Replay the delivery of deal 6" }).click();
    await row6.getByText("Replayed:").waitFor();
    await row6.locator(".replay-result").getByText("Accepted").waitFor();
    const link = row6.getByRole("link", { name: /^Open project / });
    await link.waitFor();
    await settled(page);
    await assertNoOverflow(page, "the deliveries after a replay at 390");
    for (const v of await axeViolations(page)) problems.push(`deliveries 390: ${v}`);
    await page.screenshot({ path: artifact("crm-replayed-390.png"), fullPage: true });
    // The deliveries say the replay: a second, accepted record pointing at the first (the filter shows rejected only).
    await deliveries.getByLabel("Outcome").selectOption("accepted");
    await deliveries.getByText(/Replay of delivery /).waitFor();
    await link.waitFor({ state: "detached" }).catch(() => undefined);
    await deliveries.getByLabel("Outcome").selectOption("");
    const projectLink = deliveries.getByRole("link", { name: /^Project / }).first();
    const projectName = ((await projectLink.textContent()) ?? "").replace(/^Project /, "");
    await projectLink.click();
    await page.waitForURL(`**/app/projects/${encodeURIComponent(projectName)}`);
    await page.locator(".shell main h1").first().waitFor();

    const projects = (await web.admin.get("/projects?limit=50")).body as { items: { id: string }[] };
    assert.equal(projects.items.length, 2, "deals 5 and 6 each started one project");
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });

  test("Reconcile now: said why not without an API token, then the counts once the token and API address are set", async (t) => {
    if (skipWithoutChromium(t)) return;
    const pipedrive = await fakePipedrive();
    t.after(() => pipedrive.close());
    await must(
      web.admin.post("/crm/connections", {
        id: "pipedrive-us",
        kind: "pipedrive",
        settings: {
          name: "Pipedrive US",
          enabled: true,
          tenant: "88",
          playbooks: [{ playbook: "web_onboarding" }],
          facts: { segment: SEGMENT_FIELD },
        },
        secrets: { webhookUser: HOOK_USER, webhookPassword: HOOK_PASSWORD },
      }),
      "connection",
    );
    const problems: string[] = [];
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/admin/crm`);
    const crm = page.locator("section[aria-labelledby=crm-h]");
    const item = crm.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Pipedrive US" }) });
    await item.getByText("never run").waitFor();

    await item.getByRole("button", { name: "Reconcile now Pipedrive US" }).click();
    await item
      .getByRole("status")
      .getByText(/^Reconciliation failed: the connection has no API token/)
      .waitFor();
    await item.getByText(/Last reconciliation failed: the connection has no API token/).waitFor();
    assert.equal(pipedrive.requests.length, 0);

    await item.getByRole("button", { name: "Edit Pipedrive US" }).click();
    const edit = page.getByRole("form", { name: "Edit Pipedrive US" });
    // Scheduling it without a token: the server's check, at the token's field.
    await edit.getByLabel("Reconcile on a schedule").check();
    await edit.getByRole("button", { name: "Save connection" }).click();
    await edit.getByText("reconciliation reads the CRM's REST API: give an API token").waitFor();
    assert.equal(await edit.getByLabel("API token").getAttribute("aria-invalid"), "true");
    await edit.getByLabel("API token").fill("pd-token-123");
    await edit.getByLabel("API base URL").fill(pipedrive.url);
    await edit.getByRole("button", { name: "Save connection" }).click();
    await crm.getByRole("status").filter({ hasText: "Saved Pipedrive US" }).waitFor();
    await item.getByText("API token: set").waitFor();

    await item.getByRole("button", { name: "Reconcile now Pipedrive US" }).click();
    await item.getByText("Checked 1 won deal: 1 started, 0 already started, 0 ignored, 0 rejected.").waitFor();
    await item.getByText(/last run/).waitFor();
    await item.getByText("every 60 minutes, looking back 72 hours").waitFor();
    assert.equal(await item.getByText(/Last reconciliation failed/).count(), 0, "the failure note is gone after a run that worked");
    assert.ok(pipedrive.requests.length > 0 && pipedrive.requests.every((r) => r.headers["x-api-token"] === "pd-token-123"));
    assert.ok(pipedrive.requests.some((r) => r.url.startsWith("/api/v2/deals?") && r.url.includes("status=won")));
    await settled(page);
    for (const v of await axeViolations(page)) problems.push(`reconciled 1440: ${v}`);

    const deliveries = page.locator("section[aria-labelledby=inbound-h]");
    await deliveries.getByLabel("Connection").selectOption("pipedrive-us");
    const row = deliveries.getByRole("row").filter({ has: page.getByRole("cell", { name: "41", exact: true }) });
    await row.getByText("Accepted").waitFor();
    await row.getByText("found by reconciliation").waitFor();
    await row.getByRole("link", { name: /^Project / }).waitFor();
    await page.screenshot({ path: artifact("crm-reconciled-1440.png"), fullPage: true });

    // Deleted after a confirmation: gone from the list, its deliveries kept.
    await item.getByRole("button", { name: "Delete Pipedrive US" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Pipedrive US?" });
    await confirm.getByRole("button", { name: "Delete connection" }).click();
    await item.waitFor({ state: "detached" });
    assert.equal((await web.admin.get("/crm/connections/pipedrive-us")).status, 404);
    await deliveries.getByRole("button", { name: "Refresh" }).click();
    await row.getByText("Accepted").waitFor();
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });

  test("a connection the server's environment makes is shown read-only", async (t) => {
    if (skipWithoutChromium(t)) return;
    const envWeb = await startWebServer({ HUBSPOT_CLIENT_SECRET: "a hubspot client secret", CRM_DEFAULT_PLAYBOOK: "onb_001" });
    t.after(() => envWeb.close());
    const page = await newPage(1440);
    await signIn(page, envWeb.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${envWeb.url}/app/admin/crm`);
    const item = page
      .locator("section[aria-labelledby=crm-h]")
      .getByRole("listitem")
      .filter({ has: page.getByRole("heading", { name: "HubSpot (environment variables)" }) });
    await item.getByText("Set by the server's environment (read-only)").waitFor();
    await item.getByText("HubSpot app client secret: set").waitFor();
    assert.match((await item.locator(".webhook-url").textContent()) ?? "", /\/webhooks\/deals\/hubspot$/);
    assert.equal(await item.getByRole("button", { name: /^(Edit|Delete) / }).count(), 0, "no edit or delete for it");
    await item.getByRole("button", { name: "Reconcile now HubSpot (environment variables)" }).waitFor();
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});

/** Pipedrive's REST API v2 as far as reconciliation reads it: one won deal and its organization, on loopback. */
async function fakePipedrive() {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? "";
    requests.push({ url, headers: request.headers });
    const send = (body: unknown) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.startsWith("/api/v2/deals?"))
      return send({
        success: true,
        data: [
          {
            id: 41,
            title: "Reconciled deal",
            status: "won",
            org_id: 12,
            pipeline_id: 1,
            value: 900,
            update_time: new Date().toISOString(),
            custom_fields: { [SEGMENT_FIELD]: "enterprise" },
          },
        ],
        additional_data: { next_cursor: null },
      });
    if (url === "/api/v2/organizations/12") return send({ success: true, data: { id: 12, name: "Acme GmbH", custom_fields: null } });
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ success: false, error: `not found: ${url}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
