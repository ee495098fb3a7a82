// Procedures (named blocks of steps) and their calls. A call is expanded when the playbook loads
// into ordinary steps with derived ids (`<call>.<block step>`), wired with `after:` from what
// precedes the call to the block's first steps, and from the block's last steps to what follows
// the call. The engine never sees a call: a project runs plain steps, so nothing in it changes.
// Forms a procedure declares are per call (`<call>__<form>`): inside the block `forms.<form>` is
// rewritten to that call's form, so two calls never share answers. A call's outcome is the branch
// its block's deciding step took, read after it as `calls.<call>.outcome`.
import type { Finding, Path } from "./diagnostics.ts";
import { BRANCH_KEYWORDS } from "./model.ts";
import type { CallSite, CallStep, Form, Phase, Playbook, Procedure, RawPlaybook, Step } from "./schema.ts";

export interface Expansion {
  readonly playbook: Playbook;
  /** Where each expanded step is written in the source (a block step: in its procedure). */
  readonly paths: ReadonlyMap<string, Path>;
  readonly findings: readonly Finding[];
}

type Item = Step | CallStep;

export function isCall(item: Item): item is CallStep {
  return "call" in item && typeof item.call === "string";
}

interface Scope {
  /** "" at the top, "<call id>." inside a call. */
  readonly prefix: string;
  /** The enclosing call ("" at the top), and its key in conditions. */
  readonly call: string;
  readonly key: string;
  readonly title?: string;
  readonly when?: string;
  /** A call repeated per item: every step of its block repeats over the same items. */
  readonly repeat?: Step["repeat"];
  readonly forms: ReadonlyMap<string, string>;
  readonly calls: ReadonlyMap<string, string>;
  /** The block's steps as `gates.<key>`: "<call key>__<step>". */
  readonly gates: ReadonlyMap<string, string>;
  readonly stack: readonly string[];
  readonly phase: string;
  /** The source path of the list being expanded: ["phases", i, "steps"] or ["procedures", j, "steps"]. */
  readonly path: Path;
  /** Local step ids of this list (a block's refs must stay inside it). */
  readonly local: ReadonlySet<string>;
}

const isKeyword = (next: string): boolean => (BRANCH_KEYWORDS as readonly string[]).includes(next);

/** `forms.<id>`, `calls.<id>` and `gates.<step>` of a block, as the call's own form, nested call and step. */
export function rewriteCondition(
  source: string,
  forms: ReadonlyMap<string, string>,
  calls: ReadonlyMap<string, string>,
  gates: ReadonlyMap<string, string> = new Map(),
): string {
  if (forms.size === 0 && calls.size === 0 && gates.size === 0) return source;
  return source.replace(/(?<![\w.])(forms|calls|gates)(\s*\.\s*)([a-z][a-z0-9_]*)/g, (match, root: string, dot: string, id: string) => {
    const to = (root === "forms" ? forms : root === "calls" ? calls : gates).get(id);
    return to === undefined ? match : `${root}${dot}${to}`;
  });
}

function both(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return `(${a}) && (${b})`;
}

class Expander {
  readonly findings: Finding[] = [];
  readonly paths = new Map<string, Path>();
  readonly forms: Record<string, Form> = {};
  readonly calls: CallSite[] = [];
  readonly #procedures = new Map<string, { procedure: Procedure; path: Path }>();

