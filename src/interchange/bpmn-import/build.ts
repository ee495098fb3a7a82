// From a BPMN process graph to a draft playbook (a plain object in the playbook's key order): the
// steps in flow order, grouped into phases (the process's own, one per embedded subprocess), with
// a comment for every guess and a finding for every element that has no translation.
import type { ImportFinding } from "../draft.ts";
import { type BoundaryTimers, boundaryTimers } from "./boundaries.ts";
import { body, documentation, eventDefinition, ImportContext, type ImportInput, type Json, typeName } from "./context.ts";
import { type Decisions, translateDecisions } from "./decisions.ts";
import { type Comment, draftDocument } from "./document.ts";
import { guards } from "./guards.ts";
import { reportLeftovers } from "./leftovers.ts";
import { reworkLoops } from "./loops.ts";
import { oneLine, type RoleGuess, slug } from "./owners.ts";
import { type BpmnDialect, BpmnImportError, type Element } from "./source.ts";
import { dueDateWords, timerDurationWords } from "./time.ts";

export type { ImportInput } from "./context.ts";

export interface BuiltDraft {
  readonly playbook: Json;
  /** Comments to write above a node of the YAML, by its path. */
  readonly comments: readonly Comment[];
  readonly findings: readonly ImportFinding[];
}

export function buildDraft(input: ImportInput): BuiltDraft {
  const ctx = new ImportContext(input);
  const mainSteps = ctx.mainSteps();
  for (const id of mainSteps) ctx.stepId(id); // ids in flow order, so the first of two namesakes keeps the plain one
  const rework = reworkLoops(ctx);
  const decisions = translateDecisions(ctx, rework);
  const timers = boundaryTimers(ctx);
  const { phases, procedures, comments } = writeSteps(ctx, mainSteps, rework, decisions, timers);
  reportLeftovers(ctx);
  if (phases.length === 0)
    throw new BpmnImportError(
      `no task of the process "${oneLine(input.process.name) || input.process.id}" is reached from its start (only from boundary events or event subprocesses); connect the tasks to the start event`,
    );
  const document = draftDocument(ctx, { facts: decisions.facts, forms: decisions.forms, procedures, phases, rules: timers.rules });
  return { playbook: document.playbook, comments: [...document.comments, ...comments], findings: ctx.findings };
}

function writeSteps(
  ctx: ImportContext,
  mainSteps: readonly string[],
  rework: ReadonlyMap<string, string>,
  decisions: Decisions,
  timers: BoundaryTimers,
): { phases: Json[]; procedures: Json[]; comments: Comment[] } {
  const { graph } = ctx;
  const { process, lineOf } = ctx.input;
  const guardOf = guards(ctx, decisions.literals);
  const phases: Json[] = [];
  const procedures: Json[] = [];
  const comments: Comment[] = [];
  let current: { key: string; steps: Json[] } | undefined;
  let previous: string | undefined;
  for (const id of [...mainSteps, ...graph.order.filter((n) => timers.onDemand.has(n))]) {
    const node = ctx.node(id);
    const element = node.element;
    const key = node.subprocess?.id ?? "";
    if (!current || current.key !== key) {
      const sub = node.subprocess;
      const base = sub ? slug(oneLine(sub.name)) || slug(sub.id ?? "") || "phase" : slug(oneLine(process.name)) || "process";
      let phaseId = base;
      for (let n = 2; phases.some((p) => p.id === phaseId); n++) phaseId = `${base}_${n}`;
      const title = sub ? oneLine(sub.name) || "Subprocess" : oneLine(process.name) || "Process";
      const steps: Json[] = [];
      const phase: Json = { id: phaseId, title: phases.some((p) => p.title === title) ? `${title} (continued)` : title };
      const text = sub ? documentation(sub) : undefined;
      if (text) phase.description = text;
      phase.steps = steps;
      if (sub)
        comments.push({ path: ["phases", phases.length], text: ` From the embedded subprocess ${sub.id} (line ${lineOf(sub.id)}).` });
      phases.push(phase);
      current = { key, steps };
    }
    const stepId = ctx.stepId(id);
    const path = ["phases", phases.length - 1, "steps", current.steps.length];
    const boundary = timers.onDemand.get(id);
    const returnsTo = rework.get(id);
    // Side steps (a timer's escalation, a rework loop) are opened by a rule or a branch, not by the flow.
    const sideStep = boundary !== undefined || returnsTo !== undefined;
    const preds = sideStep ? [] : ctx.predsOf(id).map((p) => ctx.stepId(p));
    const when = sideStep ? undefined : guardOf(id);
    const opens = sideStep ? undefined : opensOf(ctx, id);
    const defaultAfter = opens || sideStep || previous === undefined ? [] : [previous];
    const afterWritten =
      preds.length !== defaultAfter.length || preds.some((p, i) => p !== defaultAfter[i]) || (opens !== undefined && preds.length > 0);

    if (node.kind === "call") {
      const called =
        (element.calledElement as string | undefined) ??
        (extensions(element).find((v) => v.$type === "zeebe:CalledElement")?.processId as string | undefined) ??
        (element.caseRef as string | undefined);
      const procedureId = slug(called ?? "") || `${stepId}_procedure`;
      if (!procedures.some((p) => p.id === procedureId)) {
        const what = oneLine(element.name) || called;
        procedures.push({
          id: procedureId,
          title: what || procedureId,
          description: `Called in the model as ${called ?? "an unnamed process"}; its steps were not imported.`,
          steps: [{ id: "carry_out", title: `Carry out ${what || "the called process"}`, owner: ctx.ownerFor(node) }],
        });
      }
      const call: Json = { id: stepId, call: procedureId, title: oneLine(element.name) || procedureId };
      const text = documentation(element);
      if (text) call.description = text;
      if (afterWritten) call.after = preds;
      if (when) call.when = when;
      current.steps.push(call);
      ctx.find(
        element,
        "info",
        `call activity of ${called ?? "an unnamed process"}: a one-step procedure "${procedureId}" stands in for it; import that model and paste its steps there`,
      );
      comments.push({ path, text: ` From callActivity ${element.id} (line ${lineOf(element.id)}).` });
    } else {
      const step: Json = { id: stepId, title: oneLine(element.name) || stepId };
      const text = [documentation(element), ...(decisions.notes.get(id) ?? [])].filter(Boolean).join("\n\n");
      if (text) step.description = text;
      // A gateway belongs to whoever did the work before it, else to its lane.
      const before = preds[0] && phases.flatMap((p) => p.steps as Json[]).find((s) => s.id === preds[0])?.owner;
      const owner =
        node.kind === "decision"
          ? typeof before === "string"
            ? before
            : ctx.ownerFor({ ...node, element: { ...element, $type: "bpmn:UserTask" } })
          : ctx.ownerFor(node);
      step.owner = owner;
      if (afterWritten) step.after = preds;
      if (when) step.when = when;
      if (sideStep) step.on_demand = true;
      if (returnsTo !== undefined) step.next = ctx.stepId(returnsTo);
      if (opens) step.opens = opens;
      const due = timers.due.get(stepId) ?? dueFromTask(ctx, element);
      if (due) step.due = due;
      if (boundary && boundary.instructions.length > 0) step.instructions = boundary.instructions;
      if (decisions.forms.has(stepId)) step.form = stepId;
      const branches = decisions.branches.get(id);
      if (branches) {
        step.decision = {
          question: oneLine(element.name) || "Which way does the process go?",
          branches: branches.map((b) => ({
            label: b.label,
            ...(b.when !== undefined ? { when: b.when } : {}),
            ...(b.otherwise ? { otherwise: true } : {}),
            next: b.next,
          })),
        };
      }
      current.steps.push(step);
      comments.push({
        path,
        text: ` From ${typeName(element)} ${element.id} (line ${lineOf(element.id)})${ownerNote(ctx.roles.get(owner))}.`,
      });
      loopsFor(ctx, element);
    }
    if (!sideStep) previous = stepId;
  }
  return { phases, procedures, comments };
}

