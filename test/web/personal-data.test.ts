// Issue #17 in a real browser: an admin reads the register of personal data (Admin → Personal data:
// Onboard's records, then each published playbook's personal fields), and downloads a client's and
// a contact's data from the client page (Export data: JSON, CSV). At 1440 and 390 px: no sideways
// overflow, no serious axe violation; screenshots under test-artifacts/web/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
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
let contactId = "";

before(async () => {
  web = await startWebServer();
  await must(web.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" }), "client");
  const anna = await must(
    web.admin.post("/clients/acme/contacts", { name: "Anna Example", email: "anna@acme.example", roles: ["client_primary_contact"] }),
    "contact",
  );
  contactId = String(anna.id);
  await must(web.admin.post("/clients/acme/contacts", { name: "Boris Other", email: "boris@acme.example", roles: [] }), "contact");
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

async function check(page: Page, name: string, problems: string[]) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await settled(page);
    await page.screenshot({ path: artifact(`personal-data-${name}-${width}.png`), fullPage: true });
    await assertNoOverflow(page, `${name} at ${width}`);
    problems.push(...(await axeViolations(page)).map((v) => `${name} at ${width}: ${v}`));
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe("the register of personal data and the exports in the browser", () => {
  test("an admin reads the register and downloads a client's and a contact's data", async (t) => {
    if (skipWithoutChromium(t)) return;
    const errors: string[] = [];
    const problems: string[] = [];
    const page = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale: "en-US", timezoneId: "Europe/Berlin", errors });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Personal data" }).click();
    await page.getByRole("heading", { name: "Personal data Onboard holds" }).waitFor();
    await page.getByRole("cell", { name: "Client contacts", exact: true }).first().waitFor();
    await page.getByRole("cell", { name: "The team's accounts", exact: true }).waitFor();
    // A built-in playbook's personal fields, with their purpose.
    const kyc = page.locator("section", { has: page.getByRole("heading", { name: /Customer Onboarding Due Diligence Procedure/ }) });
    await kyc.getByRole("cell", { name: "Date of birth", exact: true }).first().waitFor();
    await kyc.getByText("Customer identification program: verify the customer's identity").first().waitFor();
    await check(page, "register", problems);

    await page.goto(`${web.url}/app/clients/acme`);
    await page.getByRole("heading", { name: "Acme GmbH", level: 1 }).waitFor();
    await check(page, "client", problems);
    const [clientDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export data of Acme GmbH as JSON" }).click(),
    ]);
    assert.match(clientDownload.suggestedFilename(), /^onboard-client-acme-\d{4}-\d{2}-\d{2}\.json$/);
    const client = JSON.parse(await readFile((await clientDownload.path()) ?? "", "utf8"));
    assert.deepEqual(client.contacts.map((c: { name: string }) => c.name).sort(), ["Anna Example", "Boris Other"]);

    const [contactDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export data of Anna Example as CSV" }).click(),
    ]);
    assert.equal(contactDownload.suggestedFilename().endsWith(".csv"), true);
    assert.ok(contactDownload.suggestedFilename().includes(contactId.replace(/[^A-Za-z0-9._-]+/g, "_")));
    const csv = await readFile((await contactDownload.path()) ?? "", "utf8");
    assert.ok(csv.startsWith("\uFEFFrecord,id,project,field,value,at\r\n"), csv.slice(0, 80));
    assert.ok(csv.includes("anna@acme.example") && !csv.includes("boris@acme.example"));

    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
  });
});
