// What a playbook asks for before a project starts: the client facts it declares (`facts:`, with
// their types and allowed values) and the parameters an adopting company fills in
// (`parameters:`). Read from the published YAML source, as fields for the generated forms, and
// turned back into typed values for the API (which checks them again).
import { parse } from "yaml";
import type { FormField } from "./playbook.ts";

export interface InputField extends FormField {
  /** The declared type: a fact's (bool, int, double, string, date, list) or a parameter's. */
  readonly declared: string;
  readonly defaultValue?: unknown;
}

export interface PlaybookInputs {
  readonly title: string;
  readonly facts: readonly InputField[];
  readonly params: readonly InputField[];
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const humanized = (id: string) => id.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

export function readInputs(source: string): PlaybookInputs {
  const doc = obj(parse(source));
  const facts = Object.entries(obj(doc.facts))
    .filter(([, raw]) => str(obj(raw).source) !== "computed")
    .map(([id, raw]): InputField => {
      const f = obj(raw);
      const declared = str(f.type) ?? "string";
      const values = Array.isArray(f.values) ? f.values.map(String) : undefined;
      const help = str(f.description)?.trim();
      return {
        id,
        label: str(f.label) ?? humanized(id),
        type: declared === "string" && values ? "choice" : declared,
        declared,
        required: false,
        ...(values ? { options: values } : {}),
        ...(help ? { help } : {}),
        ...(f.default !== undefined ? { defaultValue: f.default } : {}),
      };
    });
  const params = Object.entries(obj(doc.parameters)).map(([id, raw]): InputField => {
    const p = obj(raw);
    const declared = str(p.type) ?? "string";
    const type = declared === "integer" ? "int" : declared === "number" ? "double" : declared === "url" ? "string" : declared;
    const help = str(p.description)?.trim();
    return {
      id,
      label: humanized(id),
      type,
      declared,
      required: p.default === undefined,
      ...(help ? { help } : {}),
      ...(p.default !== undefined ? { defaultValue: p.default } : {}),
    };
  });
  return { title: str(obj(doc.document).title) ?? str(doc.title) ?? "", facts, params };
}

/** The values a person typed, as the API wants them: empty fields left out, numbers as numbers. */
export function typedValues(fields: readonly InputField[], draft: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = draft[field.id];
    if (value === undefined || value === "" || value === null) continue;
    if (Array.isArray(value) && value.length === 0 && field.declared === "list") {
      out[field.id] = [];
      continue;
    }
    out[field.id] = value;
  }
  return out;
}

/** Field errors the browser can tell before asking the server: required parameters, whole numbers. */
export function missingValues(fields: readonly InputField[], draft: Readonly<Record<string, unknown>>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = draft[field.id];
    const empty = value === undefined || value === "" || value === null;
    if (field.required && empty) errors[field.id] = `${field.label} is required`;
    else if (!empty && field.type === "int" && !Number.isInteger(value)) errors[field.id] = `${field.label} must be a whole number`;
    else if (!empty && field.declared === "url" && typeof value === "string" && !/^https?:\/\/\S+$/.test(value))
      errors[field.id] = `${field.label} must be a web address starting with https://`;
  }
  return errors;
}
