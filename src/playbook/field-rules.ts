// Whether a declared field makes sense before any value meets it: constraints that fit its type,
// a pattern that compiles (and stays within RE2, the regular expressions CEL uses, so the app, the
// engine and an exported procedure agree), bounds in order, options where options are needed.
import { FIELD_TYPES, type FieldType, type ValueSpec } from "./values.ts";

export interface FieldRuleProblem {
  readonly rule: string;
  /** The key under the field the problem is about ("pattern"), or undefined for the field itself. */
  readonly key?: string;
  readonly message: string;
  readonly fix: string;
}

type DeclaredField = ValueSpec;

const NUMBERS: readonly FieldType[] = ["int", "double"];
const TEXTS: readonly FieldType[] = ["string", "text"];
const LISTS: readonly FieldType[] = ["choices", "list", "records"];
const WITH_OPTIONS: readonly FieldType[] = ["choice", "choices", "list"];

/** What RE2 does not have and JavaScript does: a pattern using it would behave differently elsewhere. */
const NOT_RE2: readonly [RegExp, string][] = [
  [/\(\?[=!]/, "lookahead (?= or (?!"],
  [/\(\?<[=!]/, "lookbehind (?<= or (?<!"],
  [/\\[1-9]/, "a backreference such as \\1"],
  [/\\k</, "a named backreference \\k<…>"],
];

export function patternProblem(pattern: string): string | undefined {
  for (const [shape, name] of NOT_RE2)
    if (shape.test(pattern)) return `uses ${name}, which RE2 (the syntax of CEL's matches()) does not have`;
  try {
    new RegExp(pattern, "u");
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function fieldRuleProblems(field: DeclaredField, column = false): FieldRuleProblem[] {
  const problems: FieldRuleProblem[] = [];
  const only = (key: keyof DeclaredField, kinds: readonly FieldType[], what: string) => {
    if (field[key] !== undefined && !kinds.includes(field.type))
      problems.push({
        rule: "form/constraint-type",
        key,
        message: `${key} applies to ${what}, not to a ${field.type} field`,
        fix: `remove ${key}, or change the type to one of: ${kinds.join(", ")}`,
      });
  };
  only("min", NUMBERS, "numbers");
  only("max", NUMBERS, "numbers");
  only("unit", NUMBERS, "numbers");
  only("min_length", TEXTS, "text");
  only("max_length", TEXTS, "text");
  only("pattern", TEXTS, "text");
  only("min_items", LISTS, "lists");
  only("max_items", LISTS, "lists");
  only("options", WITH_OPTIONS, "choice, choices and list fields");
  only("fields", ["records"], "records (tables)");
  const order = (low: keyof DeclaredField, high: keyof DeclaredField) => {
    const [a, b] = [field[low], field[high]];
    if (typeof a === "number" && typeof b === "number" && a > b)
      problems.push({ rule: "form/bounds", key: low, message: `${low} (${a}) is above ${high} (${b})`, fix: `swap them` });
  };
  order("min", "max");
  order("min_length", "max_length");
  order("min_items", "max_items");
  if ((field.type === "choice" || field.type === "choices") && !field.options?.length)
    problems.push({ rule: "form/choice-options", message: `a ${field.type} field needs options`, fix: "list them under options:" });
  if (field.options && new Set(field.options).size !== field.options.length)
    problems.push({ rule: "form/choice-options", key: "options", message: "an option is listed twice", fix: "list each option once" });
  if (field.pattern !== undefined) {
    const problem = patternProblem(field.pattern);
    if (problem) problems.push({ rule: "form/pattern", key: "pattern", message: `the pattern ${problem}`, fix: "write it in RE2 syntax" });
  }
  if (field.type === "records") {
    if (column)
      problems.push({
        rule: "form/records",
        message: "a table's column cannot itself be a table",
        fix: "use a list, or a second records field",
      });
    else if (!field.fields || Object.keys(field.fields).length === 0)
      problems.push({
        rule: "form/records",
        message: "a records field needs its columns under fields:",
        fix: "e.g. fields: { name: { label: Name, type: string } }",
      });
  }
  if (!FIELD_TYPES.includes(field.type))
    problems.push({ rule: "form/type", message: `unknown type ${field.type}`, fix: `use one of ${FIELD_TYPES.join(", ")}` });
  return problems;
}
