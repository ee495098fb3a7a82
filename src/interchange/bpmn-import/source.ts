// Reading a BPMN file: which dialect it is written in, the moddle tree, and where each element is.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { BpmnModdle } from "bpmn-moddle";
import type { ImportFinding } from "../draft.ts";

export type BpmnDialect = "camunda7" | "camunda8" | "bpmn";

/** A moddle element: its BPMN type, id and whatever properties its descriptor gives it. */
export interface Element {
  readonly $type: string;
  readonly id?: string;
  readonly name?: string;
  readonly [property: string]: unknown;
}

export interface BpmnSource {
  readonly dialect: BpmnDialect;
  readonly definitions: Element;
  /** The 1-based line of an element's `id="..."` in the text (1 when it is not found). */
  readonly lineOf: (id: string | undefined) => number;
  readonly warnings: readonly ImportFinding[];
}

export const CAMUNDA7_NAMESPACE = "http://camunda.org/schema/1.0/bpmn";
export const CAMUNDA8_NAMESPACE = "http://camunda.org/schema/zeebe/1.0";
const BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL";

const require = createRequire(import.meta.url);
function descriptor(specifier: string): object {
  return JSON.parse(readFileSync(require.resolve(specifier), "utf8")) as object;
}

/**
 * Camunda 7's and Camunda 8's descriptors both define `modelerTemplate` and cannot be loaded into one
 * moddle (every element then fails to parse), so the dialect is read from the namespaces first.
 */
export function dialectOf(text: string): BpmnDialect {
  if (text.includes(CAMUNDA8_NAMESPACE)) return "camunda8";
  if (text.includes(CAMUNDA7_NAMESPACE)) return "camunda7";
  return "bpmn";
}

function moddleFor(dialect: BpmnDialect): BpmnModdle {
  if (dialect === "camunda8") return new BpmnModdle({ zeebe: descriptor("zeebe-bpmn-moddle/resources/zeebe.json") });
  if (dialect === "camunda7") return new BpmnModdle({ camunda: descriptor("camunda-bpmn-moddle/resources/camunda.json") });
  return new BpmnModdle();
}

function lineIndex(text: string): (id: string | undefined) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const lineAt = (offset: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  return (id) => {
    if (id === undefined) return 1;
    const at = new RegExp(`\\sid\\s*=\\s*["']${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`).exec(text);
    return at ? lineAt(at.index + 1) : 1;
  };
}

/** A file that cannot become a draft at all (not BPMN, unreadable, no task): said in one sentence. */
export class BpmnImportError extends Error {
  override readonly name = "BpmnImportError";
}

/** Parse a BPMN 2.0 XML text; a file that is not BPMN (or not XML) is refused with a BpmnImportError. */
export async function readBpmn(text: string): Promise<BpmnSource> {
  if (!text.includes(BPMN_NAMESPACE)) {
    throw new BpmnImportError(
      `this is not a BPMN 2.0 model: its root is not <definitions xmlns="${BPMN_NAMESPACE}">; export the diagram as BPMN 2.0 XML from the modeler`,
    );
  }
  const dialect = dialectOf(text);
  const lineOf = lineIndex(text);
  let parsed: Awaited<ReturnType<BpmnModdle["fromXML"]>>;
  try {
    parsed = await moddleFor(dialect).fromXML(text);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    throw new BpmnImportError(`this is not a readable BPMN 2.0 model (${message}); export it again as BPMN 2.0 XML`);
  }
  const warnings: ImportFinding[] = parsed.warnings.map((warning) => {
    const element = warning.element;
    const stated = /line: (\d+)/.exec(warning.message)?.[1];
    const line = stated !== undefined ? Number(stated) + 1 : lineOf(element?.id);
    return {
      line,
      ...(element?.id ? { element: element.id } : {}),
      severity: "warning",
      message: `the BPMN reader could not read this (${warning.message.split("\n")[0]}); open the model in a BPMN modeler and fix it`,
    } satisfies ImportFinding;
  });
  return { dialect, definitions: parsed.rootElement as unknown as Element, lineOf, warnings };
}
