// One shape for everything the loader and the linter say about a playbook: a rule id, a severity,
// where it is (file, line, column), what is wrong and how to fix it.
import { closest, distance } from "fastest-levenshtein";

export type Severity = "error" | "warning" | "info";

export type Path = readonly (string | number)[];

export interface Diagnostic {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly path: Path;
}

/** A finding before it has a position; `offset` points inside the string value (CEL errors). */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: string;
  readonly path: Path;
  readonly key?: boolean;
  readonly offset?: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** "did you mean" for a misspelt id: the nearest candidate if it is close enough to be a typo. */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (list.length === 0) return undefined;
  const best = closest(input, list);
  const limit = Math.max(2, Math.floor(input.length / 3));
  return distance(input, best) <= limit ? best : undefined;
}

export function didYouMean(input: string, candidates: Iterable<string>, what: string): string {
  const list = [...candidates];
  const guess = suggest(input, list);
  if (guess) return `did you mean "${guess}"?`;
  return list.length > 0
    ? `declared ${what}: ${list.slice(0, 12).join(", ")}${list.length > 12 ? ", ..." : ""}`
    : `declare it under ${what}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? `\n    fix: ${d.fix}` : "";
  return `${d.file}:${d.line}:${d.column} ${d.severity} [${d.rule}] ${d.message}${fix}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}
