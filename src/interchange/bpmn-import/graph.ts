// A BPMN process as one flat graph: embedded subprocesses opened up (their start and end events
// joined to the flows around them), nodes classified by what they become in a playbook, back
// edges (loops) told apart from forward ones, and nodes in an order that respects the flow.
import type { Element } from "./source.ts";

export type NodeKind = "task" | "call" | "decision" | "pass" | "boundary";

export interface FlowNode {
  readonly element: Element;
  readonly kind: NodeKind;
  /** The top-level embedded subprocess it is inside (its phase), if any. */
  readonly subprocess?: Element;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** The sequence flow as written (its name, condition, whether it is a gateway's default). */
  readonly flow: Element;
}

export interface ProcessGraph {
  readonly nodes: ReadonlyMap<string, FlowNode>;
  readonly outgoing: ReadonlyMap<string, readonly Edge[]>;
  readonly incoming: ReadonlyMap<string, readonly Edge[]>;
  /** Edges that go back to a node the flow already passed: loops. */
  readonly backEdges: ReadonlySet<Edge>;
  /** Every node reached from the process's start, in flow order. */
  readonly order: readonly string[];
  /** Nodes reached only from boundary events. */
  readonly boundaryOnly: ReadonlySet<string>;
  /** Elements the graph leaves out (event subprocesses, unknown node types), for the findings. */
  readonly skipped: readonly Element[];
}

const TASKS = new Set([
  "bpmn:Task",
  "bpmn:UserTask",
  "bpmn:ManualTask",
  "bpmn:ServiceTask",
  "bpmn:ScriptTask",
  "bpmn:SendTask",
  "bpmn:ReceiveTask",
  "bpmn:BusinessRuleTask",
]);
const CHOOSING = new Set(["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway", "bpmn:EventBasedGateway"]);
const PASSING = new Set([
  "bpmn:ParallelGateway",
  "bpmn:ComplexGateway",
  "bpmn:StartEvent",
  "bpmn:EndEvent",
  "bpmn:IntermediateCatchEvent",
  "bpmn:IntermediateThrowEvent",
]);
const SUBPROCESSES = new Set(["bpmn:SubProcess", "bpmn:Transaction", "bpmn:AdHocSubProcess"]);
const NOT_FLOW = new Set([
  "bpmn:SequenceFlow",
  "bpmn:DataObject",
  "bpmn:DataObjectReference",
  "bpmn:DataStoreReference",
  "bpmn:TextAnnotation",
  "bpmn:Association",
  "bpmn:Group",
]);

function elementsOf(container: Element): Element[] {
  return (container.flowElements as Element[] | undefined) ?? [];
}

function ref(value: unknown): string | undefined {
  return (value as Element | undefined)?.id;
}

export function buildGraph(process: Element): ProcessGraph {
  const nodes = new Map<string, FlowNode>();
  const flows: Element[] = [];
  const skipped: Element[] = [];
  const subprocesses = new Map<string, Element>();

  const collect = (container: Element, top: Element | undefined): void => {
    for (const element of elementsOf(container)) {
      const id = element.id ?? "";
      if (element.$type === "bpmn:SequenceFlow") flows.push(element);
      else if (SUBPROCESSES.has(element.$type)) {
        const inside = elementsOf(element).filter((e) => e.$type !== "bpmn:SequenceFlow" && !NOT_FLOW.has(e.$type));
        // An event subprocess starts on its own event, outside the flow: left to the author.
        if (element.triggeredByEvent === true) skipped.push(element);
        // A collapsed subprocess drawn without its inside is one piece of work.
        else if (inside.length === 0) nodes.set(id, { element, kind: "task", ...(top ? { subprocess: top } : {}) });
        else {
          subprocesses.set(id, element);
          collect(element, top ?? element);
        }
      } else if (TASKS.has(element.$type)) nodes.set(id, { element, kind: "task", ...(top ? { subprocess: top } : {}) });
      else if (element.$type === "bpmn:CallActivity") nodes.set(id, { element, kind: "call", ...(top ? { subprocess: top } : {}) });
      else if (element.$type === "bpmn:BoundaryEvent") nodes.set(id, { element, kind: "boundary", ...(top ? { subprocess: top } : {}) });
      else if (CHOOSING.has(element.$type)) nodes.set(id, { element, kind: "decision", ...(top ? { subprocess: top } : {}) });
      else if (PASSING.has(element.$type)) nodes.set(id, { element, kind: "pass", ...(top ? { subprocess: top } : {}) });
      else if (!NOT_FLOW.has(element.$type)) skipped.push(element);
    }
  };
  collect(process, undefined);

  // Which flows a subprocess's inside starts from and ends at.
  const inner = (sub: Element, end: "in" | "out"): string[] => {
    const inside = elementsOf(sub).filter((e) => e.$type !== "bpmn:SequenceFlow" && e.$type !== "bpmn:BoundaryEvent");
    const events = inside.filter((e) => e.$type === (end === "in" ? "bpmn:StartEvent" : "bpmn:EndEvent"));
    const chosen =
      events.length > 0 ? events : inside.filter((e) => ((end === "in" ? e.incoming : e.outgoing) as Element[] | undefined)?.length === 0);
    return chosen.flatMap((e) => (subprocesses.has(e.id ?? "") ? inner(e, end) : [e.id ?? ""]));
  };
  const ends = (id: string, end: "in" | "out"): string[] => {
    const sub = subprocesses.get(id);
    return sub ? inner(sub, end) : [id];
  };

  const outgoing = new Map<string, Edge[]>();
  const incoming = new Map<string, Edge[]>();
  for (const flow of flows) {
    for (const from of ends(ref(flow.sourceRef) ?? "", "out")) {
      for (const to of ends(ref(flow.targetRef) ?? "", "in")) {
        if (!nodes.has(from) || !nodes.has(to)) continue;
        const edge: Edge = { from, to, flow };
        outgoing.set(from, [...(outgoing.get(from) ?? []), edge]);
        incoming.set(to, [...(incoming.get(to) ?? []), edge]);
      }
    }
  }

  // A gateway that only joins ways decides nothing (counted from the flows that lead somewhere known:
  // <outgoing> is optional, and a flow may lead out of the process).
  for (const [id, node] of nodes) {
    if (node.kind === "decision" && new Set((outgoing.get(id) ?? []).map((e) => e.flow)).size < 2) nodes.set(id, { ...node, kind: "pass" });
  }

  // Depth-first from the starts: an edge to a node still on the path is a loop.
  const backEdges = new Set<Edge>();
  const state = new Map<string, "open" | "done">();
  const finished: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "open");
    for (const edge of outgoing.get(id) ?? []) {
      const seen = state.get(edge.to);
      if (seen === "open") backEdges.add(edge);
      else if (seen === undefined) visit(edge.to);
    }
    state.set(id, "done");
    finished.push(id);
  };
  const roots = [...nodes.values()].filter(
    (n) => n.kind !== "boundary" && (incoming.get(n.element.id ?? "") ?? []).length === 0 && n.subprocess === undefined,
  );
  const starts = roots.filter((n) => n.element.$type === "bpmn:StartEvent");
  for (const root of starts.length > 0 ? starts : roots) if (!state.has(root.element.id ?? "")) visit(root.element.id ?? "");
  const main = new Set(state.keys());
  for (const node of nodes.values()) {
    if (node.kind === "boundary" && !state.has(node.element.id ?? "")) visit(node.element.id ?? "");
  }
  const order = finished.reverse();
  const boundaryOnly = new Set(order.filter((id) => !main.has(id)));
  return { nodes, outgoing, incoming, backEdges, order, boundaryOnly, skipped };
}
