// `renderAll`, as `npm run bench` runs it: every built-in playbook in every format in one Chromium
// session, each process map drawn once and photographed once for all formats, PDFs printed in
// parallel by the session's pages. Timings are printed by the bench, never asserted here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderAll } from "../../src/render/bench.ts";
import { launchChromium } from "../../src/render/chromium.ts";
import { renderDocument } from "../../src/render/render.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks, HAVE_CHROMIUM, skipWithout } from "./support.ts";

const CHROMIUM = "chromium not installed: Debian package chromium (apt-get install chromium)";

describe("renderAll", () => {
  test("every playbook in every format, each map drawn once for all formats", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, CHROMIUM)) return;
    const playbooks = await builtInPlaybooks();
    const timings = await renderAll();
    assert.equal(timings.playbooks, playbooks.length);
    assert.equal(timings.order, "pipelined");
    assert.deepEqual(timings.pictures, { photographed: playbooks.length, fromStore: 0 });
    for (const format of ["md", "html", "docx", "pdf"] as const) assert.ok(timings.bytes[format] > 10_000, `${format} written`);
    assert.ok(timings.ms.pdf <= timings.totalMs && timings.ms.docx <= timings.totalMs);
  });

  test("one document in every format photographs its map once", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, CHROMIUM)) return;
    const [first] = await builtInPlaybooks();
    if (!first) throw new Error("no built-in playbook");
    const browser = await launchChromium(undefined, { printPages: 1 });
    try {
      const doc = buildSop(first.model);
      const [html, docx, pdf] = await Promise.all([
        renderDocument(doc, "html", browser),
        renderDocument(doc, "docx", browser),
        renderDocument(doc, "pdf", browser),
      ]);
      assert.deepEqual(browser.pictureCounts, { photographed: 1, fromStore: 0 });
      // HTML carries the drawing whose id is derived from the map's text, so runs agree.
      assert.match(
        String(html.output),
        /<figure class="diagram" id="process-map"[^>]*><svg xmlns="http:\/\/www.w3.org\/2000\/svg" id="map-[0-9a-f]{12}"/,
      );
      assert.ok(docx.output instanceof Uint8Array && pdf.output instanceof Uint8Array);
      // The printing page is reused: a second PDF of the same document is the same size of file.
      const again = await renderDocument(doc, "pdf", browser);
      assert.ok(again.output instanceof Uint8Array);
      assert.ok(Math.abs(again.output.byteLength - pdf.output.byteLength) < pdf.output.byteLength * 0.02);
      assert.deepEqual(browser.pictureCounts, { photographed: 1, fromStore: 0 });
    } finally {
      await browser.close();
    }
  });
});