  constructor(procedures: readonly { procedure: Procedure; path: Path }[]) {
    for (const entry of procedures) {
      if (this.#procedures.has(entry.procedure.id)) {
        this.#error(
          "ids/duplicate",
          [...entry.path, "id"],
          `the procedure id "${entry.procedure.id}" is used twice`,
          "give each one its own id",
        );
      } else this.#procedures.set(entry.procedure.id, entry);
    }
  }

  #error(rule: string, path: Path, message: string, fix: string): void {
    this.findings.push({ rule, severity: "error", message, path, fix });
  }

  /** Expand the items of a phase (top level) or a block. `preds` is what the list's first step waits for. */
  list(items: readonly Item[], scope: Scope, preds: readonly string[] | undefined, out: Step[]): { exits: string[]; entries: string[] } {
    const top = scope.prefix === "";
    const callEntries = new Map<string, readonly string[]>();
    const callExits = new Map<string, readonly string[]>();
    const mine: Step[] = [];
    const entries: string[] = [];
    // What the next step written waits for by default (undefined at the top: the model's default).
    let previous: readonly string[] | undefined = preds;
    let previousIsCall = false;

    const mapAfter = (refs: readonly string[], at: Path): string[] =>
      refs.flatMap((ref, i) => {
        const exits = callExits.get(ref);
        if (exits) return [...exits];
        if (top) return [ref];
        if (scope.local.has(ref)) return [scope.prefix + ref];
        this.#error(
          "procedure/outside-ref",
          [...at, i],
          `"${ref}" is not a step of this procedure (or is a call written after this step)`,
          "a block's steps wait only for its own steps written before them; what precedes the call is waited for already",
        );
        return [];
      });

    items.forEach((item, index) => {
      const at: Path = [...scope.path, index];
      if (isCall(item)) {
        const waits = item.after
          ? item.after.length === 0 && !top
            ? [...(preds ?? [])]
            : mapAfter(item.after, [...at, "after"])
          : [...(previous ?? [])];
        const result = this.#call(item, scope, waits, at, out);
        callEntries.set(item.id, result.entries);
        callExits.set(item.id, result.exits);
        if (waits.length === (preds ?? []).length && waits.every((w) => (preds ?? []).includes(w))) entries.push(...result.entries);
        previous = result.exits;
        previousIsCall = true;
        return;
      }
      const step = item;
      if (top) {
        let after = step.after;
        if (after?.some((ref) => callExits.has(ref) || this.#laterCall(items, ref))) after = mapAfter(after, [...at, "after"]);
        else if (after === undefined && !step.on_demand && !step.opens && previousIsCall) after = [...(previous ?? [])];
        const copy = after === step.after ? step : { ...step, after };
        out.push(copy);
        mine.push(copy);
        if (!step.on_demand) {
          previous = [step.id];
          previousIsCall = false;
        }
        return;
      }
      const id = scope.prefix + step.id;
      let after: string[] | undefined;
      if (step.after) after = step.after.length === 0 && !step.on_demand ? [...(preds ?? [])] : mapAfter(step.after, [...at, "after"]);
      else if (!step.on_demand) after = [...(previous ?? [])];
      if (!step.on_demand && (step.after === undefined ? previous === preds : step.after.length === 0)) entries.push(id);
      const copy = this.#renamed(step, id, after, scope);
      this.paths.set(id, at);
      out.push(copy);
      mine.push(copy);
      if (!step.on_demand) {
        previous = [id];
        previousIsCall = false;
      }
    });

    // Branches, detours, activations and returns name steps (or calls: their first step) of this list.
    const target = (ref: string, path: Path): string => {
      const entry = callEntries.get(ref)?.[0];
      if (entry !== undefined) return entry;
      if (top || isKeyword(ref)) return ref;
      if (scope.local.has(ref)) return scope.prefix + ref;
      this.#error(
        "procedure/outside-ref",
        path,
        `"${ref}" is not a step of this procedure`,
        'a block\'s branches go to its own steps, or "continue", "hold" or "end"; it returns to its caller by finishing',
      );
      return ref;
    };
    const retarget = (step: Step, at: Path): Step => {
      const decision = step.decision && {
        ...step.decision,
        branches: step.decision.branches.map((branch, b) => ({
          ...branch,
          next: target(branch.next, [...at, "decision", "branches", b, "next"]),
          ...(branch.detour ? { detour: branch.detour.map((d, i) => target(d, [...at, "decision", "branches", b, "detour", i])) } : {}),
          actions: branch.actions.map((action, i) =>
            action.activate
              ? {
                  ...action,
                  activate: { step: target(action.activate.step, [...at, "decision", "branches", b, "actions", i, "activate"]) },
                }
              : action,
          ),
        })),
      };
      const changed = {
        ...step,
        ...(decision ? { decision } : {}),
        ...(step.next !== undefined ? { next: target(step.next, [...at, "next"]) } : {}),
      };
      return JSON.stringify(changed) === JSON.stringify(step) ? step : changed;
    };
    for (const step of mine) {
      const position = out.indexOf(step);
      const index = items.findIndex((item) => (top ? item === step || item.id === step.id : scope.prefix + item.id === step.id));
      const fixed = retarget(step, [...scope.path, index]);
      if (fixed !== step) out[position] = fixed;
    }

    // The block's last steps: the ones nothing after them in the block waits for.
    const produced = out.filter((s) => !s.on_demand && (top || s.id.startsWith(scope.prefix)));
    const waited = new Set(produced.flatMap((s) => s.after ?? []));
    const exits = produced.map((s) => s.id).filter((id) => !waited.has(id));
    return { exits, entries };
  }

  #laterCall(items: readonly Item[], ref: string): boolean {
    return items.some((item) => isCall(item) && item.id === ref);
  }

  #renamed(step: Step, id: string, after: string[] | undefined, scope: Scope): Step {
    const rewrite = (source: string | undefined) =>
      source === undefined ? undefined : rewriteCondition(source, scope.forms, scope.calls, scope.gates);
    const when = both(scope.when, rewrite(step.when));
    const copy: Step = {
      ...step,
      id,
      title: scope.title ? `${scope.title}: ${step.title}` : step.title,
      ...(step.client_title ? { client_title: `${scope.title ?? ""}: ${step.client_title}` } : {}),
      after,
      ...(when !== undefined ? { when } : {}),
      ...(step.form !== undefined ? { form: scope.forms.get(step.form) ?? step.form } : {}),
      ...(step.repeat
        ? { repeat: { ...step.repeat, for_each: rewrite(step.repeat.for_each) ?? step.repeat.for_each } }
        : scope.repeat
          ? { repeat: scope.repeat }
          : {}),
      checklist: step.checklist.map((item) =>
        typeof item === "string" || item.when === undefined ? item : { ...item, when: rewrite(item.when) ?? item.when },
      ),
      ...(step.decision
        ? {
            decision: {
              ...step.decision,
              branches: step.decision.branches.map((branch) => ({
                ...branch,
                ...(branch.when !== undefined ? { when: rewrite(branch.when) ?? branch.when } : {}),
                actions: branch.actions.map((action) =>
                  action.when === undefined ? action : { ...action, when: rewrite(action.when) ?? action.when },
                ),
              })),
            },
          }
        : {}),
    };
    if (after === undefined) delete copy.after;
    return copy;
  }

  #call(item: CallStep, scope: Scope, waits: readonly string[], at: Path, out: Step[]): { entries: string[]; exits: string[] } {
    const found = this.#procedures.get(item.call);
    if (!found) {
      const known = [...this.#procedures.keys()];
      this.#error(
        "procedure/unknown",
        [...at, "call"],
        `unknown procedure "${item.call}"`,
        known.length > 0 ? `call one of: ${known.join(", ")}` : "declare it under procedures:, or include the procedures file that has it",
      );
      return { entries: [], exits: [...waits] };
    }
    if (scope.stack.includes(item.call)) {
      this.#error(
        "procedure/recursive",
        [...at, "call"],
        `procedure "${item.call}" calls itself (${[...scope.stack, item.call].join(" → ")})`,
        "a procedure cannot be carried out inside itself: loop with a decision branch instead",
      );
      return { entries: [], exits: [...waits] };
    }
    const { procedure, path } = found;
    if ((item.repeat || scope.repeat) && procedure.steps.some((s) => !isCall(s) && s.repeat)) {
      this.#error(
        "procedure/nested-repeat",
        [...at, "repeat"],
        `procedure "${procedure.id}" has a step repeated for each item of its own, so it cannot also be carried out per item`,
        "repeat either the call or the step, not both",
      );
    }
    const id = scope.prefix + item.id;
    const key = scope.key === "" ? item.id : `${scope.key}__${item.id}`;
    const title = item.title ?? procedure.title;
    const forms = new Map<string, string>();
    for (const [formId, form] of Object.entries(procedure.forms)) {
      const global = `${key}__${formId}`;
      forms.set(formId, global);
      this.forms[global] = form;
    }
    const calls = new Map<string, string>();
    for (const step of procedure.steps) if (isCall(step)) calls.set(step.id, `${key}__${step.id}`);
    const gatesOf = new Map(procedure.steps.filter((s) => !isCall(s)).map((s) => [s.id, `${key}__${s.id}`]));
    // Required-if conditions of the block's forms read the call's own answers too.
    for (const [formId, global] of forms) {
      const form = procedure.forms[formId];
      if (!form) continue;
      this.forms[global] = {
        ...(this.forms[global] as Form),
        fields: Object.fromEntries(
          Object.entries(form.fields).map(([fid, field]) => [
            fid,
            field.required_if === undefined ? field : { ...field, required_if: rewriteCondition(field.required_if, forms, calls, gatesOf) },
          ]),
        ),
      };
    }
    const inner: Scope = {
      prefix: `${id}.`,
      call: id,
      key,
      title,
      when: both(scope.when, item.when === undefined ? undefined : rewriteCondition(item.when, scope.forms, scope.calls, scope.gates)),
      ...(repeatOf(item, scope) ? { repeat: repeatOf(item, scope) } : {}),
      forms,
      calls,
      gates: gatesOf,
      stack: [...scope.stack, item.call],
      phase: scope.phase,
      path: [...path, "steps"],
      local: new Set(procedure.steps.map((s) => s.id)),
    };
    const start = out.length;
    const result = this.list(procedure.steps, inner, waits, out);
    const steps = out.slice(start).map((s) => s.id);
    if (result.exits.length === 0 || steps.length === 0) {
      this.#error(
        "procedure/no-end",
        [...path, "id"],
        `procedure "${procedure.id}" has no end: none of its steps is one the flow can leave it from`,
        "give it at least one step that is not on demand and that no other step of it waits for",
      );
    }
    const decider = procedure.outcome ?? [...procedure.steps].reverse().find((s): s is Step => !isCall(s) && s.decision !== undefined)?.id;
    if (procedure.outcome !== undefined) {
      const named = procedure.steps.find((s) => s.id === procedure.outcome);
      if (!named || isCall(named) || !named.decision)
        this.#error(
          "procedure/outcome",
          [...path, "outcome"],
          `the outcome "${procedure.outcome}" is not a decision step of procedure "${procedure.id}"`,
          "name one of its steps that has a decision:",
        );
    }
    this.calls.push({
      id,
      key,
      procedure: procedure.id,
      title,
      ...(item.when !== undefined ? { when: item.when } : {}),
      ...(item.description !== undefined ? { description: item.description } : {}),
      ...(scope.call !== "" ? { parent: scope.call } : {}),
      phase: scope.phase,
      steps,
      entries: result.entries.length > 0 ? result.entries : steps.slice(0, 1),
      exits: result.exits,
      ...(decider !== undefined ? { outcome: `${id}.${decider}` } : {}),
    });
    return { entries: result.entries, exits: result.exits.length > 0 ? result.exits : [...waits] };
  }
}

