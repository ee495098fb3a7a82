// A flowchart as Mermaid text (flowchart LR, one subgraph per cluster running top to bottom), for
// the Markdown edition and wherever the map is given as text. Checked by mermaid's own parser in
// test/render/browser.test.ts.
import { allNodes, type ClassStyle, type Flowchart, type FlowEdge, type FlowNode, type NodeShape } from "./chart.ts";

/** Text inside a quoted Mermaid label: entity codes for what the parser would read as syntax. */
function mermaidLabel(value: string): string {
  return value
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/[\r\n]+/g, " ")
    .replace(/`/g, "'");
}

const BRACKETS: Readonly<Record<NodeShape, readonly [string, string]>> = {
  box: ["[", "]"],
  rounded: ["(", ")"],
  stadium: ["([", "])"],
  subroutine: ["[[", "]]"],
  diamond: ["{", "}"],
};

function nodeLine(node: FlowNode, indent: string): string {
  const [open, close] = BRACKETS[node.shape];
  return `${indent}${node.id}${open}"${node.lines.map(mermaidLabel).join("<br/>")}"${close}`;
}

function edgeLine(edge: FlowEdge, indent: string): string {
  const arrow = edge.dashed ? "-.->" : "-->";
  return edge.label
    ? `${indent}${edge.from} ${arrow}|"${mermaidLabel(edge.label)}"| ${edge.to}`
    : `${indent}${edge.from} ${arrow} ${edge.to}`;
}

function classDef(name: string, style: ClassStyle): string {
  const parts = [`fill:${style.fill}`, `stroke:${style.stroke}`];
  if (style.color) parts.push(`color:${style.color}`);
  if (style.dash) parts.push(`stroke-dasharray:${style.dash}`);
  return `  classDef ${name} ${parts.join(",")}`;
}

export function writeMermaid(chart: Flowchart): string {
  const lines = [
    "---",
    "config:",
    "  flowchart:",
    `    nodeSpacing: ${chart.spacing.node}`,
    `    rankSpacing: ${chart.spacing.rank}`,
    `    padding: ${chart.spacing.padding}`,
    "---",
    "flowchart LR",
  ];
  for (const node of chart.nodes) lines.push(nodeLine(node, "  "));
  for (const cluster of chart.clusters) {
    lines.push(`  subgraph ${cluster.id}["${mermaidLabel(cluster.label)}"]`, "    direction TB");
    for (const node of cluster.nodes) lines.push(nodeLine(node, "    "));
    for (const edge of cluster.edges) lines.push(edgeLine(edge, "    "));
    lines.push("  end");
  }
  for (const edge of chart.edges) lines.push(edgeLine(edge, "  "));
  for (const [name, style] of Object.entries(chart.classes)) lines.push(classDef(name, style));
  // Each class with its nodes, classes in the order their first node was declared.
  const members = new Map<string, string[]>();
  for (const node of allNodes(chart)) {
    if (node.className) members.set(node.className, [...(members.get(node.className) ?? []), node.id]);
  }
  for (const [name, ids] of members) lines.push(`  class ${ids.join(",")} ${name}`);
  return lines.join("\n");
}
