// The real cause of the commonest YAML slip in a playbook: a comma or ": " inside an unquoted
// title or label. YAML then reads the rest of the text as another key (or a key inside a list), and
// the raw parser or schema error ("Nested mappings are not allowed", "unknown key", "expected text,
// found a mapping") points the author the wrong way, even to delete part of their title. These
// functions recognise those shapes and say "quote this value" instead.
import { type Document, isMap, isPair, isScalar, isSeq, type Pair, Scalar, type YAMLMap } from "yaml";
import type { Finding } from "./diagnostics.ts";
import type { SourceFile } from "./source.ts";

export interface Advice {
  readonly message: string;
  readonly fix: string;
}

function lineAround(text: string, offset: number): { line: string; start: number } {
  const start = text.lastIndexOf("\n", Math.max(0, offset - 1)) + 1;
  const end = text.indexOf("\n", offset);
  return { line: text.slice(start, end < 0 ? text.length : end), start };
}

function quoted(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** `key: value` on a block line ("  title: a: b", "- id: x"), or undefined. */
function blockPair(line: string): { key: string; value: string } | undefined {
  const match = /^\s*(?:-\s+)?([A-Za-z_][\w-]*):\s+(.*?)\s*$/.exec(line);
  return match?.[1] && match[2] !== undefined ? { key: match[1], value: match[2] } : undefined;
}

/** Advice for a YAML parse error, when its shape is a known slip; undefined otherwise. */
export function yamlErrorAdvice(text: string, code: string, pos: readonly [number, number]): Advice | undefined {
  const { line, start } = lineAround(text, pos[0]);
  if (code === "BLOCK_AS_IMPLICIT_KEY") {
    const pair = blockPair(line);
    if (!pair?.value.includes(": ")) return undefined;
    return {
      message: `the value of "${pair.key}" contains ": ", so YAML reads the text after it as another key`,
      fix: `quote this value: ${pair.key}: ${quoted(pair.value)}`,
    };
  }
  if (code === "BLOCK_IN_FLOW") {
    // Inside { } or [ ]: the offending value runs from the error to the next , } or ].
    const column = pos[0] - start;
    const rest = line.slice(column);
    const value = (/^[^,}\]]*/.exec(rest)?.[0] ?? "").trim();
    const key = /([A-Za-z_][\w-]*):\s*$/.exec(line.slice(0, column))?.[1];
    if (!value.includes(": ")) return undefined;
    return {
      message: `${key ? `the value of "${key}"` : "this value"} contains ": " inside { } or [ ], so YAML reads it as another key`,
      fix: `quote it: ${key ? `${key}: ` : ""}${quoted(value)}`,
    };
  }
  if (code === "UNEXPECTED_TOKEN") {
    const pair = blockPair(line);
    if (!pair || !/^["']/.test(pair.value)) return undefined;
    return {
      message: `the value of "${pair.key}" starts with a quote but goes on after the closing quote`,
      fix: `quote the whole value: ${pair.key}: ${quoted(pair.value)}`,
    };
  }
  return undefined;
}

function plainText(node: unknown): string | undefined {
  return isScalar(node) && node.type === Scalar.PLAIN && typeof node.value === "string" ? node.value : undefined;
}

/**
 * A schema finding whose real cause is an unquoted comma or ": " in a { } mapping or [ ] list:
 * - `{ sign_off: The plan, signed }` gives an unknown key "signed": the comma ended the value;
 * - `[All clients, partners: EMEA]` gives a mapping where text was expected: the ": " made a key.
 */
export function schemaFindingAdvice(document: Document.Parsed, finding: Finding): Advice | undefined {
  if (finding.rule === "schema/unknown-key") {
    const parent = document.getIn(finding.path.slice(0, -1), true);
    if (!isMap(parent) || !(parent as YAMLMap).flow) return undefined;
    const items = (parent as YAMLMap).items as Pair[];
    const index = items.findIndex((p) => isScalar(p.key) && p.key.value === finding.path.at(-1));
    const pair = items[index];
    const before = items[index - 1];
    if (!pair || !before || pair.value !== null || !isScalar(before.key)) return undefined;
    const value = plainText(before.value);
    if (value === undefined) return undefined;
    const key = String(before.key.value);
    const whole = `${value}, ${String((pair.key as Scalar).value)}`;
    return {
      message: `"${String((pair.key as Scalar).value)}" is read as a key because the comma before it ends the value of "${key}" inside { }`,
      fix: `quote the whole value: ${key}: ${quoted(whole)}`,
    };
  }
  if (finding.rule === "schema/type" && finding.message.startsWith("expected text, found a mapping")) {
    const node = document.getIn(finding.path, true);
    const parent = document.getIn(finding.path.slice(0, -1), true);
    if (!isMap(node) || !isSeq(parent) || !parent.flow || node.items.length !== 1) return undefined;
    const [only] = node.items;
    if (!isPair(only)) return undefined;
    const key = plainText(only.key);
    const value = only.value === null ? "" : plainText(only.value);
    if (key === undefined || value === undefined) return undefined;
    const whole = `${key}: ${value}`.trimEnd();
    return {
      message: `the item "${whole}" contains ": ", so YAML reads it as a key and a value inside [ ]`,
      fix: `quote the item: ${quoted(whole)}`,
    };
  }
  return undefined;
}

/** The findings with the advice applied where it fits. */
export function withYamlAdvice(source: SourceFile, findings: readonly Finding[]): Finding[] {
  return findings.map((f) => {
    const advice = schemaFindingAdvice(source.document, f);
    return advice ? { ...f, rule: "source/quote", ...advice } : f;
  });
}
