// `onboard export --format bpmn`: a playbook as a BPMN 2.0 model with its diagram, for Camunda
// Modeler, bpmn.io and any BPMN engine that runs JavaScript conditions (bpmn-engine does).
import type { PlaybookModel } from "../../playbook/model.ts";
import { buildGraph, safeId } from "./graph.ts";
import { layoutDiagram } from "./layout.ts";
import { writeXml } from "./write.ts";

export { callProcessId, taskId } from "./graph.ts";

export interface BpmnExport {
  readonly xml: string;
  /** Criteria kept as CEL text only: a BPMN engine cannot evaluate them as exported. */
  readonly untranslated: readonly string[];
}

export async function exportBpmn(model: PlaybookModel, exporterVersion = "1"): Promise<BpmnExport> {
  const graph = buildGraph(model);
  const layout = layoutDiagram(graph.processes);
  const playbook = model.playbook;
  const xml = await writeXml(graph, layout, {
    id: safeId(playbook.id),
    name: `${playbook.document.id} ${playbook.document.title} v${playbook.document.version}`,
    exporterVersion,
  });
  return { xml, untranslated: [...new Set(graph.untranslated)] };
}
