// Four-eyes publishing and the controls report in a real browser: an admin turns four-eyes on
// (Admin → Controls report), a CS operations member's upload waits on the Playbooks page without
// an Approve button for them, a second admin reads its changes and approves it (it is published),
// and the period report downloads as a signed package that opens intact.
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { openPackage } from "../../src/compliance/package.ts";
import { ensureSigningKeyFile } from "../../src/store/signed-note.ts";
import { MINIMAL, MINIMAL_1_2 } from "../api/support/world.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

let web: WebServer;
let browser: Browser | undefined;
let publicKey: ReturnType<typeof createPublicKey>;
const errors: string[] = [];
const VIEW = { viewport: { width: 1280, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors };

before(async () => {
  const keyFile = join(mkdtempSync(join(tmpdir(), "onboard-controls-web-")), "audit.pem");
  publicKey = createPublicKey((await ensureSigningKeyFile(keyFile)).privateKey);
  web = await startWebServer({ AUDIT_SIGNING_KEY: keyFile });
  for (const [id, roles] of [
    ["uploader", ["cs_ops"]],
    ["second", ["admin"]],
  ] as const) {
    const created = await web.admin.post("/users", { id, email: `${id}@example.com`, name: `${id} person`, roles, password: PASSWORD });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const uploader = await web.login("uploader@example.com", PASSWORD);
  assert.equal((await uploader.post("/playbooks", { source: MINIMAL })).status, 201);
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("four-eyes publishing and the controls report in the browser", () => {
  test("turn four-eyes on; the uploader cannot approve; a second admin reads the changes and approves", async (t) => {
    if (skipWithoutChromium(t)) return;
    const admin = await openPage(browser, VIEW);
    await signIn(admin, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.goto(`${web.url}/app/admin/controls`);
    const toggle = admin.getByLabel("Publishing a playbook version needs a second person's approval");
    // The box shows the server's setting: it turns checked once the change is saved.
    await toggle.click();
    await admin.getByText(/Last changed .* by admin/).waitFor();
    assert.equal(await toggle.isChecked(), true);
    assert.equal((await web.admin.get("/settings/four-eyes")).body.required, true);

    const uploaderPage = await openPage(browser, VIEW);
    await signIn(uploaderPage, web.url, "uploader@example.com", PASSWORD);
    await uploaderPage.goto(`${web.url}/app/playbooks`);
    await uploaderPage.getByRole("button", { name: "Upload a version" }).click();
    await uploaderPage.getByLabel("Or paste the YAML").fill(MINIMAL_1_2);
    await uploaderPage.getByRole("button", { name: "Lint and publish" }).click();
    await uploaderPage.getByText("minimal 1.2 awaits another person's approval before it is published.").waitFor();
    const own = uploaderPage.getByRole("listitem", { name: "Pending: Minimal onboarding 1.2" });
    await own.getByText("Your upload: another person approves it").waitFor();
    assert.equal(await own.getByRole("button", { name: "Approve and publish" }).count(), 0, "not offered to the uploader");
    assert.equal((await web.admin.get("/playbooks/minimal/versions/1.2")).status, 404, "not published yet");
    await settled(uploaderPage);
    assert.deepEqual(await axeViolations(uploaderPage), []);

    const second = await openPage(browser, VIEW);
    await signIn(second, web.url, "second@example.com", PASSWORD);
    await second.goto(`${web.url}/app/playbooks`);
    const pending = second.getByRole("listitem", { name: "Pending: Minimal onboarding 1.2" });
    await pending.getByRole("button", { name: "Changes since 1.1" }).click();
    await pending
      .getByText(/Send the welcome pack/)
      .first()
      .waitFor();
    await pending.getByRole("button", { name: "Approve and publish" }).click();
    await pending.waitFor({ state: "detached" });
    const version = await web.admin.get("/playbooks/minimal/versions/1.2");
    assert.equal(version.status, 200, "published once approved");
    assert.equal(version.body.uploadedBy, "uploader");
    await Promise.all([admin.context().close(), uploaderPage.context().close(), second.context().close()]);
    assert.deepEqual(errors, []);
  });

  test("Admin → Controls report downloads the period's signed package", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, VIEW);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/admin/controls`);
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel("From").fill(today);
    await page.getByLabel("To").fill(today);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download" }).click()]);
    assert.equal(download.suggestedFilename(), `controls-report-${today}-to-${today}.zip`);
    const path = await download.path();
    const opened = openPackage(readFileSync(path), { name: undefined, publicKey });
    assert.equal(opened.intact, true, JSON.stringify(opened.problems));
    const report = JSON.parse(Buffer.from(opened.files.get("report.json") ?? new Uint8Array()).toString("utf8"));
    const published = report.cc81.publications.find((p: { version: string }) => p.version === "1.2");
    assert.equal(published.author, "uploader");
    assert.equal(published.approval.by, "second");
    await settled(page);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
    assert.deepEqual(errors, []);
  });
});
