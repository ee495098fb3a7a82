// Form values against the playbook's declared fields: what a person (or a client in the portal)
// sends is refused field by field, in words, before it is recorded. Empty values of optional fields
// are "not answered"; required ones must be there, and so must a field whose `required_if` holds
// for the answers as they would stand after this submission. What is accepted is recorded
// normalised (numbers as numbers, trimmed text), so a decision never routes on "HIGH" or "250 ".
import type { Form } from "../playbook/schema.ts";
import { checkValue, isEmptyValue, type ValueSpec } from "../playbook/values.ts";

export interface FieldProblem {
  /** The field's id in the form. */
  readonly field: string;
  /** What is wrong, after the field's label: "must be an email address". */
  readonly message: string;
}

/** Why one value does not fit its declared field, or undefined when it does (empty counts as fine here). */
export function fieldValueProblem(spec: ValueSpec, value: unknown): string | undefined {
  if (isEmptyValue(value)) return undefined;
  const checked = checkValue(spec, value);
  return checked.ok ? undefined : checked.message;
}

/**
 * Decides a field's `required_if` for the answers as they would stand (true: required). The engine
 * evaluates the CEL condition; a condition it cannot evaluate counts as required, so a doubt never
 * lets a missing answer through.
 */
export type RequiredIf = (condition: string, answers: Readonly<Record<string, unknown>>) => boolean;

export interface CheckedSubmission {
  readonly problems: readonly FieldProblem[];
  /** The sent values as they are recorded (normalised); empty values stay as sent (they clear). */
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * Every problem of a submission, merged over what the form already holds: unknown fields, values
 * that do not fit their type and constraints, required fields left empty. Only sent values are
 * type-checked (what is held was checked when it was sent).
 */
export function checkSubmission(
  form: Form,
  sent: Readonly<Record<string, unknown>>,
  held: Readonly<Record<string, unknown>> = {},
  requiredIf?: RequiredIf,
): CheckedSubmission {
  const problems: FieldProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(sent)) {
    const field = form.fields[id];
    if (!field) {
      problems.push({ field: id, message: "is not a field of this form" });
      continue;
    }
    if (isEmptyValue(value)) {
      values[id] = value;
      continue;
    }
    const checked = checkValue(field, value);
    if (checked.ok) values[id] = checked.value;
    else problems.push({ field: id, message: checked.message });
  }
  const merged = { ...held, ...values };
  for (const [id, field] of Object.entries(form.fields)) {
    if (!isEmptyValue(merged[id]) || problems.some((p) => p.field === id)) continue;
    const required =
      field.required || (field.required_if !== undefined && requiredIf !== undefined && requiredIf(field.required_if, merged));
    if (required) problems.push({ field: id, message: field.required ? "is required" : "is required for these answers" });
  }
  return { problems, values };
}

/** The problems of a submission only (see checkSubmission). */
export function formValueProblems(
  form: Form,
  sent: Readonly<Record<string, unknown>>,
  held: Readonly<Record<string, unknown>> = {},
  requiredIf?: RequiredIf,
): FieldProblem[] {
  return [...checkSubmission(form, sent, held, requiredIf).problems];
}
