// `npm run bench`: measures in one run and prints a table and JSON. Not a test: numbers are
// reported as ratios of things measured side by side on this machine, never asserted on.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderAll } from "../src/render/bench.ts";
import { FileDiagramStore } from "../src/render/diagram-store.ts";
import { apiRates } from "./api.ts";
import { durableRates } from "./durable.ts";
import { bpmnRate, engineRate } from "./in-memory.ts";
import { kpiBench } from "./kpi.ts";
import { responsiveness } from "./responsiveness.ts";

// `node bench/run.ts embedded-default`: only the embedded default, PGlite vs PostgreSQL (issue #23).
if (process.argv[2] === "embedded-default") {
  const { main } = await import("./embedded-default.ts");
  await main();
  process.exit(0);
}

// `node bench/run.ts deployment`: the deployment of issue #18 (5,000 onboardings, 50 CSMs), old vs new with BENCH_BASE.
if (process.argv[2] === "deployment") {
  const { main } = await import("./deployment.ts");
  await main();
  process.exit(0);
}

// `node bench/run.ts process`: process mining: the go-live forecast's calibration, the Process page's and the export's cost.
if (process.argv[2] === "process") {
  const { main } = await import("./process.ts");
  await main();
  process.exit(0);
}

// `node bench/run.ts scale-out [seconds]`: 1, 2, 3 API processes on one PostgreSQL database.
if (process.argv[2] === "scale-out") {
  const { main } = await import("./scale-out.ts");
  await main(Number(process.argv[3] ?? 20));
  process.exit(0);
}

// `node bench/run.ts engine-scaling [ms]`: the pure engine's cost per command against playbook size.
if (process.argv[2] === "engine-scaling") {
  const { main } = await import("./engine-scaling.ts");
  main(Number(process.argv[3] ?? 2000));
  process.exit(0);
}

// `node bench/run.ts statements`: the SQL statements one durable command sends, per command type.
if (process.argv[2] === "statements") {
  const { main } = await import("./statements.ts");
  await main();
  process.exit(0);
}

// `node bench/run.ts state-size`: a command on a fresh project against one with a 400 KB state.
if (process.argv[2] === "state-size") {
  const { main } = await import("./state-size.ts");
  await main();
  process.exit(0);
}

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

process.stderr.write(`API vs bare Fastify routes, 50 connections, ${seconds}s per scenario ...\n`);
const api = await apiRates(seconds);
results.api = api;

process.stderr.write("render: 5 playbooks in md, html, docx, pdf (all at once, one Chromium session) ...\n");
const render = await renderAll();
// Again with a diagram store holding Word's pictures of the maps (as `onboard render` keeps
// them): every later render of an unchanged playbook.
const renderCache = mkdtempSync(join(tmpdir(), "onboard-bench-diagrams-"));
let renderKept: Awaited<ReturnType<typeof renderAll>>;
try {
  await renderAll({ launch: { diagramStore: new FileDiagramStore(renderCache) } });
  renderKept = await renderAll({ launch: { diagramStore: new FileDiagramStore(renderCache) } });
} finally {
  rmSync(renderCache, { recursive: true, force: true });
}
results.render = { cold: render, picturesKept: renderKept };

// (d) The demo portfolio's generation rate and the dashboard/KPI query latency over it. N is
// BENCH_KPI_PROJECTS (default 100,000, on PostgreSQL and on PGlite; BENCH_KPI_PGLITE_PROJECTS sets
// PGlite's own, 0 skips).
const kpiProjects = Number(process.env.BENCH_KPI_PROJECTS ?? 100_000);
process.stderr.write(`kpi: demo portfolio of ${kpiProjects} projects, then dashboard and KPI queries ...\n`);
const kpi =
  kpiProjects > 0
    ? await kpiBench({ projects: kpiProjects, pgliteProjects: Number(process.env.BENCH_KPI_PGLITE_PROJECTS ?? kpiProjects) })
    : [];
results.kpi = kpi;

// (e) Whether one user's uploads and template previews stall everyone else: the p50/p99 of light
// requests to the real server alone, then while they run.
process.stderr.write(`responsiveness: light requests alone and during 10 MB uploads and runaway previews, ${seconds}s each ...\n`);
const stalls = await responsiveness(seconds);
results.responsiveness = stalls;

const rows: [string, string, string, string][] = [["benchmark", "Onboard", "baseline", "ratio (target)"]];
for (const k of kpi) {
  rows.push([
    `demo portfolio generated, ${k.backend} (projects/s)`,
    `${k.projectsPerSecond} (${k.projects} in ${k.generationSeconds} s)`,
    "-",
    "-",
  ]);
  rows.push([
    `dashboard/KPI queries p95, ${k.backend} (ms)`,
    String(k.worstP95),
    "-",
    k.backend === "postgres" ? `(< ${k.target} ms)` : "-",
  ]);
}
// The formats overlap (they share the browser, its drawings and the CPUs): each is when its last document was done.
rows.push([
  render.bytes.pdf === 0
    ? `render ${render.playbooks} playbooks, md/html/docx only: NO CHROMIUM, not the benchmark (ms)`
    : `render ${render.playbooks} playbooks, all formats (ms)`,
  `${Math.round(render.totalMs)} (launch ${Math.round(render.browserLaunchMs ?? 0)}; done at: md ${Math.round(render.ms.md)}, html ${Math.round(render.ms.html)}, docx ${Math.round(render.ms.docx)}, pdf ${Math.round(render.ms.pdf)})`,
  "-",
  "(< 3000 ms)",
]);
rows.push([
  "  the same, Word's pictures of the maps kept from an earlier run (ms)",
  `${Math.round(renderKept.totalMs)} (done at: md ${Math.round(renderKept.ms.md)}, html ${Math.round(renderKept.ms.html)}, docx ${Math.round(renderKept.ms.docx)}, pdf ${Math.round(renderKept.ms.pdf)})`,
  "-",
  "(< 3000 ms)",
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
for (const a of api) {
  for (const [label, scenario] of [
    ["complete a step", a.complete],
    ["list my tasks", a.listTasks],
  ] as const) {
    rows.push([
      `API ${label} /s, ${a.backend} (p50/p99 ms)`,
      `${scenario.api.requestsPerSecond} (${scenario.api.p50Ms}/${scenario.api.p99Ms})`,
      `${scenario.bare.requestsPerSecond} (${scenario.bare.p50Ms}/${scenario.bare.p99Ms}) bare route`,
      `${scenario.ratio}x (>= 0.5x${a.backend.startsWith("PostgreSQL") ? ", p99 < 25 ms" : ""})`,
    ]);
  }
}
for (const r of stalls) {
  for (const light of r.light) {
    rows.push([
      `GET ${light.path} during uploads and previews, ${r.backend} (p50/p99 ms)`,
      `${light.loaded.p50Ms}/${light.loaded.p99Ms} (${light.loaded.requests} answered)`,
      `${light.alone.p50Ms}/${light.alone.p99Ms} alone`,
      `p99 ${light.p99Ratio}x`,
    ]);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
console.log(JSON.stringify(results, null, 2));
