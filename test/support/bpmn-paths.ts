// Running a playbook in Onboard's engine and its BPMN export in bpmn-engine side by side, with the
// same choices: Onboard completes one open step at a time (its decisions recorded with the branch
// the scenario chooses), bpmn-engine's waiting user task for that step is signalled with what
// Onboard's conditions see at that moment, and after each step both must have the same steps open.
import { EventEmitter } from "node:events";
import { Timers } from "bpmn-elements";
import { Engine } from "bpmn-engine";
import { BpmnModdle, type ParseResult } from "bpmn-moddle";
import { conditionValues, evaluate } from "../../src/engine/conditions.ts";
import { checklistKey, type EngineContext } from "../../src/engine/context.ts";
import { type Actor, EngineError, execute, type ProjectState, startProject } from "../../src/engine/index.ts";
import { passingValue } from "../../src/engine/simulate.ts";
import { taskId } from "../../src/interchange/bpmn-export/index.ts";
import { ExpressionChecker } from "../../src/playbook/expressions.ts";
import { BRANCH_KEYWORDS, type PlaybookModel } from "../../src/playbook/model.ts";
import type { Step } from "../../src/playbook/schema.ts";
import { factSpec } from "../../src/playbook/values.ts";

type Values = Record<string, unknown>;

export interface Scenario {
  readonly name: string;
  /** Facts beyond each fact's passing value. */
  readonly facts: Values;
  /** Form answers by "<form>@<attempt of the submitting step>", beyond each field's passing value. */
  readonly forms: Readonly<Record<string, Values>>;
  /** Sign-offs to reject rather than approve (a decision reads their outcome). */
  readonly rejects?: readonly string[];
  /** The branch a decision is to take (on its first visit where the data can say so); undefined: its default branch. */
  readonly choose: (step: string) => string | undefined;
}

export interface PathResult {
  /** Steps in the order they were reached (opened or scheduled), the same in both engines. */
  readonly reached: readonly string[];
  /** The first difference, if the engines disagreed. */
  readonly mismatch?: string;
  /** Form answers or facts a branch's criteria need that the scenario did not give: run again with them. */
  readonly needs?: { readonly facts: Values; readonly forms: Readonly<Record<string, Values>>; readonly rejects: readonly string[] };
  readonly decisions: readonly { readonly step: string; readonly branch: string }[];
}

const REACHED = new Set(["open", "in_progress", "scheduled"]);
const KEYWORDS: ReadonlySet<string> = new Set(BRANCH_KEYWORDS);
const CLIENT = { id: "client-1", name: "Globex", timeZone: "Europe/London", country: "GB" } as const;
const FAR_FUTURE = "2099-01-01T00:00:00.000Z";

/** The default branch of a decision: the first that carries on, else the first. */
export function defaultBranch(step: Step): string {
  const branches = step.decision?.branches ?? [];
  return (branches.find((b) => b.next === "continue") ?? branches[0])?.label ?? "";
}

/** Plain JSON values (CEL ints may be bigints), each top-level object a fresh copy. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function setPath(values: Values, path: string, value: unknown): void {
  const keys = path.split(".");
  let current = values;
  for (const key of keys.slice(0, -1)) {
    const next = current[key];
    current[key] = next && typeof next === "object" ? { ...(next as Values) } : {};
    current = current[key] as Values;
  }
  current[keys.at(-1) ?? ""] = value;
}

function getPath(values: unknown, path: string): unknown {
  let current = values;
  for (const key of path.split(".")) current = current && typeof current === "object" ? (current as Values)[key] : undefined;
  return current;
}

/** The literals an expression compares with, as candidate values for the paths it reads. */
export function literalsOf(source: string): unknown[] {
  const found: unknown[] = [];
  for (const match of source.matchAll(/"([^"]*)"|(-?\d+(?:\.\d+)?)|\b(true|false)\b/g)) {
    if (match[1] !== undefined) found.push(match[1]);
    else if (match[2] !== undefined) {
      const n = Number(match[2]);
      found.push(n, n + 1, n - 1);
    } else found.push(match[3] === "true");
  }
  return found;
}

/** Candidate values for a path: its current value first, then values of the same kind. */
export function candidates(current: unknown, literals: readonly unknown[]): unknown[] {
  const kind = typeof current === "bigint" ? "number" : typeof current;
  const same = literals.filter((l) => current === undefined || current === null || typeof l === kind);
  const extra = kind === "boolean" ? [true, false] : kind === "string" ? ["something else"] : kind === "number" ? [0] : [true, false, 0];
  return [...new Set([current, ...same, ...extra])];
}

/**
 * What a decision's criteria must read for the given branch to be the first that holds: the
 * values Onboard sees, with the paths the criteria read varied over the literals they compare with.
 */
