// Issue 14 item 8 in a real browser: bulk actions on the portfolio (tick two onboardings, put them
// on hold with a reason, read what changed per project), saved views (save, reload, open from the
// list, delete) and the project's Activity feed and Audit trail paged ("Show older"). At 1440 and
// 390 px: no horizontal overflow, axe clean, screenshots.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  artifact,
  assertNoOverflow,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  type Seeded,
  seedPortfolio,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

let web: WebServer;
let seeded: Seeded;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  seeded = await seedPortfolio(web);
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(pageErrors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/Paris", errors: pageErrors });
}

function row(page: Page, client: string) {
  return page.locator("table tbody tr").filter({ has: page.getByRole("link", { name: client, exact: true }) });
}

describe("portfolio bulk actions, saved views, paged feeds", () => {
  test("select two onboardings, put them on hold with a reason, see what changed; a second hold is refused in words (1440)", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(1440);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.goto(`${web.url}/app/`);
    await page.getByRole("checkbox", { name: "Select Initech" }).waitFor();
    assert.equal(await page.getByRole("region", { name: "Bulk actions" }).getByRole("button", { name: "Put on hold…" }).count(), 0);

    await page.getByRole("checkbox", { name: "Select Initech" }).check();
    await page.getByRole("checkbox", { name: "Select Northwind Traders" }).check();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await bar.getByText("2 onboardings selected").waitFor();
    await bar.getByRole("button", { name: "Put on hold…" }).click();
    const dialog = page.getByRole("dialog", { name: /Put on hold: 2 onboardings/ });
    await dialog.waitFor();
    // The reason is required, and the error is at the field.
    await dialog.getByRole("button", { name: "Put on hold" }).click();
    await dialog.getByText("Say why: it goes into each project's audit trail").waitFor();
    await dialog.getByLabel(/Reason/).fill("Both clients paused for their fiscal year end");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-bulk-dialog-1440.png") });
    await dialog.getByRole("button", { name: "Put on hold" }).click();

    const summary = bar.locator(".bulk-summary");
    await summary.waitFor();
    const text = (await summary.textContent()) ?? "";
    assert.match(text, /2 onboardings changed/, text);
    assert.match(text, /Initech: Put on hold/, text);
    assert.match(text, /Northwind Traders: Put on hold/, text);
    await row(page, "Initech").locator(".badge", { hasText: "On hold" }).waitFor();
    await row(page, "Northwind Traders").locator(".badge", { hasText: "On hold" }).waitFor();
    assert.equal(await row(page, "Umbrella Health").locator(".badge", { hasText: "On hold" }).count(), 0);
    // Audited in each project's chain, with the reason.
    const events = await web.admin.get(`/projects/${seeded.projects.Initech}/events?limit=200`);
    assert.ok(
      events.body.items.some((e: { type: string }) => e.type === "project.on_hold"),
      JSON.stringify(events.body.items.map((e: { type: string }) => e.type)),
    );
    await settled(page);
    await assertNoOverflow(page, "portfolio after bulk 1440");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-bulk-summary-1440.png"), fullPage: true });

    // Holding again an onboarding already on hold is refused, said in words, while the other changes.
    await page.getByRole("checkbox", { name: "Select Initech" }).check();
    await page.getByRole("checkbox", { name: "Select Stark Logistics" }).check();
    await page.getByRole("checkbox", { name: "Select Globex Corporation" }).check();
    await bar.getByRole("button", { name: "Put on hold…" }).click();
    await page
      .getByRole("dialog")
      .getByLabel(/Reason/)
      .fill("Waiting for the client's security review");
    await page.getByRole("dialog").getByRole("button", { name: "Put on hold" }).click();
    await bar.getByText(/1 onboarding changed, 2 refused/).waitFor();
    const second = (await summary.textContent()) ?? "";
    assert.match(second, /Initech: Not changed/, second);
    assert.match(second, /Stark Logistics: Put on hold/, second);
    assert.match(second, /Globex Corporation: Not changed: you may not change it/, second);
    assert.doesNotMatch(second, /onb-\d|project\.on_hold|\/body/, "no ids, event names or pointers");
    await page.context().close();
  });

  test("on a 390 px phone: select all shown, set health, the bar and the dialog fit", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(390);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/`);
    await page.getByRole("checkbox", { name: "Select all shown" }).check();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await bar.getByText(/\d+ onboardings selected/).waitFor();
    await settled(page);
    await assertNoOverflow(page, "portfolio with the bulk bar 390");
    await page.screenshot({ path: artifact("portfolio-bulk-bar-390.png"), fullPage: true });
    await page.getByRole("checkbox", { name: "Select all shown" }).uncheck();
    await page.getByRole("checkbox", { name: "Select Umbrella Health" }).check();
    await bar.getByRole("button", { name: "Set health…" }).click();
    const dialog = page.getByRole("dialog", { name: /Set the health: 1 onboarding/ });
    await dialog.getByLabel(/Health/).selectOption({ label: "Watch" });
    await dialog.getByLabel(/Reason/).fill("Their sponsor left the company");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-bulk-dialog-390.png") });
    await dialog.getByRole("button", { name: "Set health" }).click();
    await bar.locator(".bulk-summary").waitFor();
    assert.match((await bar.locator(".bulk-summary").textContent()) ?? "", /Umbrella Health: Health set to Watch/);
    await settled(page);
    await assertNoOverflow(page, "portfolio after set health 390");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-bulk-summary-390.png"), fullPage: true });
    await page.context().close();
  });

  test("save a view, reload, open it from the list, copy its link, delete it (1440 and 390)", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(1440);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.goto(`${web.url}/app/?segment=enterprise&sort=client`);
    const views = page.getByRole("region", { name: "Saved views" });
    await views.getByText("No saved views yet").waitFor();
    // A name is needed, said at the field.
    await views.getByRole("button", { name: "Save this view" }).click();
    await views.getByText("Give the view a name").waitFor();
    await views.getByLabel("Name this view").fill("Enterprise by client");
    await views.getByRole("button", { name: "Save this view" }).click();
    await views.getByText("Saved as “Enterprise by client”.").waitFor();

    // Reload on the plain dashboard: the view is in the list, and opens with its filters.
    await page.goto(`${web.url}/app/`);
    const link = views.getByRole("link", { name: "Enterprise by client" });
    await link.waitFor();
    assert.equal(await page.getByLabel("Segment").inputValue(), "");
    await link.click();
    await page.waitForURL(/segment=enterprise/);
    assert.equal(await page.getByLabel("Segment").inputValue(), "enterprise");
    await page.getByRole("link", { name: "Northwind Traders", exact: true }).first().waitFor();
    assert.equal(await page.locator("table tbody").getByRole("link", { name: "Initech", exact: true }).count(), 0, "filtered");

    // Copy link: the link of the view as shown now (copied, or offered to copy by hand).
    await views.getByRole("button", { name: "Copy link" }).click();
    await views
      .getByText(/Link to this view/)
      .first()
      .waitFor();
    await settled(page);
    await assertNoOverflow(page, "portfolio with saved views 1440");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-saved-views-1440.png"), fullPage: true });

    // At 390 the list and the form fit.
    await page.setViewportSize({ width: 390, height: 900 });
    await settled(page);
    await assertNoOverflow(page, "portfolio with saved views 390");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-saved-views-390.png"), fullPage: true });

    // Delete, confirmed.
    await views.getByRole("button", { name: "Delete the view “Enterprise by client”" }).click();
    await views.getByRole("button", { name: "Delete “Enterprise by client”" }).click();
    await views.getByText("Deleted “Enterprise by client”.").waitFor();
    await page.reload();
    await views.getByText("No saved views yet").waitFor();
    assert.equal(await views.getByRole("link", { name: "Enterprise by client" }).count(), 0);
    await page.context().close();
  });

  test("a project with many events: the Activity feed and the Audit trail show the latest 50, with Show older (1440 and 390)", async (t) => {
    if (skipWithoutChromium(t)) return;
    const id = seeded.projects["Globex Corporation"] ?? "";
    let version = (await web.admin.get(`/projects/${id}`)).body.version as number;
    for (let i = 0; i < 130; i++) {
      const health = i % 2 === 0 ? "amber" : "red";
      const reply = await web.admin.post(
        `/projects/${id}/commands`,
        { type: "set_health", health, reason: `Weekly review ${i + 1}` },
        { "if-match": `"${version}"` },
      );
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      version = reply.body.version ?? (await web.admin.get(`/projects/${id}`)).body.version;
    }
    const total = (await web.admin.get(`/projects/${id}/events?limit=200`)).body.items.length as number;
    assert.ok(total > 120, `many events (${total})`);

    const page = await newPage(1440);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.goto(`${web.url}/app/projects/${encodeURIComponent(id)}?tab=activity`);
    const activity = page.getByRole("region", { name: "Activity" });
    await activity.getByText(`Showing the latest 50 of ${total}`).waitFor();
    assert.equal(await activity.locator(".feed > li").count(), 50);
    await activity.getByText("“Weekly review 130”").waitFor();
    assert.equal(await activity.getByText("Project started").count(), 0, "the oldest is not shown yet");
    const tall = (await page.evaluate("document.documentElement.scrollHeight")) as number;
    assert.ok(tall < 9000, `the page is bounded (${tall} px)`);
    await activity.getByRole("button", { name: /Show older/ }).click();
    await activity.getByText(`Showing the latest 100 of ${total}`).waitFor();
    assert.equal(await activity.locator(".feed > li").count(), 100);
    while ((await activity.getByRole("button", { name: /Show older/ }).count()) > 0)
      await activity.getByRole("button", { name: /Show older/ }).click();
    await activity.getByText("Project started").waitFor();
    await settled(page);
    await assertNoOverflow(page, "activity 1440");
    assert.deepEqual(await axeViolations(page), []);

    await page.goto(`${web.url}/app/projects/${encodeURIComponent(id)}?tab=audit`);
    const audit = page.getByRole("region", { name: "Audit trail" });
    await audit.getByText(`Showing the latest 50 of ${total} entries`).waitFor();
    assert.equal(await audit.locator("tbody tr").count(), 50);
    await audit.getByRole("button", { name: /Show older entries/ }).click();
    await audit.getByText(`Showing the latest 100 of ${total} entries`).waitFor();
    assert.equal(await audit.locator("tbody tr").count(), 100);
    await settled(page);
    await assertNoOverflow(page, "audit 1440");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("project-audit-paged-1440.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(`${web.url}/app/projects/${encodeURIComponent(id)}?tab=activity`);
    await activity.getByText(`Showing the latest 50 of ${total}`).waitFor();
    await settled(page);
    await assertNoOverflow(page, "activity 390");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("project-activity-paged-390.png"), fullPage: true });
    await page.context().close();
  });
});
