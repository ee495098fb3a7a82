// `npm run bench`: measures in one run and prints a table and JSON. Not a test: numbers are
// reported as ratios of things measured side by side on this machine, never asserted on.

import { renderAll } from "../src/render/bench.ts";
import { durableRates } from "./durable.ts";
import { bpmnRate, engineRate } from "./in-memory.ts";

const seconds = Number(process.argv[2] ?? 3);
const results: Record<string, unknown> = {};

process.stderr.write(`in-memory engine, ${seconds}s ...\n`);
const engine = engineRate(seconds);
process.stderr.write(`bpmn-engine, ${seconds}s ...\n`);
const bpmn = await bpmnRate(seconds);
results.inMemory = {
  onboardProjectsPerSecond: Math.round(engine.perSecond),
  bpmnEngineInstancesPerSecond: Number(bpmn.perSecond.toFixed(1)),
  ratio: Math.round(engine.perSecond / bpmn.perSecond),
  target: 1000,
};

process.stderr.write(`durable commands vs raw insert transactions, ${seconds}s each ...\n`);
const durable = await durableRates(seconds);
results.durable = durable.map((d) => ({ ...d, target: 0.5 }));

process.stderr.write("render: 5 playbooks in md, html, docx, pdf ...\n");
const render = await renderAll();
results.render = render;

const rows: [string, string, string, string][] = [["benchmark", "Onboard", "baseline", "ratio (target)"]];
rows.push([
  "render 5 playbooks, all formats (ms)",
  `${Math.round(render.totalMs)} (md ${Math.round(render.ms.md)}, html ${Math.round(render.ms.html)}, docx ${Math.round(render.ms.docx)}, pdf ${Math.round(render.ms.pdf)})`,
  "-",
  "-",
]);
const mem = results.inMemory as { onboardProjectsPerSecond: number; bpmnEngineInstancesPerSecond: number; ratio: number; target: number };
rows.push([
  "30-step project, start to finish /s",
  String(mem.onboardProjectsPerSecond),
  `${mem.bpmnEngineInstancesPerSecond} (bpmn-engine)`,
  `${mem.ratio}x (>= ${mem.target}x)`,
]);
for (const d of durable) {
  rows.push([
    `commands committed /s, ${d.backend}`,
    String(d.commandsPerSecond),
    `${d.rawInsertsPerSecond} (raw insert tx)`,
    `${d.ratio}x (>= 0.5x)`,
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
console.log(JSON.stringify(results, null, 2));
