// The Process page by clicks (issue #20): an onboarding owner opens Process for a playbook with a
// simulated history, sees where the days go (bottleneck chart, steps' actual vs planned days), the
// map of what happened and the paths, the forecast go-live of the onboardings still running, and finds the onboarding a person skipped a step in listed
// as deviating, with a link to it; at a phone's and a laptop's width, axe-clean.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { generateDemo } from "../../src/demo/generate.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  assertNoOverflow,
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

let web: WebServer;
let browser: Browser | undefined;
const errors: string[] = [];
let skipped: { project: string; client: string; step: string; playbook: string; title: string };

before(async () => {
  web = await startWebServer();
  await generateDemo(web.server.database, { projects: 60, seed: 5, now: new Date().toISOString(), months: 9, playbooks: ["sop_cs_001"] });
  // A person skips an open step of one active onboarding: the deviation the page must show.
  const rows = await web.server.database.db
    .selectFrom("projects")
    .select(["id", "state"])
    .where("status", "=", "active")
    .orderBy("id")
    .execute();
  for (const row of rows) {
    const state = row.state as { steps: Record<string, { status: string }>; client: { name: string } };
    const open = Object.entries(state.steps).find(([, s]) => s.status === "open");
    if (!open) continue;
    const project = (await web.admin.get(`/projects/${row.id}`)).body as { version: number };
    await must(
      web.admin.post(
        `/projects/${row.id}/commands`,
        { type: "skip_step", step: open[0], reason: "The client did it themselves" },
        { "if-match": `"${project.version}"` },
      ),
      "skip",
    );
    const insights = (await must(web.admin.get("/process-insights?playbook=sop_cs_001"), "insights")) as unknown as {
      steps: { step: string; title: string }[];
    };
    skipped = {
      project: row.id,
      client: state.client.name,
      step: open[0],
      playbook: "sop_cs_001",
      title: insights.steps.find((s) => s.step === open[0])?.title ?? open[0],
    };
    break;
  }
  assert.ok(skipped, "an active onboarding with an open step");
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(errors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

describe("the Process page", () => {
  test("where the days go, the map and the paths; the onboarding a person skipped a step in is listed and opens", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale: "en-GB", timezoneId: "Europe/Paris", errors });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole("link", { name: "Process" }).click();
    await page.getByLabel("Playbook").selectOption(skipped.playbook);
    await page.getByRole("heading", { name: "Where the days go" }).waitFor();
    await page.getByRole("img", { name: /^Process map of \d+ onboardings/ }).waitFor();
    const drawn = await page
      .getByRole("img", { name: /^Process map of/ })
      .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
    assert.ok(drawn > 100, `the map's SVG is drawn (${drawn} px wide)`);
    const steps = page.getByRole("table", { name: /Each step/ });
    assert.ok((await steps.getByRole("row").count()) > 5, "a row per step the onboardings reached");
    await page.getByRole("heading", { name: "Paths of the onboardings that ended, most common first" }).waitFor();
    const forecast = page.getByRole("region", { name: "When they will go live" });
    const rows = forecast.getByRole("row");
    assert.ok((await rows.count()) > 3, "forecasts of the onboardings waiting to go live");
    const first = rows.nth(1);
    assert.match(await first.innerText(), /\d{4}.*–.*\d{4}/s, "a median date and its 80% interval");
    await first.getByRole("link").waitFor();
    const capacity = page.getByRole("region", { name: "Who can take the next client" });
    const table = capacity.getByRole("table", { name: /Onboardings running per CSM/ });
    await table.waitFor();
    assert.ok((await table.getByRole("row").count()) > 1, "a row per CSM");
    assert.match(await table.getByRole("row").nth(1).innerText(), /\p{L}+.*\d/su, "a CSM by name, with their weeks");
    const deviating = page.getByRole("region", { name: "Who deviates from the procedure" });
    const item = deviating.getByRole("listitem").filter({ hasText: skipped.client });
    await item.getByText(`${skipped.title}: skipped by a person`).waitFor();
    await settled(page);
    assert.deepEqual(await axeViolations(page), []);
    await assertNoOverflow(page, "Process at 1440");
    await page.setViewportSize({ width: 390, height: 844 });
    await assertNoOverflow(page, "Process at 390");
    await item.getByRole("link", { name: skipped.client }).click();
    await page.waitForURL(`**/app/projects/${skipped.project}`);
    await page.context().close();
  });
});
