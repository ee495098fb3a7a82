// A CEL condition said in words, from its syntax tree: comparisons and logic as they read
// ("Risk rating (KYC) = “high” and not Data migration in scope"), and the functions and macros a
// real procedure uses (one of, contains, starts with, is empty, at least one entry) in plain
// language. What cannot be said faithfully returns undefined; the SOP then prints the expression
// itself, which is still exact. Either way a condition that uses more than names, literals,
// comparisons and logic is listed with its expression in the Conditions appendix.
import { type ASTNode, parse } from "@marcbachmann/cel-js";
import type { Playbook } from "../../playbook/schema.ts";

/** What a condition says, and whether it needs its expression beside it (functions, macros, arithmetic). */
export interface ConditionSaid {
  readonly words: string | undefined;
  readonly complex: boolean;
}

const STEP_WORDS: Readonly<Record<string, string>> = {
  "step.checklist_unchecked": "unchecked checklist items",
  "step.checklist_complete": "every checklist item checked",
  "step.attempt": "attempt number",
  "training.completion_rate": "training completion rate (%)",
  "training.all_passed": "every assessment passed",
  "training.average_score": "average assessment score (%)",
  "project.days_since_start": "days since the start",
  "project.days_since_go_live": "days since go-live",
  "project.on_hold": "project on hold",
  "project.health": "project health",
};

const COMPARISONS: Readonly<Record<string, string>> = { "==": "=", "!=": "≠", ">=": "≥", "<=": "≤", ">": ">", "<": "<" };
const ARITHMETIC: Readonly<Record<string, string>> = { "+": "+", "-": "−", "*": "×", "/": "÷", "%": "modulo" };
/** Binding strength, to put back the parentheses the tree does not keep. */
const PRECEDENCE: Readonly<Record<string, number>> = {
  "?:": 0,
  "||": 1,
  "&&": 2,
  comparison: 3,
  in: 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
};

function isNode(value: unknown): value is ASTNode {
  return typeof value === "object" && value !== null && "op" in value;
}

function pathOf(node: ASTNode): string | undefined {
  if (node.op === "id") return String(node.args);
  if (node.op === ".") {
    const [target, key] = node.args as [ASTNode, unknown];
    const base = isNode(target) ? pathOf(target) : undefined;
    return base !== undefined && typeof key === "string" ? `${base}.${key}` : undefined;
  }
  return undefined;
}

function nameWords(path: string, playbook: Playbook, bound: ReadonlyMap<string, string>): string | undefined {
  const [root, a, b, ...rest] = path.split(".");
  if (root !== undefined && bound.has(root)) {
    const name = bound.get(root) ?? "";
    return a === undefined ? name : `${name}’s ${[a, b, ...rest].filter(Boolean).join(" ").replaceAll("_", " ")}`;
  }
  if (STEP_WORDS[path]) return STEP_WORDS[path];
  if (root === "gates") return gateWords(path, playbook);
  if (rest.length > 0) return undefined;
  if (root === "facts" && a && !b && playbook.facts[a]) return playbook.facts[a].label;
  if (root === "params" && a && !b) return playbook.parameters[a]?.description ? a.replaceAll("_", " ") : undefined;
  if (root === "forms" && a && b) {
    const form = playbook.forms[a];
    const field = form?.fields[b];
    return form && field ? `${field.label} (${form.title})` : undefined;
  }
  if (root === "event" && a && !b) return `event ${a.replaceAll("_", " ")}`;
  if (root === "calls" && a && b === "outcome") {
    const call = playbook.calls.find((c) => c.key === a);
    return call ? `the outcome of “${call.title}”` : undefined;
  }
  return undefined;
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  approved: "approved",
  approved_with_conditions: "approved with conditions",
  rejected: "rejected",
  pending: "not yet signed",
};

/** The step a `gates.<step>...` path reads, and the role when it reads one approver's. */
function gateOf(path: string, playbook: Playbook): { title: string; role?: string; field: string } | undefined {
  const parts = path.split(".");
  if (parts[0] !== "gates") return undefined;
  const step = playbook.phases.flatMap((p) => p.steps).find((s) => s.id === parts[1]);
  if (!step?.gate) return undefined;
  if (parts.length === 3 && parts[2]) return { title: step.title, field: parts[2] };
  if (parts.length === 5 && parts[2] === "roles" && parts[3] && parts[4]) return { title: step.title, role: parts[3], field: parts[4] };
  return undefined;
}

