// Conditions are CEL (Common Expression Language): standard, side-effect free, not Turing complete.
// Each expression is type-checked when the playbook loads, against the variables its place in the
// playbook can see (facts, params, forms, the step, the triggering event), so a typo fails at load time
// and not when a client trips on it.
import { type ASTNode, Environment, parse } from "@marcbachmann/cel-js";
import { suggest } from "./diagnostics.ts";
import { re2Problem } from "./regex-dialect.ts";
import type { EventType, Playbook } from "./schema.ts";
import { celTypeOf } from "./values.ts";

type CelType = string | { readonly [field: string]: CelType };

const FACT_TYPES: Record<Playbook["facts"][string]["type"], string> = {
  bool: "bool",
  int: "int",
  double: "double",
  string: "string",
  date: "string",
  datetime: "string",
  email: "string",
  url: "string",
  phone: "string",
  list: "list<string>",
};

const PARAM_TYPES: Record<Playbook["parameters"][string]["type"], string> = {
  string: "string",
  text: "string",
  integer: "int",
  number: "double",
  date: "string",
  email: "string",
  url: "string",
};

/** What each event carries into a rule's `when`. */
export const EVENT_FIELDS: Record<EventType, Record<string, string>> = {
  "deal.won": { source: "string", deal_id: "string", stage: "string", amount: "double" },
  "deal.reopened": { source: "string", deal_id: "string", stage: "string" },
  "project.started": {},
  "project.on_hold": { reason: "string" },
  "project.completed": {},
  "project.go_live": {},
  "step.activated": { step: "string" },
  "step.completed": { step: "string" },
  "step.overdue": { step: "string", days_overdue: "int" },
  "step.target_missed": { step: "string", days_late: "int" },
  "gate.approved": { step: "string", role: "string", comment: "string" },
  "gate.rejected": { step: "string", role: "string", comment: "string" },
  "form.submitted": { form: "string" },
  "meeting.scheduled": { meeting: "string", starts_at: "string" },
  "training.completed": { track: "string", score: "double", passed: "bool" },
  "survey.answered": { survey: "string", score: "int", comment: "string" },
  "issue.opened": { severity: "string", title: "string", hours_open: "int" },
  "issue.resolved": { severity: "string", title: "string", hours_open: "int" },
  "change.requested": { kind: "string", delay_days: "int", billable: "bool", in_scope: "bool" },
  "milestone.reached": { milestone: "string" },
};

export const CALL_FIELDS = { outcome: "string" } as const;
export const STEP_FIELDS = { checklist_unchecked: "int", checklist_complete: "bool", attempt: "int" } as const;
export const TRAINING_FIELDS = { completion_rate: "double", all_passed: "bool", average_score: "double" } as const;
export const PROJECT_FIELDS = {
  days_since_start: "int",
  days_since_go_live: "int",
  on_hold: "bool",
  health: "string",
} as const;

/**
 * What a condition reads of a sign-off: `gates.<step>.outcome` is "approved",
 * "approved_with_conditions", "rejected" or "pending"; `comment` and `conditions` are the signers'
 * words (one line each); `roles.<role>` holds the same for one approver.
 */
export const GATE_FIELDS = { outcome: "string", comment: "string", conditions: "string" } as const;
export const GATE_OUTCOME_VALUES = ["approved", "approved_with_conditions", "rejected", "pending"] as const;

/** Where an expression stands decides what it may refer to. */
export interface ExpressionScope {
  readonly step?: boolean;
  readonly event?: EventType;
  readonly item?: string;
  /** What the repeat item is: a text (a list of texts) or a record (a row of a records field). Default: text. */
  readonly itemType?: "string" | "record";
}

export interface CheckResult {
  readonly ok: boolean;
  readonly type?: string;
  readonly message?: string;
  /** How to fix it, when the checker knows better than the general advice (a did-you-mean, RE2). */
  readonly fix?: string;
  /** The lint rule when it is not a type error: "expr/regex" for a pattern outside RE2. */
  readonly rule?: string;
  readonly offset?: number;
}

/** What the names under a variable are called in a message ("facts", "fields of form uat"). */
function namesOf(path: readonly string[]): string {
  const [root, second] = path;
  if (root === "params") return "parameters";
  if (root === "forms" && second !== undefined) return `fields of form "${second}"`;
  if (root === "event") return "event fields";
  if (root === "facts" || root === "forms") return root;
  return `${root ?? "variable"} fields`;
}

