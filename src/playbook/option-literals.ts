// A condition that compares an answer with a value its field can never hold is a routing bug
// waiting for a client: `forms.kyc.risk_rating == "HIGH"` when the options are low/medium/high is
// never true, so a high-risk customer takes the low-risk path. This finds such literals, in the
// comparisons a playbook writes (==, !=, `in` a list of literals, a literal `in` a list answer).
import { type ASTNode, parse } from "@marcbachmann/cel-js";
import { GATE_OUTCOME_VALUES } from "./expressions.ts";
import type { Playbook } from "./schema.ts";

export interface OutsideOptions {
  /** The literal as written. */
  readonly literal: string;
  /** What it is compared with: "forms.kyc.risk_rating". */
  readonly subject: string;
  readonly options: readonly string[];
  /** Where the literal starts in the condition. */
  readonly offset: number;
}

function isNode(value: unknown): value is ASTNode {
  return value !== null && typeof value === "object" && "op" in value;
}

/** `forms.a.b` or `facts.c` as its dotted path; undefined for anything else. */
function pathOf(node: ASTNode): string | undefined {
  if (node.op === "id") return String(node.args);
  if (node.op === ".") {
    const [object, key] = node.args as [ASTNode, string];
    const base = isNode(object) ? pathOf(object) : undefined;
    return base === undefined ? undefined : `${base}.${key}`;
  }
  return undefined;
}

function stringLiteral(node: ASTNode): string | undefined {
  return node.op === "value" && typeof node.args === "string" ? node.args : undefined;
}

/** The allowed values behind a path, and whether it holds one value (choice) or several (a list). */
function optionsAt(playbook: Playbook, path: string): { options: readonly string[]; many: boolean } | undefined {
  const parts = path.split(".");
  if (parts[0] === "forms" && parts.length === 3) {
    const field = playbook.forms[parts[1] ?? ""]?.fields[parts[2] ?? ""];
    if (!field?.options) return undefined;
    return { options: field.options, many: field.type !== "choice" };
  }
  // A call's outcome is one of its deciding step's branch labels ("" until it decided).
  if (parts[0] === "calls" && parts.length === 3 && parts[2] === "outcome") {
    const decider = playbook.calls.find((c) => c.key === parts[1])?.outcome;
    const step = playbook.phases.flatMap((p) => p.steps).find((s) => s.id === decider);
    if (!step?.decision) return undefined;
    return { options: ["", ...step.decision.branches.map((b) => b.label)], many: false };
  }
  // A sign-off's outcome, the gate's or one role's: gates.review.outcome, gates.review.roles.client.outcome
  if (parts[0] === "gates" && parts.at(-1) === "outcome" && (parts.length === 3 || (parts.length === 5 && parts[2] === "roles")))
    return { options: GATE_OUTCOME_VALUES, many: false };
  if (parts[0] === "facts" && parts.length === 2) {
    const fact = playbook.facts[parts[1] ?? ""];
    if (!fact?.values) return undefined;
    return { options: fact.values, many: fact.type === "list" };
  }
  return undefined;
}

/** Every string literal a condition compares with an answer that can never hold it. */
export function literalsOutsideOptions(playbook: Playbook, source: string): OutsideOptions[] {
  let ast: ASTNode;
  try {
    ast = parse(source).ast;
  } catch {
    return []; // the type checker reports a condition that does not parse
  }
  const found: OutsideOptions[] = [];
  const check = (subject: ASTNode, literal: ASTNode, many: boolean | "either") => {
    const path = pathOf(subject);
    const text = stringLiteral(literal);
    if (path === undefined || text === undefined) return;
    const allowed = optionsAt(playbook, path);
    if (!allowed || (many !== "either" && allowed.many !== many) || allowed.options.includes(text)) return;
    found.push({ literal: text, subject: path, options: allowed.options, offset: literal.start ?? literal.pos ?? 0 });
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!isNode(value)) return;
    const args = value.args as unknown;
    if ((value.op === "==" || value.op === "!=") && Array.isArray(args)) {
      const [a, b] = args as [ASTNode, ASTNode];
      check(a, b, false);
      check(b, a, false);
    } else if (value.op === "in" && Array.isArray(args)) {
      const [needle, haystack] = args as [ASTNode, ASTNode];
      // "x" in forms.f.several_of
      check(haystack, needle, true);
      // forms.f.one_of in ["a", "b"]
      if (haystack.op === "list" && Array.isArray(haystack.args)) for (const item of haystack.args as ASTNode[]) check(needle, item, false);
    }
    visit(args);
  };
  visit(ast);
  return found;
}
