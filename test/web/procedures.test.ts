// A call's steps in the app (issue 15 item 5): the steps a call of a procedure expanded into are
// listed under the call, which names the procedure it carries out; each call's form is its own.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { bundleIncludes } from "../../src/playbook/include.ts";
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

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
const SOURCE = bundleIncludes(fixture("kyc-edd.yaml"), new Map([["kyc_procedures", fixture("procedures/kyc_procedures.yaml")]]));
let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.post("/playbooks", { source: SOURCE, file: "kyc-edd.yaml" }), "playbook");
  await must(admin.post("/clients", { id: "initech", name: "Initech", timeZone: "Europe/London", country: "GB" }), "client");
  const created = await must(
    admin.post("/projects", { id: "kyc-initech", clientId: "initech", playbook: { id: "kyc_edd", version: "1.0" }, facts: {} }),
    "project",
  );
  let version = (created.project as { version: number }).version;
  for (const body of [
    { type: "submit_form", step: "intake", values: { risk_rating: "high" } },
    { type: "complete_step", step: "intake" },
  ]) {
    const done = await must(admin.post("/projects/kyc-initech/commands", body, { "if-match": `"${version}"` }), body.type);
    version = done.version as number;
  }
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("a call's steps in the app", () => {
  test("are listed under the call, readable, and fill the call's own form", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1440, height: 900 },
      locale: "en-GB",
      timezoneId: "Europe/London",
      errors: pageErrors,
    });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/projects/kyc-initech?step=edd_high_risk.gather`);
    const group = page.locator('[id="call-edd_high_risk"]');
    await group.getByText("EDD for a high risk rating").waitFor();
    await group.getByText("carries out the procedure “Enhanced due diligence”").waitFor();
    const step = page.locator('[id="s-edd_high_risk.gather"]');
    await step.getByText("EDD for a high risk rating: Collect source of funds evidence").waitFor();
    const form = step.getByRole("form", { name: "EDD findings" });
    await form.getByRole("textbox", { name: /^Source of funds/ }).fill("Salary");
    await form.getByRole("button", { name: "Save form" }).click();
    await step.getByText("EDD findings saved.").waitFor();
    const events = (await web.admin.get("/projects/kyc-initech/events?limit=200")).body as {
      items: { type: string; data: { form?: string; values?: Record<string, unknown> } }[];
    };
    const saved = events.items.find((e) => e.type === "form.submitted" && e.data.form === "edd_high_risk__edd");
    assert.equal(saved?.data.values?.source_of_funds, "Salary");
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});