function extensions(element: Element): Element[] {
  return ((element.extensionElements as Element | undefined)?.values as Element[] | undefined) ?? [];
}

/** A timer event just before a step: it opens that long after the step before the timer. */
function opensOf(ctx: ImportContext, id: string): string | undefined {
  for (const edge of ctx.forward(id)) {
    const timer = ctx.graph.nodes.get(edge.from)?.element;
    const definition = timer?.$type === "bpmn:IntermediateCatchEvent" ? eventDefinition(timer) : undefined;
    if (!timer || definition?.$type !== "bpmn:TimerEventDefinition") continue;
    const words = timerDurationWords(body(definition.timeDuration) ?? "");
    const before = ctx.predsOf(timer.id ?? "");
    if (words === undefined || before.length > 1) {
      const text = body(definition.timeDuration) ?? body(definition.timeDate) ?? body(definition.timeCycle) ?? "";
      ctx.find(timer, "warning", `the timer ${text} was not translated; write the step's opens: yourself`);
      continue;
    }
    return `${words} after ${before[0] ? ctx.stepId(before[0]) : "start"}`;
  }
  return undefined;
}

function ownerNote(role: RoleGuess | undefined): string {
  return role ? `; owner from ${role.from}` : "";
}

/** camunda:dueDate or zeebe:taskSchedule's dueDate as a deadline, counted from when the step opens. */
function dueFromTask(ctx: ImportContext, task: Element): string | undefined {
  const dialect: BpmnDialect = ctx.input.dialect;
  let text: string | undefined;
  if (dialect === "camunda7") text = task.dueDate as string | undefined;
  if (dialect === "camunda8") text = extensions(task).find((v) => v.$type === "zeebe:TaskSchedule")?.dueDate as string | undefined;
  if (text === undefined || text.trim() === "") return undefined;
  const words = dueDateWords(text);
  if (words === undefined)
    ctx.find(task, "warning", `the due date ${text} was not translated; write the step's due: ("2 business days", "Day 10")`);
  return words;
}

function loopsFor(ctx: ImportContext, element: Element): void {
  const loop = element.loopCharacteristics as Element | undefined;
  if (loop?.$type === "bpmn:MultiInstanceLoopCharacteristics")
    ctx.find(
      element,
      "warning",
      "multi-instance activity: write repeat: { for_each: <a list fact or form field> } to do the step once per item",
    );
  else if (loop) ctx.find(element, "warning", "looping activity: write the repetition as a decision that goes back to the step");
}
