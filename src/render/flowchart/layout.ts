// Where every box, arrow and label of a flowchart goes, computed in Node: each cluster's nodes are
// ranked top to bottom by dagre (the layered layout mermaid itself uses), the top-level nodes and
// clusters then stand left to right on one centre line, each chained to the next. Pure: the
// chart and a text measure in, coordinates out.
import dagre from "@dagrejs/dagre";
import type { FlowCluster, Flowchart, FlowEdge, FlowNode, NodeShape } from "./chart.ts";
import { type TextMeasure, wrapText } from "./measure.ts";

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedNode extends Box {
  readonly id: string;
  readonly shape: NodeShape;
  readonly className?: string;
  /** The label as wrapped to fit its box. */
  readonly lines: readonly string[];
}

export interface PlacedCluster extends Box {
  readonly id: string;
  readonly title: readonly string[];
}

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  readonly dashed: boolean;
  /** From the source's border to the target's border. */
  readonly points: readonly Point[];
  readonly label?: Box & { readonly lines: readonly string[] };
}

export interface MapLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly clusters: readonly PlacedCluster[];
  readonly edges: readonly PlacedEdge[];
}

/** Sizes in CSS pixels; the SVG writer uses the same. */
export const TEXT = {
  size: 16,
  line: 22,
  edgeSize: 13,
  edgeLine: 17,
  titleSize: 15,
  titleLine: 20,
} as const;

const NODE_TEXT_WIDTH = 190;
const DECISION_TEXT_WIDTH = 150;
const EDGE_TEXT_WIDTH = 150;
export const PAD_X = 14;
const PAD_Y = 9;
const DIAMOND_ASPECT = 1.5;
const CLUSTER_PAD = 14;
const CLUSTER_TITLE_WIDTH = 320;
const CLUSTER_GAP = 56;
/** From a cluster's top edge to its title's first line. */
export const CLUSTER_TITLE_TOP = 8;
const MARGIN = 8;

interface Sized {
  readonly width: number;
  readonly height: number;
  readonly lines: string[];
}

function sizeNode(node: FlowNode, measure: TextMeasure): Sized {
  const max = node.shape === "diamond" ? DECISION_TEXT_WIDTH : NODE_TEXT_WIDTH;
  const lines = node.lines.flatMap((line) => wrapText(line, max, TEXT.size, measure));
  const textWidth = Math.max(...lines.map((l) => measure.width(l, TEXT.size)));
  const textHeight = lines.length * TEXT.line;
  const width = textWidth + 2 * PAD_X;
  const height = textHeight + 2 * PAD_Y;
  switch (node.shape) {
    case "diamond": {
      // A diamond W wide and H high holds a w × h box when w/W + h/H ≤ 1: W = w + k·h with
      // H = W / k. Wider than high (k = 1.5), so decisions do not stretch a phase's column.
      const w = textWidth + PAD_X;
      const h = textHeight + PAD_Y;
      const across = Math.ceil(w + DIAMOND_ASPECT * h);
      return { width: across, height: Math.ceil(across / DIAMOND_ASPECT), lines };
    }
    case "stadium":
      return { width: Math.ceil(textWidth + height), height, lines };
    case "subroutine":
      return { width: Math.ceil(width + 16), height, lines };
    default:
      return { width: Math.ceil(width), height, lines };
  }
}

function sizeLabel(label: string, measure: TextMeasure): Sized {
  const lines = wrapText(label, EDGE_TEXT_WIDTH, TEXT.edgeSize, measure);
  const width = Math.ceil(Math.max(...lines.map((l) => measure.width(l, TEXT.edgeSize))) + 8);
  return { width, height: lines.length * TEXT.edgeLine + 4, lines };
}

/** Where the line from a shape's centre towards `toward` leaves the shape. */
function borderPoint(box: Box, shape: NodeShape, toward: Point): Point {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const a = box.width / 2;
  const b = box.height / 2;
  const t = shape === "diamond" ? 1 / (Math.abs(dx) / a + Math.abs(dy) / b) : 1 / Math.max(Math.abs(dx) / a, Math.abs(dy) / b);
  return { x: cx + t * dx, y: cy + t * dy };
}

interface ClusterLayout {
  readonly width: number;
  readonly height: number;
  /** Coordinates relative to the cluster's top-left corner. */
  readonly nodes: PlacedNode[];
  readonly edges: PlacedEdge[];
  readonly title: string[];
}

