// What a declared value may hold. Form fields, client facts and parameters each have a type and
// constraints; one checker decides whether a value fits them and says why not, in words that follow
// the field's label ("must be a whole number"). The engine refuses a command whose values do not
// fit, the API refuses them at the edge, and the app and the portal check them as the person types:
// all with this one definition. A value that fits is also normalised here (a number sent as text
// becomes a number, text is trimmed), so what is recorded, and what conditions later read, has the
// declared type.

/** The kinds of value a form field can declare. */
export const FIELD_TYPES = [
  "string",
  "text",
  "bool",
  "int",
  "double",
  "date",
  "datetime",
  "email",
  "url",
  "phone",
  "choice",
  "choices",
  "list",
  "file",
  "person",
  "records",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** A declared value: its type and constraints. Plain data, so the browser can check with it too. */
export interface ValueSpec {
  readonly type: FieldType;
  /** For choice, choices and list: the allowed values. */
  readonly options?: readonly string[] | undefined;
  /** For numbers: the smallest and largest allowed value. */
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  /** For numbers: what they count ("users", "EUR"); shown, never part of the value. */
  readonly unit?: string | undefined;
  /** For text: the fewest and most characters. */
  readonly min_length?: number | undefined;
  readonly max_length?: number | undefined;
  /** For text: a regular expression the whole value must match, and how to say it to a person. */
  readonly pattern?: string | undefined;
  readonly pattern_hint?: string | undefined;
  /** For choices, list and records: the fewest and most items. */
  readonly min_items?: number | undefined;
  readonly max_items?: number | undefined;
  /** For records: the fields of each record (one level: a record holds no records). */
  readonly fields?: Readonly<Record<string, ValueSpec & { readonly label: string; readonly required?: boolean }>> | undefined;
}

export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
// Digits with the usual separators, an optional leading +, between 6 and 15 digits (E.164's limit).
const PHONE = /^\+?[0-9(][0-9 ()./-]*$/;

/** Not answered. An empty list is an answer ("none"); `min_items` says when it is not enough. */
export function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

export function isCalendarDate(text: string): boolean {
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

const fail = (message: string): Checked => ({ ok: false, message });
const pass = (value: unknown): Checked => ({ ok: true, value });

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** A bound with its unit: "%" sticks to the number (25%); a word unit follows the whole phrase in brackets. */
function withUnit(n: number, unit: string | undefined): string {
  if (!unit) return String(n);
  return unit === "%" ? `${n}%` : `${n}`;
}
function unitWords(unit: string | undefined): string {
  return unit && unit !== "%" ? ` (${unit})` : "";
}

function checkNumber(spec: ValueSpec, value: unknown): Checked {
  const n = asNumber(value);
  if (n === undefined) return fail(spec.type === "int" ? "must be a whole number" : "must be a number");
  if (spec.type === "int" && !Number.isInteger(n)) return fail("must be a whole number");
  const [lo, hi, words] = [withUnit(spec.min ?? 0, spec.unit), withUnit(spec.max ?? 0, spec.unit), unitWords(spec.unit)];
  if (spec.min !== undefined && spec.max !== undefined && (n < spec.min || n > spec.max))
    return fail(`must be between ${lo} and ${hi}${words}`);
  if (spec.min !== undefined && n < spec.min) return fail(`must be at least ${lo}${words}`);
  if (spec.max !== undefined && n > spec.max) return fail(`must be at most ${hi}${words}`);
  return pass(n);
}

function checkText(spec: ValueSpec, value: unknown): Checked {
  if (typeof value !== "string") return fail("must be text");
  // Long text keeps its line breaks and inner spacing; the ends are trimmed either way.
  const text = value.trim();
  if (spec.min_length !== undefined && text.length < spec.min_length)
    return fail(`must be at least ${plural(spec.min_length, "character")}`);
  if (spec.max_length !== undefined && text.length > spec.max_length)
    return fail(`must be at most ${plural(spec.max_length, "character")}`);
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, "u").test(text))
    return fail(spec.pattern_hint ? `must be ${spec.pattern_hint}` : `must match the pattern ${spec.pattern}`);
  return pass(text);
}

function checkItems(spec: ValueSpec, count: number, noun: string): string | undefined {
  if (spec.min_items !== undefined && count < spec.min_items) return `needs at least ${plural(spec.min_items, noun)}`;
  if (spec.max_items !== undefined && count > spec.max_items) return `takes at most ${plural(spec.max_items, noun)}`;
  return undefined;
}

function checkStrings(spec: ValueSpec, value: unknown, noun: string): Checked {
  // A single text for a list is a list of one (a CRM sends one value where it has one).
  const items = typeof value === "string" ? [value] : value;
  if (!Array.isArray(items) || !items.every((v) => typeof v === "string")) return fail(`must be a list of ${noun}s`);
  const trimmed = [...new Set(items.map((v) => v.trim()).filter((v) => v !== ""))];
  if (spec.options) {
    const wrong = trimmed.filter((v) => !spec.options?.includes(v));
    if (wrong.length > 0) return fail(`can only hold ${spec.options.join(", ")} (not ${wrong.join(", ")})`);
  }
  const count = checkItems(spec, trimmed.length, noun);
  return count ? fail(count) : pass(trimmed);
}

function checkRecords(spec: ValueSpec, value: unknown): Checked {
  if (!Array.isArray(value) || !value.every((r) => r !== null && typeof r === "object" && !Array.isArray(r)))
    return fail("must be a list of records");
  const fields = spec.fields ?? {};
  const records: Record<string, unknown>[] = [];
  // Every row's every problem, so a person fixes the table in one go (not one message per save).
  const problems: string[] = [];
  for (const [i, record] of (value as Record<string, unknown>[]).entries()) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) {
      const field = fields[key];
      if (!field) {
        problems.push(`row ${i + 1} has no column “${key}”`);
        continue;
      }
      if (isEmptyValue(v)) continue;
      const checked = checkValue(field, v);
      if (!checked.ok) problems.push(`row ${i + 1}: ${field.label} ${checked.message}`);
      else out[key] = checked.value;
    }
    for (const [key, field] of Object.entries(fields))
      if (field.required && isEmptyValue(record[key])) problems.push(`row ${i + 1}: ${field.label} is required`);
    records.push(out);
  }
  const count = checkItems(spec, records.length, "row");
  if (count) problems.push(count);
  return problems.length > 0 ? fail(problems.join("; ")) : pass(records);
}

