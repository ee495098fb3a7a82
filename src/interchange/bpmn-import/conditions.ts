// Sequence-flow conditions into the playbook's CEL: simple FEEL (Camunda 8, `=amount > 1000 and
// region = "EU"`) and JUEL (Camunda 7, `${amount > 1000 && region == 'EU'}`). Only comparisons of a
// process variable with a literal, bare boolean variables, not/and/or and parentheses are translated;
// anything else (function calls, arithmetic, paths, null) is refused with the reason, so the importer
// keeps the text for a person instead of guessing its meaning.

export type Dialect = "feel" | "juel";
export type VariableType = "bool" | "int" | "double" | "string";

export interface TranslatedCondition {
  readonly ok: true;
  /** The process variables read, with the type their use implies. */
  readonly variables: ReadonlyMap<string, VariableType>;
  /** The CEL text, each variable written as `resolve(name)` (e.g. facts.amount or forms.review.approved). */
  readonly render: (resolve: (name: string) => string) => string;
}
export interface RefusedCondition {
  readonly ok: false;
  readonly reason: string;
}

type Token =
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "name"; readonly text: string }
  | { readonly kind: "op"; readonly text: string };

type Node =
  | { readonly kind: "literal"; readonly type: VariableType; readonly cel: string }
  | { readonly kind: "variable"; readonly name: string }
  | { readonly kind: "not"; readonly operand: Node }
  | { readonly kind: "logic"; readonly op: "&&" | "||"; readonly left: Node; readonly right: Node }
  | { readonly kind: "compare"; readonly op: string; readonly left: Node; readonly right: Node };

class Refusal extends Error {}

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "=", "!", "(", ")"];
const JUEL_WORDS: Record<string, string> = { eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=", and: "&&", or: "||", not: "!" };

function tokenize(text: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: "number", text: number[0] });
      i += number[0].length;
      continue;
    }
    if (c === '"' || (c === "'" && dialect === "juel")) {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Refusal("a text literal is not closed");
      const value = text.slice(i + 1, end);
      if (value.includes("\\")) throw new Refusal("escapes inside text literals are not translated");
      tokens.push({ kind: "string", value });
      i = end + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: "name", text: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new Refusal(`"${c}" is not part of the simple conditions that are translated`);
    if (dialect === "feel" && (op === "==" || op === "&&" || op === "||" || op === "!")) throw new Refusal(`"${op}" is not FEEL`);
    if (dialect === "juel" && op === "=") throw new Refusal('JUEL compares with "==", not "="');
    tokens.push({ kind: "op", text: op });
    i += op.length;
  }
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  readonly #dialect: Dialect;
  #at = 0;

  constructor(tokens: Token[], dialect: Dialect) {
    this.#tokens = tokens;
    this.#dialect = dialect;
  }

  parse(): Node {
    const node = this.#or();
    const rest = this.#tokens[this.#at];
    if (rest) throw new Refusal(`unexpected ${"text" in rest ? `"${rest.text}"` : "text"} after the condition`);
    return node;
  }

  #peekWord(): string | undefined {
    const token = this.#tokens[this.#at];
    if (!token || token.kind === "string" || token.kind === "number") return undefined;
    if (token.kind === "op") return token.text;
    const word = token.text;
    if (this.#dialect === "feel") return word === "and" ? "&&" : word === "or" ? "||" : word === "not" ? "not" : undefined;
    return JUEL_WORDS[word];
  }

  #or(): Node {
    let left = this.#and();
    while (this.#peekWord() === "||") {
      this.#at++;
      left = { kind: "logic", op: "||", left, right: this.#and() };
    }
    return left;
  }

  #and(): Node {
    let left = this.#unary();
    while (this.#peekWord() === "&&") {
      this.#at++;
      left = { kind: "logic", op: "&&", left, right: this.#unary() };
    }
    return left;
  }

  #unary(): Node {
    const word = this.#peekWord();
    if (word === "!" && this.#dialect === "juel") {
      this.#at++;
      return { kind: "not", operand: this.#unary() };
    }
    if (word === "not" && this.#dialect === "feel") {
      // FEEL's not is a function: not(x).
      this.#at++;
      this.#expect("(");
      const operand = this.#or();
      this.#expect(")");
      return { kind: "not", operand };
    }
    return this.#comparison();
  }

  #comparison(): Node {
    const left = this.#primary();
    const word = this.#peekWord();
    if (word && ["==", "!=", "<", ">", "<=", ">=", "="].includes(word)) {
      this.#at++;
      return { kind: "compare", op: word === "=" ? "==" : word, left, right: this.#primary() };
    }
    return left;
  }

  #expect(op: string): void {
    const token = this.#tokens[this.#at];
    if (token?.kind !== "op" || token.text !== op) throw new Refusal(`expected "${op}"`);
    this.#at++;
  }

  #primary(): Node {
    const token = this.#tokens[this.#at];
    if (!token) throw new Refusal("the condition ends too early");
    this.#at++;
    if (token.kind === "number") return { kind: "literal", type: token.text.includes(".") ? "double" : "int", cel: token.text };
    if (token.kind === "string") return { kind: "literal", type: "string", cel: JSON.stringify(token.value) };
    if (token.kind === "op") {
      if (token.text !== "(") throw new Refusal(`unexpected "${token.text}"`);
      const inner = this.#or();
      this.#expect(")");
      return inner;
    }
    if (token.text === "true" || token.text === "false") return { kind: "literal", type: "bool", cel: token.text };
    if (token.text === "null" || token.text === "empty") throw new Refusal(`"${token.text}" tests are not translated`);
    const next = this.#tokens[this.#at];
    if (next?.kind === "op" && next.text === "(") throw new Refusal(`the function call ${token.text}(...) is not translated`);
    if (next?.kind === "name" && this.#peekWord() === undefined)
      throw new Refusal(`"${token.text} ${next.text}" is not a simple comparison`);
    if (token.text in JUEL_WORDS && this.#dialect === "juel") throw new Refusal(`"${token.text}" is an operator here`);
    return { kind: "variable", name: token.text };
  }
}

