// An email step sent from the project workspace, in a real browser: the CSM opens the open email
// step, previews the mail rendered from its template for the client's contact, edits the subject,
// sends it; the server's mailer has exactly that one mail and the step shows done. axe-core on the
// draft; screenshots under test-artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  artifact,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

// The web playbook whose first step is an email step sending a template to the primary contact.
const EMAIL_PLAYBOOK = WEB_PLAYBOOK.replace("id: web_onboarding", "id: web_step_email")
  .replace(
    "        title: Send the introduction email\n        owner: csm\n",
    "        title: Send the introduction email\n        kind: email\n        template: EMAIL-WEB-001\n        owner: csm\n" +
      "        raci: { responsible: [csm], accountable: csm, informed: [client_primary] }\n",
  )
  .replace(
    "phases:\n",
    `templates:
  EMAIL-WEB-001:
    title: Introduction email
    kind: email
    subject: "Welcome, {{client.name}}"
    body: |-
      Dear {{contact.first_name}},

      I am {{roles.csm.name}}, your Customer Success Manager. I will guide {{client.name}} to go-live.

      Kind regards,
      {{roles.csm.name}}
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
  // The outbox runs: the step's mail is queued with its completion and sent by the dispatcher.
  web = await startWebServer({ OUTBOX: "on" });
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: EMAIL_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(
    admin.post("/users", { id: "casey", email: "casey@example.com", name: "Casey Morgan", roles: ["csm"], password: PASSWORD }),
    "user",
  );
  await must(admin.post("/clients", { id: "northwind", name: "Northwind Traders", timeZone: "America/New_York", country: "US" }), "client");
  await must(
    admin.post("/clients/northwind/contacts", { name: "Dana Whitfield", email: "dana@northwind.example", roles: ["client_primary"] }),
    "contact",
  );
  await must(
    admin.post("/projects", { id: "onb-email", clientId: "northwind", playbook: { id: "web_step_email", version: "1.0" }, facts: {} }),
    "project",
  );
  const current = await admin.get("/projects/onb-email");
  await must(
    admin.post(
      "/projects/onb-email/commands",
      { type: "assign", role: "csm", person: "casey" },
      { "if-match": current.headers.get("etag") ?? "" },
    ),
    "assign",
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("an email step in the project workspace", () => {
  test("the CSM previews the email, edits the subject, sends it; one mail goes and the step is done", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "America/New_York" });
    await signIn(page, web.url, "casey@example.com", PASSWORD);
    await page.goto(`${web.url}/app/projects/onb-email?step=intro_email`);
    await page.getByRole("button", { name: "Preview and send email" }).click();

    const dialog = page.getByRole("dialog", { name: "Email: Send the introduction email" });
    const subject = dialog.getByLabel("Subject");
    await subject.waitFor();
    assert.equal(await subject.inputValue(), "Welcome, Northwind Traders");
    assert.equal(await dialog.getByTestId("step-email-to").textContent(), "Dana Whitfield <dana@northwind.example>");
    const text = await dialog.getByLabel("Text").inputValue();
    assert.match(text, /^Dear Dana,\n\nI am Casey Morgan, your Customer Success Manager\. I will guide Northwind Traders to go-live\./);
    const problems = (await axeViolations(page)).map((v) => `draft: ${v}`);
    await page.screenshot({ path: artifact("step-email-draft.png"), fullPage: true });
    assert.equal(web.mailer.sent.length, 0, "nothing is sent by previewing");

    await subject.fill("Welcome aboard, Northwind Traders");
    await dialog.getByRole("button", { name: "Send and mark done" }).click();
    await page.getByText("On its way to Dana Whitfield. Done: Send the introduction email").waitFor();
    await dialog.waitFor({ state: "hidden" });
    const head = page.getByRole("button", { name: /Send the introduction email/ });
    await head.getByText("Done", { exact: true }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Preview and send email" }).count(), 0, "a done step sends nothing more");
    await page.screenshot({ path: artifact("step-email-sent.png"), fullPage: true });

    const stepMail = () => web.mailer.sent.filter((m) => m.projectId === "onb-email" && m.key.includes("#step-email:"));
    for (let waited = 0; stepMail().length === 0 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const sent = stepMail();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.subject, "Welcome aboard, Northwind Traders");
    assert.deepEqual(
      sent[0]?.to.map((a) => a.address),
      ["dana@northwind.example"],
    );
    assert.match(sent[0]?.html ?? "", /<p>Dear Dana,<\/p>/, "the template's HTML part: the text was not edited");
    const timeline = await web.admin.get("/projects/onb-email/timeline");
    assert.equal(timeline.body.phases[0].steps.find((s: { id: string }) => s.id === "intro_email").status, "done");
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
