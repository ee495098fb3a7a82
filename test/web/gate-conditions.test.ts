// Approving with conditions in the team app (issue 15 item 6): the sign-off offers a third outcome
// whose conditions must be written; once given, the step shows them with "Approved with
// conditions". At 1440 px, with axe.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  artifact,
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

const PLAYBOOK = `onboard: 1
id: signed_terms
document:
  id: SOP-SIGN-001
  title: Commercial sign-off
  version: "1.0"
  owner: Head of Customer Success
  effective: 2026-01-05
  review: 2027-01-05
  revisions: [{ version: "1.0", date: 2026-01-05, changes: Initial release }]
purpose: Agree the commercial terms before the work starts.
scope: { applies_to: [New customers] }
roles:
  csm: { title: Customer success manager, side: internal }
  reviewer: { title: Deal desk, side: internal }
phases:
  - id: terms
    title: Terms
    window: Days 1-10
    steps:
      - id: draft
        title: Draft the terms
        owner: csm
        expected_result: The terms are written.
      - id: sign
        title: Deal desk signs the terms
        owner: csm
        expected_result: The terms are signed.
        gate: { approvers: [reviewer], sign_off: The commercial terms }
        decision:
          question: Did the deal desk sign?
          branches:
            - { label: Rejected, when: 'gates.sign.outcome == "rejected"', next: draft }
            - { label: Signed, otherwise: true, next: continue }
      - id: kickoff
        title: Kick off
        owner: csm
        expected_result: The work started.
`;

let web: WebServer;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(admin.post("/clients", { id: "brook", name: "Brook Analytics", timeZone: "Europe/London", country: "GB" }), "client");
  await must(
    admin.post("/projects", { id: "sign-brook", clientId: "brook", playbook: { id: "signed_terms", version: "1.0" }, facts: {} }),
    "project",
  );
  const me = (await admin.get("/auth/session")).body as { user: { id: string } };
  const command = async (body: unknown, what: string) => {
    const current = await admin.get("/projects/sign-brook");
    await must(admin.post("/projects/sign-brook/commands", body, { "if-match": current.headers.get("etag") ?? "" }), what);
  };
  await command({ type: "assign", role: "reviewer", person: me.user.id }, "assign the deal desk");
  await command({ type: "complete_step", step: "draft" }, "draft done");
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("a sign-off approved with conditions in the team app", () => {
  test("the conditions are required, then shown with the outcome", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, {
      viewport: { width: 1440, height: 900 },
      locale: "en-GB",
      timezoneId: "Europe/London",
      errors: pageErrors,
    });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/projects/sign-brook`);
    await page.getByRole("heading", { level: 1, name: "Brook Analytics" }).waitFor();
    await page
      .getByRole("button", { name: /Deal desk signs the terms/ })
      .first()
      .click();
    const step = page.locator("li#s-sign");
    await step.getByRole("button", { name: "Approve with conditions" }).click();
    await step.getByText("Write the conditions you approve under.").waitFor();
    await step.getByLabel("Conditions").fill("Payment terms net 30");
    await step.getByRole("button", { name: "Approve with conditions" }).click();
    await step.getByText("Approved with conditions", { exact: false }).first().waitFor();
    await step.getByText("Conditions: Payment terms net 30").waitFor();
    await settled(page);
    const problems = (await axeViolations(page)).map((v) => `sign-off 1440: ${v}`);
    await page.screenshot({ path: artifact("gate-conditions-1440.png"), fullPage: true });

    const timeline = (await web.admin.get("/projects/sign-brook/timeline")).body as {
      phases: { steps: { id: string; gate: { outcome: string; approvals: Record<string, { conditions: string | null }> } | null }[] }[];
    };
    const gate = timeline.phases.flatMap((p) => p.steps).find((s) => s.id === "sign")?.gate;
    assert.equal(gate?.outcome, "approved_with_conditions");
    assert.equal(gate?.approvals.reviewer?.conditions, "Payment terms net 30");
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors.splice(0), []);
    await page.context().close();
  });
});