/** The types the condition implies for its variables; a variable compared with another is refused. */
function infer(node: Node, expected: VariableType | "condition", found: Map<string, VariableType>): void {
  const note = (name: string, type: VariableType) => {
    const before = found.get(name);
    if (before && before !== type) {
      // An int compared with a decimal somewhere else is still a number.
      if ((before === "int" && type === "double") || (before === "double" && type === "int")) found.set(name, "double");
      else throw new Refusal(`"${name}" is used both as ${before} and as ${type}`);
    } else found.set(name, type);
  };
  switch (node.kind) {
    case "literal":
      if (expected === "condition" && node.type !== "bool") throw new Refusal(`the constant ${node.cel} is not a condition`);
      return;
    case "variable":
      note(node.name, expected === "condition" ? "bool" : expected);
      return;
    case "not":
      infer(node.operand, "condition", found);
      return;
    case "logic":
      infer(node.left, "condition", found);
      infer(node.right, "condition", found);
      return;
    case "compare": {
      const literal = node.left.kind === "literal" ? node.left : node.right.kind === "literal" ? node.right : undefined;
      if (!literal) throw new Refusal("a comparison of two variables is not translated (their types are unknown)");
      if (literal.type !== "int" && literal.type !== "double" && ["<", ">", "<=", ">="].includes(node.op))
        throw new Refusal(`"${node.op}" compares numbers, not ${literal.type === "string" ? "text" : literal.type}`);
      for (const side of [node.left, node.right]) {
        if (side.kind === "variable") note(side.name, literal.type);
        else if (side.kind !== "literal") throw new Refusal("only a variable is compared with a constant");
      }
      return;
    }
  }
}

function render(node: Node, resolve: (name: string) => string, parent: "&&" | "||" | "!" | "top"): string {
  switch (node.kind) {
    case "literal":
      return node.cel;
    case "variable":
      return resolve(node.name);
    case "not": {
      const inner = render(node.operand, resolve, "!");
      return `!${node.operand.kind === "variable" ? inner : `(${inner})`}`;
    }
    case "logic": {
      const text = `${render(node.left, resolve, node.op)} ${node.op} ${render(node.right, resolve, node.op)}`;
      return parent === "top" || parent === node.op ? text : `(${text})`;
    }
    case "compare": {
      return `${render(node.left, resolve, "top")} ${node.op} ${render(node.right, resolve, "top")}`;
    }
  }
}

/** The expression inside its dialect's wrapper: FEEL's leading "=", JUEL's ${...} or #{...}. */
function unwrap(text: string, dialect: Dialect): string | RefusedCondition {
  const trimmed = text.trim();
  if (dialect === "feel") {
    if (!trimmed.startsWith("=")) return { ok: false, reason: 'a FEEL condition starts with "="' };
    return trimmed.slice(1);
  }
  const juel = /^[$#]\{([\s\S]*)\}$/.exec(trimmed);
  if (!juel) return { ok: false, reason: 'a JUEL condition is an expression in braces after "$" or "#"' };
  return juel[1] ?? "";
}

export function translateCondition(text: string, dialect: Dialect): TranslatedCondition | RefusedCondition {
  const inner = unwrap(text, dialect);
  if (typeof inner !== "string") return inner;
  try {
    const tree = new Parser(tokenize(inner, dialect), dialect).parse();
    const variables = new Map<string, VariableType>();
    infer(tree, "condition", variables);
    if (variables.size === 0) return { ok: false, reason: "the condition reads no variable (it is a constant)" };
    return { ok: true, variables, render: (resolve) => render(tree, resolve, "top") };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
}
