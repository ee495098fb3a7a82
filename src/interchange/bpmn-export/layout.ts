// Where each element of the exported processes is drawn (BPMN diagram interchange): one pool per
// process, stacked; a lane per role; left to right by dependency rank (the longest chain of flows
// before a node, loops left out); nodes of the same rank and lane one below the other. Flows are
// drawn with right angles; a loop goes back along the bottom of its row, inside its lanes.
import type { FlowGraph, GraphFlow, GraphNode, NodeKind, ProcessGraph } from "./graph.ts";

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface PoolLayout {
  readonly process: string;
  readonly bounds: Bounds;
  readonly lanes: readonly { readonly role: string; readonly bounds: Bounds }[];
}

export interface PlaneLayout {
  readonly shapes: ReadonlyMap<string, Bounds>;
  readonly edges: ReadonlyMap<string, readonly Point[]>;
}

export interface DiagramLayout extends PlaneLayout {
  readonly pools: readonly PoolLayout[];
  /** Each sub-process's inside, drawn on a plane of its own (opened from the collapsed shape). */
  readonly planes: ReadonlyMap<string, PlaneLayout>;
}

const SIZE: Readonly<Record<NodeKind, { readonly width: number; readonly height: number }>> = {
  userTask: { width: 100, height: 80 },
  callActivity: { width: 100, height: 80 },
  exclusiveGateway: { width: 50, height: 50 },
  parallelGateway: { width: 50, height: 50 },
  startEvent: { width: 36, height: 36 },
  endEvent: { width: 36, height: 36 },
  boundaryEvent: { width: 36, height: 36 },
  subProcess: { width: 100, height: 80 },
};
const COLUMN = 170;
const ROW = 180;
/** The pool's and the lanes' name bands on the left. */
const BAND = 30;
const MARGIN = 30;
const POOL_GAP = 40;

/** Each node's column: the longest chain of forward flows leading to it. */
function ranks(process: FlowGraph, placedApart: ReadonlySet<string>): { rank: Map<string, number>; back: Set<string> } {
  const nodes = process.nodes.filter((n) => !placedApart.has(n.id));
  const out = new Map<string, GraphFlow[]>(nodes.map((n) => [n.id, []]));
  const incoming = new Set<string>();
  for (const f of process.flows) {
    if (placedApart.has(f.source) || placedApart.has(f.target)) continue;
    out.get(f.source)?.push(f);
    incoming.add(f.target);
  }
  // Depth-first from the starts: a flow to a node still on the path closes a loop.
  const back = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const f of out.get(id) ?? []) {
      const s = state.get(f.target);
      if (s === "open") back.add(f.id);
      else if (s === undefined) visit(f.target);
    }
    state.set(id, "done");
  };
  for (const n of nodes) if (!incoming.has(n.id)) visit(n.id);
  for (const n of nodes) if (!state.has(n.id)) visit(n.id);
  const rank = new Map<string, number>();
  const indegree = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  for (const list of out.values()) for (const f of list) if (!back.has(f.id)) indegree.set(f.target, (indegree.get(f.target) ?? 0) + 1);
  const queue = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) rank.set(id, 0);
  while (queue.length > 0) {
    const id = queue.shift() ?? "";
    for (const f of out.get(id) ?? []) {
      if (back.has(f.id)) continue;
      rank.set(f.target, Math.max(rank.get(f.target) ?? 0, (rank.get(id) ?? 0) + 1));
      const left = (indegree.get(f.target) ?? 0) - 1;
      indegree.set(f.target, left);
      if (left === 0) queue.push(f.target);
    }
  }
  return { rank, back };
}

