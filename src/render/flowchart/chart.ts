// A flowchart as data: what the process map says, before it is written as Mermaid (Markdown and
// Word keep that text) or laid out and drawn as SVG (HTML, PDF and Word's picture). Both come
// from this one value, so the map a reader sees and the Mermaid a reader copies cannot disagree.

export type NodeShape =
  /** A plain step. */
  | "box"
  /** A meeting. */
  | "rounded"
  /** Start, end, hold, milestones and connectors. */
  | "stadium"
  /** A sign-off checkpoint: a box with doubled sides. */
  | "subroutine"
  /** A decision. */
  | "diamond";

export interface FlowNode {
  readonly id: string;
  /** Plain text, one entry per line. */
  readonly lines: readonly string[];
  readonly shape: NodeShape;
  /** A class of `Flowchart.classes`. */
  readonly className?: string;
}

export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dashed?: boolean;
}

/** A group drawn as a titled box whose nodes run top to bottom. Its edges stay inside it. */
export interface FlowCluster {
  readonly id: string;
  readonly label: string;
  readonly nodes: readonly FlowNode[];
  readonly edges: readonly FlowEdge[];
}

export interface ClassStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly color?: string;
  readonly dash?: string;
}

/**
 * Left to right: the top-level nodes, then the clusters in order. Top-level edges join top-level
 * nodes and clusters (an edge to or from a cluster id meets the cluster's box).
 */
export interface Flowchart {
  readonly spacing: { readonly node: number; readonly rank: number; readonly padding: number };
  readonly nodes: readonly FlowNode[];
  readonly clusters: readonly FlowCluster[];
  readonly edges: readonly FlowEdge[];
  readonly classes: Readonly<Record<string, ClassStyle>>;
}

/** Every node, top-level first, then cluster by cluster, in the order they were declared. */
export function allNodes(chart: Flowchart): FlowNode[] {
  return [...chart.nodes, ...chart.clusters.flatMap((c) => c.nodes)];
}
