// Bytes to a YAML document that remembers where every value came from.
// Decoding is strict UTF-8: a mis-decoded file (seed 001's "游릭" for "🟢") must fail loudly,
// not be read as other characters.
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, Scalar } from "yaml";
import type { Finding, Path } from "./diagnostics.ts";

export interface SourceFile {
  readonly name: string;
  readonly text: string;
  readonly document: Document.Parsed;
  readonly lines: LineCounter;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let codePoint = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export type DecodeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly byte: number };

export function decodeUtf8(bytes: Uint8Array): DecodeResult {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line += 1;
        lineStart = i + 1;
      }
    }
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    return { ok: false, line, column, byte: bad };
  }
  const text = new TextDecoder("utf-8").decode(bytes);
  return { ok: true, text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

export function parseYaml(name: string, text: string): SourceFile {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  });
  return { name, text, document, lines };
}

function nodeAt(root: unknown, path: Path, wantKey: boolean): { node: Node | null; exact: boolean } {
  let current: unknown = root;
  let keyNode: Node | null = null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (isMap(current)) {
      const pair = current.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) return { node: current as Node, exact: false };
      keyNode = isScalar(pair.key) ? pair.key : null;
      if (i === path.length - 1 && wantKey && keyNode) return { node: keyNode, exact: true };
      current = pair.value ?? keyNode;
    } else if (isSeq(current) && typeof segment === "number") {
      const item = current.items[segment];
      if (item === undefined) return { node: current as Node, exact: false };
      current = item;
    } else {
      return { node: (current as Node | null) ?? null, exact: false };
    }
  }
  return { node: (current as Node | null) ?? null, exact: true };
}

/** Where a finding points in the file: the value at its path, its key, or a spot inside a string. */
export function locate(source: SourceFile, finding: Pick<Finding, "path" | "key" | "offset">): Position {
  const { node, exact } = nodeAt(source.document.contents, finding.path, finding.key === true);
  const range = node?.range;
  if (!range) return { line: 1, column: 1 };
  let offset = range[0];
  if (exact && finding.offset !== undefined && node instanceof Scalar) {
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    if (node.type === Scalar.PLAIN || quoted) offset += finding.offset + (quoted ? 1 : 0);
  }
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
