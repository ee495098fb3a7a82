// Turns zod's issues into findings a process owner can act on: the wrong key is named,
// an unknown key gets a "did you mean", an enum lists what is allowed.
import type { core, z } from "zod";
import { didYouMean, type Finding, suggest } from "./diagnostics.ts";

type Issue = core.$ZodIssue;
type AnySchema = z.ZodType;

// zod keeps a schema's definition on `_zod.def`; only this module looks inside it.
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
}

function defOf(schema: AnySchema): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else return current;
  }
}

/** The keys an object at `path` may have, found by walking the schema. */
export function allowedKeysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  let current: AnySchema | undefined = unwrap(root);
  for (const segment of path) {
    if (!current) return [];
    const def = defOf(current);
    if (def.type === "object" && def.shape && typeof segment === "string") current = def.shape[segment];
    else if (def.type === "array") current = def.element;
    else if (def.type === "record") current = def.valueType;
    else if (def.type === "union") current = def.options?.find((o) => defOf(unwrap(o)).type === "object");
    else return [];
    current = current ? unwrap(current) : undefined;
    if (current && defOf(current).type === "union") {
      current =
        defOf(current)
          .options?.map(unwrap)
          .find((o) => defOf(o).type === "object") ?? current;
    }
  }
  const def = current ? defOf(current) : undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function plainPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === "number" ? p : String(p)));
}

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  boolean: "true or false",
  array: "a list (lines starting with '- ')",
  object: "a mapping (key: value lines)",
};

function describeInput(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "an empty value";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return `${typeof input === "string" ? "text" : typeof input} ${JSON.stringify(input)}`;
}

/** Of a union's alternatives, report the one that came closest (fewest, deepest issues). */
function bestUnionBranch(errors: readonly (readonly Issue[])[]): readonly Issue[] {
  let best: readonly Issue[] = [];
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const branch of errors) {
    const depth = Math.max(0, ...branch.map((i) => i.path.length));
    const score = depth * 10 - branch.length;
    if (score > bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

export function issuesToFindings(schema: AnySchema, issues: readonly Issue[], basePath: readonly PropertyKey[] = []): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    const at = plainPath(path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = allowedKeysAt(schema, path);
        for (const key of issue.keys) {
          const guess = suggest(key, allowed);
          findings.push({
            rule: "schema/unknown-key",
            severity: "error",
            message: `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}`,
            fix: guess ? `rename it to "${guess}"` : `remove it; allowed here: ${allowed.join(", ")}`,
            path: [...at, key],
            key: true,
          });
        }
        break;
      }
      case "invalid_union": {
        // A step or a call: a `call:` key says which one was meant, so only that one's issues count.
        const written = (issue as { input?: unknown }).input;
        const calls = written !== null && typeof written === "object" && "call" in written;
        const meant = issue.errors.filter((branch) =>
          calls
            ? !branch.some((i) => i.code === "unrecognized_keys" && i.path.length === 0 && i.keys.includes("call"))
            : !branch.some((i) => i.code === "invalid_type" && i.path.length === 1 && i.path[0] === "call"),
        );
        const nested = bestUnionBranch(meant.length > 0 ? meant : issue.errors);
        if (nested.length > 0) findings.push(...issuesToFindings(schema, nested, path));
        else findings.push({ rule: "schema/invalid", severity: "error", message: issue.message, path: at });
        break;
      }
      case "invalid_type": {
        const missing = issue.input === undefined;
        const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
        findings.push({
          rule: missing ? "schema/missing" : "schema/type",
          severity: "error",
          message: missing ? `"${String(at.at(-1))}" is required` : `expected ${expected}, found ${describeInput(issue.input)}`,
          fix: missing ? `add "${String(at.at(-1))}:" here` : `write ${expected}`,
          path: at,
          key: false,
        });
        break;
      }
      case "invalid_value": {
        const allowed = issue.values.map(String);
        if (issue.input === undefined) {
          // A required keyword left out (zod reports the enum, not the absence).
          const key = String(at.at(-1));
          findings.push({
            rule: "schema/value",
            severity: "error",
            message: `"${key}" is required`,
            fix: `add "${key}:" with one of: ${allowed.join(", ")}`,
            path: at,
            key: false,
          });
          break;
        }
        // Anything but text or a number is described, never converted: a mapping may not convert at all.
        const input =
          typeof issue.input === "string" || typeof issue.input === "number" || typeof issue.input === "boolean" ? String(issue.input) : "";
        findings.push({
          rule: "schema/value",
          severity: "error",
          message: input === "" ? `${describeInput(issue.input)} is not allowed here` : `"${input}" is not allowed here`,
          // "declared values" reads wrong for a language keyword: say what is allowed, with a guess first.
          fix: suggest(input, allowed)
            ? `${didYouMean(input, allowed, "values")} (allowed: ${allowed.join(", ")})`
            : `write one of: ${allowed.join(", ")}`,
          path: at,
        });
        break;
      }
      case "custom": {
        const fix = (issue.params as { fix?: string } | undefined)?.fix;
        findings.push({ rule: "schema/invalid", severity: "error", message: issue.message, path: at, ...(fix ? { fix } : {}) });
        break;
      }
      default:
        findings.push({ rule: "schema/invalid", severity: "error", message: issue.message, path: at });
    }
  }
  return findings;
}