/**
 * What an evaluation may see. A fact the project was not given is absent (`has(facts.x)` is false,
 * reading it is an error); anything else missing reads as its type's zero value.
 */
export interface ExpressionValues {
  readonly facts?: Record<string, unknown>;
  readonly params?: Record<string, unknown>;
  readonly forms?: Record<string, Record<string, unknown>>;
  readonly step?: Record<string, unknown>;
  readonly training?: Record<string, unknown>;
  readonly project?: Record<string, unknown>;
  readonly event?: Record<string, unknown>;
  /** Each sign-off's outcome (engine/gates.ts): `gates.<step>.outcome`, `.comment`, `.conditions`, `.roles.<role>.*`. */
  readonly gates?: Record<string, Record<string, unknown>>;
  readonly calls?: Record<string, Record<string, unknown>>;
  /** The repeat item: a text, or a row of a records field. */
  readonly item?: unknown;
}

/** A JavaScript value as the CEL type declared for it: ints are bigints, missing values are zero values. */
function typed(type: CelType, value: unknown): unknown {
  if (typeof type !== "string") {
    const source = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(type).map(([k, t]) => [k, typed(t, source[k])]));
  }
  switch (type) {
    case "bool":
      return value === true;
    case "int":
      return typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value ?? 0)) || 0);
    case "double":
      return Number(value ?? 0) || 0;
    case "string":
      return value === undefined || value === null ? "" : String(value);
    case "list<string>":
      return Array.isArray(value) ? value.map(String) : [];
    case "list<map<string, dyn>>":
      return Array.isArray(value) ? value : [];
    case "map<string, string>":
      return value && typeof value === "object" ? value : {};
    default:
      return value ?? null;
  }
}

function fromCel(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(fromCel);
  return value;
}

/** Builds and caches one CEL environment per kind of scope for a playbook. */
export class ExpressionChecker {
  readonly #playbook: Playbook;
  readonly #environments = new Map<string, Environment>();
  readonly #compiled = new Map<string, ReturnType<Environment["parse"]>>();

  constructor(playbook: Playbook) {
    this.#playbook = playbook;
  }