function checkPerson(value: unknown): Checked {
  const person = typeof value === "string" ? { name: value } : value;
  if (person === null || typeof person !== "object" || Array.isArray(person))
    return fail("must be a person (a name, and an email if known)");
  const { name, email, ...rest } = person as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return fail("must be a person: a name and an email only");
  if (typeof name !== "string" || name.trim() === "") return fail("needs the person's name");
  if (email !== undefined && email !== "" && (typeof email !== "string" || !EMAIL.test(email.trim())))
    return fail("needs a valid email address for the person, like name@company.com");
  return pass({ name: name.trim(), ...(typeof email === "string" && email.trim() ? { email: email.trim() } : {}) });
}

/** Whether `value` (not empty) fits `spec`; when it does, the value as recorded. */
export function checkValue(spec: ValueSpec, value: unknown): Checked {
  switch (spec.type) {
    case "int":
    case "double":
      return checkNumber(spec, value);
    case "bool":
      return typeof value === "boolean" ? pass(value) : fail("must be yes or no");
    case "date":
      return typeof value === "string" && isCalendarDate(value.trim()) ? pass(value.trim()) : fail("must be a date (year-month-day)");
    case "datetime": {
      const m = typeof value === "string" ? DATETIME.exec(value.trim()) : null;
      return m?.[1] && isCalendarDate(m[1]) ? pass((value as string).trim()) : fail("must be a date and time, like 2026-03-01T14:30");
    }
    case "email":
      return typeof value === "string" && EMAIL.test(value.trim())
        ? pass(value.trim())
        : fail("must be an email address, like name@company.com");
    case "url": {
      if (typeof value !== "string") return fail("must be a web address starting with https://");
      try {
        const url = new URL(value.trim());
        return url.protocol === "https:" || url.protocol === "http:"
          ? pass(url.href)
          : fail("must be a web address starting with https://");
      } catch {
        return fail("must be a web address starting with https://");
      }
    }
    case "phone": {
      if (typeof value !== "string" || !PHONE.test(value.trim())) return fail("must be a phone number, like +44 20 7946 0958");
      const digits = value.replace(/\D/g, "").length;
      return digits >= 6 && digits <= 15 ? pass(value.trim()) : fail("must be a phone number, like +44 20 7946 0958");
    }
    case "choice":
      if (typeof value !== "string") return fail(`must be one of: ${(spec.options ?? []).join(", ")}`);
      return !spec.options || spec.options.includes(value.trim()) ? pass(value.trim()) : fail(`must be one of: ${spec.options.join(", ")}`);
    case "choices":
      return checkStrings(spec, value, "choice");
    case "list":
      return checkStrings(spec, value, "item");
    case "records":
      return checkRecords(spec, value);
    case "person":
      return checkPerson(value);
    case "file":
      return typeof value === "string" ? pass(value.trim()) : fail("must be an uploaded file");
    default:
      return checkText(spec, value);
  }
}

