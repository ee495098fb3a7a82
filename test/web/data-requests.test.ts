// Admin → Data requests by clicks (issue #17): an admin logs an erasure request for one of a
// client's contacts and an access request for the client, sees the open requests with their due
// dates (an old one marked overdue), previews the erasure (places and counts), erases after
// confirming, and marks the access request completed; the export links point at the export
// endpoints (not followed here). At 1440 and 390 px, with axe.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
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

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];
let doraId = "";

before(async () => {
  web = await startWebServer();
  await must(web.admin.post("/clients", { id: "umbrella", name: "Umbrella AG", timeZone: "Europe/Berlin", country: "DE" }), "client");
  doraId = String(
    (
      await must(
        web.admin.post("/clients/umbrella/contacts", { name: "Dora Fairweather", email: "dora@umbrella.example", roles: [] }),
        "contact",
      )
    ).id,
  );
  await must(
    web.admin.post("/clients/umbrella/contacts", { name: "Emil Kessler", email: "emil@umbrella.example", roles: [] }),
    "contact 2",
  );
  await must(
    web.admin.post("/data-requests", {
      kind: "access",
      subject: { kind: "contact", id: doraId },
      receivedAt: "2025-01-10T09:00:00.000Z",
      channel: "letter",
    }),
    "an old request",
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

describe("Data requests in the team app", () => {
  test("log, preview, erase, complete; overdue marked; export links; 1440 and 390 px", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Data requests" }).click();
    const section = page.locator("section[aria-labelledby=data-requests-h]");
    const old = section.locator("tr").filter({ hasText: "Access" }).filter({ hasText: "Dora Fairweather" });
    await old.getByText("Overdue").waitFor();
    assert.equal(await old.getByRole("link", { name: "Export JSON" }).getAttribute("href"), `/contacts/${doraId}/export?format=json`);
    assert.equal(await old.getByRole("link", { name: "Export CSV" }).getAttribute("href"), `/contacts/${doraId}/export?format=csv`);

    // An erasure request for Dora, logged by clicks: the client, then one of its contacts.
    await section.getByRole("button", { name: "Log a request" }).click();
    const dialog = page.getByRole("dialog", { name: "Log a data request" });
    // The kind is chosen each time (an erasure cannot be undone): unchosen, the form does not go.
    await dialog.getByRole("button", { name: "Log the request" }).click();
    assert.equal(
      await dialog.getByLabel("Request").evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
      true,
    );
    assert.equal(await dialog.isVisible(), true);
    await dialog.getByLabel("Request").selectOption("erasure");
    await dialog.getByLabel("Client").selectOption("umbrella");
    await dialog.getByLabel("Whose data").locator("option", { hasText: "Dora Fairweather" }).waitFor({ state: "attached" });
    await dialog.getByLabel("Whose data").selectOption(doraId);
    // Received by email two days ago: the month counts from then, not from when it is logged.
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const receivedDay = `${twoDaysAgo.getFullYear()}-${String(twoDaysAgo.getMonth() + 1).padStart(2, "0")}-${String(twoDaysAgo.getDate()).padStart(2, "0")}`;
    await dialog.getByLabel("Received on").fill(receivedDay);
    await dialog.getByLabel("Received by").fill("email");
    await dialog.getByRole("button", { name: "Log the request" }).click();
    await section.getByRole("status").getByText("The request is logged.").waitFor();
    const logged = (await web.admin.get("/data-requests?status=open")).body.items.find(
      (r: { kind: string; subject: { id: string } }) => r.kind === "erasure" && r.subject.id === doraId,
    );
    // The start of that day where the browser is (Europe/London here): within hours of its UTC midnight.
    assert.ok(Math.abs(Date.parse(logged.receivedAt) - Date.parse(`${receivedDay}T00:00:00Z`)) <= 14 * 3_600_000, logged.receivedAt);
    const erasure = section.locator("tr").filter({ hasText: "Erasure" }).filter({ hasText: "Dora Fairweather" });
    await erasure.waitFor();
    assert.equal(await erasure.getByText("Overdue").count(), 0, "a request received two days ago is not overdue");
    await settled(page);
    await assertNoOverflow(page, "data requests at 1440");
    for (const v of await axeViolations(page)) problems.push(`list 1440: ${v}`);
    await page.screenshot({ path: artifact("data-requests-1440.png"), fullPage: true });

    // The preview: places and counts, then the erasure once confirmed.
    await erasure.getByRole("button", { name: "Preview erasure" }).click();
    const preview = page.getByRole("dialog", { name: "Erase: Contact: Dora Fairweather" });
    const table = preview.getByRole("table", { name: "What would be erased" });
    await table.getByRole("cell", { name: "contacts", exact: true }).waitFor();
    const eraseButton = preview.getByRole("button", { name: "Erase", exact: true });
    assert.equal(await eraseButton.isDisabled(), true, "Erase waits for the confirmation");
    for (const v of await axeViolations(page)) problems.push(`preview 1440: ${v}`);
    await page.screenshot({ path: artifact("data-requests-preview-1440.png"), fullPage: true });
    await preview.getByLabel("I understand this cannot be undone.").check();
    await eraseButton.click();
    await section.getByRole("status").getByText("The personal data of the contact is erased.").waitFor();
    await erasure.waitFor({ state: "detached" });
    const contacts = await web.admin.get("/clients/umbrella/contacts");
    const text = JSON.stringify(contacts.body);
    assert.ok(!text.includes("Dora Fairweather") && !text.includes("dora@umbrella.example"), text);
    assert.ok(text.includes("Emil Kessler"), "the other contact stays");

    // The access request answered.
    const access = section.locator("tr").filter({ hasText: "Access" });
    await access.getByRole("button", { name: "Mark completed" }).click();
    await section.getByRole("status").getByText("is marked completed").waitFor();
    await section.getByText("No open requests").waitFor();
    // Answered requests stay on record.
    await section.getByLabel("Show").selectOption("all");
    const answered = section.locator("tbody tr").filter({ hasText: "Answered" });
    await answered.first().waitFor();
    assert.equal(await answered.count(), 2, "the erasure, and the old access request just answered");
    assert.equal(await section.getByRole("button", { name: "Preview erasure" }).count(), 0, "no actions on answered requests");
    await page.close();

    // At 390 px, with a request open again.
    await must(web.admin.post("/data-requests", { kind: "access", subject: { kind: "client", id: "umbrella" } }), "client request");
    const phone = await newPage(390);
    await signIn(phone, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await phone.goto(`${web.url}/app/admin/data-requests`);
    const row = phone.locator("section[aria-labelledby=data-requests-h] tr").filter({ hasText: "Client:" });
    await row.waitFor();
    assert.equal(await row.getByRole("link", { name: "Export JSON" }).getAttribute("href"), "/clients/umbrella/export?format=json");
    await settled(phone);
    await assertNoOverflow(phone, "data requests at 390");
    for (const v of await axeViolations(phone)) problems.push(`list 390: ${v}`);
    await phone.screenshot({ path: artifact("data-requests-390.png"), fullPage: true });
    await phone.close();
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors, []);
  });
});
