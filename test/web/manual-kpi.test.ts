// A manual KPI recorded in the app (issue 15, item 11b): on the KPI page, a person records the
// quarter's value of "Executive sponsor satisfaction"; the target then shows it in red/amber/green
// and the history names who recorded it, instead of "not measured" forever.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { edited } from "../support/fixtures.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  must,
  openPage,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const SOURCE = edited([
  [["id"], "manual_kpis"],
  [
    ["kpis"],
    [{ id: "sponsor_score", title: "Executive sponsor satisfaction", metric: "manual", target: ">= 4/5", frequency: "quarterly" }],
  ],
]);

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  await must(web.admin.post("/playbooks", { source: SOURCE, file: "manual-kpis.yaml" }), "publish");
  await must(web.admin.post("/clients", { id: "globex", name: "Globex", timeZone: "Europe/Berlin", country: "DE" }), "client");
  await must(
    web.admin.post("/projects", {
      id: "k1",
      playbook: { id: "manual_kpis", version: "1.1" },
      clientId: "globex",
      facts: { user_count: 25, data_migration: false },
    }),
    "project",
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(pageErrors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("manual KPIs in the app", () => {
  test("record a quarter's value; the target shows it and the history names who recorded it", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1366, height: 860 },
      locale: "en-GB",
      timezoneId: "Europe/Paris",
      errors: pageErrors,
    });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/kpis?playbook=manual_kpis`);
    const row = page.getByRole("row").filter({ hasText: "Executive sponsor satisfaction" });
    await row.getByText("no value recorded yet").waitFor();

    await row.getByText("Record a value").click();
    const form = row.getByRole("form", { name: "Record a value of Executive sponsor satisfaction" });
    await form.getByRole("button", { name: "Record value" }).click();
    await form.getByText("Enter the measured value as a number").waitFor();

    await form.getByLabel("Value").fill("3.9");
    await form.getByLabel("Period from").fill("2026-01-01");
    await form.getByLabel("Period to").fill("2026-03-31");
    await form.getByLabel("Source or note").fill("Q1 sponsor interviews");
    await form.getByRole("button", { name: "Record value" }).click();
    await row.getByText("Recorded 3.9 for 2026-01-01 to 2026-03-31.").waitFor();
    await row.getByText("3.9 /5").waitFor();
    await row.getByText("Close").waitFor();
    const history = row.getByRole("list", { name: "History of Executive sponsor satisfaction" });
    await history.getByText(/3\.9 for 2026-01-01 to 2026-03-31 · recorded by .+ · Q1 sponsor interviews/).waitFor();

    // A bad period is refused by the server and shown at the field.
    await form.getByLabel("Value").fill("4.5");
    await form.getByLabel("Period from").fill("2026-04-01");
    await form.getByLabel("Period to").fill("2026-03-01");
    await form.getByRole("button", { name: "Record value" }).click();
    await form.getByText("the period ends before it starts").waitFor();
    assert.deepEqual(await axeViolations(page), []);
  });
});
