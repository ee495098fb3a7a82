// The team's app in a real browser against a real server: a CSM signs in, sees the portfolio,
// opens the late project, completes a step and sees the dashboard change; My work completes a
// task in one click; every main page passes axe-core (no serious or critical violations) on a
// laptop and on a phone; screenshots of each go to test-artifacts/web/ for people to look at.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  artifact,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  type PageGlobals,
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
/** Uncaught errors in any page: none is the only right number (checked after each test). */
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

function newPage(viewport = { width: 1366, height: 860 }): Promise<Page> {
  return openPage(browser, { viewport, locale: "en-GB", timezoneId: "Europe/Paris", errors: pageErrors });
}

describe("the team's app", () => {
  test("a CSM signs in, sees the portfolio, opens the late project, completes a step, and the dashboard changes", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage();
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    // Opening the dashboard: page load, session, portfolio and first render (the charts load after).
    const started = Date.now();
    await page.goto(`${web.url}/app/`);
    const table = page.getByRole("table", { name: /Active onboardings/ });
    const row = table.getByRole("row").filter({ hasText: seeded.late.client });
    await row.waitFor();
    const shownIn = Date.now() - started;
    t.diagnostic(`dashboard shown in ${shownIn} ms`);
    // Well under a second on an idle machine; the bound leaves room for a loaded CI runner.
    assert.ok(shownIn < 3000, `the dashboard took ${shownIn} ms`);
    await page.screenshot({ path: artifact("portfolio.png"), fullPage: true });
    const before = (await row.textContent()) ?? "";
    const beforeText = await row.textContent();
    assert.match(before, /overdue/);
    assert.match(before, /At risk/);

    await row.getByRole("link", { name: seeded.late.client }).click();
    await page.getByRole("heading", { level: 1, name: seeded.late.client }).waitFor();
    await page.getByRole("img", { name: /Timeline of/ }).waitFor();
    await page.screenshot({ path: artifact("project.png"), fullPage: true });

    const step = page.getByRole("button", { name: /Send the introduction email/ });
    await step.click();
    await page.getByRole("button", { name: "Mark step done" }).first().click();
    await page.getByText("Done: Send the introduction email").waitFor();

    await page.getByRole("link", { name: "← Portfolio" }).click();
    const after = page
      .getByRole("table", { name: /Active onboardings/ })
      .getByRole("row")
      .filter({ hasText: seeded.late.client });
    await after.waitFor();
    // The row is rendered again from the server's portfolio: wait until it says something else.
    await page.waitForFunction(
      ([client, text]) =>
        Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll("tr")).some(
          (r) => r.textContent?.includes(client) && r.textContent !== text,
        ),
      [seeded.late.client, beforeText ?? ""] as const,
    );
    const changed = (await after.textContent()) ?? "";
    assert.notEqual(changed, before);
    assert.doesNotMatch(changed, /step overdue/, "the completed step is no longer late");
    await page.context().close();
  });

  test("My work lists my tasks overdue first and completes one in one click", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage();
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.getByRole("link", { name: "My work" }).click();
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    const first = page.locator(".task-list .task").first();
    await first.waitFor();
    assert.match((await first.textContent()) ?? "", /Overdue/);
    await page.screenshot({ path: artifact("my-work.png"), fullPage: true });
    const title = (await first.locator(".task-title").textContent()) ?? "";
    const complete = first.getByRole("button", { name: /^Complete/ });
    const label = await complete.getAttribute("aria-label");
    await complete.click();
    await page.getByText(`Done: ${title}`).waitFor();
    // Gone from the list once the list is read again (the next step of that project may take its place).
    await page.getByRole("button", { name: label ?? "", exact: true }).waitFor({ state: "detached" });
    await page.context().close();
  });

  test("a page that is out of date never overwrites: the command is refused (412), the page reloads and says so", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage();
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    const id = seeded.projects["Stark Logistics"] ?? "";
    await page.goto(`${web.url}/app/projects/${id}?step=intro_email`);
    const done = page.getByRole("button", { name: "Mark step done" });
    await done.waitFor();
    // Meanwhile someone else changes the project.
    const current = await web.admin.get(`/projects/${id}`);
    const changed = await web.admin.post(
      `/projects/${id}/commands`,
      { type: "set_health", health: "amber", reason: "Client on vacation until Monday" },
      { "if-match": current.headers.get("etag") ?? "" },
    );
    assert.equal(changed.status, 200);
    await done.click();
    await page.getByText("Someone else changed this project").waitFor();
    const timeline = await web.admin.get(`/projects/${id}/timeline`);
    const intro = timeline.body.phases[0].steps.find((s: { id: string }) => s.id === "intro_email");
    assert.notEqual(intro.status, "done", "the stale command changed nothing");
    // The page now shows the latest state, and the same click works.
    await page.getByText("Watch").first().waitFor();
    await done.click();
    await page.getByText("Done: Send the introduction email").waitFor();
    await page.context().close();
  });

  test("KPIs: headline figures from the audit trail, the playbook's targets in red/amber/green, a playbook filter in the URL", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage();
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.getByRole("link", { name: "KPIs" }).click();
    await page.getByRole("heading", { level: 1, name: "KPIs" }).waitFor();
    const api = (await web.admin.get("/kpis")).body;
    const figures = page.getByRole("region", { name: "Headline figures" });
    await figures.getByText("SLA compliance").waitFor();
    const sla = api.slaCompliance.rate === null ? "–" : `${api.slaCompliance.rate}%`;
    assert.ok(
      (await figures.textContent())?.includes(`SLA compliance${sla}`),
      `the page shows the API's SLA compliance ${sla}: ${await figures.textContent()}`,
    );
    const row = page.getByRole("row", { name: /Time to go-live/ });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /< 30 days/, "the playbook's own target");
    const status = api.targets.find((x: { kpi: string }) => x.kpi === "ttgl")?.status;
    assert.match(
      (await row.textContent()) ?? "",
      status ? new RegExp({ green: "Met", amber: "Close", red: "Missed" }[status as string] as string) : /Not measured/,
    );
    await page.getByLabel("Playbook", { exact: true }).selectOption("web_onboarding");
    await page.waitForURL(/playbook=web_onboarding/);
    await page.getByRole("row", { name: /Time to go-live/ }).waitFor();
    await page.getByLabel("Started from").fill("2099-01-01");
    await page.waitForURL(/from=2099-01-01/);
    await page.getByText("No playbook KPIs for these onboardings.").waitFor();
    await page.context().close();
  });

  test("the main pages have no serious or critical accessibility violations (axe-core), on a laptop and a phone", async (t) => {
    if (skipWithoutChromium(t)) return;
    const pages: [string, string, string][] = [
      ["portfolio", "/app/", "Portfolio"],
      ["my-work", "/app/work", "My work"],
      ["project", `/app/projects/${seeded.projects["Globex Corporation"]}`, "Globex Corporation"],
      ["playbooks", "/app/playbooks", "Playbooks"],
      ["kpis", "/app/kpis", "KPIs"],
      ["process", "/app/process", "Process"],
      ["playbook", "/app/playbooks/web_onboarding?tab=source", "Customer onboarding"],
      ["admin", "/app/admin/users", "Admin"],
      ["people", "/app/admin/people", "Admin"],
      ["crm", "/app/admin/crm", "Admin"],
      ["webhooks", "/app/admin/webhooks", "Admin"],
      ["branding", "/app/admin/branding", "Admin"],
    ];
    const problems: string[] = [];
    for (const [viewport, size] of [
      ["laptop", { width: 1366, height: 860 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const page = await newPage(size);
      await signIn(page, web.url, "admin@example.com", "admin password for tests");
      for (const [name, path, heading] of pages) {
        await page.goto(`${web.url}${path}`);
        await page.getByRole("heading", { level: 1, name: heading }).waitFor();
        await settled(page);
        for (const violation of await axeViolations(page)) problems.push(`${viewport} ${name}: ${violation}`);
        await page.screenshot({ path: artifact(`${name}-${viewport}.png`), fullPage: viewport === "laptop" });
      }
      await page.context().close();
    }
    const signInPage = await newPage();
    await signInPage.goto(`${web.url}/app/`);
    await signInPage.getByRole("heading", { name: "Sign in" }).waitFor();
    for (const violation of await axeViolations(signInPage)) problems.push(`sign-in: ${violation}`);
    await signInPage.screenshot({ path: artifact("sign-in.png") });
    await signInPage.context().close();
    assert.deepEqual(problems, []);
  });
});

describe("serving the app", () => {
  test("/ sends a browser to /app/, client routes fall back to index.html, assets are cached, API 404s stay problems", async () => {
    const root = await fetch(`${web.url}/`, { redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/app/");
    const deep = await fetch(`${web.url}/app/projects/onb-1`);
    assert.equal(deep.status, 200);
    assert.match(deep.headers.get("content-type") ?? "", /text\/html/);
    assert.match(deep.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    const html = await deep.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const script = await fetch(`${web.url}${asset}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get("cache-control") ?? "", /immutable/);
    const portal = await fetch(`${web.url}/portal/sign-in`);
    assert.equal(portal.status, 200);
    const missingApi = await fetch(`${web.url}/portal/api/nothing-here`);
    assert.equal(missingApi.status, 404);
    assert.match(missingApi.headers.get("content-type") ?? "", /problem\+json/);
    const traversal = await fetch(`${web.url}/assets/..%2F..%2Fpackage.json`);
    assert.equal(traversal.status, 404);
  });

  test("the SOP of a playbook version renders as a sandboxed HTML document", async () => {
    const response = await fetch(`${web.url}/playbooks/web_onboarding/versions/1.0/sop.html`, {
      headers: { cookie: web.admin.credentials.cookie ?? "" },
    });
    assert.equal(response.status, 200);
    const policy = response.headers.get("content-security-policy") ?? "";
    assert.match(policy, /sandbox/);
    assert.doesNotMatch(policy, /script-src|allow-scripts/, "the document runs nothing");
    const html = await response.text();
    assert.match(html, /SOP-WEB-001/);
    assert.match(html, /<figure class="diagram" id="process-map"[^>]*><svg [^>]*class="flowchart"/, "the process map is drawn");
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /Agree the success plan/);
    const anonymous = await fetch(`${web.url}/playbooks/web_onboarding/versions/1.0/sop.html`);
    assert.equal(anonymous.status, 401);
  });
});