/** `gates.review.comment` is "the reviewer's comments on “Review”" (issue 15 item 6). */
function gateWords(path: string, playbook: Playbook): string | undefined {
  const gate = gateOf(path, playbook);
  if (!gate) return undefined;
  const who = gate.role ? (playbook.roles[gate.role]?.title ?? gate.role) : "the reviewer";
  if (gate.field === "comment") return `${who}’s comments on “${gate.title}”`;
  if (gate.field === "conditions") return `${who}’s conditions on “${gate.title}”`;
  if (gate.field === "outcome") return `the outcome of ${gate.role ? `${who}’s ` : "the "}sign-off of “${gate.title}”`;
  return undefined;
}

/** `gates.review.outcome == "rejected"` is said whole: "the sign-off of “Review” is rejected". */
function outcomeWords(op: string, left: ASTNode, right: ASTNode, playbook: Playbook): string | undefined {
  if (op !== "==" && op !== "!=") return undefined;
  const [subject, literal] = left.op === "value" ? [right, left] : [left, right];
  const path = pathOf(subject);
  const gate = path === undefined ? undefined : gateOf(path, playbook);
  const said = literal.op === "value" && typeof literal.args === "string" ? OUTCOME_WORDS[literal.args] : undefined;
  if (!gate || gate.field !== "outcome" || said === undefined) return undefined;
  const who = gate.role ? `${playbook.roles[gate.role]?.title ?? gate.role}’s sign-off` : "the sign-off";
  return `${who} of “${gate.title}” is ${op === "!=" ? "not " : ""}${said}`;
}

function literalWords(value: unknown): string | undefined {
  if (typeof value === "string") return `“${value}”`;
  if (typeof value === "bigint" || typeof value === "number") return String(value).replace(/\.0$/, "");
  if (value === true) return "yes";
  if (value === false) return "no";
  if (value === null) return "nothing";
  return undefined;
}

class Speaker {
  complex = false;
  readonly #playbook: Playbook;
  readonly #bound = new Map<string, string>();

  constructor(playbook: Playbook) {
    this.#playbook = playbook;
  }

  say(node: ASTNode, parent = -1): string | undefined {
    const own = this.#precedence(node);
    const words = this.#say(node);
    if (words === undefined) return undefined;
    return own !== undefined && own < parent ? `(${words})` : words;
  }

