// Test playbooks derived from the minimal fixture by editing its YAML, so each test states
// only what it breaks.
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { lintLoaded } from "../../src/lint/lint.ts";
import type { Diagnostic } from "../../src/playbook/diagnostics.ts";
import { loadPlaybook } from "../../src/playbook/load.ts";

export const MINIMAL = readFileSync(new URL("../fixtures/minimal.yaml", import.meta.url), "utf8");

type Path = (string | number)[];

/** The minimal playbook with values set (or removed, with `undefined`) at YAML paths. */
export function edited(edits: readonly [Path, unknown][], base = MINIMAL): string {
  const doc = parseDocument(base);
  for (const [path, value] of edits) {
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, doc.createNode(value));
  }
  return doc.toString();
}

export function load(text: string, file = "playbook.yaml") {
  return loadPlaybook(file, text);
}

export function lint(text: string, file = "playbook.yaml"): readonly Diagnostic[] {
  return lintLoaded(loadPlaybook(file, text)).diagnostics;
}

export function errors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not in text`);
  return text.slice(0, index).split("\n").length;
}

/** A step of a generated flow: the CSM's, with a title and an expected result. */
export function flowStep(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, title: `Step ${id}`, owner: "csm", expected_result: `${id} done.`, ...extra };
}

/** A playbook of one phase with these steps and forms (the minimal fixture's roles, facts and rules). */
export function oneFlow(steps: readonly unknown[], forms: Record<string, unknown>, window = "Days 1-30"): string {
  return edited([
    [["forms"], forms],
    [["kpis"], []],
    [["phases"], [{ id: "work", title: "Work", window, steps }]],
  ]);
}
