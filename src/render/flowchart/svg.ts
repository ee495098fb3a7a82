// A laid-out flowchart as a standalone SVG: plain shapes, paths and text with their colours as
// attributes (no stylesheet, no scripts, no foreignObject), so the same file looks the same in a
// browser, in Chromium's PDF printer and as Word's picture, and prints as vector text.
import { allNodes, type Flowchart } from "./chart.ts";
import {
  type Box,
  CLUSTER_TITLE_TOP,
  layoutFlowchart,
  type MapLayout,
  type PlacedEdge,
  type PlacedNode,
  type Point,
  TEXT,
} from "./layout.ts";
import { MAP_FONT_FAMILY, type TextMeasure } from "./measure.ts";

export interface DrawnFlowchart {
  readonly svg: string;
  /** CSS pixels. */
  readonly width: number;
  readonly height: number;
}

const COLOURS = {
  nodeFill: "#eeeeee",
  nodeStroke: "#999999",
  text: "#333333",
  clusterFill: "#fafafa",
  clusterStroke: "#c4c9d1",
  edge: "#555555",
  labelFill: "#f4f4f4",
} as const;

const escapeXml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const n = (value: number): string => String(Math.round(value * 10) / 10);

/** Lines of text centred on a point, one tspan per line. */
function textLines(lines: readonly string[], centre: Point, size: number, lineHeight: number, colour: string): string {
  const top = centre.y - ((lines.length - 1) * lineHeight) / 2;
  const spans = lines.map((line, i) => `<tspan x="${n(centre.x)}" y="${n(top + i * lineHeight)}">${escapeXml(line)}</tspan>`).join("");
  return `<text text-anchor="middle" dominant-baseline="central" font-size="${size}" fill="${colour}">${spans}</text>`;
}

const centreOf = (box: Box): Point => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

function shapeOf(node: PlacedNode, fill: string, stroke: string, dash: string | undefined): string {
  const { x, y, width: w, height: h } = node;
  const paint = `fill="${fill}" stroke="${stroke}" stroke-width="1.2"${dash ? ` stroke-dasharray="${dash}"` : ""}`;
  switch (node.shape) {
    case "diamond":
      return `<polygon points="${n(x + w / 2)},${n(y)} ${n(x + w)},${n(y + h / 2)} ${n(x + w / 2)},${n(y + h)} ${n(x)},${n(y + h / 2)}" ${paint}/>`;
    case "stadium":
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="${n(h / 2)}" ${paint}/>`;
    case "rounded":
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="10" ${paint}/>`;
    case "subroutine":
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" ${paint}/><path d="M${n(x + 8)},${n(y)}V${n(y + h)}M${n(x + w - 8)},${n(y)}V${n(y + h)}" stroke="${stroke}" stroke-width="1.2" fill="none"/>`;
    case "box":
      return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" rx="2" ${paint}/>`;
  }
}

/** A polyline with its corners rounded. */
function pathData(points: readonly Point[], radius = 8): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${n(first.x)},${n(first.y)}`;
  for (let i = 0; i < rest.length; i++) {
    const corner = rest[i] as Point;
    const previous = (i === 0 ? first : rest[i - 1]) as Point;
    const next = rest[i + 1];
    if (!next) {
      d += `L${n(corner.x)},${n(corner.y)}`;
      break;
    }
    const before = Math.hypot(corner.x - previous.x, corner.y - previous.y);
    const after = Math.hypot(next.x - corner.x, next.y - corner.y);
    const r = Math.min(radius, before / 2, after / 2);
    if (r < 0.5) {
      d += `L${n(corner.x)},${n(corner.y)}`;
      continue;
    }
    const a = { x: corner.x + ((previous.x - corner.x) * r) / before, y: corner.y + ((previous.y - corner.y) * r) / before };
    const b = { x: corner.x + ((next.x - corner.x) * r) / after, y: corner.y + ((next.y - corner.y) * r) / after };
    d += `L${n(a.x)},${n(a.y)}Q${n(corner.x)},${n(corner.y)} ${n(b.x)},${n(b.y)}`;
  }
  return d;
}

function edgeOf(edge: PlacedEdge, arrow: string): string {
  const dash = edge.dashed ? ' stroke-dasharray="5 4"' : "";
  const line = `<path class="edge" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" d="${pathData(edge.points)}" fill="none" stroke="${COLOURS.edge}" stroke-width="1.4"${dash} marker-end="url(#${arrow})"/>`;
  if (!edge.label) return line;
  const { label } = edge;
  return `${line}<g class="edge-label"><rect x="${n(label.x)}" y="${n(label.y)}" width="${n(label.width)}" height="${n(label.height)}" rx="3" fill="${COLOURS.labelFill}"/>${textLines(label.lines, centreOf(label), TEXT.edgeSize, TEXT.edgeLine, COLOURS.text)}</g>`;
}

/** The SVG of a laid-out chart; `id` names the root element and prefixes its marker's id. */
export function writeSvg(chart: Flowchart, layout: MapLayout, options: { id: string; title: string }): DrawnFlowchart {
  const styles = new Map(allNodes(chart).map((node) => [node.id, node.className ? chart.classes[node.className] : undefined]));
  const arrow = `${options.id}-arrow`;
  const titleId = `${options.id}-title`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeXml(options.id)}" class="flowchart" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-labelledby="${escapeXml(titleId)}" font-family="${escapeXml(MAP_FONT_FAMILY)}">`,
    `<title id="${escapeXml(titleId)}">${escapeXml(options.title)}</title>`,
    `<defs><marker id="${escapeXml(arrow)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L10,5L0,10z" fill="${COLOURS.edge}"/></marker></defs>`,
  ];
  for (const cluster of layout.clusters) {
    const titleTop = cluster.y + CLUSTER_TITLE_TOP + TEXT.titleLine / 2;
    const titleCentre = { x: cluster.x + cluster.width / 2, y: titleTop + ((cluster.title.length - 1) * TEXT.titleLine) / 2 };
    parts.push(
      `<g class="cluster" data-id="${escapeXml(cluster.id)}"><rect x="${n(cluster.x)}" y="${n(cluster.y)}" width="${n(cluster.width)}" height="${n(cluster.height)}" rx="4" fill="${COLOURS.clusterFill}" stroke="${COLOURS.clusterStroke}"/>${textLines(cluster.title, titleCentre, TEXT.titleSize, TEXT.titleLine, COLOURS.text)}</g>`,
    );
  }
  for (const edge of layout.edges) parts.push(edgeOf(edge, escapeXml(arrow)));
  for (const node of layout.nodes) {
    const style = styles.get(node.id);
    parts.push(
      `<g class="node" data-id="${escapeXml(node.id)}">${shapeOf(node, style?.fill ?? COLOURS.nodeFill, style?.stroke ?? COLOURS.nodeStroke, style?.dash)}${textLines(node.lines, centreOf(node), TEXT.size, TEXT.line, style?.color ?? COLOURS.text)}</g>`,
    );
  }
  parts.push("</svg>");
  return { svg: parts.join(""), width: layout.width, height: layout.height };
}

/** Lay out and draw a chart: the process map as HTML, PDF and Word show it. */
export function drawFlowchart(chart: Flowchart, measure: TextMeasure, options: { id: string; title: string }): DrawnFlowchart {
  return writeSvg(chart, layoutFlowchart(chart, measure), options);
}
