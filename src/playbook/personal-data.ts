// Which answers are personal data (GDPR). A field says so with `personal:`; without it, the types
// that can only hold a person's details (person, email, phone) are personal, the rest are not.
// One definition for the register, the exports and the erasure.
import type { Playbook } from "./schema.ts";

const PERSONAL_BY_TYPE: ReadonlySet<string> = new Set(["person", "email", "phone"]);

interface FieldLike {
  readonly type: string;
  readonly personal?: boolean | undefined;
  readonly fields?: Readonly<Record<string, FieldLike>> | undefined;
}

/** Whether a field's answer is personal data; a records field is when any of its columns is. */
export function isPersonalField(field: FieldLike): boolean {
  if (field.personal !== undefined) return field.personal;
  if (PERSONAL_BY_TYPE.has(field.type)) return true;
  return Object.values(field.fields ?? {}).some(isPersonalField);
}

export interface PersonalField {
  readonly form: string;
  readonly field: string;
  /** For a records field: the personal columns (all of them are erased with the field). */
  readonly columns: readonly string[];
  readonly label: string;
  readonly type: string;
  readonly purpose: string;
}

/** Every personal field of every form of the playbook, in the forms' order. */
export function personalFields(playbook: Pick<Playbook, "forms">): PersonalField[] {
  const found: PersonalField[] = [];
  for (const [formId, form] of Object.entries(playbook.forms)) {
    for (const [fieldId, field] of Object.entries(form.fields)) {
      if (!isPersonalField(field)) continue;
      const columns = Object.entries(field.fields ?? {})
        .filter(([, column]) => isPersonalField(column))
        .map(([id]) => id);
      found.push({ form: formId, field: fieldId, columns, label: field.label, type: field.type, purpose: field.purpose ?? form.title });
    }
  }
  return found;
}
