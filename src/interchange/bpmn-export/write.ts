// The graph and its layout as BPMN 2.0 XML, written through bpmn-moddle so that it is well formed
// and valid against the BPMN metamodel by construction (no string templates of XML).
import { BpmnModdle, type ModdleElement } from "bpmn-moddle";
import type { BpmnGraph, FlowGraph, GraphNode, ProcessGraph } from "./graph.ts";
import type { DiagramLayout, PlaneLayout } from "./layout.ts";

const TYPE: Readonly<Record<GraphNode["kind"], string>> = {
  startEvent: "bpmn:StartEvent",
  endEvent: "bpmn:EndEvent",
  userTask: "bpmn:UserTask",
  callActivity: "bpmn:CallActivity",
  exclusiveGateway: "bpmn:ExclusiveGateway",
  parallelGateway: "bpmn:ParallelGateway",
  boundaryEvent: "bpmn:BoundaryEvent",
  subProcess: "bpmn:SubProcess",
};

export interface WriteOptions {
  readonly id: string;
  readonly name: string;
  readonly exporterVersion: string;
}

export async function writeXml(graph: BpmnGraph, layout: DiagramLayout, options: WriteOptions): Promise<string> {
  const moddle = new BpmnModdle();
  const docs = (text: string | undefined) => (text ? { documentation: [moddle.create("bpmn:Documentation", { text })] } : {});
  const escalations = new Map(
    graph.escalations.map((e) => [e.id, moddle.create("bpmn:Escalation", { id: e.id, name: e.name, escalationCode: e.code })]),
  );
  const messages = new Map<string, ModdleElement>();
  const errors = new Map(graph.errors.map((e) => [e.id, moddle.create("bpmn:Error", { id: e.id, name: e.name, errorCode: e.code })]));
  const elements = new Map<string, ModdleElement>();

  /** The flow elements of a process or sub-process, registered by id for the diagram. */
  const flowElements = (container: FlowGraph): { nodes: Map<string, ModdleElement>; all: ModdleElement[] } => {
    const nodes = new Map<string, ModdleElement>();
    for (const node of container.nodes) {
      const attrs: Record<string, unknown> = { id: node.id, ...(node.name ? { name: node.name } : {}), ...docs(node.documentation) };
      if (node.kind === "callActivity") attrs.calledElement = node.calledElement;
      // A deadline only escalates; a stop (hold, end) ends the loop it is attached to.
      if (node.kind === "boundaryEvent") attrs.cancelActivity = node.error !== undefined;
      const definitions: ModdleElement[] = [];
      if (node.timer) {
        const expression = moddle.create("bpmn:FormalExpression", { body: node.timer.value });
        definitions.push(moddle.create("bpmn:TimerEventDefinition", { [node.timer.kind]: expression }));
      }
      if (node.error) definitions.push(moddle.create("bpmn:ErrorEventDefinition", { errorRef: errors.get(node.error.id) }));
      if (node.end === "terminate") definitions.push(moddle.create("bpmn:TerminateEventDefinition"));
      else if (node.end)
        definitions.push(moddle.create("bpmn:EscalationEventDefinition", { escalationRef: escalations.get(node.end.escalation.id) }));
      if (node.message) {
        const message = messages.get(node.message.id) ?? moddle.create("bpmn:Message", { id: node.message.id, name: node.message.name });
        messages.set(node.message.id, message);
        definitions.push(moddle.create("bpmn:MessageEventDefinition", { messageRef: message }));
      }
      if (definitions.length > 0) attrs.eventDefinitions = definitions;
      if (node.children) attrs.flowElements = flowElements(node.children).all;
      const element = moddle.create(TYPE[node.kind], attrs);
      element.incoming = [];
      element.outgoing = [];
      nodes.set(node.id, element);
      elements.set(node.id, element);
    }
    for (const node of container.nodes) {
      const element = nodes.get(node.id);
      if (element && node.attachedTo) element.attachedToRef = nodes.get(node.attachedTo);
    }
    const flows: ModdleElement[] = [];
    for (const flow of container.flows) {
      const source = nodes.get(flow.source);
      const target = nodes.get(flow.target);
      if (!source || !target) throw new Error(`flow ${flow.id} joins unknown nodes ${flow.source} -> ${flow.target}`);
      const condition = flow.condition
        ? {
            conditionExpression: moddle.create("bpmn:FormalExpression", {
              // CEL that could not be translated is kept under its own language (the CEL specification).
              language: flow.condition.language === "javascript" ? "javascript" : "https://github.com/google/cel-spec",
              body: flow.condition.body,
            }),
          }
        : {};
      const element = moddle.create("bpmn:SequenceFlow", {
        id: flow.id,
        ...(flow.name ? { name: flow.name } : {}),
        ...docs(flow.condition ? `When: ${flow.condition.cel}` : undefined),
        sourceRef: source,
        targetRef: target,
        ...condition,
      });
      (source.outgoing as ModdleElement[]).push(element);
      (target.incoming as ModdleElement[]).push(element);
      flows.push(element);
      elements.set(flow.id, element);
    }
    for (const node of container.nodes) {
      const element = nodes.get(node.id);
      if (element && node.defaultFlow) element.default = elements.get(node.defaultFlow);
    }
    return { nodes, all: [...nodes.values(), ...flows] };
  };

  const processElement = (process: ProcessGraph): ModdleElement => {
    const { nodes, all } = flowElements(process);
    const lanes = process.lanes.map((lane) =>
      moddle.create("bpmn:Lane", {
        id: `${process.id}_Lane_${lane.role}`,
        name: lane.title,
        flowNodeRef: process.nodes.filter((n) => n.lane === lane.role).map((n) => nodes.get(n.id)),
      }),
    );
    for (const lane of lanes) elements.set(String(lane.id), lane);
    return moddle.create("bpmn:Process", {
      id: process.id,
      name: process.name,
      isExecutable: process.executable,
      ...docs(process.documentation),
      laneSets: [moddle.create("bpmn:LaneSet", { id: `${process.id}_Lanes`, lanes })],
      flowElements: all,
    });
  };

  const processes = graph.processes.map(processElement);
  const participants = graph.processes.map((p, i) =>
    moddle.create("bpmn:Participant", { id: `Pool_${p.id}`, name: p.name, processRef: processes[i] }),
  );
  for (const participant of participants) elements.set(String(participant.id), participant);
  const collaboration = moddle.create("bpmn:Collaboration", { id: `Collaboration_${options.id}`, participants });

  const bounds = (b: { x: number; y: number; width: number; height: number }) => moddle.create("dc:Bounds", { ...b });
  const planeElements: ModdleElement[] = [];
  for (const pool of layout.pools) {
    planeElements.push(
      moddle.create("bpmndi:BPMNShape", {
        id: `Pool_${pool.process}_di`,
        bpmnElement: elements.get(`Pool_${pool.process}`),
        isHorizontal: true,
        bounds: bounds(pool.bounds),
      }),
    );
    for (const lane of pool.lanes) {
      const id = `${pool.process}_Lane_${lane.role}`;
      planeElements.push(
        moddle.create("bpmndi:BPMNShape", {
          id: `${id}_di`,
          bpmnElement: elements.get(id),
          isHorizontal: true,
          bounds: bounds(lane.bounds),
        }),
      );
    }
  }
  const kinds = new Map<string, GraphNode["kind"]>();
  const collect = (container: FlowGraph) => {
    for (const n of container.nodes) {
      kinds.set(n.id, n.kind);
      if (n.children) collect(n.children);
    }
  };
  for (const p of graph.processes) collect(p);
  const drawn = (plane: PlaneLayout): ModdleElement[] => [
    ...[...plane.shapes].map(([id, b]) =>
      moddle.create("bpmndi:BPMNShape", {
        id: `${id}_di`,
        bpmnElement: elements.get(id),
        ...(kinds.get(id) === "exclusiveGateway" ? { isMarkerVisible: true } : {}),
        ...(kinds.get(id) === "subProcess" ? { isExpanded: false } : {}),
        bounds: bounds(b),
      }),
    ),
    ...[...plane.edges].map(([id, points]) =>
      moddle.create("bpmndi:BPMNEdge", {
        id: `${id}_di`,
        bpmnElement: elements.get(id),
        waypoint: points.map((p) => moddle.create("dc:Point", { x: p.x, y: p.y })),
      }),
    ),
  ];
  for (const [id, b] of layout.shapes) {
    const node = { kind: kinds.get(id) };
    planeElements.push(
      moddle.create("bpmndi:BPMNShape", {
        id: `${id}_di`,
        bpmnElement: elements.get(id),
        ...(node?.kind === "exclusiveGateway" ? { isMarkerVisible: true } : {}),
        ...(node?.kind === "subProcess" ? { isExpanded: false } : {}),
        bounds: bounds(b),
      }),
    );
  }
  for (const [id, points] of layout.edges) {
    planeElements.push(
      moddle.create("bpmndi:BPMNEdge", {
        id: `${id}_di`,
        bpmnElement: elements.get(id),
        waypoint: points.map((p) => moddle.create("dc:Point", { x: p.x, y: p.y })),
      }),
    );
  }
  const diagram = moddle.create("bpmndi:BPMNDiagram", {
    id: `Diagram_${options.id}`,
    name: options.name,
    plane: moddle.create("bpmndi:BPMNPlane", { id: `Plane_${options.id}`, bpmnElement: collaboration, planeElement: planeElements }),
  });
  const definitions = moddle.create("bpmn:Definitions", {
    id: `Definitions_${options.id}`,
    name: options.name,
    targetNamespace: "https://onboard.dev/bpmn",
    exporter: "Onboard",
    exporterVersion: options.exporterVersion,
    rootElements: [collaboration, ...processes, ...escalations.values(), ...errors.values(), ...messages.values()],
    // A collapsed sub-process opens on a diagram of its own, as Camunda Modeler and bpmn.io draw it.
    diagrams: [
      diagram,
      ...[...layout.planes].map(([id, plane]) =>
        moddle.create("bpmndi:BPMNDiagram", {
          id: `Diagram_${id}`,
          plane: moddle.create("bpmndi:BPMNPlane", { id: `Plane_${id}`, bpmnElement: elements.get(id), planeElement: drawn(plane) }),
        }),
      ),
    ],
  });
  const { xml } = await moddle.toXML(definitions, { format: true });
  return xml;
}
