// Forecasts from history and deviations from the procedure in the web app, by clicks against the
// API's answers: on the portfolio, the "Deviates from the procedure" filter lists exactly what
// GET /portfolio?deviates=true does (kept in the URL through a reload), each deviating row links to
// the Process page, and a row's forecast go-live is the API's median and 80% range, marked when later
// than the target; on a project's timeline, the band and its words are GET /projects/{id}/timeline's
// forecast.history, and a project of a playbook with too little history says why it has none. At a
// laptop's and a phone's width: axe clean, no sideways scrolling.
//
// One server, one seed: a demo portfolio of one playbook with nine months of history (enough gone
// live to forecast from) and a few onboardings of another (too few), at a fixed NOW the server's
// clock stays at, so the API's forecasts do not move between the page's reads and the test's.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { generateDemo } from "../../src/demo/generate.ts";
import { refreshRollups } from "../../src/mining/rollups.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  artifact,
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

type Band = { p10: string; p50: string; p90: string; anchor: string; basis: number };
type Item = {
  projectId: string;
  client: { name: string };
  playbook: { id: string };
  deviations: number;
  forecast: Band | null;
  targetGoLiveAt: string | null;
  goLiveAt: string | null;
};
type History = {
  goLive: Band | null;
  milestones: { step: string; title: string; forecast: Band | null }[];
  wentLive: number;
  needed: number;
};
type Timeline = {
  phases: { steps: { id: string; title: string; status: string }[] }[];
  forecast: { goLiveAt: string | null; goLiveStep: string | null; history: History | null };
};

// The demo's now, and the server's all along (whole minutes: the demo's dates are on the minute).
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const HISTORY = "sop_cs_001";
const FEW = "onb_001";

let web: WebServer;
let browser: Browser | undefined;
const errors: string[] = [];

async function portfolio(query = ""): Promise<Item[]> {
  return ((await must(web.admin.get(`/portfolio?limit=200${query}`), "portfolio")) as { items: Item[] }).items;
}
async function timelineOf(id: string): Promise<Timeline> {
  return (await must(web.admin.get(`/projects/${id}/timeline`), "timeline")) as unknown as Timeline;
}

