// The public survey page of the client portal and the team's Mail page, in a real browser. A survey
// link is made the way the outbox's send_survey handler makes it (Notifications.createSurveyLink,
// with the server's SURVEY_SECRET); the contact opens /portal/survey#token=..., answers 9, sends,
// sees the thanks; the same link then says it was answered; an expired or altered link says so.
// The Mail page lists the mail log and shows a message's HTML in a sandboxed frame. axe-core on
// both; screenshots under test-artifacts/web/.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { parseConfig } from "../../src/api/config.ts";
import { configuredMailer } from "../../src/api/routes/mail/notifications-of.ts";
import { Notifications } from "../../src/notify/notifications.ts";
import { ProjectService } from "../../src/store/index.ts";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  artifact,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const SECRET = "a-web-test-secret-of-at-least-32-characters";
const PUBLIC_URL = "http://onboard.test";
// The web playbook with an NPS survey for the primary contact.
const SURVEY_PLAYBOOK = `${WEB_PLAYBOOK.replace("id: web_onboarding", "id: web_survey")}surveys:
  nps_survey:
    title: How are we doing?
    kind: nps
    to: [client_primary]
    send: 1 day after kickoff_call
    questions:
      - id: nps_score
        text: "How likely are you to recommend us to a friend or colleague?"
        type: nps
      - id: clear_next_steps
        text: Are the next steps clear to you?
        type: bool
        required: false
      - id: feedback
        text: What should we do differently?
        type: text
        required: false
`;

let web: WebServer;
let browser: Browser | undefined;
let notifications: Notifications;
let projectId = "";
let contactId = "";

async function must(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

before(async () => {
  web = await startWebServer({ SURVEY_SECRET: SECRET, PUBLIC_URL });
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: SURVEY_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(
    admin.request("PUT", "/settings/branding", {
      body: { vendorName: "Brightwave Software", primaryColor: "#0f766e", logoUrl: null, supportEmail: "success@brightwave.example" },
    }),
    "branding",
  );
  await must(admin.post("/clients", { id: "northwind", name: "Northwind Traders", timeZone: "America/New_York", country: "US" }), "client");
  const contact = await must(
    admin.post("/clients/northwind/contacts", { name: "Dana Whitfield", email: "dana@northwind.example", roles: ["client_primary"] }),
    "contact",
  );
  contactId = String(contact.id);
  const created = await must(
    admin.post("/projects", { id: "onb-survey", clientId: "northwind", playbook: { id: "web_survey", version: "1.0" }, facts: {} }),
    "project",
  );
  projectId = (created.project as { id: string }).id;
  const { database } = web.server;
  notifications = new Notifications({
    database,
    service: new ProjectService(database),
    mailer: { send: async () => undefined },
    publicUrl: PUBLIC_URL,
    surveySecret: SECRET,
    clock: () => new Date().toISOString(),
  });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(viewport = { width: 1280, height: 860 }): Promise<Page> {
  return openPage(browser, { viewport, locale: "en-US", timezoneId: "America/New_York" });
}

/** The path and fragment of a link as mailed (its origin is PUBLIC_URL, not the test server's). */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.hash}`;
}

describe("the survey page", () => {
  test("a contact opens the link, answers 9, sees the thanks; the link then says it was answered", async (t) => {
    if (skipWithoutChromium(t)) return;
    const expiresAt = Math.floor(Date.now() / 1000) + 14 * 86_400;
    const link = await notifications.createSurveyLink({ projectId, survey: "nps_survey", contactId, expiresAt, nonce: "web-1" });
    assert.match(link.url, /\/portal\/survey#token=/);
    const problems: string[] = [];
    const page = await newPage();
    await page.goto(`${web.url}${pathOf(link.url)}`);
    await page.getByRole("heading", { level: 1, name: "How are we doing?" }).waitFor();
    assert.match((await page.locator(".portal-header").textContent()) ?? "", /Brightwave Software/, "the vendor's branding");
    const scale = page.getByRole("group", { name: /How likely are you to recommend us/ });
    assert.equal(await scale.getByRole("radio").count(), 11, "0 to 10");
    assert.match((await scale.textContent()) ?? "", /Not at all likely[\s\S]*Extremely likely/);
    for (const v of await axeViolations(page)) problems.push(`survey: ${v}`);
    await page.getByRole("button", { name: "Send my answers" }).click();
    await page.getByText("Please answer this question.").waitFor();
    await scale.getByRole("radio", { name: "9", exact: true }).check();
    assert.equal(await page.getByText("Please answer this question.").count(), 0, "the error goes once answered");
    await page
      .getByRole("group", { name: /next steps clear/ })
      .getByRole("radio", { name: "Yes" })
      .check();
    await page.getByLabel(/What should we do differently/).fill("Keep the weekly calls.");
    await page.screenshot({ path: artifact("portal-survey.png"), fullPage: true });
    await page.getByRole("button", { name: "Send my answers" }).click();
    await page.getByRole("heading", { name: "Thank you!" }).waitFor();
    for (const v of await axeViolations(page)) problems.push(`survey thanks: ${v}`);
    await page.screenshot({ path: artifact("portal-survey-thanks.png") });

    assert.equal((await web.admin.get(`/surveys/${link.token}`)).body.answered, true, "the link is spent");

    await page.goto(`${web.url}/portal/`);
    await page.goto(`${web.url}${pathOf(link.url)}`);
    await page.getByRole("heading", { name: "Already answered" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Send my answers" }).count(), 0);
    await page.context().close();
    assert.deepEqual(problems, []);
  });

  test("an expired link and an altered link say so, with the server's reason", async (t) => {
    if (skipWithoutChromium(t)) return;
    const expired = await notifications.createSurveyLink({
      projectId,
      survey: "nps_survey",
      contactId,
      expiresAt: Math.floor(Date.now() / 1000) - 60,
      nonce: "web-2",
    });
    const page = await newPage();
    await page.goto(`${web.url}${pathOf(expired.url)}`);
    await page.getByRole("heading", { name: "This survey link has expired" }).waitFor();
    assert.match((await page.getByRole("alert").textContent()) ?? "", /This survey link has expired\./);
    for (const v of await axeViolations(page)) assert.fail(`survey expired: ${v}`);
    await page.screenshot({ path: artifact("portal-survey-expired.png") });
    const good = await notifications.createSurveyLink({
      projectId,
      survey: "nps_survey",
      contactId,
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
      nonce: "web-3",
    });
    const token = good.token;
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    await page.goto(`${web.url}/portal/survey#token=${altered}`);
    await page.getByRole("heading", { name: "This survey link is not valid" }).waitFor();
    await page.context().close();
  });
});