/** The items a call repeats over, in the caller's terms (a call inside a repeated call repeats with it). */
function repeatOf(item: CallStep, scope: Scope): Step["repeat"] | undefined {
  if (!item.repeat) return scope.repeat;
  const for_each = rewriteCondition(item.repeat.for_each, scope.forms, scope.calls, scope.gates);
  const label = item.repeat.label === undefined ? undefined : rewriteCondition(item.repeat.label, scope.forms, scope.calls, scope.gates);
  return { ...item.repeat, for_each, ...(label !== undefined ? { label } : {}) };
}

/**
 * Expand every call of a playbook. `included` are procedures from included files (the path is where
 * to report their problems: the include line). A playbook without calls comes back unchanged.
 */
export function expandProcedures(raw: RawPlaybook, included: readonly { procedure: Procedure; path: Path }[] = []): Expansion {
  const procedures = [...raw.procedures.map((procedure, i) => ({ procedure, path: ["procedures", i] as Path })), ...included];
  const expander = new Expander(procedures);
  const hasCalls = raw.phases.some((phase) => phase.steps.some(isCall));
  const allProcedures = [...raw.procedures, ...included.map((p) => p.procedure)];
  if (!hasCalls) {
    const phases = raw.phases as Phase[];
    return { playbook: { ...raw, procedures: allProcedures, phases, calls: [] }, paths: expander.paths, findings: expander.findings };
  }
  // Phases are expanded in order; a step's default predecessor crosses phase boundaries (as in the model).
  const phases: Phase[] = [];
  let carry: readonly string[] | undefined;
  raw.phases.forEach((phase, i) => {
    const out: Step[] = [];
    const scope: Scope = {
      prefix: "",
      call: "",
      key: "",
      forms: new Map(),
      calls: new Map(),
      gates: new Map(),
      stack: [],
      phase: phase.id,
      path: ["phases", i, "steps"],
      local: new Set(),
    };
    const first = phase.steps[0];
    // A call opening a phase waits for the last step written before it (or for a call closing the last phase).
    const result = expander.list(phase.steps, scope, first && isCall(first) ? carry : undefined, out);
    const last = [...phase.steps].reverse().find((s) => isCall(s) || !s.on_demand);
    carry = last && isCall(last) ? result.exits : last ? [last.id] : carry;
    phases.push({ ...phase, steps: out });
  });
  // A phase that starts with a plain step after a phase that ended with a call: it waits for the call's end.
  for (let i = 1; i < raw.phases.length; i++) {
    const before = raw.phases[i - 1];
    const firstRaw = raw.phases[i]?.steps[0];
    const lastRaw = before && [...before.steps].reverse().find((s) => isCall(s) || !s.on_demand);
    const phase = phases[i];
    if (!phase || !firstRaw || isCall(firstRaw) || !lastRaw || !isCall(lastRaw)) continue;
    const step = phase.steps[0];
    if (step && step.after === undefined && !step.on_demand && !step.opens) {
      const site = expander.calls.find((c) => c.id === lastRaw.id);
      phase.steps[0] = { ...step, after: [...(site?.exits ?? [])] };
    }
  }
  const playbook: Playbook = {
    ...raw,
    procedures: allProcedures,
    forms: { ...raw.forms, ...expander.forms },
    phases,
    calls: expander.calls,
  };
  return { playbook, paths: expander.paths, findings: expander.findings };
}