/** Why one value (not empty) does not fit its declared type and constraints, or undefined when it does. */
export function valueProblem(spec: ValueSpec, value: unknown): string | undefined {
  const checked = checkValue(spec, value);
  return checked.ok ? undefined : checked.message;
}

/** The CEL type conditions see a value of this kind as. */
export function celTypeOf(type: FieldType): string {
  switch (type) {
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "double":
      return "double";
    case "choices":
    case "list":
      return "list<string>";
    case "records":
      return "list<map<string, dyn>>";
    case "person":
      return "map<string, string>";
    default:
      return "string";
  }
}

/** What a person is told a field takes, for forms and the SOP: "a whole number between 1 and 500 users". */
export function describeSpec(spec: ValueSpec): string {
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` between ${spec.min} and ${spec.max}`
      : spec.min !== undefined
        ? ` of at least ${spec.min}`
        : spec.max !== undefined
          ? ` of at most ${spec.max}`
          : "";
  const unit = spec.unit ? ` (${spec.unit})` : "";
  const items =
    spec.min_items !== undefined && spec.max_items !== undefined
      ? `, ${spec.min_items} to ${spec.max_items}`
      : spec.min_items !== undefined
        ? `, at least ${spec.min_items}`
        : spec.max_items !== undefined
          ? `, at most ${spec.max_items}`
          : "";
  switch (spec.type) {
    case "int":
      return `whole number${range}${unit}`;
    case "double":
      return `number${range}${unit}`;
    case "bool":
      return "yes or no";
    case "date":
      return "date";
    case "datetime":
      return "date and time";
    case "email":
      return "email address";
    case "url":
      return "web address";
    case "phone":
      return "phone number";
    case "choice":
      return `one of: ${(spec.options ?? []).join(", ")}`;
    case "choices":
      return `any of: ${(spec.options ?? []).join(", ")}${items}`;
    case "list":
      return spec.options ? `list of: ${spec.options.join(", ")}${items}` : `list${items}`;
    case "records":
      return `table (${Object.values(spec.fields ?? {})
        .map((f) => f.label)
        .join(", ")})${items}`;
    case "person":
      return "person (name and email)";
    case "file":
      return "file";
    case "text":
      return spec.pattern_hint ?? "long text";
    default:
      return spec.pattern_hint ?? "text";
  }
}

/** A client fact's declaration as a value spec: a string with `values` is a choice among them. */
export function factSpec(fact: {
  readonly type: string;
  readonly values?: readonly string[] | undefined;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  readonly pattern?: string | undefined;
}): ValueSpec {
  const type: FieldType = fact.type === "string" && fact.values ? "choice" : (fact.type as FieldType);
  return { type, options: fact.values, min: fact.min, max: fact.max, pattern: fact.pattern };
}

/** A parameter's declaration as a value spec. */
export function parameterSpec(param: {
  readonly type: string;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}): ValueSpec {
  const type: FieldType =
    param.type === "integer" ? "int" : param.type === "number" ? "double" : param.type === "text" ? "text" : (param.type as FieldType);
  return { type, min: param.min, max: param.max };
}

/** Only the value's declaration of a field (no label, help or condition), without absent keys: for JSON. */
export function specOf(field: ValueSpec): ValueSpec {
  const keys = [
    "type",
    "options",
    "min",
    "max",
    "unit",
    "min_length",
    "max_length",
    "pattern",
    "pattern_hint",
    "min_items",
    "max_items",
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (field[key] !== undefined) out[key] = field[key];
  if (field.fields)
    out.fields = Object.fromEntries(
      Object.entries(field.fields).map(([id, column]) => [
        id,
        { ...specOf(column), label: column.label, required: column.required === true },
      ]),
    );
  return out as unknown as ValueSpec;
}