describe("the team's Mail page", () => {
  test("lists the mail log, shows a message's HTML in a sandboxed frame, and never its secret link", async (t) => {
    if (skipWithoutChromium(t)) return;
    // Mail as the server's mailer keeps it without SMTP: written to the mail folder, logged redacted.
    const mailDir = mkdtempSync(join(tmpdir(), "onboard-mail-"));
    const mailer = configuredMailer(parseConfig({ LOG_LEVEL: "silent", MAIL_DIR: mailDir }), web.server.database, () =>
      new Date().toISOString(),
    );
    const secret = "sEcReT-tOkEn-0123456789abcdefghijklmnopqrstu";
    await mailer.send({
      key: "web-mail-1",
      projectId,
      to: [{ name: "Dana Whitfield", address: "dana@northwind.example" }],
      subject: "Welcome to your onboarding",
      text: `Hello Dana,\n\nWelcome aboard.\n\nhttps://onboard.example/portal/sign-in#token=${secret}\n`,
      html: `<p>Hello Dana,</p><p><strong>Welcome aboard.</strong></p><p>#token=${secret}</p><script>parent.document.title = "pwned"</script>`,
      secrets: [secret],
    });
    const page = await newPage();
    await signIn(page, web.url, "admin@example.com", "admin password for tests");
    await page.goto(`${web.url}/app/admin/mail`);
    const row = page.getByRole("row", { name: /Welcome to your onboarding/ });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /dana@northwind\.example[\s\S]*Written to the mail folder/);
    const problems = (await axeViolations(page)).map((v) => `mail: ${v}`);
    await page.screenshot({ path: artifact("mail.png"), fullPage: true });
    await row.getByRole("button", { name: "Welcome to your onboarding" }).click();
    const dialog = page.getByRole("dialog", { name: "Welcome to your onboarding" });
    const frame = dialog.locator("iframe.mail-frame");
    await frame.waitFor();
    assert.equal(await frame.getAttribute("sandbox"), "", "no scripts, forms or navigation in the frame");
    await page.frameLocator("iframe.mail-frame").getByText("Welcome aboard.").waitFor();
    assert.notEqual(await page.title(), "pwned");
    for (const v of await axeViolations(page)) problems.push(`mail dialog: ${v}`);
    await page.screenshot({ path: artifact("mail-message.png") });
    await dialog.getByRole("button", { name: "Text" }).click();
    await dialog.getByText("Welcome aboard.").waitFor();
    const shown = (await dialog.textContent()) ?? "";
    assert.match(shown, /#token=\[redacted\]/);
    assert.ok(!shown.includes(secret), "the admin reads that a link went, not the link");
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
