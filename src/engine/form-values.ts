// Form values against the playbook's declared field types: what a person (or a client in the
// portal) sends is refused field by field, in words, before it is recorded. Empty values of
// optional fields are accepted as "not answered"; required ones must be there.
import type { Form } from "../playbook/schema.ts";

export interface FieldProblem {
  /** The field's id in the form. */
  readonly field: string;
  /** What is wrong, after the field's label: "must be an email address". */
  readonly message: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** Why one value does not fit its declared type, or undefined when it does. */
export function fieldValueProblem(type: string, value: unknown, options?: readonly string[]): string | undefined {
  switch (type) {
    case "email":
      return typeof value === "string" && EMAIL.test(value.trim()) ? undefined : "must be an email address, like name@company.com";
    case "int": {
      const n = asNumber(value);
      return n !== undefined && Number.isInteger(n) ? undefined : "must be a whole number";
    }
    case "double":
      return asNumber(value) !== undefined ? undefined : "must be a number";
    case "date":
      return typeof value === "string" && isDate(value.trim()) ? undefined : "must be a date (year-month-day)";
    case "bool":
      return typeof value === "boolean" ? undefined : "must be yes or no";
    case "choice":
      return typeof value === "string" && (!options || options.includes(value))
        ? undefined
        : `must be one of: ${(options ?? []).join(", ")}`;
    case "list":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : "must be a list of texts";
    default:
      return typeof value === "string" ? undefined : "must be text";
  }
}

/**
 * Every problem of a submission, merged over what the form already holds: unknown fields, values
 * that do not fit their type, required fields left empty. Only the sent values are type-checked.
 */
export function formValueProblems(
  form: Form,
  sent: Readonly<Record<string, unknown>>,
  held: Readonly<Record<string, unknown>> = {},
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [id, value] of Object.entries(sent)) {
    const field = form.fields[id];
    if (!field) {
      problems.push({ field: id, message: "is not a field of this form" });
      continue;
    }
    if (isEmpty(value)) continue;
    const problem = fieldValueProblem(field.type, value, field.options);
    if (problem) problems.push({ field: id, message: problem });
  }
  const merged = { ...held, ...sent };
  for (const [id, field] of Object.entries(form.fields)) {
    if (field.required && isEmpty(merged[id]) && !problems.some((p) => p.field === id))
      problems.push({ field: id, message: "is required" });
  }
  return problems;
}
