// "{{client_name}}" in a template SOP (or a BPMN model's documentation) is a fill-in the language knows as a parameter: each such
// name is declared under parameters:. A placeholder the language cannot hold ({{Client Name}},
// {{ x | upcase }}) is written as «...», the SOP's own mark for a value not filled in.
import { RUNTIME_PLACEHOLDERS } from "../playbook/semantics.ts";
import type { ImportFinding } from "./draft.ts";

/** Where what was declared or marked is said (each importer's own list of findings). */
export interface Findings {
  add(line: number, severity: ImportFinding["severity"], message: string, element?: string): void;
}

type Json = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const PARAMETER = /^[a-z][a-z0-9_]*$/;

function runtime(name: string): boolean {
  const [root, field, ...rest] = name.split(".");
  const spec = root === undefined ? undefined : RUNTIME_PLACEHOLDERS[root];
  return Array.isArray(spec) && field !== undefined && rest.length === 0 && spec.includes(field);
}

/** The playbook with its placeholders declared or marked, and the parameters they need. */
export function declarePlaceholders(playbook: Json, findings: Findings): Json {
  const parameters: Record<string, Json> = {};
  const marked = new Set<string>();
  const visit = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.replace(PLACEHOLDER, (whole, name: string) => {
        if (runtime(name)) return whole;
        if (PARAMETER.test(name)) {
          parameters[name] ??= { type: "string", description: `A fill-in the source document writes as {{${name}}}.` };
          return whole;
        }
        marked.add(name);
        return `«${name}»`;
      });
    }
    if (Array.isArray(value)) return value.map(visit);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    return value;
  };
  const written = visit(playbook) as Json;
  for (const name of Object.keys(parameters))
    findings.add(
      1,
      "info",
      `the placeholder {{${name}}} is declared as a parameter; give it a description and a default`,
      `parameters.${name}`,
    );
  for (const name of marked)
    findings.add(1, "info", `the placeholder {{${name}}} is not a name the language can fill (lower_snake_case); it is kept as «${name}»`);
  if (Object.keys(parameters).length === 0) return written;
  // parameters: sits before facts and roles, where a playbook's author would look for it.
  const { onboard, id, document, purpose, scope, ...rest } = written;
  return { onboard, id, document, purpose, scope, parameters, ...rest };
}
