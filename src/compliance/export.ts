// Access and portability (GDPR Art. 15, 20): which form answers belong in a data subject's export,
// and the export as one long CSV table. Pure: the API reads the rows and hands them in.
//
// A contact's export carries the answers they submitted and the personal answers about them in
// anyone's submissions. An answer is "about" a person when it names them: their email address
// anywhere in it, or their full name as whole words. A personal answer in their own submission that
// names another of the client's contacts and not them is withheld (Art. 15(4): the copy must not
// adversely affect the rights of others); of a table of people, only the rows about them are kept.
import { toCsv } from "./csv.ts";

export interface Person {
  readonly name: string;
  readonly email: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function namesPerson(text: string, person: Person): boolean {
  const lower = text.toLowerCase();
  if (person.email.length > 0 && lower.includes(person.email.toLowerCase())) return true;
  const name = person.name.trim();
  if (name.length < 2) return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(name.toLowerCase())}($|[^\\p{L}\\p{N}])`, "u").test(lower);
}

/** Whether any text inside `value` (strings, a person's name and email, a table's cells) names `person`. */
export function mentions(value: unknown, person: Person): boolean {
  if (typeof value === "string") return namesPerson(value, person);
  if (Array.isArray(value)) return value.some((v) => mentions(v, person));
  if (value !== null && typeof value === "object") return Object.values(value).some((v) => mentions(v, person));
  return false;
}

/**
 * The part of one personal answer that is the subject's to see, or undefined for none: about them, or
 * (in their own submission) about no one else known. A table keeps only such rows.
 */
export function subjectsPart(value: unknown, subject: Person, others: readonly Person[], ownSubmission: boolean): unknown {
  const keep = (v: unknown) => mentions(v, subject) || (ownSubmission && !others.some((o) => mentions(v, o)));
  if (Array.isArray(value) && value.some((row) => row !== null && typeof row === "object" && !Array.isArray(row))) {
    const rows = value.filter(keep);
    return rows.length > 0 ? rows : undefined;
  }
  return keep(value) ? value : undefined;
}

/** One submitted answer as the exports carry it. */
export interface ExportedAnswer {
  readonly projectId: string;
  readonly form: string;
  readonly field: string;
  readonly label: string;
  readonly personal: boolean;
  readonly value: unknown;
  readonly step: string;
  /** The repeated step's item the answers are for (null: the project's form). */
  readonly item: string | null;
  readonly submittedAt: string;
  readonly submittedBy: string;
}

/** One row of the long CSV table. */
export interface ExportRow {
  readonly record: string;
  readonly id: string;
  readonly project: string;
  readonly field: string;
  readonly value: unknown;
  readonly at: string | null;
}

export const CSV_HEADER = ["record", "id", "project", "field", "value", "at"] as const;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Every record's every field as a row (record, id, project, field, value, at). */
export function exportRows<T extends object>(
  record: string,
  items: readonly T[],
  options: { id: keyof T & string; at?: keyof T & string },
): ExportRow[] {
  return items.flatMap((entry) => {
    const item = entry as Record<string, unknown>;
    const id = cellText(item[options.id]);
    const project = cellText(item.projectId);
    const at = options.at ? cellText(item[options.at]) || null : null;
    return Object.entries(item)
      .filter(([key]) => key !== options.id && key !== "projectId")
      .map(([field, value]) => ({ record, id, project, field, value, at }));
  });
}

/** Form answers as rows: the field is form.field, so a spreadsheet filters them by form. */
export function answerRows(answers: readonly ExportedAnswer[]): ExportRow[] {
  return answers.map((a) => ({
    record: "form_answer",
    id: a.item ? `${a.step}#${a.item}` : a.step,
    project: a.projectId,
    field: `${a.form}.${a.field}`,
    value: a.value,
    at: a.submittedAt,
  }));
}

export function exportCsv(rows: readonly ExportRow[]): string {
  return toCsv(
    CSV_HEADER,
    rows.map((r) => [r.record, r.id, r.project, r.field, cellText(r.value), r.at ?? ""]),
  );
}

/** A file name for the download: the subject's id, kept to safe characters, and the day. */
export function exportFileName(kind: "contact" | "client", id: string, day: string, format: "json" | "csv"): string {
  const safe = id.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || kind;
  return `onboard-${kind}-${safe}-${day}.${format}`;
}