  #precedence(node: ASTNode): number | undefined {
    if (COMPARISONS[node.op]) return PRECEDENCE.comparison;
    return PRECEDENCE[node.op];
  }

  #say(node: ASTNode): string | undefined {
    const op = node.op;
    const args = node.args as unknown;
    if (op === "value") return literalWords(args);
    if (op === "id" || op === ".") {
      const path = pathOf(node);
      return path === undefined ? undefined : nameWords(path, this.#playbook, this.#bound);
    }
    if (op === "!_") {
      const inner = args as ASTNode;
      const known = this.#known(inner);
      if (known !== undefined) return `${known} is not known`;
      const said = this.say(inner, 6);
      return said === undefined ? undefined : `not ${said}`;
    }
    if (op === "-_") {
      this.complex = true;
      const said = this.say(args as ASTNode, 6);
      return said === undefined ? undefined : `−${said}`;
    }
    if (op === "&&" || op === "||") {
      const [left, right] = args as [ASTNode, ASTNode];
      const p = PRECEDENCE[op] ?? 0;
      const a = this.say(left, p);
      const b = this.say(right, p + 1);
      return a === undefined || b === undefined ? undefined : `${a} ${op === "&&" ? "and" : "or"} ${b}`;
    }
    if (COMPARISONS[op]) return this.#comparison(op, args as [ASTNode, ASTNode]);
    if (ARITHMETIC[op]) {
      this.complex = true;
      const [left, right] = args as [ASTNode, ASTNode];
      const p = PRECEDENCE[op] ?? 4;
      const a = this.say(left, p);
      const b = this.say(right, p + 1);
      return a === undefined || b === undefined ? undefined : `${a} ${ARITHMETIC[op]} ${b}`;
    }
    if (op === "in") return this.#membership(args as [ASTNode, ASTNode]);
    if (op === "?:") {
      this.complex = true;
      const [test, then, otherwise] = (args as ASTNode[]).map((n) => this.say(n, 1));
      return test === undefined || then === undefined || otherwise === undefined
        ? undefined
        : `if ${test} then ${then}, otherwise ${otherwise}`;
    }
    if (op === "call") {
      const known = this.#known(node);
      if (known !== undefined) return `${known} is known`;
      const [name, params] = args as [string, ASTNode[]];
      this.complex = true;
      if (name === "size" && params.length === 1 && params[0]) return this.#size(params[0]);
      return undefined;
    }
    if (op === "rcall") {
      this.complex = true;
      const [name, target, params] = args as [string, ASTNode, ASTNode[]];
      return this.#method(name, target, params);
    }
    this.complex = true;
    return undefined;
  }

  /** `has(facts.x)`: the client gave the fact. */
  #known(node: ASTNode): string | undefined {
    if (node.op !== "call") return undefined;
    const [name, params] = node.args as [string, ASTNode[]];
    if (name !== "has" || params.length !== 1 || !params[0]) return undefined;
    const path = pathOf(params[0]);
    const [root, fact] = path?.split(".") ?? [];
    return root === "facts" && fact && this.#playbook.facts[fact] ? this.#playbook.facts[fact].label : undefined;
  }

  #size(subject: ASTNode): string | undefined {
    const said = this.say(subject, 6);
    return said === undefined ? undefined : `the number of entries in ${said}`;
  }

  #comparison(op: string, [left, right]: [ASTNode, ASTNode]): string | undefined {
    const outcome = outcomeWords(op, left, right, this.#playbook);
    if (outcome !== undefined) return outcome;
    // "size(x) == 0" and "size(x) > 0" read better as emptiness.
    const sized = this.#sizedSubject(left);
    const zero = right.op === "value" && (right.args === 0n || right.args === 0);
    if (sized && zero && (op === "==" || op === "<=")) return this.#wrap(sized, (s) => `${s} is empty`);
    if (sized && zero && (op === ">" || op === "!=")) return this.#wrap(sized, (s) => `${s} is not empty`);
    if (right.op === "value" && right.args === null && (op === "==" || op === "!=")) {
      return this.#wrap(left, (s) => (op === "==" ? `${s} is not given` : `${s} is given`));
    }
    const p = PRECEDENCE.comparison ?? 3;
    const a = this.say(left, p + 1);
    const b = this.say(right, p + 1);
    return a === undefined || b === undefined ? undefined : `${a} ${COMPARISONS[op]} ${b}`;
  }

  #sizedSubject(node: ASTNode): ASTNode | undefined {
    if (node.op === "call") {
      const [name, params] = node.args as [string, ASTNode[]];
      if (name === "size" && params.length === 1) return params[0];
    }
    if (node.op === "rcall") {
      const [name, target, params] = node.args as [string, ASTNode, ASTNode[]];
      if (name === "size" && params.length === 0) return target;
    }
    return undefined;
  }

  #wrap(node: ASTNode, phrase: (said: string) => string): string | undefined {
    if (node.op !== "value" && node.op !== "id" && node.op !== ".") this.complex = true;
    const said = this.say(node, 6);
    return said === undefined ? undefined : phrase(said);
  }

  #membership([needle, haystack]: [ASTNode, ASTNode]): string | undefined {
    this.complex = true;
    const subject = this.say(needle, 4);
    if (subject === undefined) return undefined;
    if (haystack.op === "list") {
      const options = (haystack.args as ASTNode[]).map((n) => this.say(n, 4));
      if (options.some((o) => o === undefined)) return undefined;
      return options.length === 1 ? `${subject} = ${options[0]}` : `${subject} is one of ${options.join(", ")}`;
    }
    const list = this.say(haystack, 4);
    return list === undefined ? undefined : `${list} includes ${subject}`;
  }

  #method(name: string, target: ASTNode, params: ASTNode[]): string | undefined {
    const subject = this.say(target, 6);
    if (subject === undefined) return undefined;
    const [first, second] = params;
    if (name === "size" && params.length === 0) return `the number of entries in ${subject}`;
    if ((name === "exists" || name === "all" || name === "exists_one") && first?.op === "id" && second) {
      const variable = String(first.args);
      this.#bound.set(variable, "the entry");
      const test = this.say(second, 0);
      this.#bound.delete(variable);
      if (test === undefined) return undefined;
      if (name === "exists") return `at least one entry of ${subject} where ${test}`;
      if (name === "all") return `every entry of ${subject} has ${test}`;
      return `exactly one entry of ${subject} where ${test}`;
    }
    if (params.length !== 1 || !first) return undefined;
    const argument = this.say(first, 6);
    if (argument === undefined) return undefined;
    if (name === "contains") return `${subject} contains ${argument}`;
    if (name === "startsWith") return `${subject} starts with ${argument}`;
    if (name === "endsWith") return `${subject} ends with ${argument}`;
    if (name === "matches") return `${subject} matches the pattern ${argument}`;
    return undefined;
  }
}

/** A CEL condition in words (undefined when it cannot be said faithfully), and whether it is complex. */
export function sayCondition(condition: string, playbook: Playbook): ConditionSaid {
  let ast: ASTNode;
  try {
    ast = parse(condition).ast;
  } catch {
    return { words: undefined, complex: true };
  }
  const speaker = new Speaker(playbook);
  const words = speaker.say(ast);
  return { words, complex: speaker.complex || words === undefined };
}