/** What no person's work changes at the moment of deciding: the attempt (only going round a loop does), call outcomes, the project's figures. */
const FIXED = /^(step\.attempt|calls\.|project\.)/;

export function witness(ctx: EngineContext, step: Step, branch: string, base: Values): Values | undefined {
  const branches = step.decision?.branches ?? [];
  const sources = branches.flatMap((b) => (b.when !== undefined ? [b.when] : []));
  const paths = [...new Set(sources.flatMap((s) => ExpressionChecker.pathsRead(s)))];
  const literals = sources.flatMap(literalsOf);
  const options = paths.map((p) => (FIXED.test(p) ? [getPath(base, p)] : candidates(getPath(base, p), literals)));
  const chosen = (values: Values) =>
    branches.find((b) => b.otherwise === true || (b.when !== undefined && evaluate(ctx, b.when, { step: true }, values).value === true))
      ?.label;
  const total = options.reduce((n, o) => n * o.length, 1);
  for (let i = 0; i < Math.min(total, 20_000); i++) {
    const values = structuredClone(base);
    let rest = i;
    paths.forEach((path, p) => {
      const list = options[p] ?? [];
      setPath(values, path, list[rest % list.length]);
      rest = Math.floor(rest / list.length);
    });
    if (chosen(values) === branch) {
      const read: Values = {};
      for (const path of paths) read[path] = getPath(values, path);
      return read;
    }
  }
  return undefined;
}

// The export read once per text: every path of a playbook runs the same model.
const contexts = new Map<string, Promise<ParseResult>>();
function parsed(xml: string): Promise<ParseResult> {
  let context = contexts.get(xml);
  if (!context) {
    context = new BpmnModdle().fromXML(xml);
    contexts.set(xml, context);
  }
  return context;
}

/** bpmn-engine with timers that never fire: deadlines are not what these paths compare. */
class BpmnSide {
  readonly waiting = new Map<string, { signal: (message?: unknown) => void }>();
  readonly variables: Values;
  ended = false;
  error: string | undefined;
  private readonly engine: InstanceType<typeof Engine>;

  constructor(moddleContext: ParseResult, variables: Values) {
    this.variables = variables;
    const timers = new Timers({ setTimeout: (() => ({})) as unknown as typeof setTimeout, clearTimeout: () => undefined });
    this.engine = new Engine({ name: "export", moddleContext, timers } as unknown as ConstructorParameters<typeof Engine>[0]);
  }

  async start(): Promise<void> {
    const listener = new EventEmitter();
    listener.on("wait", (api: { id: string; type: string; signal: (m?: unknown) => void }) => {
      if (api.type === "bpmn:UserTask") this.waiting.set(api.id, api);
    });
    // A task the process stopped (a terminate end, an interrupting event) is discarded, not left.
    for (const event of ["activity.leave", "activity.discard"]) listener.on(event, (api: { id: string }) => this.waiting.delete(api.id));
    this.engine.on("end", () => {
      this.ended = true;
    });
    this.engine.on("error", (error: Error) => {
      this.error = error.message;
    });
    await this.engine.execute({ listener, variables: this.variables });
  }

  /** New values in place: the processes' environments share these objects, not copies. */
  update(values: Values): void {
    for (const [key, value] of Object.entries(values)) {
      const target = this.variables[key];
      if (target && typeof target === "object" && value && typeof value === "object" && !Array.isArray(value)) {
        for (const k of Object.keys(target)) delete (target as Values)[k];
        Object.assign(target, value);
      } else this.variables[key] = value;
    }
  }

