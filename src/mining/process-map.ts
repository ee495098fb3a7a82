// The process map of what really happened: the steps the projects completed, an arrow wherever one
// step was completed right after another, labelled with how many times and the median days in
// between; arrows the playbook draws are solid, the others dashed, and the steps with the largest
// share of delay are filled red. Drawn with the SOP's own flowchart layout (dagre) as SVG. Arrows
// taken by fewer than 1% of the projects are left out so the map stays readable; the API's edges
// list has them all.
import type { Flowchart, FlowEdge, FlowNode } from "../render/flowchart/chart.ts";
import { estimatedMeasure } from "../render/flowchart/measure.ts";
import { drawFlowchart } from "../render/flowchart/svg.ts";
import { shortLabel } from "../render/sop/process-map.ts";
import { END, type Insights, START } from "./insights.ts";

const NODE = (step: string) => `n_${step.replace(/[^A-Za-z0-9_]/g, "_")}`;

const days = (d: number | null) => (d === null ? "–" : `${d} d`);

export function processMapSvg(insights: Insights, title: string): string {
  const minimum = Math.max(1, Math.ceil(insights.projects * 0.01));
  const edges = insights.edges.filter((e) => e.count >= minimum);
  const used = new Set(edges.flatMap((e) => [e.from, e.to]));
  const hot = new Set(insights.bottlenecks.slice(0, 3).map((b) => b.step));
  const nodes: FlowNode[] = [];
  if (used.has(START)) nodes.push({ id: NODE(START), lines: [`Start (${insights.projects})`], shape: "stadium", className: "terminal" });
  for (const s of insights.steps)
    if (used.has(s.step))
      nodes.push({
        id: NODE(s.step),
        lines: [shortLabel(s.title, 40), `${s.visits}× · median ${days(s.actual.medianDays)}`],
        shape: "box",
        ...(hot.has(s.step) ? { className: "hot" } : {}),
      });
  if (used.has(END)) nodes.push({ id: NODE(END), lines: [`End (${insights.ended})`], shape: "stadium", className: "terminal" });
  const known = new Set(nodes.map((n) => n.id));
  const flowEdges: FlowEdge[] = edges
    .filter((e) => known.has(NODE(e.from)) && known.has(NODE(e.to)))
    .map((e) => ({
      from: NODE(e.from),
      to: NODE(e.to),
      label: `${e.count}× · ${days(e.medianDays)}`,
      ...(e.inPlaybook ? {} : { dashed: true }),
    }));
  // One cluster: the layout runs it through dagre top to bottom, with the labels on the arrows and
  // the loops routed around (top-level items only stand in a row joined by straight lines).
  const chart: Flowchart = {
    spacing: { node: 26, rank: 46, padding: 8 },
    nodes: [],
    clusters: [{ id: "what_happened", label: title, nodes, edges: flowEdges }],
    edges: [],
    classes: {
      terminal: { fill: "#eef1f6", stroke: "#5a6b85" },
      hot: { fill: "#fdecea", stroke: "#c62828", color: "#7f1d1d" },
    },
  };
  return drawFlowchart(chart, estimatedMeasure(), { id: "process-map", title }).svg;
}