before(async () => {
  web = await startWebServer();
  web.setNow(NOW);
  const now = new Date(NOW).toISOString();
  await generateDemo(web.server.database, { projects: 60, seed: 5, now, months: 9, playbooks: [HISTORY] });
  await generateDemo(web.server.database, { projects: 6, seed: 6, now, months: 3, playbooks: [FEW] });
  // Nobody in the demo departs from the procedure: a person skips an open step of three active onboardings.
  const rows = await web.server.database.db
    .selectFrom("projects")
    .select(["id", "state"])
    .where("status", "=", "active")
    .where("playbook_id", "=", HISTORY)
    .orderBy("id")
    .execute();
  let skipped = 0;
  for (const row of rows) {
    const state = row.state as { steps: Record<string, { status: string }> };
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
    if (++skipped === 3) break;
  }
  assert.equal(skipped, 3, "three active onboardings with an open step");
  // The scheduler is off in tests: what its process-rollup job would have done by now (the forecasts learn from every onboarding).
  await refreshRollups(web.server.database.db, undefined, now);
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
afterEach(() => {
  assert.deepEqual(errors.splice(0), []);
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(width: number): Promise<Page> {
  return openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/Paris", errors });
}

/** Text as read, whatever the spaces (the range's thin spaces included). */
function words(text: string | null): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

/** A date, and a band as "median (80%: range)", formatted as the page does: by the browser, in its locale and zone. */
async function formats(page: Page, band: Band, also: (string | null)[] = []) {
  return page.evaluate(
    ({ band, also }) => {
      const f = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
      return {
        p50: f.format(new Date(band.p50)),
        range: f.formatRange(new Date(band.p10), new Date(band.p90)),
        also: also.map((d) => (d ? f.format(new Date(d)) : "")),
      };
    },
    { band, also },
  );
}

/** The portfolio's rows as shown: project ids, in order. */
async function shownIds(page: Page): Promise<string[]> {
  const hrefs = await page
    .locator("table tbody td.client-cell a[href^='/app/projects/']")
    .evaluateAll((links) => links.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute("href") ?? ""));
  return hrefs.map((h) => decodeURIComponent(h.replace("/app/projects/", "")));
}

function row(page: Page, client: string) {
  return page.locator("table tbody tr").filter({ has: page.getByRole("link", { name: client, exact: true }) });
}

/** Find a client by typing in the filter bar's client search, as a person would. */
async function search(page: Page, client: string) {
  await page.getByLabel("Client", { exact: true }).fill(client);
  await row(page, client).waitFor();
}

describe("forecasts from history and deviations", () => {
  test("the portfolio: the deviates filter is the API's, in the URL through a reload; a row's forecast is the API's", async (t) => {
    if (skipWithoutChromium(t)) return;
    const deviating = await portfolio("&deviates=true");
    assert.ok(deviating.length >= 3, `the skipped steps count as deviations (${deviating.length})`);
    const all = await portfolio();
    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole("link", { name: "Portfolio" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Portfolio" }).waitFor();
    await page.locator("table tbody tr").first().waitFor();
    await settled(page);
    assert.equal((await shownIds(page)).length, Math.min(25, all.length), "a page of the onboardings in progress");

    const filter = page.getByRole("checkbox", { name: /Deviates from the procedure/ });
    assert.equal(await filter.isChecked(), false);
    assert.match(
      words(await page.locator("label[for='f-deviates']").textContent()),
      new RegExp(`\\(${deviating.length}\\)$`),
      "the filter says how many",
    );
    await filter.check();
    await page.waitForURL(/[?&]deviates=true\b/);
    const expected = deviating.map((i) => i.projectId).sort();
    const listed = async () => (await shownIds(page)).sort();
    assert.deepEqual(await listed(), expected, "the same onboardings as GET /portfolio?deviates=true");
    for (const item of deviating) {
      const badge = row(page, item.client.name).getByRole("link", { name: new RegExp(`^${item.deviations} deviations?`) });
      assert.equal(await badge.getAttribute("href"), `/app/process?playbook=${item.playbook.id}`, `${item.client.name}'s deviations`);
    }
    await settled(page);
    assert.deepEqual(await axeViolations(page), [], "axe, filtered");
    await page.screenshot({ path: artifact("forecasts-portfolio-deviates-1440.png"), fullPage: true });

    await page.reload();
    await page.locator("table tbody tr").first().waitFor();
    assert.equal(await page.getByRole("checkbox", { name: /Deviates from the procedure/ }).isChecked(), true, "on after a reload");
    assert.deepEqual(await listed(), expected, "the same list after a reload");
    // Through the deviations badge to the playbook's Process page.
    const first = deviating[0] as Item;
    await row(page, first.client.name)
      .getByRole("link", { name: /deviations?/ })
      .click();
    await page.waitForURL(`**/app/process?playbook=${first.playbook.id}`);
    await page.getByRole("heading", { name: "Who deviates from the procedure" }).waitFor();
    await page.goBack();
    await page.getByRole("checkbox", { name: /Deviates from the procedure/ }).uncheck();
    await page.waitForURL((url) => !url.searchParams.has("deviates"));
    assert.equal((await shownIds(page)).length, Math.min(25, all.length), "everything again");

    // A row with a forecast later than its target: the median, the 80% range and the mark, as the API says.
    const forecast = all.filter((i) => i.forecast && !i.goLiveAt);
    assert.ok(forecast.length >= 5, `active onboardings with a forecast (${forecast.length})`);
    const late = forecast.find((i) => i.targetGoLiveAt && (i.forecast as Band).p50 > i.targetGoLiveAt);
    const early = forecast.find((i) => !i.targetGoLiveAt || (i.forecast as Band).p50 <= i.targetGoLiveAt);
    assert.ok(late && early, "forecasts both later than the target and not");
    for (const item of [late, early]) {
      await search(page, item.client.name);
      const band = item.forecast as Band;
      const f = await formats(page, band, [item.targetGoLiveAt]);
      const cell = row(page, item.client.name).locator("td.forecast-cell");
      assert.equal(words(await cell.locator(".forecast-median").textContent()), f.p50, `${item.client.name}: the median`);
      assert.equal(words(await cell.locator(".forecast-range").textContent()), words(`80%: ${f.range}`), `${item.client.name}: the range`);
      const mark = cell.getByText("later than target");
      if (item === late) assert.equal(words(await mark.textContent()), `later than target (${f.also[0]})`);
      else assert.equal(await mark.count(), 0, `${item.client.name} is not later than its target`);
    }
    // Without a forecast (a playbook with too little history).
    const none = all.find((i) => i.playbook.id === FEW && !i.goLiveAt && !i.forecast);
    assert.ok(none, "an onboarding of the playbook with too little history");
    await search(page, none.client.name);
    assert.equal(words(await row(page, none.client.name).locator("td.forecast-cell").textContent()), "No forecast");
    await settled(page);
    assert.deepEqual(await axeViolations(page), [], "axe at 1440");
    await assertNoOverflow(page, "portfolio at 1440");

    // A phone: the forecast under the client's name, the same words.
    await page.setViewportSize({ width: 390, height: 844 });
    await search(page, late.client.name);
    const f = await formats(page, late.forecast as Band, [late.targetGoLiveAt]);
    const phone = row(page, late.client.name).locator("td.client-cell .show-phone");
    assert.ok(await phone.isVisible(), "the forecast shows under the client on a phone");
    assert.equal(words(await phone.textContent()), words(`Forecast go-live ${f.p50} (80%: ${f.range}) · later than target`));
    assert.equal(await row(page, late.client.name).locator("td.forecast-cell").isVisible(), false, "the column gives way");
    await page.getByLabel("Client", { exact: true }).fill("");
    await page.getByRole("checkbox", { name: /Deviates from the procedure/ }).check();
    await page.waitForURL(/[?&]deviates=true\b/);
    await settled(page);
    await assertNoOverflow(page, "portfolio at 390");
    assert.deepEqual(await axeViolations(page), [], "axe at 390");
    await page.screenshot({ path: artifact("forecasts-portfolio-390.png"), fullPage: true });
    await page.context().close();
  });

  test("the timeline: the band and its words are the API's forecast from history; too little history says why", async (t) => {
    if (skipWithoutChromium(t)) return;
    const all = await portfolio();
    // The onboarding with the most milestones forecast from history.
    const candidates = all.filter((i) => i.playbook.id === HISTORY && i.forecast && !i.goLiveAt);
    const timelines = await Promise.all(candidates.map(async (i) => ({ item: i, timeline: await timelineOf(i.projectId) })));
    const withForecast = timelines
      .filter((x) => x.timeline.forecast.history?.goLive)
      .sort(
        (a, b) =>
          (b.timeline.forecast.history?.milestones.filter((m) => m.forecast).length ?? 0) -
          (a.timeline.forecast.history?.milestones.filter((m) => m.forecast).length ?? 0),
      )[0];
    assert.ok(withForecast, "an active onboarding with a go-live forecast from history");
    const { item, timeline } = withForecast;
    const history = timeline.forecast.history as History;
    const goLive = history.goLive as Band;
    assert.deepEqual(item.forecast, goLive, "the portfolio's forecast is the timeline's");

    const page = await newPage(1440);
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.locator("table tbody tr").first().waitFor();
    await search(page, item.client.name);
    await row(page, item.client.name).getByRole("link", { name: item.client.name, exact: true }).click();
    await page.waitForURL(`**/app/projects/${item.projectId}`);
    const sentence = page.locator("#history-forecast");
    await sentence.waitFor();
    await settled(page);
    const f = await formats(page, goLive, [timeline.forecast.goLiveAt]);
    const said = words(await sentence.textContent());
    assert.ok(
      said.startsWith(
        words(`Go-live forecast from ${goLive.basis} comparable onboardings: ${f.p50} (80%: ${f.range}); plan says ${f.also[0]}.`),
      ),
      `the forecast in words: ${said}`,
    );
    const steps = new Map(timeline.phases.flatMap((p) => p.steps).map((s) => [s.id, s]));
    const from = goLive.anchor === "(start)" ? "the start" : steps.get(goLive.anchor)?.title;
    assert.ok(said.includes(`Reckoned from ${from}`), `the step it reckons from (${goLive.anchor})`);

    // The band across the chart: the API's instants, the median inside the range.
    const band = page.locator("svg.gantt g.history-go-live");
    assert.deepEqual(
      {
        p10: await band.getAttribute("data-p10"),
        p50: await band.getAttribute("data-p50"),
        p90: await band.getAttribute("data-p90"),
      },
      { p10: goLive.p10, p50: goLive.p50, p90: goLive.p90 },
    );
    const box = await band.locator("rect.history-band").boundingBox();
    const median = await band.locator("line.history-median").boundingBox();
    assert.ok(box && median && box.width > 0, "the band is drawn");
    assert.ok(median.x >= box.x - 1 && median.x <= box.x + box.width + 1, "the median inside the band");
    // Each remaining milestone with a forecast, on its row; the others' words under the sentence.
    const milestones = history.milestones.filter((m) => m.forecast && steps.get(m.step)?.status !== "done");
    assert.ok(milestones.length >= 1, "the go-live step's own row at least");
    for (const m of milestones) {
      const mark = page.locator(`svg.gantt g.history-row[data-step="${m.step}"]`);
      assert.equal(await mark.getAttribute("data-p50"), m.forecast?.p50, `${m.title}: the median on its row`);
      assert.equal(await mark.getAttribute("data-p10"), m.forecast?.p10);
      assert.equal(await mark.getAttribute("data-p90"), m.forecast?.p90);
    }
    const others = milestones.filter((m) => m.step !== timeline.forecast.goLiveStep);
    if (others.length > 0) {
      const list = page.getByRole("list", { name: "Milestones forecast from history" });
      const expected = [];
      for (const m of others) {
        const mf = await formats(page, m.forecast as Band);
        expected.push(words(`${m.title}: ${mf.p50} (80%: ${mf.range})`));
      }
      assert.deepEqual((await list.getByRole("listitem").allTextContents()).map(words), expected);
    }
    const legend = words(await page.locator("figcaption.gantt-legend").textContent());
    assert.ok(legend.includes("From history: 80% range") && legend.includes("Go-live (plan)"), `the legend tells them apart: ${legend}`);
    assert.match((await page.locator("svg.gantt").getAttribute("aria-label")) ?? "", /from history, go-live/);
    assert.deepEqual(await axeViolations(page), [], "axe at 1440");
    await assertNoOverflow(page, "project at 1440");
    await page.screenshot({ path: artifact("forecasts-timeline-1440.png"), fullPage: true });

    // A phone: the plan as a list, the go-live step with its forecast from history.
    await page.setViewportSize({ width: 390, height: 844 });
    const goLiveStep = timeline.forecast.goLiveStep ?? "";
    const goLiveBand = history.milestones.find((m) => m.step === goLiveStep)?.forecast;
    if (goLiveBand) {
      const gf = await formats(page, goLiveBand);
      await page
        .locator(".plan-list li")
        .filter({ hasText: steps.get(goLiveStep)?.title ?? goLiveStep })
        .locator(".plan-history")
        .getByText(`From history: ${gf.p50}`)
        .waitFor();
    }
    await settled(page);
    await assertNoOverflow(page, "project at 390");
    assert.deepEqual(await axeViolations(page), [], "axe at 390");
    await page.screenshot({ path: artifact("forecasts-timeline-390.png"), fullPage: true });

    // An onboarding of the playbook with too little history: why there is no forecast.
    const few = all.find((i) => i.playbook.id === FEW && !i.goLiveAt);
    assert.ok(few, "an active onboarding of the playbook with too little history");
    const fewHistory = (await timelineOf(few.projectId)).forecast.history;
    assert.ok(fewHistory && fewHistory.goLive === null && fewHistory.wentLive < fewHistory.needed, "too few went live");
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole("link", { name: "← Portfolio" }).click();
    await page.locator("table tbody tr").first().waitFor();
    await search(page, few.client.name);
    await row(page, few.client.name).getByRole("link", { name: few.client.name, exact: true }).click();
    await page.waitForURL(`**/app/projects/${few.projectId}`);
    await page.locator("#history-forecast").waitFor();
    assert.equal(
      words(await page.locator("#history-forecast").textContent()),
      `Too few onboardings of this playbook have gone live to forecast (${fewHistory.wentLive} of ${fewHistory.needed} needed).`,
    );
    assert.equal(await page.locator("svg.gantt g.history-go-live").count(), 0, "no band without a forecast");
    await settled(page);
    assert.deepEqual(await axeViolations(page), [], "axe without a forecast");
    await page.context().close();
  });
});