function layoutCluster(cluster: FlowCluster, chart: Flowchart, measure: TextMeasure): ClusterLayout {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: "TB", nodesep: chart.spacing.node, ranksep: chart.spacing.rank, edgesep: 12, marginx: 0, marginy: 0 });
  const sized = new Map<string, Sized & { node: FlowNode }>();
  for (const node of cluster.nodes) {
    const size = sizeNode(node, measure);
    sized.set(node.id, { ...size, node });
    graph.setNode(node.id, { width: size.width, height: size.height });
  }
  const labels = new Map<number, Sized>();
  cluster.edges.forEach((edge, i) => {
    for (const end of [edge.from, edge.to]) {
      if (!sized.has(end)) throw new Error(`edge ${edge.from} → ${edge.to} of ${cluster.id} leaves the cluster (${end})`);
    }
    const label = edge.label ? sizeLabel(edge.label, measure) : undefined;
    if (label) labels.set(i, label);
    graph.setEdge(edge.from, edge.to, label ? { width: label.width, height: label.height, labelpos: "c" } : {}, String(i));
  });
  dagre.layout(graph);
  const size = graph.graph();
  // dagre gives an empty graph no finite size.
  const contentWidth = Number.isFinite(size.width) ? (size.width as number) : 0;
  const contentHeight = Number.isFinite(size.height) ? (size.height as number) : 0;
  const titleWidth = Math.max(contentWidth, CLUSTER_TITLE_WIDTH);
  const title = wrapText(cluster.label, titleWidth, TEXT.titleSize, measure);
  const width = Math.ceil(Math.max(contentWidth, ...title.map((l) => measure.width(l, TEXT.titleSize))) + 2 * CLUSTER_PAD);
  const top = CLUSTER_TITLE_TOP + title.length * TEXT.titleLine + CLUSTER_PAD;
  const left = (width - contentWidth) / 2;
  const nodes = new Map<string, PlacedNode>();
  for (const [id, s] of sized) {
    const placed = graph.node(id);
    const x = left + (placed.x ?? 0) - s.width / 2;
    const y = top + (placed.y ?? 0) - s.height / 2;
    const { node } = s;
    nodes.set(id, {
      id,
      x,
      y,
      width: s.width,
      height: s.height,
      shape: node.shape,
      lines: s.lines,
      ...(node.className ? { className: node.className } : {}),
    });
  }
  const edges = cluster.edges.map((edge, i): PlacedEdge => {
    const placed = graph.edge(edge.from, edge.to, String(i));
    const inner = ((placed.points ?? []) as Point[]).map((p) => ({ x: left + p.x, y: top + p.y }));
    const from = nodes.get(edge.from) as PlacedNode;
    const to = nodes.get(edge.to) as PlacedNode;
    const label = labels.get(i);
    return {
      from: edge.from,
      to: edge.to,
      dashed: edge.dashed === true,
      points: clip(inner, from, to),
      ...(label
        ? {
            label: {
              x: left + (placed.x ?? 0) - label.width / 2,
              y: top + (placed.y ?? 0) - label.height / 2,
              width: label.width,
              height: label.height,
              lines: label.lines,
            },
          }
        : {}),
    };
  });
  return { width, height: Math.ceil(top + contentHeight + CLUSTER_PAD), nodes: [...nodes.values()], edges, title };
}

/** dagre ends edges at bounding boxes; a diamond's corners are empty, so the ends are moved onto each shape's border. */
function clip(points: readonly Point[], from: PlacedNode, to: PlacedNode): Point[] {
  const inner = points.slice(1, -1);
  const first = inner[0] ?? { x: to.x + to.width / 2, y: to.y + to.height / 2 };
  const last = inner[inner.length - 1] ?? { x: from.x + from.width / 2, y: from.y + from.height / 2 };
  return [borderPoint(from, from.shape, first), ...inner, borderPoint(to, to.shape, last)];
}

const shift = (p: Point, dx: number, dy: number): Point => ({ x: p.x + dx, y: p.y + dy });

export function layoutFlowchart(chart: Flowchart, measure: TextMeasure): MapLayout {
  const items: ({ kind: "node"; node: FlowNode; size: Sized } | { kind: "cluster"; cluster: FlowCluster; layout: ClusterLayout })[] = [
    ...chart.nodes.map((node) => ({ kind: "node" as const, node, size: sizeNode(node, measure) })),
    ...chart.clusters.map((cluster) => ({ kind: "cluster" as const, cluster, layout: layoutCluster(cluster, chart, measure) })),
  ];
  const heightOf = (item: (typeof items)[number]) => (item.kind === "node" ? item.size.height : item.layout.height);
  const widthOf = (item: (typeof items)[number]) => (item.kind === "node" ? item.size.width : item.layout.width);
  const height = Math.max(0, ...items.map(heightOf));
  const nodes: PlacedNode[] = [];
  const clusters: PlacedCluster[] = [];
  const edges: PlacedEdge[] = [];
  const boxes = new Map<string, Box & { shape: NodeShape }>();
  let x = MARGIN;
  for (const item of items) {
    const y = MARGIN + (height - heightOf(item)) / 2;
    if (item.kind === "node") {
      const { node, size } = item;
      const placed = {
        id: node.id,
        x,
        y,
        width: size.width,
        height: size.height,
        shape: node.shape,
        lines: size.lines,
        ...(node.className ? { className: node.className } : {}),
      };
      nodes.push(placed);
      boxes.set(node.id, placed);
    } else {
      const { cluster, layout } = item;
      clusters.push({ id: cluster.id, x, y, width: layout.width, height: layout.height, title: layout.title });
      boxes.set(cluster.id, { x, y, width: layout.width, height: layout.height, shape: "box" });
      for (const node of layout.nodes) nodes.push({ ...node, x: node.x + x, y: node.y + y });
      for (const edge of layout.edges) {
        edges.push({
          ...edge,
          points: edge.points.map((p) => shift(p, x, y)),
          ...(edge.label ? { label: { ...edge.label, x: edge.label.x + x, y: edge.label.y + y } } : {}),
        });
      }
    }
    x += widthOf(item) + CLUSTER_GAP;
  }
  for (const edge of chart.edges) edges.push(topLevelEdge(edge, boxes));
  return { width: Math.ceil(x - CLUSTER_GAP + MARGIN), height: Math.ceil(height + 2 * MARGIN), nodes, clusters, edges };
}

/** Top-level items share a centre line: an edge between them runs straight along it. */
function topLevelEdge(edge: FlowEdge, boxes: ReadonlyMap<string, Box & { shape: NodeShape }>): PlacedEdge {
  const from = boxes.get(edge.from);
  const to = boxes.get(edge.to);
  if (!from || !to) throw new Error(`edge ${edge.from} → ${edge.to}: no such node or cluster at the top level`);
  const centre = (b: Box): Point => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
  return {
    from: edge.from,
    to: edge.to,
    dashed: edge.dashed === true,
    points: [borderPoint(from, from.shape, centre(to)), borderPoint(to, to.shape, centre(from))],
  };
}
