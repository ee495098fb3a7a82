// The Process page by clicks (issue #20): an onboarding owner opens Process for a playbook with a
// simulated history, sees where the days go (bottleneck chart, steps' actual vs planned days), the
// map of what happened and the paths, the forecast go-live of the onboardings still running, and finds the onboarding a person skipped a step in listed
// as deviating, with a link to it; at a phone's and a laptop's width, axe-clean, the paths readable on
// the phone. Then narrows it to a segment and a CSM chosen from the playbook's own onboardings: the
// figures are the API's for that filter, the URL holds it through a reload, and clearing it restores all.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
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
  type PageGlobals,
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

type Insights = {
  projects: number;
  ended: number;
  conformance: { deviating: number };
  steps: { step: string; title: string }[];
  variants: { distinct: number; top: { steps: string[]; count: number }[] };
};

async function insightsOf(filter: Record<string, string>): Promise<Insights> {
  return (await must(web.admin.get(`/process-insights?${new URLSearchParams(filter)}`), "insights")) as unknown as Insights;
}

/** What the page's headline tiles and paths say, once it shows the figures of `expected`. */
async function shown(page: Page, expected: Insights) {
  const { projects, ended } = expected;
  await page.getByText(`${projects} onboarding${projects === 1 ? "" : "s"}, ${ended} ended ·`).waitFor();
  await settled(page);
  const tiles = page.getByRole("region", { name: "Headline figures" });
  const tile = async (label: string) =>
    (
      await tiles
        .locator(".stat")
        .filter({ has: page.locator(".label").getByText(label, { exact: true }) })
        .locator(".value")
        .textContent()
    )?.trim();
  return {
    projects: Number(await tile("Onboardings")),
    deviating: Number(await tile("Deviating")),
    paths: Number(await tile("Paths")),
    listed: await page.getByRole("list", { name: "Paths of the onboardings that ended, most common first" }).locator(":scope > li").count(),
  };
}

