// An email step out of the box, in a real browser: the client has no contact yet, so the preview
// says so and links to the client's page to add one; then the template's {{support_email}} has no
// value, so the preview names it and the admin fills it right there for the organisation; the
// mail then goes, and its link leads the client to the portal, not the team app. The admin page
// lists the value under "Values in emails". axe on the dialog; screenshots at 1440 and 390.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
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

const PLAYBOOK = WEB_PLAYBOOK.replace("id: web_onboarding", "id: web_email_setup")
  .replace(
    "        title: Send the introduction email\n        owner: csm\n",
    "        title: Send the introduction email\n        kind: email\n        template: EMAIL-SETUP-001\n        owner: csm\n" +
      "        raci: { responsible: [csm], accountable: csm, informed: [client_primary] }\n",
  )
  .replace(
    "phases:\n",
    `parameters:
  support_email: { type: email, description: The support address given to clients. }
templates:
  EMAIL-SETUP-001:
    title: Introduction email
    kind: email
    subject: "Welcome, {{client.name}}"
    body: |-
      Dear {{contact.first_name}},

      Your plan is at {{project.url}}. Questions: {{support_email}}.
phases:
`,
  );

let web: WebServer;
let browser: Browser | undefined;

async function must(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

before(async () => {
  web = await startWebServer({ OUTBOX: "on" });
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(admin.post("/clients", { id: "globex", name: "Globex Corporation", timeZone: "Europe/Berlin", country: "DE" }), "client");
  await must(
    admin.post("/projects", { id: "onb-globex", clientId: "globex", playbook: { id: "web_email_setup", version: "1.0" }, facts: {} }),
    "project",
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("an email step works out of the box", () => {
  for (const width of [1440, 390]) {
    test(`no contact: add one; a missing value: fill it in the preview; the mail links to the portal (${width} px)`, async (t) => {
      if (skipWithoutChromium(t)) return;
      const errors: string[] = [];
      const page = await openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/Berlin", errors });
      await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      if (width === 390) {
        // The second run: a fresh project for a client that has its contact; the value is saved already.
        await must(
          web.admin.post("/projects", {
            id: "onb-globex-2",
            clientId: "globex",
            playbook: { id: "web_email_setup", version: "1.0" },
            facts: {},
          }),
          "project 2",
        );
      }
      const projectId = width === 1440 ? "onb-globex" : "onb-globex-2";
      await page.goto(`${web.url}/app/projects/${projectId}?step=intro_email`);
      await page.getByRole("button", { name: "Preview and send email" }).click();
      const dialog = page.getByRole("dialog", { name: "Email: Send the introduction email" });

      if (width === 1440) {
        await dialog.getByText("Globex Corporation has no contact to send this email to.").waitFor();
        const link = dialog.getByRole("link", { name: "Add a contact" });
        assert.equal(await link.getAttribute("href"), "/app/clients/globex");
        await page.screenshot({ path: artifact(`email-setup-no-contact-${width}.png`) });
        await dialog.getByRole("button", { name: "Close" }).click();
        // The contact is added on the client's page (another page of issue 14); here through the API.
        await must(
          web.admin.post("/clients/globex/contacts", { name: "Lee Park", email: "lee@globex.example", roles: ["client_primary"] }),
          "contact",
        );
        await page.getByRole("button", { name: "Preview and send email" }).click();
        await dialog.getByText("This email shows “Support email”, which has no value yet.").waitFor();
        // biome-ignore lint/performance/useDomNodeTextContent: what a person sees: the closed Details stay out
        const visible = (await dialog.locator(".notice.error").innerText()).split("Details")[0] ?? "";
        assert.doesNotMatch(visible, /\/template\/|support_email|422/, "no pointers, ids or codes where a person reads");
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: artifact(`email-setup-missing-value-${width}.png`) });
        await dialog.getByRole("button", { name: "Save and preview again" }).click();
        await dialog.getByText("Enter the value the email should show.").waitFor();
        await dialog.getByLabel("Support email").fill("help@brightwave.example");
        await dialog.getByRole("button", { name: "Save and preview again" }).click();
      }
      const text = dialog.getByLabel("Text");
      await text.waitFor();
      const body = await text.inputValue();
      assert.match(body, /Questions: help@brightwave\.example\./);
      assert.match(body, new RegExp(`/portal/projects/${projectId}`), "the client's link goes to the portal");
      assert.doesNotMatch(body, /\/app\/projects\//);
      await page.screenshot({ path: artifact(`email-setup-draft-${width}.png`), fullPage: width < 500 });
      await dialog.getByRole("button", { name: "Send and mark done" }).click();
      await page.getByText("On its way to Lee Park. Done: Send the introduction email").waitFor();
      const mine = () => web.mailer.sent.filter((m) => m.projectId === projectId && m.key.includes("#step-email:"));
      for (let waited = 0; mine().length === 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.equal(mine().length, 1);
      assert.match(mine()[0]?.text ?? "", new RegExp(`/portal/projects/${projectId}`));
      assert.match(mine()[0]?.html ?? "", /\/portal\/projects\//);

      if (width === 1440) {
        await page.goto(`${web.url}/app/admin/branding`);
        const values = page.getByRole("form", { name: "Values in emails" });
        assert.equal(await values.getByLabel("Support email").inputValue(), "help@brightwave.example");
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: artifact(`email-setup-admin-values-${width}.png`), fullPage: true });
      }
      await page.context().close();
      assert.deepEqual(errors, []);
    });
  }
});
