// Typed forms as people fill them (issue 15 item 1): the client fills a due-diligence form in the
// portal (a table of beneficial owners with typed columns, several services, a website, a phone, a
// signatory) and every wrong value is named at its field before anything is recorded; the team's
// risk rating in the app makes a field required when it is "high". At 1440 and 390 px, with axe.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { KYC_PLAYBOOK } from "./support/kyc-playbook.ts";
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
  portalSignIn,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CONTACT = "kim@harbour.example";
let web: WebServer;
let browser: Browser | undefined;
let projectId = "";
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: KYC_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(admin.post("/clients", { id: "harbour", name: "Harbour Goods", timeZone: "Europe/London", country: "GB" }), "client");
  await must(admin.post("/clients/harbour/contacts", { name: "Kim Lee", email: CONTACT, roles: ["client_primary"] }), "contact");
  const created = await must(
    admin.post("/projects", { id: "kyc-harbour", clientId: "harbour", playbook: { id: "kyc_typed", version: "1.0" }, facts: {} }),
    "project",
  );
  projectId = (created.project as { id: string }).id;
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors: pageErrors });
}

describe("typed forms in the portal and the app", () => {
  test("the client's due-diligence form: each wrong value named at its field, then saved and shown again", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage(1440);
    await portalSignIn(page, web, CONTACT);
    const form = page.getByRole("form", { name: "Beneficial ownership" });
    await form.getByLabel("Legal name").fill("Harbour Goods Ltd");
    await form.getByLabel("Website").fill("harbour goods");
    await form.getByLabel("Business phone").fill("call me");
    await form.getByLabel("Employees").fill("0");
    await form.getByText("Takes a whole number of at least 1 (people).").waitFor();
    await form.getByRole("button", { name: "Add a row to beneficial owners" }).click();
    await form.getByRole("group", { name: "Beneficial owners 1" }).getByLabel("Full name").fill("Sam Okafor");
    await form.getByRole("group", { name: "Beneficial owners 1" }).getByLabel("Date of birth").fill("1980-04-12");
    await form.getByRole("group", { name: "Beneficial owners 1" }).getByLabel("Ownership").fill("10");
    await form.getByLabel("Authorised signatory: name").fill("Kim Lee");
    await form.getByLabel("Authorised signatory: email").fill("kim at harbour");
    await form.getByRole("button", { name: "Send answers" }).click();
    for (const error of [
      "Website must be a web address starting with https://",
      "Business phone must be a phone number, like +44 20 7946 0958",
      "Employees must be at least 1 (people)",
      "Services you will use is required",
      "Beneficial owners row 1: Ownership must be between 25% and 100%",
      "Authorised signatory needs a valid email address for the person, like name@company.com",
    ])
      await form.getByText(error).waitFor();
    for (const v of await axeViolations(page)) problems.push(`form with errors 1440: ${v}`);
    await page.screenshot({ path: artifact("typed-forms-errors-1440.png"), fullPage: true });

    // Whatever sends it, the server refuses the same values and records nothing.
    const csrf = (await page.context().cookies()).find((c) => c.name === "onboard_portal_csrf")?.value ?? "";
    const current = await page.request.get(`${web.url}/portal/api/projects/${projectId}`);
    const refused = await page.request.post(`${web.url}/portal/api/projects/${projectId}/commands`, {
      headers: { "x-csrf-token": csrf, "if-match": current.headers().etag ?? "", "content-type": "application/json" },
      data: { type: "submit_form", step: "ownership", values: { services: ["Payments", "Crypto"], employees: "many" } },
    });
    assert.equal(refused.status(), 422, await refused.text());
    const problem = (await refused.json()) as { errors?: { pointer: string; detail: string }[] };
    assert.deepEqual(
      problem.errors?.map((e) => e.pointer),
      [
        "/body/values/services",
        "/body/values/employees",
        "/body/values/legal_name",
        "/body/values/phone",
        "/body/values/owners",
        "/body/values/signatory",
      ],
    );

    // Fixed, at a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    await form.getByLabel("Website").fill("https://harbour.example");
    await form.getByLabel("Business phone").fill("+44 20 7946 0018");
    await form.getByLabel("Employees").fill("42");
    await form.getByRole("checkbox", { name: "Services you will use: Payments" }).check();
    await form.getByRole("checkbox", { name: "Services you will use: Currency exchange" }).check();
    await form.getByRole("group", { name: "Beneficial owners 1" }).getByLabel("Ownership").fill("60");
    await form.getByRole("button", { name: "Add a row to beneficial owners" }).click();
    const second = form.getByRole("group", { name: "Beneficial owners 2" });
    await second.getByLabel("Full name").fill("Ada Brown");
    await second.getByLabel("Date of birth").fill("1975-11-02");
    await second.getByLabel("Ownership").fill("40");
    await form.getByLabel("Authorised signatory: email").fill("kim@harbour.example");
    await settled(page);
    await assertNoOverflow(page, "the portal form at 390");
    for (const v of await axeViolations(page)) problems.push(`form filled 390: ${v}`);
    await page.screenshot({ path: artifact("typed-forms-filled-390.png"), fullPage: true });
    await form.getByRole("button", { name: "Send answers" }).click();
    await form.getByText("Thank you: your answers are saved.").waitFor();

    // Recorded with their types, and shown again after a reload.
    const saved = (await formsOf(projectId)).ownership;
    assert.deepEqual(saved?.owners, [
      { name: "Sam Okafor", born: "1980-04-12", share: 60 },
      { name: "Ada Brown", born: "1975-11-02", share: 40 },
    ]);
    assert.equal(saved?.employees, 42);
    assert.deepEqual(saved?.services, ["Payments", "Currency exchange"]);
    await page.reload();
    await form.getByRole("group", { name: "Beneficial owners 2" }).getByLabel("Full name").waitFor();
    assert.equal(await form.getByRole("group", { name: "Beneficial owners 2" }).getByLabel("Full name").inputValue(), "Ada Brown");
    assert.equal(await form.getByRole("checkbox", { name: "Services you will use: Currency exchange" }).isChecked(), true);
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });

  test("the team's risk rating: high makes the ID checks required, said at the field", async (t) => {
    if (skipWithoutChromium(t)) return;
    // The client's step is done (by the client, or here by CS operations): the analyst's step opens.
    const current = await web.admin.get(`/projects/${projectId}`);
    await must(
      web.admin.post(
        `/projects/${projectId}/commands`,
        { type: "complete_step", step: "ownership" },
        { "if-match": current.headers.get("etag") ?? "" },
      ),
      "ownership done",
    );
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/projects/${projectId}?step=assess`);
    const step = page.locator("li#s-assess");
    const form = step.getByRole("form", { name: "Risk assessment" });
    await form.getByText("Required for some answers").waitFor();
    await form.getByLabel("Risk rating").selectOption("high");
    await form.getByRole("button", { name: "Save form" }).click();
    await step.getByText("Owners' ID checks done is required for these answers").first().waitFor();
    await form.getByLabel("Owners' ID checks done").selectOption({ label: "Yes" });
    await form.getByRole("button", { name: "Save form" }).click();
    await step.getByText("Risk assessment saved.").waitFor();
    assert.deepEqual((await formsOf(projectId)).risk, { rating: "high", id_checks: true });
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});

/** The project's recorded form values, from its events (what the engine recorded). */
async function formsOf(id: string): Promise<Record<string, Record<string, unknown>>> {
  const events = (await web.admin.get(`/projects/${id}/events?limit=200`)).body as {
    items?: { type: string; data: { form?: string; values?: Record<string, unknown> } }[];
  };
  const forms: Record<string, Record<string, unknown>> = {};
  for (const e of events.items ?? [])
    if (e.type === "form.submitted" && e.data.form) forms[e.data.form] = { ...forms[e.data.form], ...e.data.values };
  return forms;
}