  async signal(task: string): Promise<void> {
    const api = this.waiting.get(task);
    this.waiting.delete(task);
    api?.signal();
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** The activities still running, to say where a process that should have ended is stuck. */
  running(): string[] {
    const definitions = this.engine.execution?.definitions ?? [];
    return definitions.flatMap((d) => d.getPostponed().map((a) => a.id));
  }

  stop(): void {
    this.engine.stop();
  }
}

/** The client every scenario starts from: each fact's default, else a value that passes it (a list of one). */
export function defaultFacts(model: PlaybookModel): Values {
  const facts: Values = {};
  for (const [id, def] of Object.entries(model.playbook.facts)) {
    const value = def.type === "list" ? [def.values?.[0] ?? "item"] : passingValue(factSpec(def));
    facts[id] = def.default ?? value;
  }
  return facts;
}

export async function runPath(model: PlaybookModel, xml: string, scenario: Scenario): Promise<PathResult> {
  const playbook = model.playbook;
  const facts: Values = { ...defaultFacts(model), ...scenario.facts };
  let now = Date.parse("2026-03-02T09:00:00.000Z");
  const at = () => new Date(now).toISOString();
  const started = startProject(model, { projectId: "p", client: CLIENT, facts }, at());
  const ctx = started.ctx;
  let state: ProjectState = started.state;
  const send = (command: Parameters<typeof execute>[2], actor: Actor) => {
    now += 60_000;
    state = execute(ctx, state, command, actor, at()).state;
  };
  const sides = new Map(Object.entries(playbook.roles).map(([id, r]) => [id, r.side]));
  const person = (role: string): Actor => ({ id: `${role}-1`, kind: sides.get(role) === "client" ? "contact" : "user", roles: [role] });

  // Every due date any timer may ask for is far away; the paths are about routing, not time.
  const deadlines = Object.fromEntries(model.order.map((e) => [e.step.id.replace(/[^A-Za-z0-9_]/g, "-"), FAR_FUTURE]));
  const variables: Values = { deadlines };
  for (const key of ["facts", "params", "forms", "training", "project", "gates", "calls", "step"]) variables[key] = {};
  const bpmn = new BpmnSide(await parsed(xml), variables);
  bpmn.update(plain(conditionValues(ctx, state, at())) as Values);
  await bpmn.start();

  const stepIds = new Map(model.order.map((e) => [taskId(e.step.id), e.step.id]));
  const reached: string[] = [];
  const decisions: { step: string; branch: string }[] = [];
  const visits = new Map<string, number>();
  const submittedAt = new Map<string, number>();
  const needs = { facts: {} as Values, forms: {} as Record<string, Values>, rejects: [] as string[] };
  const honoured = new Set<string>();
  const trainees = new Set<string>();
  // A project on hold (a decision's "hold") goes no further: the export ends its process there.
  const onboardOpen = () =>
    state.status !== "active" ? [] : model.order.filter((e) => REACHED.has(state.steps[e.step.id]?.status ?? "")).map((e) => e.step.id);
  // A process that ended (a terminate end event) has nothing waiting, whatever it did not announce.
  const bpmnOpen = () => (bpmn.ended ? [] : [...bpmn.waiting.keys()].map((id) => stepIds.get(id) ?? id));
  const compare = (after: string): string | undefined => {
    const ours = onboardOpen().sort();
    const theirs = bpmnOpen().sort();
    for (const id of onboardOpen()) if (!reached.includes(id)) reached.push(id);
    if (bpmn.error) return `after ${after}: bpmn-engine failed: ${bpmn.error}`;
    if (JSON.stringify(ours) !== JSON.stringify(theirs))
      return `after ${after}: Onboard has open [${ours.join(", ")}], bpmn-engine waits in [${theirs.join(", ")}]`;
    return undefined;
  };

  try {
    let mismatch = compare("the start");
    for (let guard = 0; mismatch === undefined && guard < 500; guard++) {
      if (state.status !== "active") break;
      const next = model.order.find((e) => REACHED.has(state.steps[e.step.id]?.status ?? ""));
      if (!next) break;
      const def = next.step;
      const owner = person(def.owner);
      const current = state.steps[def.id];
      if (current?.status === "scheduled" && current.opensAt !== undefined) {
        now = Math.max(now, Date.parse(current.opensAt));
        send({ type: "tick" }, { id: "system", kind: "system", roles: [] });
      }
      if (state.steps[def.id]?.status === "open") send({ type: "start_step", step: def.id }, owner);
      def.checklist.forEach((item, i) => {
        const itemOwner = typeof item === "string" || !item.owner ? def.owner : item.owner;
        send({ type: "tick_checklist", step: def.id, item: checklistKey(item, i), checked: true }, person(itemOwner));
      });
      const attempt = state.steps[def.id]?.attempt ?? 1;
      if (def.form) {
        const form = playbook.forms[def.form];
        const values = {
          ...Object.fromEntries(Object.entries(form?.fields ?? {}).map(([id, field]) => [id, passingValue(field)])),
          ...scenario.forms[`${def.form}@${attempt}`],
        };
        send({ type: "submit_form", step: def.id, values }, owner);
        submittedAt.set(def.form, attempt);
      }
      for (const track of def.training) send({ type: "record_training", track, person: "trainee", score: 95 }, owner);
      const verdict = scenario.rejects?.includes(def.id) ? "reject" : "approve";
      for (const role of def.gate?.approvers ?? []) send({ type: verdict, step: def.id, role, comment: `${verdict}d` }, person(role));
      for (const [item, done] of Object.entries(state.steps[def.id]?.items ?? {}))
        if (done === null) send({ type: "complete_step", step: def.id, item }, owner);

      let read: Values = {};
      if (def.decision) {
        const visit = (visits.get(def.id) ?? 0) + 1;
        visits.set(def.id, visit);
        const wanted = honoured.has(def.id) ? undefined : scenario.choose(def.id);
        let branch = wanted ?? defaultBranch(def);
        let base = plain(conditionValues(ctx, state, at(), def.id)) as Values;
        let found = witness(ctx, def, branch, base);
        if (!found && wanted !== undefined) {
          // Not on this visit (e.g. "after two requests"): go round the loop first.
          const round = def.decision.branches.find((b) => !KEYWORDS.has(b.next) && witness(ctx, def, b.label, base));
          if (round) {
            branch = round.label;
            found = witness(ctx, def, branch, base);
          }
        }
        if (!found) return { reached, decisions, mismatch: `no data makes ${def.id} take "${branch}" on visit ${visit}` };
        // The data is arranged in Onboard itself, so that its engine decides the same way.
        for (const [path, value] of Object.entries(found)) {
          if (JSON.stringify(getPath(base, path)) === JSON.stringify(value)) continue;
          const [root, id, field] = path.split(".");
          if (root === "facts" && id) needs.facts[id] = value;
          else if (root === "forms" && id && field) {
            const key = `${id}@${submittedAt.get(id) ?? 1}`;
            needs.forms[key] = { ...needs.forms[key], [field]: value };
          } else if (root === "gates" && id && value === "rejected") needs.rejects.push(id.replace(/__/g, "."));
          else if (root === "step" && (id === "checklist_complete" || id === "checklist_unchecked")) {
            const ticked = value === true || value === 0;
            def.checklist.forEach((item, i) => {
              if (!ticked && i > 0) return;
              send({ type: "tick_checklist", step: def.id, item: checklistKey(item, i), checked: ticked }, owner);
            });
          } else if (root === "training") {
            const passing = value === true || (typeof value === "number" && value >= (getPath(base, path) as number));
            const track = Object.keys(playbook.training?.tracks ?? {})[0] ?? "";
            if (passing) for (const failing of trainees) send({ type: "record_training", track, person: failing, score: 95 }, owner);
            else {
              const failing = `trainee-${trainees.size + 2}`;
              trainees.add(failing);
              send({ type: "record_training", track, person: failing, score: 0 }, owner);
            }
          }
        }
        if (Object.keys(needs.facts).length > 0 || Object.keys(needs.forms).length > 0 || needs.rejects.length > 0)
          return { reached, decisions, needs };
        base = plain(conditionValues(ctx, state, at(), def.id)) as Values;
        read = witness(ctx, def, branch, base) ?? {};
        if (!Object.entries(read).every(([path, value]) => JSON.stringify(getPath(base, path)) === JSON.stringify(value)))
          return { reached, decisions, mismatch: `could not arrange the data for ${def.id} to take "${branch}"` };
        if (branch === wanted) honoured.add(def.id);
        decisions.push({ step: def.id, branch });
        send({ type: "record_decision", step: def.id, branch }, owner);
      } else if (REACHED.has(state.steps[def.id]?.status ?? "")) send({ type: "complete_step", step: def.id }, owner);

      // What bpmn-engine's conditions read is what Onboard's read once the step was done; the
      // criteria of the decision just taken see the values that chose the branch.
      const values = plain(conditionValues(ctx, state, at(), def.id)) as Values;
      for (const [path, value] of Object.entries(read)) setPath(values, path, value);
      bpmn.update(values);
      await bpmn.signal(taskId(def.id));
      mismatch = compare(def.id);
    }
    if (mismatch === undefined && state.status === "closed" && !bpmn.ended)
      mismatch = `Onboard closed the project, bpmn-engine runs on in ${bpmn.running().join(", ")}`;
    return { reached, decisions, ...(mismatch ? { mismatch } : {}) };
  } catch (error) {
    if (error instanceof EngineError) return { reached, decisions, mismatch: `Onboard refused: ${error.message}` };
    throw error;
  } finally {
    bpmn.stop();
  }
}

/**
 * Runs a scenario, and again with the facts and answers its choices turned out to need (a branch
 * chosen on a form's answer is run with that answer), until it runs through.
 */
export async function runScenario(model: PlaybookModel, xml: string, scenario: Scenario): Promise<PathResult> {
  let current = scenario;
  for (let round = 0; round < 8; round++) {
    const result = await runPath(model, xml, current);
    if (!result.needs) return result;
    const forms: Record<string, Values> = { ...current.forms };
    for (const [key, values] of Object.entries(result.needs.forms)) forms[key] = { ...forms[key], ...values };
    current = {
      ...current,
      facts: { ...current.facts, ...result.needs.facts },
      forms,
      rejects: [...(current.rejects ?? []), ...result.needs.rejects],
    };
  }
  return { reached: [], decisions: [], mismatch: `${scenario.name}: the answers its choices need did not settle` };
}
