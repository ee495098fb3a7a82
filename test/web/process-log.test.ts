// The event log for process mining, by clicks (issue #20, item 4): a CSM opens KPIs, downloads the
// portfolio's log as XES and one playbook's as OCEL 2.0, and each file is what a mining tool would
// read: valid against its standard's schema, one trace or onboarding object per project, with the
// clients' names. A role without the audit trail's permission is not offered the downloads.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { attributesOf, ocelIntegrity, ocelSchema, validateOcel, xesParser, xesProblems } from "../support/process-mining.ts";
import {
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
const errors: string[] = [];
const VIEW = { viewport: { width: 1366, height: 860 }, locale: "en-GB", timezoneId: "Europe/Paris", errors };

before(async () => {
  web = await startWebServer();
  seeded = await seedPortfolio(web);
  const support = { id: "sam", email: "sam@example.com", name: "Sam Support", roles: ["support"], password: PASSWORD };
  assert.equal((await web.admin.post("/users", support)).status, 201);
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(errors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("the event log for process mining, from the KPI page", () => {
  test("a CSM downloads the portfolio as XES and one playbook as OCEL 2.0; both are valid and complete", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, VIEW);
    await signIn(page, web.url, seeded.csm.email, PASSWORD);
    await page.getByRole("link", { name: "KPIs" }).click();
    const panel = page.getByRole("region", { name: "Event log for process mining" });
    await panel.waitFor();
    await settled(page);
    assert.deepEqual(await axeViolations(page), []);

    const [xes] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download XES" }).click()]);
    assert.match(xes.suggestedFilename(), /^onboard-all-\d{4}-\d{2}-\d{2}\.xes$/);
    const xml = readFileSync(await xes.path(), "utf8");
    assert.equal(xesProblems(xml), "");
    const traces = xesParser.parse(xml).log.trace.map(attributesOf);
    assert.deepEqual(
      traces.map((tr: Record<string, string>) => [tr["concept:name"], tr["onboard:client"]]).sort(),
      Object.entries(seeded.projects)
        .map(([client, id]) => [id, client])
        .sort(),
    );
    await panel
      .getByRole("status")
      .getByText(/Downloaded onboard-all-.*\.xes/)
      .waitFor();

    await page.getByLabel("Playbook").selectOption("web_onboarding");
    const [ocel] = await Promise.all([page.waitForEvent("download"), panel.getByRole("button", { name: "Download OCEL 2.0" }).click()]);
    assert.match(ocel.suggestedFilename(), /^onboard-web_onboarding-\d{4}-\d{2}-\d{2}\.jsonocel$/);
    const doc = JSON.parse(readFileSync(await ocel.path(), "utf8"));
    assert.ok(validateOcel(doc), JSON.stringify(ocelSchema.errors?.slice(0, 3)));
    ocelIntegrity(doc);
    assert.equal(doc.objects.filter((o: { type: string }) => o.type === "Onboarding").length, Object.keys(seeded.projects).length);
    await page.context().close();
  });

  test("support, without the audit trail's permission, sees the KPIs but not the downloads", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, VIEW);
    await signIn(page, web.url, "sam@example.com", PASSWORD);
    await page.goto(`${web.url}/app/kpis`);
    await page.getByRole("region", { name: "Headline figures" }).waitFor();
    assert.equal(await page.getByRole("region", { name: "Event log for process mining" }).count(), 0);
    await page.context().close();
  });
});
