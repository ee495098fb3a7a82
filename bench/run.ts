// `npm run bench`: measures in one run and prints a table and JSON. Not a test: numbers are
// reported as ratios of things measured side by side on this machine, never asserted on.
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

const rows: [string, string, string, string][] = [["benchmark", "Onboard", "baseline", "ratio (target)"]];
const mem = results.inMemory as { onboardProjectsPerSecond: number; bpmnEngineInstancesPerSecond: number; ratio: number; target: number };
rows.push([
  "30-step project, start to finish /s",
  String(mem.onboardProjectsPerSecond),
  `${mem.bpmnEngineInstancesPerSecond} (bpmn-engine)`,
  `${mem.ratio}x (>= ${mem.target}x)`,
]);
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
console.log(JSON.stringify(results, null, 2));
