// A process owner brings the procedures the team already has into Onboard, by clicks: a BPMN model
// drawn in Camunda Modeler and an SOP written in Word each become a draft in the upload form, with
// what the importer guessed listed; the draft is published, its BPMN downloads, and a CSM starts a
// client on the imported procedure. The files are real ones from outside this repository
// (test/fixtures/interchange/README.md).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { BpmnModdle } from "bpmn-moddle";
import type { Browser, Page } from "playwright-core";
import { parse } from "yaml";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  assertNoOverflow,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const FIXTURES = new URL("../fixtures/interchange/", import.meta.url);
const UPLOAD_LABEL = "Playbook (.yaml), BPMN model (.bpmn) or SOP document (.md, .docx)";

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

/** Chooses the file in the upload form; returns the draft the form then holds, parsed. */
async function importInTheApp(page: Page, file: string): Promise<{ id: string; title: string; steps: string[] }> {
  await page.goto(`${web.url}/app/playbooks`);
  await page.getByRole("button", { name: "Upload a version" }).click();
  await page.getByLabel(UPLOAD_LABEL).setInputFiles(new URL(file, FIXTURES).pathname);
  await page.getByRole("region", { name: `Import notes for ${file}` }).waitFor();
  const editor = page.getByLabel(`Draft from ${file} (edit it before publishing)`);
  const source = await editor.inputValue();
  const draft = parse(source) as { id: string; document: { title: string }; phases: { steps: { title: string }[] }[] };
  return { id: draft.id, title: draft.document.title, steps: draft.phases.flatMap((p) => p.steps.map((s) => s.title)) };
}

describe("procedures the team already has, brought in by clicks", () => {
  test("a Camunda 8 model becomes a playbook that downloads as BPMN again and runs a client", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1440, height: 900 },
      locale: "en-GB",
      timezoneId: "Europe/London",
      errors: pageErrors,
    });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const draft = await importInTheApp(page, "customer-onboarding-extended.bpmn");
    assert.equal(draft.title, "Customer Onboarding (Extended)");
    assert.ok(draft.steps.includes("Add customer to CRM system"), draft.steps.join(" | "));
    // The one thing to check by hand: the call activity of another model.
    const notes = page.getByRole("region", { name: "Import notes for customer-onboarding-extended.bpmn" });
    await notes.getByText(/call activity of customer-scoring/).waitFor();
    // What the model did not say, at its line in the draft.
    await page.getByText(/warnings?, .*: shown at their line below/).waitFor();
    assert.deepEqual(await axeViolations(page), []);

    await page.getByRole("button", { name: "Lint and publish" }).click();
    await page.getByRole("heading", { level: 1, name: draft.title }).waitFor();
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "BPMN 2.0 (Camunda Modeler, bpmn.io)" }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), `${draft.id}-0.1.bpmn`);
    const xml = await readFile(await download.path(), "utf8");
    const { warnings } = await new BpmnModdle().fromXML(xml);
    assert.deepEqual(warnings, []);
    for (const title of ["Add customer to CRM system", "Provision SIM card"]) assert.ok(xml.includes(`name="${title}"`), title);

    // A CSM's first onboarding on it: the client, then the start with the fact the model's gateway reads.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
    await page.getByRole("button", { name: "New client" }).click();
    const dialog = page.getByRole("dialog", { name: "New client" });
    await dialog.getByLabel("Name").fill("Globex Telecom");
    await dialog.getByLabel("Time zone").selectOption("Europe/London");
    await dialog.getByLabel("Country for holidays").fill("GB");
    await dialog.getByRole("button", { name: "Create client" }).click();
    await page.getByRole("heading", { name: "Globex Telecom", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Start onboarding" }).click();
    await page.getByRole("heading", { name: "Start onboarding", level: 1 }).waitFor();
    await page.getByLabel("Playbook", { exact: true }).selectOption({ label: `${draft.title} (version 0.1)` });
    await page.getByRole("button", { name: "Show planned dates" }).click();
    await page.getByRole("region", { name: "Planned dates" }).getByText("Score customer order").first().waitFor();
    await page.getByRole("button", { name: "Confirm and start onboarding" }).click();
    await page.getByRole("heading", { name: "Globex Telecom", level: 1 }).waitFor();
    // A new project opens on its team: the model's one human role goes to the administrator.
    const team = page.getByRole("region", { name: "Assign the team" });
    const owner = team.getByLabel("Person for Process owner");
    const label = (await owner.locator("option").allTextContents()).find((o) => o.startsWith("Administrator"));
    assert.ok(label, "the administrator is offered for the process owner");
    await owner.selectOption({ label });
    await team
      .getByRole("listitem")
      .filter({ has: page.getByRole("combobox", { name: "Person for Process owner" }) })
      .getByRole("button", { name: "Assign" })
      .click();
    await page.getByText("Administrator is now Process owner.").waitFor();
    await page.getByRole("tab", { name: "Plan" }).click();
    await page.getByText("Score customer order").first().waitFor();
    await page.getByText("Add customer to CRM system").first().waitFor();
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });

  test("a Word SOP written with another tool becomes a draft with the same steps as its Markdown, and publishes", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1440, height: 900 },
      locale: "en-GB",
      timezoneId: "Europe/London",
      errors: pageErrors,
    });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const fromWord = await importInTheApp(page, "gitlab-csm-customer-onboarding.docx");
    const markdown = await web.admin.request("POST", "/playbooks/drafts?file=gitlab.md", {
      raw: await readFile(new URL("../fixtures/sop/gitlab-csm-customer-onboarding.md", import.meta.url)),
      headers: { "content-type": "text/markdown" },
    });
    assert.equal(markdown.status, 200);
    const fromMarkdown = parse(markdown.body.source) as { phases: { steps: { title: string }[] }[] };
    assert.deepEqual(
      fromWord.steps,
      fromMarkdown.phases.flatMap((p) => p.steps.map((s) => s.title)),
    );
    assert.ok(fromWord.steps.length >= 4, fromWord.steps.join(" | "));
    // Word's findings are located by paragraph.
    await page
      .getByRole("region", { name: "Import notes for gitlab-csm-customer-onboarding.docx" })
      .getByText(/Word paragraph \d+/)
      .first()
      .waitFor();
    assert.deepEqual(await axeViolations(page), []);
    // On a phone the notes (file names, paragraph references) wrap: the page does not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoOverflow(page, "the Word import's notes");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole("button", { name: "Lint and publish" }).click();
    await page.getByRole("heading", { level: 1, name: fromWord.title }).waitFor();
    // Its SOP renders in the library like any playbook's.
    await page
      .frameLocator("iframe.sop-frame")
      .getByText(fromWord.steps[0] ?? "")
      .first()
      .waitFor();
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});
