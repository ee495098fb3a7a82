// Every page at a phone's width (390 px) and a laptop's (1440 px), in a real browser: nothing
// scrolls sideways (the document's scrollWidth equals its clientWidth, and no element reaches past
// the viewport unless a scrolling box of its own holds it), axe-core finds no serious or critical
// violation, and a screenshot of each goes to test-artifacts/web/widths/. The team's pages are
// found the way a person finds them, from the app itself: the main navigation, the admin tabs, the
// first project of the portfolio and the first playbook of the list, plus the notifications page;
// a page added to the navigation or the admin tabs is measured without touching this test. The
// notification bell's panel must fit on the screen; the client portal's pages are measured too.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  ARTIFACTS,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  type Seeded,
  seedPortfolio,
  settled,
  sidewaysOverflow,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const WIDTHS = [390, 1440] as const;
const CONTACT = "dana@northwind.example";
let web: WebServer;
let seeded: Seeded;
let browser: Browser | undefined;
const pageErrors: string[] = [];

before(async () => {
  web = await startWebServer();
  seeded = await seedPortfolio(web);
  const client = (await web.admin.get(`/projects/${seeded.late.projectId}`)).body as { clientId: string };
  const contact = await web.admin.post(`/clients/${client.clientId}/contacts`, {
    name: "Dana Whitfield",
    email: CONTACT,
    roles: ["client_primary"],
  });
  assert.ok(contact.status < 300, JSON.stringify(contact.body));
  if (HAVE_CHROMIUM) browser = await launchBrowser();
  mkdirSync(`${ARTIFACTS}/widths`, { recursive: true });
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, {
    viewport: { width, height: width < 600 ? 844 : 900 },
    locale: "en-GB",
    timezoneId: "Europe/Paris",
    errors: pageErrors,
  });
}

/** Load a page of the team's app and wait until it has drawn what it loads. */
async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator(".shell main h1").first().waitFor();
  await settled(page);
}

/** The team's pages, discovered from the app: its navigation, the admin tabs, a project and a playbook. */
async function teamPages(page: Page): Promise<{ name: string; path: string }[]> {
  const pages = new Map<string, string>();
  const hrefs = async (selector: string) =>
    (await page
      .locator(selector)
      .evaluateAll((els) =>
        els.map((e) => [
          (e as unknown as { textContent: string }).textContent,
          (e as unknown as { getAttribute(n: string): string }).getAttribute("href"),
        ]),
      )) as [string, string][];
  await visit(page, `${web.url}/app/`);
  for (const [label, href] of await hrefs("nav#main-nav a")) pages.set(href, label.replace(/^\W+/, "").trim());
  pages.set("/app/notifications", "Notifications");
  const project = await page.locator('main a[href^="/app/projects/"]').first().getAttribute("href");
  assert.ok(project, "the portfolio links to a project");
  pages.set(project, "Project");
  await visit(page, `${web.url}/app/playbooks`);
  const playbook = await page.locator('main a[href^="/app/playbooks/"]').first().getAttribute("href");
  assert.ok(playbook, "the playbooks page links to a playbook");
  pages.set(playbook, "Playbook");
  await visit(page, `${web.url}/app/admin`);
  const tabs = await hrefs('nav[aria-label="Admin sections"] a');
  assert.ok(tabs.length >= 5, `the admin tabs: ${tabs.map(([l]) => l).join(", ")}`);
  for (const [label, href] of tabs) pages.set(href, `Admin: ${label}`);
  return [...pages].map(([path, name]) => ({ path, name }));
}

function fileName(name: string, width: number): string {
  return `${ARTIFACTS}/widths/${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${width}.png`;
}

