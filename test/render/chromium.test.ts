// How Chromium is started: our `--disable-features` replaces Playwright's (Chromium keeps only the
// last one), so it must repeat every feature the installed playwright-core disables; and the
// browser runs without the per-window address-bar renderers it would otherwise preload.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";
import { CHROMIUM_ARGS, launchChromium, PLAYWRIGHT_DISABLED_FEATURES } from "../../src/render/chromium.ts";
import { HAVE_CHROMIUM, skipWithout } from "./support.ts";

/** The list in playwright-core's chromiumSwitches (bundled into lib/coreBundle.js). */
function playwrightDisabledFeatures(): string[] {
  const bundle = readFileSync(createRequire(import.meta.url).resolve("playwright-core/lib/coreBundle"), "utf8");
  const list = /disabledFeatures = \[([\s\S]*?)\]/.exec(bundle)?.[1];
  assert.ok(list, "playwright-core's disabled features not found: update this test and PLAYWRIGHT_DISABLED_FEATURES");
  return [...list.replace(/\/\/.*$/gm, "").matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

/** Command lines of this process's descendants (Linux /proc). */
function descendants(): string[] {
  const parent = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      commands.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " "));
    } catch {
      // The process ended meanwhile.
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...commands].filter(([pid]) => mine(pid)).map(([, command]) => command);
}

describe("Chromium's command line", () => {
  test("every feature Playwright disables stays disabled", () => {
    const ours =
      CHROMIUM_ARGS.find((a) => a.startsWith("--disable-features="))
        ?.slice("--disable-features=".length)
        .split(",") ?? [];
    const theirs = playwrightDisabledFeatures();
    assert.ok(theirs.length > 5, `found ${theirs.length} features`);
    assert.deepEqual(
      theirs.filter((f) => !PLAYWRIGHT_DISABLED_FEATURES.includes(f)),
      [],
      "playwright-core disables more features: add them to PLAYWRIGHT_DISABLED_FEATURES",
    );
    for (const feature of PLAYWRIGHT_DISABLED_FEATURES) assert.ok(ours.includes(feature), feature);
  });

  test("the running browser has them all, and no address-bar renderers", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
    const browser = await launchChromium();
    try {
      await browser.warmUp({ pictures: 1, print: 1 });
      const renderers = descendants().filter((c) => c.includes("--type=renderer"));
      assert.ok(renderers.length >= 2, "the picture page and a printing page have renderers");
      assert.deepEqual(
        renderers.filter((c) => c.includes("--top-chrome-webui")),
        [],
        "a window renderer was started",
      );
      const features = /--disable-features=(\S+)/.exec(renderers[0] ?? "")?.[1]?.split(",") ?? [];
      for (const feature of ["HttpsUpgrades", "PaintHolding", "WebUIOmniboxPopup"]) assert.ok(features.includes(feature), feature);
    } finally {
      await browser.close();
    }
  });
});
