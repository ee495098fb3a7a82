// `node bench/render.ts [runs]`: the SOP renderer alone. Every built-in playbook in md, html,
// docx and pdf, `runs` times the way `npm run bench` does it (everything at once, one Chromium
// session launched per run), then once one format after another to see what each format costs.
// Numbers are printed, never asserted.

import { type RenderTimings, renderAll } from "../src/render/bench.ts";

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

const ms = (n: number | null) => (n === null ? "-" : String(Math.round(n)));
const best = pipelined.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
const rows: string[][] = [["run", "total", "launch", "build", "maps", "md", "html", "docx", "pdf"]];
for (const [i, t] of pipelined.entries()) {
  rows.push([
    `all at once #${i + 1} (done at)`,
    ms(t.totalMs),
    ms(t.browserLaunchMs),
    ms(t.ms.build),
    ms(t.ms.diagrams),
    ms(t.ms.md),
    ms(t.ms.html),
    ms(t.ms.docx),
    ms(t.ms.pdf),
  ]);
}
rows.push([
  "one format after another (each)",
  ms(byFormat.totalMs),
  ms(byFormat.browserLaunchMs),
  ms(byFormat.ms.build),
  "-",
  ms(byFormat.ms.md),
  ms(byFormat.ms.html),
  ms(byFormat.ms.docx),
  ms(byFormat.ms.pdf),
]);
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
console.log(`best of ${runs}: ${ms(best.totalMs)} ms for ${best.playbooks} playbooks in 4 formats (target: well under 3000 ms)`);
console.log(JSON.stringify({ pipelined: pipelined.map(round), byFormat: round(byFormat) }, null, 2));