/** The same, from the API's answer. */
function figures(insights: Insights) {
  return {
    projects: insights.projects,
    deviating: insights.conformance.deviating,
    paths: insights.variants.distinct,
    listed: Math.min(10, insights.variants.top.length),
  };
}

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
    await page.getByRole("link", { name: "Process", exact: true }).click();
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
    // The paths on a phone: each one's steps take the screen's width, every step whole and on a few lines.
    const insights = await insightsOf({ playbook: skipped.playbook });
    const list = page.getByRole("list", { name: "Paths of the onboardings that ended, most common first" });
    const firstPath = list.getByRole("list", { name: /^Path 1: \d+ steps/ }).getByRole("listitem");
    const title = new Map(insights.steps.map((s) => [s.step, s.title]));
    assert.deepEqual(
      (await firstPath.allTextContents()).map((t) => t.replace(/^→\s*/, "").trim()),
      insights.variants.top[0]?.steps.map((s) => title.get(s) ?? s),
      "the most common path's steps, in order, by their titles",
    );
    const layout = await list.evaluate((ol) => {
      type Box = { left: number; right: number; width: number; height: number };
      type El = {
        getBoundingClientRect(): Box;
        scrollWidth: number;
        clientWidth: number;
        querySelectorAll(s: string): ArrayLike<El>;
        textContent: string | null;
      };
      const root = ol as unknown as El;
      const view = (globalThis as unknown as { innerWidth: number }).innerWidth;
      const box = root.getBoundingClientRect();
      const lineHeight = Number.parseFloat(
        (globalThis as unknown as { getComputedStyle(e: El): { lineHeight: string } }).getComputedStyle(
          root.querySelectorAll(".path-step")[0] as El,
        ).lineHeight,
      );
      return {
        view,
        right: box.right,
        scrolls: root.scrollWidth > root.clientWidth,
        paths: Array.from(root.querySelectorAll(":scope > li")).map((li) => {
          const steps = li.querySelectorAll("ol")[0];
          const sb = steps?.getBoundingClientRect();
          return {
            width: sb?.width ?? 0,
            steps: Array.from(li.querySelectorAll(".path-step")).map((s) => {
              const b = s.getBoundingClientRect();
              return {
                text: s.textContent ?? "",
                width: b.width,
                lines: Math.round((b.height - 6) / lineHeight),
                inside: !!sb && b.left >= sb.left - 1 && b.right <= sb.right + 1,
                clipped: s.scrollWidth > s.clientWidth + 1,
              };
            }),
          };
        }),
      };
    });
    assert.ok(layout.right <= layout.view && !layout.scrolls, `the paths fit the ${layout.view} px screen`);
    assert.equal(layout.paths.length, Math.min(10, insights.variants.top.length));
    for (const [i, path] of layout.paths.entries()) {
      // The old table squeezed the steps into a column a third of the screen wide.
      assert.ok(path.width >= 0.75 * layout.view, `path ${i + 1}'s steps are ${Math.round(path.width)} px wide`);
      for (const step of path.steps) {
        assert.ok(step.width >= 60 && step.inside && !step.clipped, `"${step.text}" is whole (${Math.round(step.width)} px)`);
        assert.ok(step.lines <= 3, `"${step.text}" takes ${step.lines} lines`);
      }
    }
    assert.deepEqual(await axeViolations(page), [], "axe at 390 px");
    await item.getByRole("link", { name: skipped.client }).click();
    await page.waitForURL(`**/app/projects/${skipped.project}`);
    await page.context().close();
  });

  test("a segment and a CSM chosen by clicks narrow the figures to the API's, stay in the URL through a reload, and clear", async (t) => {
    if (skipWithoutChromium(t)) return;
    const { playbook } = skipped;
    // The choices must be the playbook's own onboardings' segments and CSMs, ended ones included.
    const items = (
      (await must(web.admin.get(`/portfolio?playbook=${playbook}&status=active,on_hold,cancelled,closed&limit=200`), "portfolio")) as {
        items: { segment: string | null; csm: { id: string; name: string } | null }[];
      }
    ).items;
    const segments = [...new Set(items.flatMap((i) => (i.segment ? [i.segment] : [])))].sort();
    const csms = new Map(items.flatMap((i) => (i.csm ? [[i.csm.id, i.csm.name] as const] : [])));
    // The pair of segment and CSM with the most onboardings: a filter whose figures differ from the whole.
    const pairs = new Map<string, number>();
    for (const i of items)
      if (i.segment && i.csm) pairs.set(`${i.segment}\n${i.csm.id}`, (pairs.get(`${i.segment}\n${i.csm.id}`) ?? 0) + 1);
    const [segment = "", csm = ""] = ([...pairs].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "").split("\n");
    assert.ok(segment && csm, "the demo's onboardings have segments and CSMs");

    const all = await insightsOf({ playbook });
    const bySegment = await insightsOf({ playbook, segment });
    const byBoth = await insightsOf({ playbook, segment, csm });
    assert.ok(all.projects > bySegment.projects && bySegment.projects > byBoth.projects && byBoth.projects > 0, "each filter narrows");

    const page = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale: "en-GB", timezoneId: "Europe/Paris", errors });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/process?playbook=${playbook}`);
    assert.deepEqual(await shown(page, all), figures(all));
    const segmentSelect = page.getByLabel("Segment");
    const csmSelect = page.getByLabel("CSM");
    await segmentSelect.locator(`option[value="${segment}"]`).waitFor({ state: "attached" });
    const options = (select: typeof segmentSelect) =>
      select
        .locator("option")
        .evaluateAll((os) => os.map((o): [string, string] => [(o as unknown as { value: string }).value, o.textContent ?? ""]));
    assert.deepEqual(
      (await options(segmentSelect)).map(([v]) => v),
      ["", ...segments].sort(),
      "every segment of the playbook's onboardings, and no other",
    );
    assert.deepEqual(new Map((await options(csmSelect)).filter(([v]) => v)), csms, "every CSM of the playbook's onboardings, by name");

    const asked = (want: Record<string, string | null>) =>
      page.waitForRequest((r) => {
        const url = new URL(r.url());
        return url.pathname === "/process-insights" && Object.entries(want).every(([k, v]) => url.searchParams.get(k) === v);
      });
    const segmentLabel = (await segmentSelect.locator(`option[value="${segment}"]`).textContent())?.trim() ?? segment;
    let request = asked({ playbook, segment, csm: null });
    await segmentSelect.selectOption({ label: segmentLabel });
    await request;
    await page.waitForURL((u) => u.searchParams.get("segment") === segment);
    assert.deepEqual(await shown(page, bySegment), figures(bySegment), `the figures of the ${segment} segment`);

    request = asked({ playbook, segment, csm });
    await csmSelect.selectOption({ label: csms.get(csm) ?? csm });
    await request;
    await page.waitForURL((u) => u.searchParams.get("segment") === segment && u.searchParams.get("csm") === csm);
    assert.deepEqual(await shown(page, byBoth), figures(byBoth), `the figures of ${csm}'s ${segment} onboardings`);

    await page.reload();
    assert.deepEqual(await shown(page, byBoth), figures(byBoth), "a reload keeps the filter");
    assert.equal(await segmentSelect.inputValue(), segment);
    assert.equal(await csmSelect.inputValue(), csm);
    assert.deepEqual(await axeViolations(page), [], "axe with the filters on");

    request = asked({ playbook, segment: null, csm: null });
    await page.getByRole("button", { name: "Clear filters" }).click();
    await request;
    await page.waitForURL(
      (u) => !u.searchParams.has("segment") && !u.searchParams.has("csm") && u.searchParams.get("playbook") === playbook,
    );
    assert.deepEqual(await shown(page, all), figures(all), "cleared: every onboarding of the playbook again");
    assert.equal(await segmentSelect.inputValue(), "");
    assert.equal(await csmSelect.inputValue(), "");
    assert.equal(await page.getByRole("button", { name: "Clear filters" }).count(), 0);
    const focused = await page.evaluate(
      () => (globalThis as unknown as PageGlobals & { document: { activeElement: { id: string } | null } }).document.activeElement?.id,
    );
    assert.equal(focused, "p-playbook", "the keyboard carries on from the filters");
    await page.context().close();
  });
});
