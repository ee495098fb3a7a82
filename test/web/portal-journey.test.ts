// The client's whole journey in the portal, in a real browser, as a contact would do it: sign in by
// link; see the plan under client-facing names only (not the SOP's internal name, not the team's
// internal steps or emails); tick the checklist items their role owns and see the team's items
// read-only with the reason; fill a form with a bad email (the field says so), then a good one;
// approve the plan with a comment; answer the survey the portal lists. The server refuses the bad
// email too, naming the field. Screenshots at 1440 and 390 under test-artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { dispatchOutbox, ProjectService } from "../../src/store/index.ts";
import { PORTAL_PLAYBOOK } from "./support/portal-playbook.ts";
import {
  artifact,
  assertNoOverflow,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  must,
  openPage,
  portalSignIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CONTACT = "dana@northwind.example";
let web: WebServer;
let browser: Browser | undefined;
let projectId = "";

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: PORTAL_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(
    admin.request("PUT", "/settings/branding", {
      body: { vendorName: "Brightwave Software", primaryColor: "#0f766e", logoUrl: null, supportEmail: "success@brightwave.example" },
    }),
    "branding",
  );
  await must(admin.post("/clients", { id: "northwind", name: "Northwind Traders", timeZone: "America/New_York", country: "US" }), "client");
  await must(admin.post("/clients/northwind/contacts", { name: "Dana Whitfield", email: CONTACT, roles: ["client_primary"] }), "contact");
  const created = await must(
    admin.post("/projects", { id: "onb-portal", clientId: "northwind", playbook: { id: "portal_journey", version: "1.0" }, facts: {} }),
    "project",
  );
  projectId = (created.project as { id: string }).id;
  // The team's part: the internal record and the welcome email (which sends the survey).
  for (const step of ["crm_record", "welcome_email"]) {
    const current = await admin.get(`/projects/${projectId}`);
    await must(
      admin.post(`/projects/${projectId}/commands`, { type: "complete_step", step }, { "if-match": current.headers.get("etag") ?? "" }),
      step,
    );
  }
  await dispatchOutbox(web.server.database, new Date().toISOString(), {
    handlers: web.server.outboxHandlers,
    kinds: ["send_survey"],
    batchSize: 100,
  });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(viewport: { width: number; height: number }): Promise<Page> {
  return openPage(browser, { viewport, locale: "en-US", timezoneId: "America/New_York" });
}

describe("the client's journey in the portal", () => {
  test("signs in, ticks own items, sees the team's read-only, fixes a bad email, approves with a comment, answers the survey", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage({ width: 1440, height: 900 });
    await portalSignIn(page, web, CONTACT);

    // Client-facing names only.
    await page.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    const main = page.locator("main");
    const text = (await main.textContent()) ?? "";
    assert.doesNotMatch(text, /Customer Onboarding SOP|SOP-PJ-001/, "not the SOP's internal name");
    assert.doesNotMatch(text, /Send the welcome communication|Create the CRM record|Internal preparation/, "nor the team's own steps");
    assert.doesNotMatch(text, /CHK-ONB-001|CDC-01|phase 2/, "nor the team's wording of the client's steps");
    assert.match(text, /Getting you set up[\s\S]*Get your team ready[\s\S]*Tell us about your company[\s\S]*Approve your onboarding plan/);
    const owed = page.getByRole("region", { name: "What we need from you" });
    assert.match(
      (await owed.textContent()) ?? "",
      /Get your team ready[\s\S]*Tell us about your company|Tell us about your company[\s\S]*Get your team ready/,
    );
    for (const v of await axeViolations(page)) problems.push(`portal plan: ${v}`);
    await page.screenshot({ path: artifact("portal-journey-plan-1440.png"), fullPage: true });

    // The checklist: the contact's own items are live, the team's say who ticks them.
    const access = page.locator("#step-prepare_access");
    const own = access.getByRole("checkbox", { name: "Share the list of users" });
    const team = access.getByRole("checkbox", { name: "Workspace created" });
    assert.equal(await own.isEnabled(), true, "the contact's own item can be ticked");
    assert.equal(await team.isDisabled(), true, "the team's item is read-only");
    await access.getByText("Ticked by your onboarding team.").waitFor();
    await own.click();
    await access.getByText("Ticked: “Share the list of users”.").waitFor();
    assert.equal(await own.isChecked(), true);
    await access.getByRole("checkbox", { name: "Name an IT contact for single sign-on" }).click();
    await access.getByText("Ticked: “Name an IT contact for single sign-on”.").waitFor();
    assert.equal(await team.isChecked(), false, "the team's item stays the team's");

    // The form: a bad email is refused at the field, then a good one is saved.
    const details = page.getByRole("form", { name: "Company details" });
    await details.getByLabel("Billing email").fill("dana at northwind");
    await details.getByLabel("Number of users").fill("250");
    await details.getByRole("button", { name: "Send answers" }).click();
    await details.getByText("Billing email must be an email address, like name@company.com").waitFor();
    await details.getByText("Some answers need a fix").waitFor();
    assert.equal(await details.getByLabel("Billing email").getAttribute("aria-invalid"), "true");
    for (const v of await axeViolations(page)) problems.push(`portal form error: ${v}`);
    await details.screenshot({ path: artifact("portal-journey-form-error-1440.png") });

    // The server refuses it too (whatever sends it), naming the field.
    const csrf = (await page.context().cookies()).find((c) => c.name === "onboard_portal_csrf")?.value ?? "";
    const current = await page.request.get(`${web.url}/portal/api/projects/${projectId}`);
    const refused = await page.request.post(`${web.url}/portal/api/projects/${projectId}/commands`, {
      headers: { "x-csrf-token": csrf, "if-match": current.headers().etag ?? "", "content-type": "application/json" },
      data: { type: "submit_form", step: "company_details", values: { billing_email: "dana at northwind", user_count: "many" } },
    });
    assert.equal(refused.status(), 422, await refused.text());
    const problem = (await refused.json()) as { errors?: { pointer: string; detail: string }[] };
    assert.deepEqual(problem.errors, [
      { pointer: "/body/values/billing_email", detail: "Billing email must be an email address, like name@company.com" },
      { pointer: "/body/values/user_count", detail: "Number of users must be a whole number" },
    ]);

    await details.getByLabel("Billing email").fill("billing@northwind.example");
    assert.equal(await details.getByText("Billing email must be an email address").count(), 0, "the error goes once corrected");
    await details.getByLabel("Preferred go-live date").fill("2026-06-01");
    await details.getByRole("button", { name: "Send answers" }).click();
    await details.getByText("Thank you: your answers are saved.").waitFor();

    // The sign-off, with a comment.
    const plan = page.locator("#step-plan_signoff");
    await plan.getByLabel("Comment").fill("Looks good: go ahead with the June date.");
    await plan.getByRole("button", { name: "Approve", exact: true }).click();
    await plan.getByText("Thank you: “Approve your onboarding plan” is approved.").waitFor();
    await plan
      .getByText(/Approved/)
      .first()
      .waitFor();
    for (const v of await axeViolations(page)) problems.push(`portal after actions: ${v}`);
    await page.screenshot({ path: artifact("portal-journey-done-1440.png"), fullPage: true });
    await assertNoOverflow(page, "the portal at 1440");

    // The survey: listed in the portal, answered on the survey page, then gone from the list.
    const surveys = page.getByRole("region", { name: "Surveys for you" });
    await surveys.getByRole("link", { name: "Answer “How are we doing?”" }).click();
    await page.getByRole("heading", { level: 1, name: "How are we doing?" }).waitFor();
    await page
      .getByRole("group", { name: /How likely are you to recommend us/ })
      .getByRole("radio", { name: "9", exact: true })
      .check();
    await page.getByLabel(/What should we do differently/).fill("Keep the weekly calls.");
    await page.getByRole("button", { name: "Send my answers" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor();
    await page.screenshot({ path: artifact("portal-journey-survey-thanks-1440.png") });
    await page.getByRole("link", { name: "back to your onboarding" }).click();
    await page.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    await page.getByRole("region", { name: "What we need from you" }).waitFor();
    assert.equal(await page.getByRole("region", { name: "Surveys for you" }).count(), 0, "an answered survey is no longer listed");

    // What the team sees: the ticks, the answers and the approval with its comment.
    const { state } = await new ProjectService(web.server.database).getProject(projectId);
    assert.equal(Object.values(state.steps.prepare_access?.checklist ?? {}).filter(Boolean).length, 2);
    assert.deepEqual(state.forms.company_details, {
      billing_email: "billing@northwind.example",
      user_count: 250,
      preferred_go_live: "2026-06-01",
    });
    assert.equal(state.steps.plan_signoff?.approvals.client_primary?.decision, "approved");
    await page.context().close();

    // On a phone: the same plan, nothing cut off, no sideways scrolling.
    const phone = await newPage({ width: 390, height: 844 });
    await portalSignIn(phone, web, CONTACT);
    await phone.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    await phone.locator("#step-prepare_access").getByText("Ticked by your onboarding team.").waitFor();
    for (const v of await axeViolations(phone)) problems.push(`portal plan (phone): ${v}`);
    await assertNoOverflow(phone, "the portal at 390");
    await phone.screenshot({ path: artifact("portal-journey-plan-390.png"), fullPage: true });
    await phone.context().close();
    assert.deepEqual(problems, []);
  });
});