function centre(b: Bounds): Point {
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

export function layoutDiagram(processes: readonly ProcessGraph[]): DiagramLayout {
  const shapes = new Map<string, Bounds>();
  const edges = new Map<string, Point[]>();
  const planes = new Map<string, PlaneLayout>();
  const pools: PoolLayout[] = [];
  let top = 0;
  const addPlanes = (graph: FlowGraph) => {
    for (const node of graph.nodes) {
      if (!node.children) continue;
      const plane = { shapes: new Map<string, Bounds>(), edges: new Map<string, Point[]>() };
      layoutContainer(node.children, [{ role: node.lane }], 0, plane.shapes, plane.edges);
      planes.set(node.id, plane);
      addPlanes(node.children);
    }
  };
  for (const process of processes) {
    const pool = layoutContainer(process, process.lanes, top, shapes, edges);
    pools.push({ process: process.id, ...pool });
    addPlanes(process);
    top = pool.bounds.y + pool.bounds.height + POOL_GAP;
  }
  return { pools, shapes, edges, planes };
}

/** One pool (or a sub-process's plane, one lane): its lanes' bounds, and its nodes and flows drawn into the maps. */
function layoutContainer(
  process: FlowGraph,
  laneRoles: readonly { readonly role: string }[],
  top: number,
  shapes: Map<string, Bounds>,
  edges: Map<string, Point[]>,
): Omit<PoolLayout, "process"> {
  const byId = new Map<string, GraphNode>(process.nodes.map((n) => [n.id, n]));
  // A boundary event sits on its host and its outcome right below: not part of the columns.
  const boundaries = process.nodes.filter((n) => n.kind === "boundaryEvent");
  const afterBoundary = new Map<string, string>();
  for (const f of process.flows) if (byId.get(f.source)?.kind === "boundaryEvent") afterBoundary.set(f.target, f.source);
  const apart = new Set([...boundaries.map((n) => n.id), ...afterBoundary.keys()]);
  const { rank, back } = ranks(process, apart);
  const rows = new Map<string, number>();
  const laneRows = new Map<string, number>(laneRoles.map((l) => [l.role, 1]));
  const row = new Map<string, number>();
  const ordered = process.nodes.filter((n) => !apart.has(n.id)).sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  for (const n of ordered) {
    const key = `${n.lane}\u0000${rank.get(n.id) ?? 0}`;
    const r = rows.get(key) ?? 0;
    rows.set(key, r + 1);
    row.set(n.id, r);
    laneRows.set(n.lane, Math.max(laneRows.get(n.lane) ?? 1, r + 1));
  }
  const columns = Math.max(0, ...rank.values()) + 1;
  const width = BAND * 2 + MARGIN * 2 + columns * COLUMN;
  const lanes: { role: string; bounds: Bounds }[] = [];
  let y = top;
  for (const lane of laneRoles) {
    const height = (laneRows.get(lane.role) ?? 1) * ROW;
    lanes.push({ role: lane.role, bounds: { x: BAND, y, width: width - BAND, height } });
    y += height;
  }
  const laneTop = new Map(lanes.map((l) => [l.role, l.bounds.y]));
  for (const n of ordered) {
    const size = SIZE[n.kind];
    const cx = BAND * 2 + MARGIN + (rank.get(n.id) ?? 0) * COLUMN + 50;
    const cy = (laneTop.get(n.lane) ?? top) + (row.get(n.id) ?? 0) * ROW + 50;
    shapes.set(n.id, { x: cx - size.width / 2, y: cy - size.height / 2, ...size });
  }
  const onHost = new Map<string, number>();
  for (const n of boundaries) {
    const host = shapes.get(n.attachedTo ?? "");
    if (!host) continue;
    // Several on one host (a sub-process that can stop two ways) sit side by side.
    const index = onHost.get(n.attachedTo ?? "") ?? 0;
    onHost.set(n.attachedTo ?? "", index + 1);
    const b = { x: host.x + 64 - index * 40, y: host.y + host.height - 18, width: 36, height: 36 };
    shapes.set(n.id, b);
    for (const [target, source] of afterBoundary)
      if (source === n.id) shapes.set(target, { x: b.x, y: host.y + host.height + 30, width: 36, height: 36 });
  }
  for (const f of process.flows) {
    const s = shapes.get(f.source);
    const t = shapes.get(f.target);
    if (!s || !t) continue;
    edges.set(f.id, route(s, t, back.has(f.id) || t.x <= s.x, byId.get(f.source)?.kind === "boundaryEvent", laneTop, byId, f));
  }
  return { bounds: { x: 0, y: top, width, height: y - top }, lanes };
}

function route(
  s: Bounds,
  t: Bounds,
  backwards: boolean,
  fromBoundary: boolean,
  laneTop: ReadonlyMap<string, number>,
  byId: ReadonlyMap<string, GraphNode>,
  f: GraphFlow,
): Point[] {
  const sc = centre(s);
  const tc = centre(t);
  if (fromBoundary)
    return [
      { x: sc.x, y: s.y + s.height },
      { x: tc.x, y: t.y },
    ];
  if (backwards) {
    // Along the bottom of the lower of the two rows, below any deadline's outcome.
    const rowOf = (b: Bounds, id: string) => {
      const laneY = laneTop.get(byId.get(id)?.lane ?? "") ?? 0;
      return laneY + Math.floor((b.y - laneY) / ROW) * ROW;
    };
    const bottom = Math.max(rowOf(s, f.source), rowOf(t, f.target)) + ROW - 6;
    return [
      { x: sc.x, y: s.y + s.height },
      { x: sc.x, y: bottom },
      { x: tc.x, y: bottom },
      { x: tc.x, y: t.y + t.height },
    ];
  }
  const from = { x: s.x + s.width, y: sc.y };
  const to = { x: t.x, y: tc.y };
  if (Math.abs(from.y - to.y) < 1) return [from, to];
  // In the gap before the target's column, clear of every node in it.
  const bend = tc.x - SIZE.userTask.width / 2 - (COLUMN - SIZE.userTask.width) / 2;
  return [from, { x: bend, y: from.y }, { x: bend, y: to.y }, to];
}
