// A step repeated for each beneficial owner named in an earlier form (issue 15 item 4), as people
// work it: in the app each owner shows by name with its own checklist and form and is done on its
// own; in the portal the client sees each owner with its own form and marks it done.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { edited } from "../support/fixtures.ts";
import { KYC_EDITS } from "../support/kyc.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  must,
  openPage,
  portalSignIn,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CONTACT = "kim@owners.example";
const PLAYBOOK = edited([
  ...KYC_EDITS,
  [["id"], "kyc_items"],
  [["phases", 0, "steps", 4, "owner"], "client_primary"],
  [["phases", 0, "steps", 4, "visible_to_client"], true],
  [["phases", 0, "steps", 4, "gate"], undefined],
]);
let web: WebServer;
let browser: Browser | undefined;
const projectId = "owners-1";
const pageErrors: string[] = [];

async function command(body: unknown): Promise<void> {
  const current = await web.admin.get(`/projects/${projectId}`);
  await must(
    web.admin.post(`/projects/${projectId}/commands`, body, { "if-match": current.headers.get("etag") ?? "" }),
    JSON.stringify(body),
  );
}

async function timelineStep(id: string) {
  const timeline = (await web.admin.get(`/projects/${projectId}/timeline`)).body as {
    phases: { steps: { id: string; status: string; items: Record<string, string | null> | null }[] }[];
  };
  return timeline.phases.flatMap((p) => p.steps).find((s) => s.id === id);
}

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(admin.post("/clients", { id: "owners", name: "Owners Ltd", timeZone: "Europe/London", country: "GB" }), "client");
  await must(admin.post("/clients/owners/contacts", { name: "Kim Lee", email: CONTACT, roles: ["client_primary"] }), "contact");
  await must(
    admin.post("/projects", { id: projectId, clientId: "owners", playbook: { id: "kyc_items", version: "1.1" }, facts: { user_count: 5 } }),
    "project",
  );
  await command({ type: "complete_step", step: "handoff" });
  await command({ type: "skip_step", step: "kickoff_call", reason: "signed on paper" });
  await command({
    type: "submit_form",
    step: "collect_kyc",
    values: { risk_rating: "low", owners: [{ name: "Ada Lovelace" }, { name: "Alan Turing" }] },
  });
  await command({ type: "complete_step", step: "collect_kyc" });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors: pageErrors });
}

describe("a step repeated for each owner", () => {
  test("in the app: each owner by name, with its own checklist and form, done on its own", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/projects/${projectId}?step=verify_owners`);
    const step = page.locator("li#s-verify_owners");
    const form = step.getByRole("form", { name: "Owner check: Ada Lovelace" });
    await form.getByLabel("Passport number").fill("AB123456");
    await form.getByRole("button", { name: "Save form" }).click();
    await step.getByText("Owner check: Ada Lovelace saved.").waitFor();
    await step.getByRole("group", { name: "Checklist: Ada Lovelace" }).getByLabel("Sanctions screening done").check();
    await step.getByText("Ticked for Ada Lovelace: Sanctions screening done").waitFor();
    await step.getByRole("button", { name: "Done: Ada Lovelace" }).click();
    await step.getByText("Done: Ada Lovelace").first().waitFor();
    await step.getByRole("form", { name: "Owner check: Alan Turing" }).waitFor();
    assert.equal((await timelineStep("verify_owners"))?.items?.["1"] !== null, true);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });

  test("in the portal: the client fills the other owner's form and marks it done", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(390);
    await portalSignIn(page, web, CONTACT);
    const item = page.locator("li#step-verify_owners-item-2");
    await item.getByText("Alan Turing").first().waitFor();
    const form = item.getByRole("form", { name: "Owner check" });
    await form.getByLabel("Passport number").fill("CD654321");
    await form.getByRole("button", { name: "Send answers" }).click();
    await form.getByText("Thank you: your answers are saved.").waitFor();
    await item.getByLabel("Sanctions screening done").check();
    await item.getByText("Ticked: “Sanctions screening done”.").waitFor();
    await item.getByRole("button", { name: "Mark as done" }).click();
    await item.getByText("is done").first().waitFor();
    assert.equal((await timelineStep("verify_owners"))?.status, "done");
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});
