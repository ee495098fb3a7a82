// Issue 14 items 4, 7 and 8 in a real browser: the dashboard lists the late steps with their
// owners; the one search box finds a cancelled client; the project's header shows the portfolio's
// health with its reasons; the timeline shows the forecast go-live, and a CSM moves a date after
// seeing what moves with it. At 1440 and 390 px: no horizontal overflow, axe clean, screenshots.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
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
const DAY = 86_400_000;

before(async () => {
  web = await startWebServer();
  seeded = await seedPortfolio(web);
  // A cancelled onboarding: its client must still be findable.
  const id = seeded.projects["Stark Logistics"] ?? "";
  const current = await web.admin.get(`/projects/${id}`);
  const cancelled = await web.admin.post(
    `/projects/${id}/commands`,
    { type: "cancel", reason: "The client chose another vendor" },
    { "if-match": `"${current.body.version}"` },
  );
  assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
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

describe("portfolio at scale", () => {
  test("late steps with owners, the search box, health with reasons, the forecast and moving a date with a preview (1440)", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(1440);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.goto(`${web.url}/app/`);

    // The late steps, across projects, with their owners.
    const late = page.getByRole("region", { name: /Late and due soon/ });
    const lateItem = late.getByRole("listitem").filter({ hasText: seeded.late.client });
    await lateItem.first().waitFor();
    const lateText = (await lateItem.first().textContent()) ?? "";
    assert.match(lateText, /late/, lateText);
    assert.match(lateText, /Casey Morgan|Unassigned/, lateText);
    await late.getByRole("button", { name: "Late only" }).click();
    await page.getByRole("heading", { name: "Late steps" }).waitFor();
    assert.match(page.url(), /within=0/, "the choice is in the URL (shareable)");
    await settled(page);
    await assertNoOverflow(page, "portfolio 1440");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-scale-dashboard-1440.png"), fullPage: true });

    // One search box: a cancelled client is found, and says so.
    const search = page.getByRole("search").getByRole("searchbox");
    await search.fill("Stark");
    const results = page.locator(".search-results");
    await results.getByRole("heading", { name: "Clients" }).waitFor();
    assert.match((await results.textContent()) ?? "", /Stark Logistics.*Cancelled/);
    await page.screenshot({ path: artifact("portfolio-scale-search-1440.png") });
    await search.fill("Northw");
    await results.getByRole("link", { name: seeded.late.client }).first().waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await results.getByRole("link", { name: seeded.late.client }).first().click();

    // The project: the portfolio's health with its reasons, the forecast go-live.
    await page.getByRole("heading", { level: 1, name: seeded.late.client }).waitFor();
    const header = (await page.locator(".health-summary").first().textContent()) ?? "";
    assert.match(header, /At risk|Watch/, header);
    assert.match(header, /overdue/, "the reasons are shown next to the badge");
    await page.getByText(/Forecast go-live:/).waitFor();
    await page.getByRole("img", { name: /Timeline of/ }).waitFor();

    // Move a date: preview first, then confirm.
    const move = page.getByRole("region", { name: "Move a date" });
    const stepSelect = move.getByLabel("Step");
    const options = await stepSelect.locator("option").allTextContents();
    const chosen = options.find((o) => /Send the introduction email/.test(o)) ?? options[1] ?? "";
    await stepSelect.selectOption({ label: chosen });
    const target = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    await move.getByLabel("New date").fill(target);
    await move.getByRole("button", { name: "Preview what moves" }).click();
    const preview = move.locator(".move-preview");
    await preview.waitFor();
    const previewText = (await preview.textContent()) ?? "";
    assert.match(previewText, /would end/);
    assert.match(previewText, /Go-live (moves|stays)|No go-live/);
    assert.doesNotMatch(previewText, /send_introduction|_/, "titles, not ids");
    await page.screenshot({ path: artifact("portfolio-scale-move-preview-1440.png"), fullPage: true });
    await move.getByRole("button", { name: "Confirm the move" }).click();
    await move.getByText("Say why the date moves").waitFor();
    await move.getByLabel("Reason").fill("The client asked for another week");
    const version = (await web.admin.get(`/projects/${seeded.late.projectId}`)).body.version;
    await move.getByRole("button", { name: "Confirm the move" }).click();
    await move.getByText(/now ends/).waitFor();
    const events = await web.admin.get(`/projects/${seeded.late.projectId}/events?limit=200`);
    assert.ok(
      events.body.items.some((e: { type: string; seq: number }) => e.type === "deadline.extended" && e.seq > version),
      "the move is the engine's extend_deadline, audited",
    );
    await settled(page);
    await assertNoOverflow(page, "project 1440");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-scale-project-1440.png"), fullPage: true });
    await page.context().close();
  });

  test("on a 390 px phone: the timeline is a list, the dashboard and the project fit, axe is clean", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage(390);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.goto(`${web.url}/app/`);
    await page
      .getByRole("region", { name: /Late and due soon/ })
      .getByRole("listitem")
      .first()
      .waitFor();
    await settled(page);
    await assertNoOverflow(page, "portfolio 390");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-scale-dashboard-390.png"), fullPage: true });

    await page.goto(`${web.url}/app/projects/${encodeURIComponent(seeded.late.projectId)}`);
    await page.getByRole("heading", { level: 1, name: seeded.late.client }).waitFor();
    const plan = page.locator(".plan-list");
    await plan.waitFor();
    const text = (await plan.textContent()) ?? "";
    assert.match(text, /forecast \d/, "remaining steps show their forecast date");
    assert.match(text, /Waits for:/, "dependencies in words");
    assert.equal(await page.getByRole("img", { name: /Timeline of/ }).count(), 0, "no chart on a phone");
    await page
      .getByRole("button", { name: /Move the date of/ })
      .first()
      .click();
    const move = page.getByRole("region", { name: "Move a date" });
    assert.notEqual(await move.getByLabel("Step").inputValue(), "", "the step is chosen from the list");
    await settled(page);
    await assertNoOverflow(page, "project 390");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: artifact("portfolio-scale-project-390.png"), fullPage: true });
    await page.context().close();
  });
});
