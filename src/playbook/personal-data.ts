// Which answers are personal data (GDPR). A field says so with `personal:`; without it, the types
// that can only hold a person's details (person, email, phone) are personal, the rest are not.
// One definition for the register, the exports and the erasure.
import { describePeriod, type RetentionPeriod } from "./retention.ts";
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

interface RetentionLike {
  readonly keep: RetentionPeriod;
  readonly after: string;
  readonly records: readonly string[];
  readonly at_end: "erase_personal_data" | "review";
}

const ANCHOR_WORDS: Readonly<Record<string, string>> = {
  relationship_end: "the business relationship ends",
  project_closed: "the project is closed",
};

/** A personal field as the register lists it: why it is collected and how long it is kept. */
export interface RegisteredField extends PersonalField {
  readonly formTitle: string;
  /** "7 years after the business relationship ends, then erased"; one line per rule that covers it. */
  readonly retention: readonly string[];
}

const mentions = (record: string, words: readonly string[]): boolean => {
  const said = record.toLowerCase();
  return words.some((w) => w.length > 0 && said.includes(w.toLowerCase()));
};

/** The retention rules that cover a field: those over all records, and those whose records name its form or field. */
function retentionOf(rules: readonly RetentionLike[], names: readonly string[]): string[] {
  return rules
    .filter((r) => r.records.length === 0 || r.records.some((record) => mentions(record, names)))
    .map(
      (r) =>
        `${describePeriod(r.keep)} after ${ANCHOR_WORDS[r.after] ?? r.after}, then ${r.at_end === "review" ? "reviewed for disposal" : "erased"}`,
    );
}

/**
 * The playbook's part of the register of personal data (GDPR Art. 30): each personal form field with
 * its purpose and the retention the playbook's `retention:` rules give it. Pure, so the SOP (render)
 * and the product's register (compliance) list the same rows.
 */
export function personalDataRegister(playbook: Pick<Playbook, "forms" | "retention">): RegisteredField[] {
  return personalFields(playbook).map((f) => {
    const form = playbook.forms[f.form];
    const formTitle = form?.title ?? f.form;
    return { ...f, formTitle, retention: retentionOf(playbook.retention, [f.form, formTitle, f.label]) };
  });
}