describe("every page fits a phone and a laptop", () => {
  test("the team's pages: no sideways scrolling at 390 and 1440, axe clean, the bell's panel on screen", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const discover = await newPage(1440);
    await signIn(discover, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const pages = await teamPages(discover);
    t.diagnostic(`pages: ${pages.map((p) => p.name).join(", ")}`);
    assert.ok(pages.length >= 12, "all the pages were found");
    await discover.context().close();
    for (const width of WIDTHS) {
      const page = await newPage(width);
      await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
      for (const { name, path } of pages) {
        await visit(page, `${web.url}${path}`);
        const { extra, wide } = await sidewaysOverflow(page);
        if (extra > 0 || wide.length) problems.push(`${name} at ${width}: ${extra} px too wide; ${wide.join(", ")}`);
        for (const v of await axeViolations(page)) problems.push(`${name} at ${width}: ${v}`);
        await page.screenshot({ path: fileName(name, width), fullPage: true });
      }
      // Forms in dialogs are not cut off: the dialog and each of its fields lie within the screen.
      const project = pages.find((p) => p.name === "Project")?.path ?? "";
      for (const [path, button] of [
        ["/app/admin/users", "Add a user"],
        [project, "Extend a deadline"],
      ] as const) {
        await visit(page, `${web.url}${path}`);
        await page.getByRole("button", { name: button }).first().click();
        const dialog = page.getByRole("dialog");
        await dialog.waitFor();
        const boxes = [await dialog.boundingBox()];
        for (const field of await dialog.locator("input, select, textarea, button").all()) boxes.push(await field.boundingBox());
        for (const box of boxes)
          if (box && (box.x < 0 || box.x + box.width > width + 1))
            problems.push(`"${button}" at ${width}: cut off (${Math.round(box.x)}..${Math.round(box.x + box.width)} px)`);
        const { extra } = await sidewaysOverflow(page);
        if (extra > 0) problems.push(`"${button}" at ${width}: the page is ${extra} px too wide`);
        for (const v of await axeViolations(page)) problems.push(`"${button}" at ${width}: ${v}`);
        await page.screenshot({ path: fileName(`dialog ${button}`, width) });
        await page.keyboard.press("Escape");
      }
      // Every admin tab can be reached by a tap: on screen, not scrolled out of a strip.
      await visit(page, `${web.url}/app/admin`);
      for (const tab of await page.locator('nav[aria-label="Admin sections"] a').all()) {
        const box = await tab.boundingBox();
        if (!box || box.x < 0 || box.x + box.width > width + 1)
          problems.push(`admin tab "${await tab.textContent()}" at ${width} is off screen`);
      }
      // The bell's panel opens on screen.
      await visit(page, `${web.url}/app/`);
      if (width < 600)
        await page
          .getByRole("button", { name: "Menu" })
          .click()
          .catch(() => undefined);
      await page
        .getByRole("button", { name: /^Notifications/ })
        .first()
        .click();
      const panel = page.locator(".notification-panel");
      await panel.waitFor();
      const box = await panel.boundingBox();
      assert.ok(box);
      if (box.x < 0 || box.x + box.width > width + 1)
        problems.push(`the bell's panel at ${width}: ${Math.round(box.x)}..${Math.round(box.x + box.width)} px`);
      const { extra } = await sidewaysOverflow(page);
      if (extra > 0) problems.push(`the bell's panel at ${width} widens the page by ${extra} px`);
      await page.screenshot({ path: fileName("bell-panel", width) });
      await page.context().close();
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(pageErrors.splice(0), []);
  });

  test("the client portal's pages: no sideways scrolling at 390 and 1440, axe clean", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    for (const width of WIDTHS) {
      const page = await newPage(width);
      const check = async (name: string) => {
        const { extra, wide } = await sidewaysOverflow(page);
        if (extra > 0 || wide.length) problems.push(`${name} at ${width}: ${extra} px too wide; ${wide.join(", ")}`);
        for (const v of await axeViolations(page)) problems.push(`${name} at ${width}: ${v}`);
        await page.screenshot({ path: fileName(name, width), fullPage: true });
      };
      await page.goto(`${web.url}/portal/sign-in`);
      await page.getByLabel("Work email").waitFor();
      await check("Portal sign-in");
      await page.getByLabel("Work email").fill(CONTACT);
      await page.getByRole("button", { name: "Email me a sign-in link" }).click();
      await page.getByText("a sign-in link is on its way").waitFor();
      await web.deliverSignInLinks();
      await page.goto(`${web.url}/portal/sign-in#token=${web.mailer.tokenFor(CONTACT)}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("region", { name: "Your plan" }).waitFor();
      await settled(page);
      await check("Portal plan");
      await page.goto(`${web.url}/portal/survey`);
      await page.getByRole("heading", { name: "This survey link is incomplete" }).waitFor();
      await check("Portal survey");
      await page.context().close();
    }
    assert.deepEqual(problems, []);
  });
});
