// What an erasure (GDPR Art. 17) covers, decided without a database: the pure half of the erasure.
// The adapter (api/data/erasure.ts) reads the rows of every place personal data lives and asks these
// functions which fields hold the subject's data; the plan (a dry run) and the execution use the
// same answers, so the preview lists exactly what the erasure then does.
//
// Two ways a value is the subject's:
//  * by field: a personal answer (playbook/personal-data.ts) the subject gave (a contact) or any
//    personal answer of the subject's projects (a client);
//  * by value: any text holding one of the subject's identifiers (name, email, the personal
//    answers' values), wherever it was copied (a mail body, a notification, a comment, the
//    portfolio read model). Identifiers shorter than MIN_NEEDLE characters are not searched for:
//    they would erase ordinary words ("Al" in "Also"); they are still erased by field.
import { isPersonalField } from "../playbook/personal-data.ts";
import { REDACTED } from "../store/audit.ts";

export { REDACTED };

export const MIN_NEEDLE = 3;

/** The subject's identifiers to search for, lowercased, longest first (so "Ann Lee" goes before "Ann"). */
export function needlesOf(values: readonly unknown[]): string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === "string") {
      const text = value.trim().toLowerCase();
      if (text.length >= MIN_NEEDLE && text !== REDACTED) found.add(text);
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(add);
  };
  values.forEach(add);
  return [...found].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

export function holdsNeedle(text: string, needles: readonly string[]): boolean {
  if (text === REDACTED) return false;
  const lower = text.toLowerCase();
  return needles.some((needle) => lower.includes(needle));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Free text with every occurrence of an identifier replaced by "[redacted]"; the rest stays. */
export function scrubText(text: string, needles: readonly string[]): string {
  if (!holdsNeedle(text, needles)) return text;
  let out = text;
  for (const needle of needles) out = out.replace(new RegExp(escapeRegExp(needle), "gi"), REDACTED);
  return out;
}

export type JsonPath = readonly string[];

/** Paths of the string leaves of `value` that hold an identifier (a whole field is erased). */
export function pathsHolding(value: unknown, needles: readonly string[], at: JsonPath = []): JsonPath[] {
  if (typeof value === "string") return holdsNeedle(value, needles) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => pathsHolding(v, needles, [...at, String(i)]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => pathsHolding(v, needles, [...at, k]));
  return [];
}

/** `value` with each string leaf that holds an identifier replaced by "[redacted]", and how many were. */
export function scrubJson(value: unknown, needles: readonly string[]): { value: unknown; fields: number } {
  let fields = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (!holdsNeedle(v, needles)) return v;
      fields++;
      return REDACTED;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(value);
  return { value: out, fields };
}

interface FieldLike {
  readonly type: string;
  readonly personal?: boolean | undefined;
  readonly fields?: Readonly<Record<string, FieldLike>> | undefined;
}

export interface FormsLike {
  readonly forms: Readonly<Record<string, { readonly fields: Readonly<Record<string, FieldLike>> }>>;
}

/** The personal answers of a form.submitted payload ({ form, values }): their paths and values. */
export function personalAnswers(playbook: FormsLike, payload: unknown): { paths: JsonPath[]; values: unknown[] } {
  const p = payload as { form?: unknown; values?: unknown };
  if (typeof p?.form !== "string" || p.values === null || typeof p.values !== "object") return { paths: [], values: [] };
  const fields = playbook.forms[p.form]?.fields ?? {};
  const paths: JsonPath[] = [];
  const values: unknown[] = [];
  for (const [id, answer] of Object.entries(p.values as Record<string, unknown>)) {
    const field = fields[id];
    // A field the playbook no longer declares is treated as personal: nothing says it is not.
    if (field && !isPersonalField(field)) continue;
    if (answer === null || answer === undefined || answer === REDACTED) continue;
    paths.push(["values", id]);
    values.push(answer);
  }
  return { paths, values };
}

/** One place personal data lives, as the plan reports it: how many records and fields, never values. */
export interface PlacePlan {
  readonly place: string;
  readonly records: number;
  readonly fields: number;
}

export interface ErasurePlan {
  readonly subject: { readonly kind: "contact" | "client"; readonly id: string };
  readonly projects: readonly string[];
  readonly places: readonly PlacePlan[];
  /** Records in all places. */
  readonly total: number;
}

/** Sums per place, in a stable order, leaving out places with nothing to erase. */
export function planOf(subject: ErasurePlan["subject"], projects: readonly string[], counts: readonly PlacePlan[]): ErasurePlan {
  const byPlace = new Map<string, { records: number; fields: number }>();
  for (const c of counts) {
    const at = byPlace.get(c.place) ?? { records: 0, fields: 0 };
    byPlace.set(c.place, { records: at.records + c.records, fields: at.fields + c.fields });
  }
  const places = [...byPlace.entries()]
    .filter(([, c]) => c.records > 0)
    .map(([place, c]) => ({ place, ...c }))
    .sort((a, b) => a.place.localeCompare(b.place));
  return { subject, projects: [...projects].sort(), places, total: places.reduce((n, p) => n + p.records, 0) };
}