  #schemaFor(scope: ExpressionScope): Record<string, CelType> {
    const p = this.#playbook;
    const facts = Object.fromEntries(Object.entries(p.facts).map(([id, f]) => [id, FACT_TYPES[f.type]]));
    const params = Object.fromEntries(Object.entries(p.parameters).map(([id, v]) => [id, PARAM_TYPES[v.type]]));
    const forms = Object.fromEntries(
      Object.entries(p.forms).map(([id, form]) => [
        id,
        Object.fromEntries(Object.entries(form.fields).map(([fid, field]) => [fid, celTypeOf(field.type)])),
      ]),
    );
    const gates = Object.fromEntries(
      p.phases
        .flatMap((phase) => phase.steps)
        .filter((step) => step.gate !== undefined)
        .map((step) => [
          // A step of a call ("edd.sign") is `gates.edd__sign` (a dot would be a field access).
          step.id.replaceAll(".", "__"),
          { ...GATE_FIELDS, roles: Object.fromEntries((step.gate?.approvers ?? []).map((role) => [role, GATE_FIELDS])) },
        ]),
    );
    const schema: Record<string, CelType> = {
      facts,
      params,
      forms,
      training: TRAINING_FIELDS,
      project: PROJECT_FIELDS,
      gates,
    };
    // A call's outcome: the branch its procedure's deciding step took ("" until it decided).
    if (p.calls.length > 0) schema.calls = Object.fromEntries(p.calls.map((call) => [call.key, CALL_FIELDS]));
    if (scope.step) schema.step = STEP_FIELDS;
    if (scope.event) schema.event = EVENT_FIELDS[scope.event];
    return schema;
  }

  #environment(scope: ExpressionScope): Environment {
    const key = `${scope.step ? "s" : ""}|${scope.event ?? ""}|${scope.item ?? ""}|${scope.itemType ?? ""}`;
    let env = this.#environments.get(key);
    if (!env) {
      env = new Environment({ unlistedVariablesAreDyn: false });
      // CEL's heterogeneous numeric equality: `event.amount == 0` compares a double with an int by
      // value, as `>` already does (one overload covers ==, != and both operand orders).
      env.registerOperator("double == int", (a: number, b: bigint) => a === Number(b));
      // ... and list membership, which CEL defines by the same equality.
      env.registerOperator("double in list<int>", (a: number, list: readonly bigint[]) => list.some((x) => Number(x) === a));
      env.registerOperator("int in list<double>", (a: bigint, list: readonly number[]) => list.some((x) => x === Number(a)));
      for (const [name, type] of Object.entries(this.#schemaFor(scope))) {
        // Empty maps (no facts declared) are still declared, so `facts.x` reports "No such key: x".
        if (typeof type === "string") env.registerVariable(name, type);
        else env.registerVariable({ name, schema: type as Record<string, string> });
      }
      if (scope.item) env.registerVariable(scope.item, scope.itemType === "record" ? "map<string, dyn>" : "string");
      this.#environments.set(key, env);
    }
    return env;
  }

  /** Evaluate a checked expression. Values are completed with zero values for what is not recorded yet. */
  evaluate(source: string, scope: ExpressionScope, values: ExpressionValues): unknown {
    const env = this.#environment(scope);
    const key = `${scope.step ? "s" : ""}|${scope.event ?? ""}|${scope.item ?? ""}|${scope.itemType ?? ""}|${source}`;
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = env.parse(source);
      this.#compiled.set(key, compiled);
    }
    const context: Record<string, unknown> = {};
    for (const [name, type] of Object.entries(this.#schemaFor(scope))) {
      context[name] = typed(type, (values as Record<string, unknown>)[name]);
    }
    // Facts are what the client told us: one not given (and without a default) is not in the map.
    const given = values.facts ?? {};
    context.facts = Object.fromEntries(
      Object.entries(context.facts as Record<string, unknown>).filter(([id]) => given[id] !== undefined && given[id] !== null),
    );
    if (scope.item)
      context[scope.item] =
        scope.itemType === "record" ? (values.item && typeof values.item === "object" ? values.item : {}) : String(values.item ?? "");
    return fromCel(compiled(context));
  }

  check(source: string, scope: ExpressionScope, expected: "bool" | "list" | "string"): CheckResult {
    let result: ReturnType<Environment["check"]>;
    try {
      result = this.#environment(scope).check(source);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    if (!result.valid) {
      const message = (result.error?.message ?? "invalid expression").split("\n")[0] ?? "invalid expression";
      const offset = result.error?.range?.start ?? 0;
      return { ok: false, offset, ...this.#didYouMean(source, scope, message, offset) };
    }
    const regex = ExpressionChecker.#regexProblem(source);
    if (regex) return { ok: false, rule: "expr/regex", ...regex };
    const type = result.type ?? "dyn";
    const fits = type === "dyn" || (expected === "list" ? type.startsWith("list") : type === expected);
    if (!fits) {
      const needed = expected === "bool" ? "condition (bool)" : expected === "string" ? "text (string)" : "list";
      return { ok: false, type, message: `the expression is ${type}, but a ${needed} is needed here` };
    }
    return { ok: true, type };
  }

  /** What the items of a `repeat.for_each` list are: rows of a records field, or texts. */
  itemTypeOf(forEach: string): "string" | "record" {
    const result = this.check(forEach, {}, "list");
    return result.ok && result.type?.startsWith("list<map") ? "record" : "string";
  }

  /**
   * A name the condition reads that is not declared: the nearest declared one (Levenshtein), or the
   * list of what is declared there. "No such key: user_cont" after "facts." becomes
   * `did you mean facts.user_count?`.
   */
  #didYouMean(source: string, scope: ExpressionScope, message: string, offset: number): { message: string; fix?: string } {
    const unknown = /^(?:No such key|Unknown variable): (\S+)/.exec(message)?.[1];
    if (unknown === undefined) return { message };
    const parent = /([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\.\s*$/.exec(source.slice(0, offset))?.[1]?.split(".") ?? [];
    let names: CelType = {
      ...this.#schemaFor(scope),
      ...(scope.item ? { [scope.item]: scope.itemType === "record" ? {} : "string" } : {}),
    };
    for (const segment of parent) {
      const next: CelType | undefined = typeof names === "string" ? undefined : names[segment];
      if (next === undefined || typeof next === "string") return { message };
      names = next;
    }
    const candidates = typeof names === "string" ? [] : Object.keys(names);
    const prefix = parent.length > 0 ? `${parent.join(".")}.` : "";
    const guess = suggest(unknown, candidates);
    const what = parent.length > 0 ? namesOf(parent) : "variables";
    if (guess) {
      const declare = parent.length > 0 ? `, or declare ${prefix}${unknown}` : "";
      return { message: `${message} (did you mean ${prefix}${guess}?)`, fix: `write ${prefix}${guess}${declare}` };
    }
    return {
      message,
      fix:
        candidates.length > 0
          ? `the ${what} here are: ${candidates.slice(0, 12).join(", ")}${candidates.length > 12 ? ", ..." : ""}; declare ${prefix}${unknown} if it is new`
          : `no ${what} are declared: declare ${prefix}${unknown}`,
    };
  }

  /** A `matches` pattern written as a literal that RE2 (CEL's dialect) and this engine would read differently. */
  static #regexProblem(source: string): { message: string; fix: string; offset: number } | undefined {
    let found: { message: string; fix: string; offset: number } | undefined;
    const visit = (value: unknown): void => {
      if (found) return;
      if (Array.isArray(value)) {
        for (const v of value) visit(v);
        return;
      }
      if (!value || typeof value !== "object" || !("op" in value)) return;
      const node = value as ASTNode & { start?: number };
      const args = node.args as unknown;
      if ((node.op === "rcall" || node.op === "call") && Array.isArray(args) && args[0] === "matches") {
        const params = (node.op === "rcall" ? args[2] : args[1]) as unknown;
        const pattern = Array.isArray(params) ? (params.at(-1) as (ASTNode & { start?: number }) | undefined) : undefined;
        if (pattern?.op === "value" && typeof pattern.args === "string") {
          const problem = re2Problem(pattern.args);
          if (problem) {
            found = {
              message: `the pattern "${pattern.args}": ${problem.message}`,
              fix: problem.fix,
              offset: (pattern.start ?? 0) + 1 + problem.index,
            };
            return;
          }
        }
      }
      visit(args);
    };
    try {
      visit(parse(source).ast);
    } catch {
      return undefined;
    }
    return found;
  }

  /**
   * The values an expression reads, as dotted paths (`facts.user_count`, `forms.kyc.rating`): what
   * an incident shows beside the error. Paths through computed keys stop at the computed part.
   */
  static pathsRead(source: string): string[] {
    const found = new Set<string>();
    const chain = (node: ASTNode): string[] | undefined => {
      if (node.op === "id") return [String(node.args)];
      if (node.op === "." || node.op === "[]") {
        const [target, key] = node.args as [ASTNode, unknown];
        const base = chain(target);
        if (!base) return undefined;
        const name = typeof key === "string" ? key : (key as ASTNode | undefined)?.op === "value" ? (key as ASTNode).args : undefined;
        return typeof name === "string" ? [...base, name] : base;
      }
      return undefined;
    };
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        for (const v of value) visit(v);
        return;
      }
      if (!value || typeof value !== "object" || !("op" in value)) return;
      const node = value as ASTNode;
      const path = chain(node);
      if (path) found.add(path.join("."));
      else visit(node.args);
      if (node.op === "[]") visit((node.args as unknown[])[1]);
    };
    try {
      visit(parse(source).ast);
    } catch {
      return [];
    }
    return [...found];
  }

  /** The facts an expression reads without a `has(facts.x)` test of the same fact anywhere in it. */
  static factsReadUnguarded(source: string): string[] {
    const guarded = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        for (const v of value) visit(v);
        return;
      }
      if (!value || typeof value !== "object" || !("op" in value)) return;
      const node = value as ASTNode;
      if (node.op === "call" && Array.isArray(node.args) && node.args[0] === "has") {
        for (const arg of (node.args[1] as ASTNode[] | undefined) ?? []) {
          const [target, key] = (arg.args ?? []) as [ASTNode | undefined, unknown];
          if (arg.op === "." && target?.op === "id" && target.args === "facts" && typeof key === "string") guarded.add(key);
        }
        return;
      }
      visit(node.args);
    };
    try {
      visit(parse(source).ast);
    } catch {
      return [];
    }
    const read = ExpressionChecker.pathsRead(source)
      .filter((p) => p.startsWith("facts."))
      .map((p) => p.split(".")[1] ?? "");
    return [...new Set(read)].filter((id) => id !== "" && !guarded.has(id));
  }

  /** The root variables an expression reads; a criterion that reads none is a constant, not a measurement. */
  static variablesRead(source: string): string[] {
    const found = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        for (const v of value) visit(v);
      } else if (value && typeof value === "object" && "op" in value) {
        const node = value as ASTNode;
        if (node.op === "id") found.add(String(node.args));
        else visit(node.args);
      }
    };
    try {
      visit(parse(source).ast);
    } catch {
      return [];
    }
    return [...found];
  }
}
