// In-app notifications in the team's app, in a real browser against a real server. The portfolio's
// late steps fire the playbook's rule ("{{client.name}}: a step is late", notify the CSM in the
// app); the outbox delivers them through src/notify's handler. The CSM signs in, the bell says how
// many are unread, opens the panel, opens one (it goes to the project and is marked read), then
// marks all read and the badge clears; the notifications page lists them. axe-core on the bell, the
// open panel and the page, on a laptop and a phone; screenshots go to test-artifacts/web/.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { Notifications } from "../../src/notify/notifications.ts";
import { dispatchOutbox, ProjectService } from "../../src/store/index.ts";
import {
  artifact,
  axeViolations,
  type Caller,
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
let casey: Caller;
let jordan: Caller;
/** Casey's unread notifications when the tests start. */
let unreadAtStart = 0;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  seeded = await seedPortfolio(web);
  // The scheduler and the outbox are off in tests: deliver what the late steps' rule queued.
  const { database } = web.server;
  const notifications = new Notifications({
    database,
    service: new ProjectService(database),
    mailer: { send: async () => undefined },
    publicUrl: web.url,
    surveySecret: "a-web-test-secret-of-at-least-32-characters",
    clock: () => new Date().toISOString(),
  });
  for (let round = 0; round < 50; round++) {
    const result = await dispatchOutbox(database, new Date().toISOString(), { handlers: notifications.handlers() });
    if (result.claimed === 0) break;
  }
  casey = await web.login(seeded.csm.email, PASSWORD);
  jordan = await web.login("jordan@example.com", PASSWORD);
  const mine = await casey.get("/notifications");
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  unreadAtStart = mine.body.unread;
  assert.ok(unreadAtStart >= 2, `Casey has late projects, so notifications: ${JSON.stringify(mine.body)}`);
  assert.ok(
    mine.body.items.some((n: { message: string; clientName: string }) => n.message === `${seeded.late.client}: a step is late`),
    JSON.stringify(mine.body.items),
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(pageErrors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(viewport = { width: 1366, height: 860 }): Promise<Page> {
  return openPage(browser, { viewport, locale: "en-GB", timezoneId: "Europe/Paris", errors: pageErrors });
}

describe("notifications in the team's app", () => {
  test("the bell shows the unread count; opening one marks it read; Mark all read clears the badge", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage();
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    const bell = page.getByRole("button", { name: `Notifications, ${unreadAtStart} unread` });
    await bell.waitFor();
    assert.equal((await bell.locator(".bell-count").textContent())?.trim(), String(unreadAtStart), "the badge shows the count");
    assert.equal(await bell.getAttribute("aria-expanded"), "false");
    await settled(page);
    for (const v of await axeViolations(page)) problems.push(`bell: ${v}`);

    await bell.click();
    assert.equal(await bell.getAttribute("aria-expanded"), "true");
    const panel = page.getByRole("region", { name: "Notifications" });
    await panel.waitFor();
    const late = panel.getByRole("link", { name: `${seeded.late.client}: a step is late` });
    await late.waitFor();
    await settled(page);
    for (const v of await axeViolations(page)) problems.push(`panel: ${v}`);
    await page.screenshot({ path: artifact("notifications-panel.png") });

    // Escape closes the panel and gives the focus back to the bell.
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('aria-label')"), `Notifications, ${unreadAtStart} unread`);

    // Opening one goes to its project and marks it read.
    await bell.click();
    await late.click();
    await page.getByRole("heading", { level: 1, name: seeded.late.client }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/app/projects/${seeded.late.projectId}`);
    await panel.waitFor({ state: "detached" });
    const oneLess = page.getByRole("button", { name: `Notifications, ${unreadAtStart - 1} unread` });
    await oneLess.waitFor();
    const afterOpen = await casey.get("/notifications?unread=false");
    assert.deepEqual(
      afterOpen.body.items.map((n: { message: string }) => n.message),
      [`${seeded.late.client}: a step is late`],
      "the server has it read",
    );

    // Mark all read: the badge clears.
    await oneLess.click();
    await panel.getByRole("button", { name: "Mark all read" }).click();
    const cleared = page.getByRole("button", { name: "Notifications, none unread" });
    await cleared.waitFor();
    assert.equal(await cleared.locator(".bell-count").count(), 0, "no badge once all are read");
    await panel.getByText("All read.").waitFor();
    assert.ok(await panel.getByRole("button", { name: "Mark all read" }).isDisabled());
    await page.screenshot({ path: artifact("notifications-cleared.png") });
    assert.equal((await casey.get("/notifications")).body.unread, 0);
    assert.ok((await jordan.get("/notifications")).body.unread > 0, "Jordan's are Jordan's: untouched");

    // The notifications page lists them all, read.
    await panel.getByRole("link", { name: "See all notifications" }).click();
    await page.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
    await settled(page);
    const items = page.locator("main .notification-list .notification");
    assert.equal(await items.count(), unreadAtStart);
    assert.equal(await page.locator("main .notification.unread").count(), 0);
    assert.ok(await page.getByRole("button", { name: "Mark all read" }).isDisabled());
    await page.getByRole("link", { name: "Unread" }).click();
    await page.getByText("Nothing unread").waitFor();
    for (const v of await axeViolations(page)) problems.push(`page: ${v}`);
    await page.screenshot({ path: artifact("notifications-page.png"), fullPage: true });
    await page.context().close();
    assert.deepEqual(problems, []);
  });

  test("on a phone the bell sits in the top bar, outside the menu, and its panel fits the screen", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page, web.url, "jordan@example.com", PASSWORD);
    const bell = page.getByRole("button", { name: /^Notifications, \d+ unread$/ });
    await bell.waitFor();
    assert.ok(await bell.isVisible(), "visible without opening the menu");
    assert.ok(!(await page.getByRole("link", { name: "My work" }).isVisible()), "the menu is closed");
    await bell.click();
    const panel = page.getByRole("region", { name: "Notifications" });
    await panel
      .getByRole("link", { name: /: a step is late$/ })
      .first()
      .waitFor();
    const box = await panel.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the panel fits: ${JSON.stringify(box)}`);
    await settled(page);
    const problems = await axeViolations(page);
    await page.screenshot({ path: artifact("notifications-phone.png") });
    // A click outside closes it.
    await page.mouse.click(200, 820);
    await panel.waitFor({ state: "detached" });
    await page.context().close();
    assert.deepEqual(problems, []);
  });
});
