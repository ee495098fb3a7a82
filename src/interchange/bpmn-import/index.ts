// `onboard import <file.bpmn>`: a BPMN 2.0 model (Camunda 7, Camunda 8 or plain) as a draft playbook.
import { Document, isMap, isNode, isPair, isScalar, Scalar, visit } from "yaml";
import type { DraftImport, ImportFinding } from "../draft.ts";
import { declarePlaceholders } from "../placeholders.ts";
import { buildDraft } from "./build.ts";
import { buildGraph } from "./graph.ts";
import { BpmnImportError, type BpmnSource, type Element, readBpmn } from "./source.ts";

export { BpmnImportError } from "./source.ts";

export interface BpmnImportOptions {
  /** The file's name, for the draft's comments. */
  readonly fileName: string;
  /** Today as YYYY-MM-DD: the draft's effective date (the review date is a year later). */
  readonly today: string;
}

function taskCount(process: Element): number {
  const count = (container: Element): number =>
    ((container.flowElements as Element[] | undefined) ?? []).reduce(
      (n, e) => n + (/Task$|^bpmn:CallActivity$/.test(e.$type) ? 1 : 0) + (e.flowElements ? count(e) : 0),
      0,
    );
  return count(process);
}

/** The process to import: the one with the most tasks (a collaboration's other pools are listed). */
function chooseProcess(source: BpmnSource, findings: ImportFinding[]): Element {
  const processes = ((source.definitions.rootElements as Element[] | undefined) ?? []).filter((e) => e.$type === "bpmn:Process");
  const ranked = [...processes].sort((a, b) => taskCount(b) - taskCount(a));
  const chosen = ranked[0];
  if (!chosen || taskCount(chosen) === 0)
    throw new BpmnImportError("the model has no process with tasks; a playbook needs at least one task to make a step of");
  for (const other of ranked.slice(1)) {
    if (taskCount(other) === 0) continue;
    findings.push({
      line: source.lineOf(other.id),
      ...(other.id ? { element: other.id } : {}),
      severity: "warning",
      message: `the process "${other.name ?? other.id}" (another pool) was not imported: only "${chosen.name ?? chosen.id}" was; write its work as steps or a procedure`,
    });
  }
  return chosen;
}

function yamlText(playbook: object, comments: ReadonlyArray<{ path: readonly (string | number)[]; text: string }>, header: string): string {
  const doc = new Document(playbook);
  doc.commentBefore = header;
  for (const { path, text } of comments) {
    if (path.length === 1 && isMap(doc.contents)) {
      // A top-level key: the comment goes above the key, not inside its value.
      const pair = doc.contents.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[0]);
      if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
      continue;
    }
    const node = doc.getIn(path, true);
    if (isNode(node)) node.commentBefore = text;
  }
  // Branch labels such as Yes and No are text; quoted, so a YAML 1.1 tool does not read them as booleans.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && /^(y|yes|n|no|on|off)$/i.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 110 });
}

export async function importBpmn(text: string, options: BpmnImportOptions): Promise<DraftImport> {
  const source = await readBpmn(text);
  const findings: ImportFinding[] = [...source.warnings];
  const process = chooseProcess(source, findings);
  const graph = buildGraph(process);
  const built = buildDraft({
    process,
    graph,
    dialect: source.dialect,
    lineOf: source.lineOf,
    fileName: options.fileName,
    today: options.today,
  });
  // The same thing said twice about one element (an owner read for a step and its escalation) is said once.
  const said = new Set(findings.map((f) => JSON.stringify(f)));
  for (const finding of built.findings) {
    const key = JSON.stringify(finding);
    if (!said.has(key)) findings.push(finding);
    said.add(key);
  }
  // A fill-in in the model's text ({{client_name}}) is declared as a parameter, or marked «...»
  // where the language cannot hold it (an exported playbook's {{facts.user_count}}).
  const playbook = declarePlaceholders(built.playbook, {
    add: (line, severity, message, element) => findings.push({ line, severity, message, ...(element ? { element } : {}) }),
  });
  findings.sort((a, b) => a.line - b.line);
  const header = ` A draft playbook imported from ${options.fileName}. Check every guess marked below, then run onboard lint.`;
  return { yaml: yamlText(playbook, built.comments, header), findings };
}
