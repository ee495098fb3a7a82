// What every part of one import shares: the graph and its questions (which steps a node waits for,
// where a flow leads), step ids and roles as they are handed out, and the findings so far.
import type { ImportFinding } from "../draft.ts";
import type { Edge, FlowNode, ProcessGraph } from "./graph.ts";
import { oneLine, ownerOf, type RoleGuess, slug } from "./owners.ts";
import type { BpmnDialect, Element } from "./source.ts";

export type Json = { [key: string]: unknown };

export interface ImportInput {
  readonly process: Element;
  readonly graph: ProcessGraph;
  readonly dialect: BpmnDialect;
  readonly lineOf: (id: string | undefined) => number;
  readonly fileName: string;
  readonly today: string;
}

/** The text of an element's documentation, paragraphs joined. */
export function documentation(element: Element): string | undefined {
  const text = ((element.documentation as Element[] | undefined) ?? [])
    .map((d) => String(d.text ?? "").trim())
    .filter((t) => t !== "")
    .join("\n\n");
  return text === "" ? undefined : text;
}

export function eventDefinition(element: Element): Element | undefined {
  return ((element.eventDefinitions as Element[] | undefined) ?? [])[0];
}

/** An expression element's text (a condition, a timer's duration). */
export function body(expression: unknown): string | undefined {
  const text = (expression as Element | undefined)?.body;
  return typeof text === "string" && text.trim() !== "" ? text.trim() : undefined;
}

/** "userTask", "exclusiveGateway", "timerEventDefinition": the BPMN name of an element's type. */
export function typeName(element: Element): string {
  const bare = element.$type.replace(/^bpmn:/, "");
  return bare.charAt(0).toLowerCase() + bare.slice(1);
}

export class ImportContext {
  readonly input: ImportInput;
  readonly graph: ProcessGraph;
  readonly findings: ImportFinding[] = [];
  readonly roles = new Map<string, RoleGuess>();
  /** Nodes of the main flow: a boundary event's own path is a side way nothing waits for. */
  readonly #main: ReadonlySet<string>;
  readonly #lanes = new Map<string, Element>();
  readonly #ids = new Map<string, string>();
  readonly #used = new Set<string>();
  readonly #preds = new Map<string, string[]>();

  constructor(input: ImportInput) {
    this.input = input;
    this.graph = input.graph;
    this.#main = new Set(input.graph.order.filter((id) => !input.graph.boundaryOnly.has(id)));
    const walk = (lanes: Element[]): void => {
      for (const lane of lanes) {
        for (const node of (lane.flowNodeRef as Element[] | undefined) ?? []) this.#lanes.set(node.id ?? "", lane);
        walk(((lane.childLaneSet as Element | undefined)?.lanes as Element[] | undefined) ?? []);
      }
    };
    for (const set of (input.process.laneSets as Element[] | undefined) ?? []) walk((set.lanes as Element[] | undefined) ?? []);
  }

  find(element: Element | undefined, severity: ImportFinding["severity"], message: string): void {
    this.findings.push({ line: this.input.lineOf(element?.id), ...(element?.id ? { element: element.id } : {}), severity, message });
  }

  node(id: string): FlowNode {
    const node = this.graph.nodes.get(id);
    if (!node) throw new Error(`no flow node ${id}`);
    return node;
  }

  /** The step id of a node: readable (from its name), unique, the same each time it is asked. */
  stepId(id: string): string {
    const known = this.#ids.get(id);
    if (known) return known;
    const element = this.node(id).element;
    const base = slug(oneLine(element.name)) || slug(element.id ?? "") || "step";
    let stepId = base;
    for (let n = 2; this.#used.has(stepId); n++) stepId = `${base}_${n}`;
    this.#used.add(stepId);
    this.#ids.set(id, stepId);
    return stepId;
  }

  /** The role that owns a node (declared on first use); what could not be read is a finding. */
  ownerFor(node: FlowNode): string {
    // A subprocess's inside is drawn in the subprocess's lane.
    const lane = this.#lanes.get(node.element.id ?? "") ?? this.#lanes.get(node.subprocess?.id ?? "");
    const { role, problems } = ownerOf(node.element, this.input.dialect, lane);
    for (const p of problems) this.find(node.element, "warning", p.message);
    if (!this.roles.has(role.id)) this.roles.set(role.id, role);
    return role.id;
  }

  isStep(id: string): boolean {
    const kind = this.graph.nodes.get(id)?.kind;
    return kind === "task" || kind === "call" || kind === "decision";
  }

  /** The main flow's edges into a node, loops left out. */
  forward(id: string): Edge[] {
    return (this.graph.incoming.get(id) ?? []).filter((e) => !this.graph.backEdges.has(e) && this.#main.has(e.from));
  }

  /** The steps a node waits for: its nearest step predecessors, through gateways and events. */
  predsOf(id: string): string[] {
    const cached = this.#preds.get(id);
    if (cached) return cached;
    this.#preds.set(id, []);
    const found = new Set<string>();
    for (const edge of this.forward(id)) {
      if (this.graph.nodes.get(edge.from)?.kind === "boundary") continue;
      if (this.isStep(edge.from)) found.add(edge.from);
      else for (const p of this.predsOf(edge.from)) found.add(p);
    }
    const result = [...found];
    this.#preds.set(id, result);
    return result;
  }

  /** The first steps a flow reaches going forward from a node (where a branch leads). */
  stepsAhead(id: string, seen: Set<string> = new Set()): string[] {
    if (seen.has(id)) return [];
    seen.add(id);
    if (this.isStep(id)) return [id];
    return (this.graph.outgoing.get(id) ?? []).flatMap((e) => this.stepsAhead(e.to, seen));
  }

  /** Whether the flow leads from one node to another (along loops too, unless forwardOnly). */
  leadsTo(from: string, to: string, forwardOnly = false): boolean {
    const seen = new Set<string>();
    const queue = [from];
    while (queue.length > 0) {
      const id = queue.pop() ?? "";
      if (id === to) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const edge of this.graph.outgoing.get(id) ?? []) if (!forwardOnly || !this.graph.backEdges.has(edge)) queue.push(edge.to);
    }
    return false;
  }

  /** The main flow's steps, in flow order. */
  mainSteps(): string[] {
    return this.graph.order.filter((id) => this.isStep(id) && this.#main.has(id));
  }
}
