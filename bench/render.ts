// `node bench/render.ts [runs]`: the SOP renderer alone. Every built-in playbook in md, html,
// docx and pdf, `runs` times the way `npm run bench` does it (everything at once, one Chromium
// session launched per run), then once one format after another to see what each format costs.
// Numbers are printed, never asserted.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RenderTimings, renderAll } from "../src/render/bench.ts";
import { FileDiagramStore } from "../src/render/diagram-store.ts";

const runs = Math.max(1, Number(process.argv[2] ?? 3));

const round = (t: RenderTimings) => ({
  ...t,
  ms: Object.fromEntries(Object.entries(t.ms).map(([k, v]) => [k, Math.round(v)])),
  browserLaunchMs: t.browserLaunchMs === null ? null : Math.round(t.browserLaunchMs),
  totalMs: Math.round(t.totalMs),
});

const pipelined: RenderTimings[] = [];
for (let i = 0; i < runs; i++) {
  process.stderr.write(`render: ${i + 1}/${runs}, all formats at once ...\n`);
  pipelined.push(await renderAll());
}
process.stderr.write("render: one format after another ...\n");
const byFormat = await renderAll({ order: "by-format" });
// With a diagram store (what `onboard render` uses): the first run photographs the maps for Word
// and keeps the pictures, the second takes them from the store, as every later render of an
// unchanged playbook does.
const cacheDir = mkdtempSync(join(tmpdir(), "onboard-render-bench-"));
const stored: RenderTimings[] = [];
try {
  for (const label of ["empty", "filled"]) {
    process.stderr.write(`render: all formats at once, diagram store ${label} ...\n`);
    stored.push(await renderAll({ launch: { diagramStore: new FileDiagramStore(cacheDir) } }));
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

const ms = (n: number | null) => (n === null ? "-" : String(Math.round(n)));
const best = pipelined.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
const rows: string[][] = [["run", "total", "launch", "build", "maps", "md", "html", "docx", "pdf"]];
const row = (label: string, t: RenderTimings, maps: string = ms(t.ms.diagrams)) =>
  rows.push([label, ms(t.totalMs), ms(t.browserLaunchMs), ms(t.ms.build), maps, ms(t.ms.md), ms(t.ms.html), ms(t.ms.docx), ms(t.ms.pdf)]);
for (const [i, t] of pipelined.entries()) row(`all at once #${i + 1} (done at)`, t);
row("one format after another (each)", byFormat);
for (const [i, t] of stored.entries()) row(`all at once, store ${i === 0 ? "empty" : "filled"}`, t);
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
if (best.bytes.pdf === 0)
  console.log(
    "Chromium is not installed: no PDF was printed and no map drawn, so these times are not the benchmark's (apt-get install chromium)",
  );
const formats = best.bytes.pdf === 0 ? "md, html and docx only" : "4 formats";
console.log(`best of ${runs}: ${ms(best.totalMs)} ms for ${best.playbooks} playbooks in ${formats} (target: well under 3000 ms)`);
console.log(
  `pictures kept: ${ms(stored[1]?.totalMs ?? null)} ms when the diagram store has Word's pictures of the maps (${stored[1]?.pictures?.fromStore ?? 0} from the store)`,
);
console.log(JSON.stringify({ pipelined: pipelined.map(round), byFormat: round(byFormat), stored: stored.map(round) }, null, 2));
