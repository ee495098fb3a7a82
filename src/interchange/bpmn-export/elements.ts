// The exported model's parts before layout (processes, nodes, flows) and the builder that makes
// them: what the graph, the layout and the XML writer share.
import type { Timer } from "./timers.ts";

export type NodeKind =
  | "startEvent"
  | "endEvent"
  | "userTask"
  | "callActivity"
  | "exclusiveGateway"
  | "parallelGateway"
  | "boundaryEvent"
  | "subProcess";

export interface Escalation {
  readonly id: string;
  readonly name: string;
  readonly code: string;
}

/** A BPMN error: how a decision inside a loop's sub-process stops the project (hold, end). */
export interface ErrorDefinition {
  readonly id: string;
  readonly name: string;
  readonly code: string;
}

/** Nodes and flows of one container: a process, or a loop's sub-process. */
export interface FlowGraph {
  readonly nodes: readonly GraphNode[];
  readonly flows: readonly GraphFlow[];
}

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly name?: string;
  readonly documentation?: string;
  /** The role whose lane holds it. */
  readonly lane: string;
  /** For user tasks: the playbook step. */
  readonly step?: string;
  readonly end?: "terminate" | { readonly escalation: Escalation };
  readonly timer?: Timer;
  readonly attachedTo?: string;
  readonly calledElement?: string;
  /** An end event throwing this error, or a boundary event catching it (interrupting). */
  readonly error?: ErrorDefinition;
  /** For sub-processes: what is inside (drawn on a plane of its own). */
  readonly children?: FlowGraph;
  /** A start event waiting for this message (an automation's trigger). */
  readonly message?: { readonly id: string; readonly name: string };
  /** For exclusive gateways: the flow taken when no criterion holds. */
  defaultFlow?: string;
}

export interface Condition {
  /** "javascript" where the CEL could be translated (bpmn-engine runs it); the CEL text otherwise. */
  readonly language: "javascript" | "cel";
  readonly body: string;
  /** The playbook's criterion as written. */
  readonly cel: string;
}

export interface GraphFlow {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly name?: string;
  readonly condition?: Condition;
  /** A decision's branches keep their written order: the first whose criterion holds is taken. */
  readonly priority: number;
}

export interface ProcessGraph extends FlowGraph {
  readonly id: string;
  readonly name: string;
  readonly executable: boolean;
  readonly documentation?: string;
  /** Roles with a lane, in the order the playbook declares them. */
  readonly lanes: readonly { readonly role: string; readonly title: string }[];
}

export interface BpmnGraph {
  readonly processes: readonly ProcessGraph[];
  readonly escalations: readonly Escalation[];
  readonly errors: readonly ErrorDefinition[];
  /** Criteria that could not be translated to JavaScript and are kept as CEL only. */
  readonly untranslated: readonly string[];
}

/** An XML id from a playbook id: calls' steps are "call.step", and ids must stay unique. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, "-");
}

/** The user task of a step in the exported model. */
export function taskId(step: string): string {
  return `Step_${safeId(step)}`;
}

export function callProcessId(call: string): string {
  return `Procedure_${safeId(call)}`;
}
/** How a flow leaves its source: its name, criterion and order among its gateway's flows. */
export interface FlowProps {
  readonly name?: string;
  readonly condition?: Condition;
  readonly priority: number;
  /** The gateway's default flow, taken when no criterion holds. */
  readonly isDefault?: boolean;
}

/** Builds one process: the steps and calls directly inside one scope (the playbook, or one call). */
export class ProcessBuilder {
  readonly nodes = new Map<string, GraphNode>();
  readonly flows: GraphFlow[] = [];
  private count = 0;
  readonly id: string;

  constructor(id: string) {
    this.id = id;
  }

  add(node: GraphNode): string {
    this.nodes.set(node.id, node);
    return node.id;
  }

  flow(source: string, target: string, extra: FlowProps = { priority: 0 }): GraphFlow {
    const flow: GraphFlow = {
      id: `${this.id}_Flow_${++this.count}`,
      source,
      target,
      priority: extra.priority,
      ...(extra.name ? { name: extra.name } : {}),
      ...(extra.condition ? { condition: extra.condition } : {}),
    };
    this.flows.push(flow);
    if (extra.isDefault) {
      const gateway = this.nodes.get(source);
      if (gateway) gateway.defaultFlow = flow.id;
    }
    return flow;
  }
}
