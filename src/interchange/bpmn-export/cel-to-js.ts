// A playbook condition (CEL) as a JavaScript expression over bpmn-engine's `environment.variables`,
// so an exported gateway decides the way Onboard's engine does. Only the part of CEL that playbooks
// use for routing is translated (paths, literals, comparisons, logic, `in`, has(), size(), string
// tests); anything else returns undefined and the caller keeps the condition as CEL text.
import { type ASTNode, parse } from "@marcbachmann/cel-js";

const BINARY: Readonly<Record<string, string>> = {
  "&&": "&&",
  "||": "||",
  "==": "===",
  "!=": "!==",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "%": "%",
};

/** Methods CEL and JavaScript spell alike on strings and lists. */
const METHODS: Readonly<Record<string, string>> = { startsWith: "startsWith", endsWith: "endsWith", contains: "includes" };

class Untranslatable extends Error {}

function literal(value: unknown): string {
  if (typeof value === "bigint") return String(Number(value));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  throw new Untranslatable("literal");
}

/**
 * The value a path reads before anything is recorded there (Onboard's evaluator reads an unanswered
 * field as its type's zero value: false, 0, ""), as JavaScript; undefined where there is none.
 */
export type ZeroOf = (path: readonly string[]) => string | undefined;

/** A path written as names only (forms.kyc.rating), or undefined. */
function pathOf(node: ASTNode): string[] | undefined {
  if (node.op === "id") return [String(node.args)];
  if (node.op !== ".") return undefined;
  const [target, key] = node.args as [ASTNode, string];
  const base = pathOf(target);
  return base ? [...base, key] : undefined;
}

/** `root` is the JavaScript the top-level names (facts, forms ...) are read from. */
function translate(node: ASTNode, root: string, zeroOf: ZeroOf): string {
  const args = node.args as unknown;
  const sub = (n: unknown) => translate(n as ASTNode, root, zeroOf);
  switch (node.op) {
    case "value":
      return literal(args);
    case "id":
      return `${root}[${JSON.stringify(String(args))}]`;
    // Optional chaining: a form not yet answered reads as undefined instead of throwing, and every
    // comparison with undefined is false, which is how an unanswered criterion should route.
    case ".": {
      const [target, key] = args as [ASTNode, string];
      const read = `${sub(target)}?.[${JSON.stringify(key)}]`;
      const path = pathOf(node);
      const zero = path ? zeroOf(path) : undefined;
      return zero === undefined ? read : `(${read} ?? ${zero})`;
    }
    case "[]": {
      const [target, key] = args as [ASTNode, ASTNode];
      return `${sub(target)}?.[${sub(key)}]`;
    }
    case "!_":
      return `!(${sub(args)})`;
    case "-_":
      return `-(${sub(args)})`;
    case "?:": {
      const [test, then, otherwise] = args as [ASTNode, ASTNode, ASTNode];
      return `((${sub(test)}) ? (${sub(then)}) : (${sub(otherwise)}))`;
    }
    case "list":
      return `[${(args as ASTNode[]).map(sub).join(", ")}]`;
    case "in": {
      const [item, container] = args as [ASTNode, ASTNode];
      const c = sub(container);
      return `((c, i) => Array.isArray(c) ? c.includes(i) : c != null && Object.prototype.hasOwnProperty.call(c, i))(${c}, ${sub(item)})`;
    }
    case "call": {
      const [name, params] = args as [string, ASTNode[]];
      if (name === "has" && params.length === 1) return `(${sub(params[0])} !== undefined)`;
      if (name === "size" && params.length === 1) return sizeOf(sub(params[0]));
      throw new Untranslatable(name);
    }
    case "rcall": {
      const [name, target, params] = args as [string, ASTNode, ASTNode[]];
      if (name === "size" && params.length === 0) return sizeOf(sub(target));
      const method = METHODS[name];
      if (method && params.length === 1) return `Boolean(${sub(target)}?.${method}(${sub(params[0])}))`;
      throw new Untranslatable(name);
    }
    default: {
      // CEL divides ints as ints, JavaScript never: only a division with a double literal (a CEL
      // double: the parser gives ints as bigints) is surely a double division.
      if (node.op === "/" && !(args as ASTNode[]).some((a) => a.op === "value" && typeof a.args === "number"))
        throw new Untranslatable("int division");
      const op = BINARY[node.op];
      if (op === undefined) throw new Untranslatable(node.op);
      const [left, right] = args as [ASTNode, ASTNode];
      return `(${sub(left)} ${op} ${sub(right)})`;
    }
  }
}

function sizeOf(js: string): string {
  return `((v) => v == null ? 0 : typeof v === "object" && !Array.isArray(v) ? Object.keys(v).length : v.length)(${js})`;
}

/** The condition as one JavaScript expression reading names from `root`, or undefined if it cannot be translated. */
export function celToJavaScript(source: string, root = "environment.variables", zeroOf: ZeroOf = () => undefined): string | undefined {
  try {
    return translate(parse(source).ast, root, zeroOf);
  } catch (error) {
    if (error instanceof Untranslatable) return undefined;
    throw error;
  }
}
