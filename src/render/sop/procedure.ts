// Section 6, the procedure: one subsection per phase, numbered steps (6.1, 6.2 ...) with owner,
// deadline in words, instructions, expected result, deliverable, checkpoint and IF/THEN decisions.

import type { StepEntry } from "../../playbook/model.ts";
import { kindWords } from "../../playbook/procedure-kind.ts";
import { isCall, rewriteCondition } from "../../playbook/procedures.ts";
import { type Cadence, type CallSite, deliverablesOf, type Phase, type Procedure, type Step } from "../../playbook/schema.ts";
import { describeSpec } from "../../playbook/values.ts";
import type { Block, Inline, ListItem, Rich } from "../document.ts";
import { plain, strong, text } from "../document.ts";
import { sayCondition } from "./condition-words.ts";
import { type BuildContext, PROCEDURE_SECTION } from "./context.ts";
import { formatDateTime, formatLocalDate } from "./dates.ts";
import { calendarWords } from "./front.ts";
import {
  actionWords,
  article,
  cadenceScheduleWords,
  capitalize,
  deadlineWords,
  durationWords,
  momentWords,
  triggerWords,
  windowWords,
  withoutLeadingNumber,
} from "./words.ts";

const KIND: Readonly<Record<Step["kind"], string>> = {
  task: "Task",
  meeting: "Meeting",
  approval: "Approval",
  email: "Email",
  review: "Review",
  milestone: "Milestone",
  handoff: "Handoff",
};

/** A CEL condition for people: in words when it can be said exactly, else the expression. */
export function conditionRich(ctx: BuildContext, condition: string): Rich {
  const { words, complex } = sayCondition(condition, ctx.playbook);
  const said = words === undefined ? [text(condition, "code")] : ctx.t(words);
  // A condition with functions, macros or arithmetic also gets its exact expression in the appendix.
  return complex ? [...said, text(` (condition ${ctx.conditionLabel(condition, words)})`)] : said;
}

/** "beneficial owner" from "Beneficial owners": what one item of a list field is called. */
function singular(label: string): string {
  const lower = label.trim().replace(/^\p{Lu}(?!\p{Lu})/u, (c) => c.toLowerCase());
  if (/ies$/.test(lower)) return `${lower.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(lower)) return lower;
  return lower.replace(/s$/, "");
}

/**
 * What a repeated step repeats over, in words: a list filled during the run names the step whose
 * form fills it ("beneficial owner named in step 6.1.3 (Collect KYC data)"); a fact or another
 * list reads as its condition words. Each item's own work is said too.
 */
export function repeatRich(ctx: BuildContext, step: Step): Rich {
  const repeat = step.repeat;
  if (!repeat) return [];
  const path = /^\s*forms\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*$/.exec(repeat.for_each);
  const field = path ? ctx.playbook.forms[path[1] ?? ""]?.fields[path[2] ?? ""] : undefined;
  const filler = path ? ctx.entries().find((e) => e.step.form === path[1] && e.step.id !== step.id) : undefined;
  const own = [step.form ? "form" : undefined, step.checklist.length > 0 ? "checklist" : undefined, step.gate ? "sign-off" : undefined];
  const work = own.filter((w): w is string => w !== undefined);
  const each =
    work.length === 0 ? "" : `; each with its own ${work.length === 1 ? work[0] : `${work.slice(0, -1).join(", ")} and ${work.at(-1)}`}`;
  if (field && filler && ctx.number(filler.step.id) !== "") {
    const named = `${singular(ctx.fill.plain(field.label))} named in step ${ctx.stepRef(filler.step.id)}`;
    const by = repeat.label !== undefined ? labelWords(ctx, field, repeat.label, repeat.as) : undefined;
    return [text(`${named}${by ? `, by ${by}` : ""}${each}`)];
  }
  return each ? [...conditionRich(ctx, repeat.for_each), text(each)] : conditionRich(ctx, repeat.for_each);
}

/** "full name" for `label: item.name` when the item is a row with a `name` column. */
function labelWords(
  ctx: BuildContext,
  field: NonNullable<BuildContext["playbook"]["forms"][string]>["fields"][string],
  label: string,
  as: string,
): string | undefined {
  const column = new RegExp(`^\\s*${as}\\.([A-Za-z_]\\w*)\\s*$`).exec(label)?.[1];
  const def = column ? field.fields?.[column] : undefined;
  return def ? ctx.fill.plain(def.label).toLowerCase() : undefined;
}

export function phaseTitle(ctx: BuildContext, phase: Phase, index: number): string {
  return `Phase ${index + 1}: ${ctx.fill.plain(withoutLeadingNumber(phase.title))}`;
}

/** The phase's window in words with its dates; undefined for a phase the procedure gives no window. */
function phaseWindow(ctx: BuildContext, phase: Phase): string | undefined {
  if (!phase.window) return undefined;
  const words = ctx.fill.plain(windowWords(phase.window, ctx));
  const dates = ctx.edition.phaseDates?.get(phase.id);
  if (!dates) return words;
  return `${words}: ${formatLocalDate(dates.from)}${dates.to ? ` – ${formatLocalDate(dates.to)}` : " onwards"}`;
}

/** The steps a completed step leads to by default (the ones that start after it). */
export function successors(ctx: BuildContext, stepId: string): StepEntry[] {
  return ctx.entries().filter((e) => !e.step.on_demand && e.after.includes(stepId));
}

function refs(ctx: BuildContext, ids: readonly string[]): string {
  const all = ids.map((id) => ctx.stepRef(id));
  return all.length <= 1 ? (all[0] ?? "") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/** End a text with a full stop unless it already ends a sentence. */
export function sentence(rich: Rich): Rich {
  const last = rich.at(-1);
  if (last?.kind === "text" && /[.!?:…)]\s*$/.test(last.text)) return rich;
  return [...rich, text(".")];
}

function nextWords(ctx: BuildContext, stepId: string, next: string): string {
  switch (next) {
    case "continue": {
      const local = ctx.local;
      const after = successors(ctx, stepId)
        .map((e) => e.step.id)
        .filter((id) => local === undefined || local.numbers.has(id));
      if (local !== undefined && after.length === 0) return "return to the step that called this procedure";
      return after.length > 0 ? `proceed to ${refs(ctx, after)}` : "continue with the procedure";
    }
    case "hold":
      return `put the ${kindWords(ctx.playbook).noun} on hold`;
    case "end":
      return "end the procedure";
    default:
      return `go to ${ctx.stepRef(next)}`;
  }
}

function listBlock(items: readonly Rich[], style: "bullet" | "number" | "check" = "bullet"): Block {
  return { kind: "list", style, items: items.map((t) => (style === "check" ? { text: t, checked: false } : { text: t })) };
}

function labelled(label: string, value: Rich): Block {
  return { kind: "paragraph", text: value.length > 0 ? [strong(`${label}:`), text(" "), ...value] : [strong(`${label}:`)] };
}

/** "Label: " before the author's prose; a list that follows its first paragraph stays a list. */
function labelledProse(ctx: BuildContext, label: string, value: string): Block[] {
  const [first, ...rest] = ctx.prose(value);
  if (first?.kind === "paragraph") return [labelled(label, first.text), ...rest];
  return [labelled(label, []), ...(first ? [first] : []), ...rest];
}

/** "once, by up to 1 week in all, by the Customer Success Manager or CS operations". */
function extensionWords(ctx: BuildContext, step: Step): string {
  const policy = step.extension;
  if (!policy) return "";
  if (policy.times === 0) return "the deadline cannot be extended";
  const times = policy.times === undefined ? "" : policy.times === 1 ? " once" : ` up to ${policy.times} times`;
  const upTo = policy.up_to ? `, by at most ${durationWords(policy.up_to)} in all` : "";
  const by = (policy.by ?? [step.raci?.accountable ?? step.owner]).map((r) => ctx.roleTitle(r));
  return `may be extended${times}${upTo}, with a reason, by ${[...by, "CS operations"].join(" or ")}`;
}

function stepFields(ctx: BuildContext, entry: StepEntry): { label: string; value: Rich }[] {
  const { step } = entry;
  const fields: { label: string; value: Rich }[] = [];
  fields.push({ label: "Owner", value: plain(ctx.roleTitle(step.owner)) });
  const responsible = step.raci?.responsible.filter((r) => r !== step.owner) ?? [];
  if (responsible.length > 0) fields.push({ label: "Also responsible", value: plain(responsible.map((r) => ctx.roleTitle(r)).join(", ")) });
  if (step.kind !== "task") fields.push({ label: "Type", value: plain(KIND[step.kind]) });
  if (step.opens) fields.push({ label: "Opens", value: ctx.t(momentWords(step.opens, ctx)) });
  if (step.due) fields.push({ label: "Deadline", value: ctx.t(deadlineWords(step.due, ctx)) });
  else if (!step.on_demand && entry.phase.window && entry.phase.window.to !== null) {
    fields.push({ label: "Deadline", value: plain(`by the end of the phase (${windowWords(entry.phase.window, ctx)})`) });
  }
  if (step.extension) fields.push({ label: "Extension", value: ctx.t(extensionWords(ctx, step)) });
  if (step.target) fields.push({ label: "Target", value: ctx.t(deadlineWords(step.target, ctx)) });
  if (step.lasts) fields.push({ label: "Duration", value: ctx.t(durationWords(step.lasts)) });
  const planned = ctx.edition.schedule?.get(step.id);
  const zone = ctx.edition.client?.timeZone;
  if (planned && zone) {
    const parts: string[] = [];
    if (planned.opensAt && step.opens) parts.push(`opens ${formatDateTime(planned.opensAt, zone)}`);
    if (planned.targetAt) parts.push(`target ${formatDateTime(planned.targetAt, zone)}`);
    if (planned.dueAt) parts.push(`due ${formatDateTime(planned.dueAt, zone)}`);
    if (parts.length > 0) fields.push({ label: "Planned", value: plain(parts.join(", ")) });
  }
  if (step.when !== undefined && ctx.conditional(step)) fields.push({ label: "Applies only where", value: conditionRich(ctx, step.when) });
  if (step.repeat) fields.push({ label: "Repeated for each", value: repeatRich(ctx, step) });
  if (step.optional) fields.push({ label: "Optional", value: plain("yes") });
  if (step.after !== undefined && step.after.length > 0 && !step.on_demand) {
    const previous = previousMainStep(ctx, entry);
    // Inside a procedure's own section, what precedes the call is not its business.
    const shown = step.after.filter((id) => ctx.number(id) !== "" && (ctx.local === undefined || ctx.local.numbers.has(id)));
    if ((step.after.length !== 1 || step.after[0] !== previous) && shown.length > 0) {
      fields.push({ label: "Starts after", value: plain(shown.map((id) => ctx.number(id)).join(", ")) });
    }
  }
  if (step.visible_to_client) fields.push({ label: "Client portal", value: plain("visible to the client") });
  if (step.systems.length > 0) fields.push({ label: "Systems", value: ctx.t(step.systems.join(", ")) });
  return fields;
}

function previousMainStep(ctx: BuildContext, entry: StepEntry): string | undefined {
  const order = ctx.model.order;
  for (let i = order.indexOf(entry) - 1; i >= 0; i--) {
    const e = order[i];
    if (e && !e.step.on_demand) return e.step.id;
  }
  return undefined;
}

function meetingBlocks(ctx: BuildContext, step: Step): Block[] {
  const meeting = step.meeting;
  if (!meeting) return [];
  const blocks: Block[] = [];
  const facts: { label: string; value: Rich }[] = [];
  if (meeting.length) facts.push({ label: "Length", value: ctx.t(durationWords(meeting.length)) });
  if (meeting.attendees.length > 0)
    facts.push({ label: "Attendees", value: plain(meeting.attendees.map((a) => ctx.roleTitle(a)).join(", ")) });
  if (facts.length > 0) blocks.push({ kind: "fields", items: facts });
  if (meeting.preparation.length > 0) {
    blocks.push(labelled("Preparation (before the meeting)", []), listBlock(meeting.preparation.map((s) => ctx.proseInline(s))));
  }
  if (meeting.agenda.length > 0) {
    blocks.push(labelled("Agenda", []));
    blocks.push({
      kind: "list",
      style: "number",
      items: meeting.agenda.map((item): ListItem => {
        const line: Inline[] = [...ctx.t(item.topic)];
        if (item.minutes !== undefined) line.push(text(` (${item.minutes} min)`));
        if (item.description) line.push(text(": "), ...ctx.proseInline(item.description));
        return { text: line };
      }),
    });
  }
  if (meeting.during.length > 0) blocks.push(labelled("During the meeting", []), listBlock(meeting.during.map((s) => ctx.proseInline(s))));
  return blocks;
}

function checklistBlocks(ctx: BuildContext, step: Step): Block[] {
  const items: Rich[] = [];
  for (const item of step.checklist) {
    if (typeof item === "string") {
      items.push(ctx.proseInline(item));
      continue;
    }
    if (item.when !== undefined && ctx.edition.holds && !ctx.edition.holds(item.when)) continue;
    const line: Inline[] = [...ctx.proseInline(item.text)];
    const notes: Rich[] = [];
    if (item.owner && item.owner !== step.owner) notes.push(plain(ctx.roleTitle(item.owner)));
    if (!item.required) notes.push(plain("optional"));
    if (item.when !== undefined && !ctx.edition.holds) notes.push([text("only where "), ...conditionRich(ctx, item.when)]);
    if (notes.length > 0) {
      line.push(text(" ("));
      notes.forEach((n, i) => {
        if (i > 0) line.push(text("; "));
        line.push(...n);
      });
      line.push(text(")"));
    }
    items.push(line);
  }
  return items.length === 0 ? [] : [labelled("Checklist", []), listBlock(items, "check")];
}

function formBlocks(ctx: BuildContext, step: Step): Block[] {
  if (!step.form) return [];
  const form = ctx.playbook.forms[step.form];
  if (!form) return [];
  const where = [form.system ? `in ${form.system}` : "", form.template ? `template ${form.template}` : ""].filter(Boolean).join(", ");
  const fields = Object.values(form.fields).map((f) => {
    // Each field with what it takes (its type and allowed values), so the paper form and the app agree.
    const line: Inline[] = [...ctx.t(f.label)];
    if (f.required) line.push(text(" (required)"));
    line.push(text(`: ${describeSpec(f)}`));
    if (f.required_if !== undefined && !f.required) line.push(text("; required where "), ...conditionRich(ctx, f.required_if));
    if (f.help) line.push(text(` — ${f.help}`));
    return line;
  });
  return [labelled("Form", [...ctx.t(form.title), ...(where ? [text(` (${where})`)] : [])]), listBlock(fields)];
}

function trainingBlocks(ctx: BuildContext, step: Step): Block[] {
  const training = ctx.playbook.training;
  if (!training || step.training.length === 0) return [];
  const items: Rich[] = [];
  for (const id of step.training) {
    const track = training.tracks[id];
    if (!track) continue;
    if (track.when !== undefined && ctx.edition.holds && !ctx.edition.holds(track.when)) continue;
    const line: Inline[] = [strong(ctx.fill.plain(track.title)), text(track.hours !== undefined ? `: ${track.hours} hours` : "")];
    line.push(text(` (${ctx.fill.plain(track.audience)}${track.required ? "" : ", optional"})`));
    if (track.when !== undefined && !ctx.edition.holds) line.push(text(", only where "), ...conditionRich(ctx, track.when));
    items.push(line);
  }
  const blocks: Block[] = [labelled("Training tracks", []), listBlock(items)];
  if (training.pass_mark !== undefined) {
    blocks.push({ kind: "paragraph", text: [strong("Pass mark:"), text(` assessment score ≥ ${training.pass_mark}%.`)] });
  }
  return blocks;
}

function deliverableBlocks(ctx: BuildContext, step: Step): Block[] {
  const blocks: Block[] = [];
  const templateRef = (id: string): Rich => {
    const title = ctx.playbook.templates[id]?.title ?? ctx.playbook.references.find((r) => r.id === id)?.title;
    return [text(ctx.fill.plain(id), "code"), ...(title ? [text(` (${ctx.fill.plain(title)})`)] : [])];
  };
  const deliverables = deliverablesOf(step);
  const lines = deliverables.map((d) => {
    const line: Inline[] = [...ctx.t(d.title)];
    if (d.template) line.push(text(" — use template "), ...templateRef(d.template));
    if (d.location) line.push(text(" — filed in "), ...ctx.t(d.location));
    return line;
  });
  const [only] = lines;
  if (only && lines.length === 1) blocks.push(labelled("Deliverable", only));
  else if (lines.length > 1)
    blocks.push(
      { kind: "paragraph", text: [strong("Deliverables:")] },
      { kind: "list", style: "bullet", items: lines.map((line) => ({ text: line })) },
    );
  if (step.template && !deliverables.some((d) => d.template === step.template))
    blocks.push(labelled("Use template", templateRef(step.template)));
  if (step.email) {
    const party = (id: string) => (id.includes("@") ? id : ctx.roleTitle(id));
    const parts = [
      ...(step.email.cc ? [`cc: ${step.email.cc.map(party).join(", ")}`] : []),
      ...(step.email.reply_to ? [`replies to: ${party(step.email.reply_to)}`] : []),
      ...(step.email.from ? [`from: ${party(step.email.from)}`] : []),
    ];
    if (parts.length > 0) blocks.push(labelled("Email", [text(parts.join("; "))]));
  }
  return blocks;
}

function complianceBlocks(ctx: BuildContext, step: Step): Block[] {
  const items: Rich[] = [];
  for (const addendum of ctx.playbook.compliance) {
    if (!addendumApplies(ctx, addendum.applies_when)) continue;
    for (const item of [...addendum.evidence, ...addendum.checks]) {
      if (!item.at.includes(step.id)) continue;
      const kind = addendum.evidence.includes(item) ? "Evidence" : "Check";
      items.push([text(`${kind}: `), ...ctx.t(item.text), text(` (${ctx.fill.plain(addendum.title)})`)]);
    }
  }
  const blocks: Block[] = [];
  if (step.compliance) {
    const addendum = ctx.playbook.compliance.find((a) => a.id === step.compliance);
    if (addendum) blocks.push(labelled("Compliance", [text("part of the "), ...ctx.t(addendum.title)]));
  }
  if (items.length > 0) blocks.push(labelled("Compliance at this step", []), listBlock(items));
  return blocks;
}

export function addendumApplies(ctx: BuildContext, appliesWhen: string | undefined): boolean {
  return appliesWhen === undefined || !ctx.edition.holds || ctx.edition.holds(appliesWhen);
}

export function gateCallout(ctx: BuildContext, entry: StepEntry): Block | undefined {
  const gate = entry.step.gate;
  if (!gate) return undefined;
  const approvers = gate.approvers.map((a) => ctx.roleTitle(a));
  const who =
    approvers.length === 1 ? approvers[0] : gate.rule === "any" ? `any of ${approvers.join(", ")}` : `all of ${approvers.join(", ")}`;
  const until =
    gate.blocks === "phase"
      ? "Do not proceed to the next phase until it is signed off."
      : `Do not proceed ${
          successors(ctx, entry.step.id).length > 0
            ? `to ${refs(
                ctx,
                successors(ctx, entry.step.id).map((e) => e.step.id),
              )} `
            : ""
        }until it is signed off.`;
  return {
    kind: "callout",
    tone: "checkpoint",
    title: "Checkpoint",
    blocks: [
      { kind: "paragraph", text: [...sentence(ctx.t(gate.sign_off)), text(" Signed off by "), strong(who ?? ""), text(`. ${until}`)] },
    ],
  };
}

/**
 * Where a branch leads, in words. A detour, or a branch to an on-demand step that does not return,
 * does its steps and then carries on after the deciding step: "do 4.5, then proceed to 4.3".
 */
function branchWords(ctx: BuildContext, stepId: string, branch: NonNullable<Step["decision"]>["branches"][number]): string {
  if (branch.detour) return `do ${refs(ctx, branch.detour)}, then ${nextWords(ctx, stepId, "continue")} without deciding again`;
  const target = ctx.model.steps.get(branch.next)?.step;
  if (target?.on_demand && target.next === undefined) return `do ${ctx.stepRef(branch.next)}, then ${nextWords(ctx, stepId, "continue")}`;
  // A rejected sign-off sends the work back, and the step it returns to shows the reviewer's comments.
  if (target && branch.when !== undefined && /gates\.\w+\.(?:roles\.\w+\.)?outcome\s*==\s*"rejected"/.test(branch.when))
    return `return to ${ctx.stepRef(branch.next)} with the reviewer’s comments`;
  return nextWords(ctx, stepId, branch.next);
}

function branchItem(ctx: BuildContext, stepId: string, branch: NonNullable<Step["decision"]>["branches"][number]): ListItem {
  const label = branch.label.replace(/^if\s+/i, "");
  const line: Inline[] = [strong(branch.otherwise ? "OTHERWISE" : "IF"), text(" "), ...ctx.t(label)];
  if (branch.when !== undefined) line.push(text(" (criterion: "), ...conditionRich(ctx, branch.when), text(")"));
  line.push(text(":"));
  for (const action of branch.actions) {
    line.push({ kind: "break" }, text("→ "));
    if (action.when !== undefined) line.push(text("if "), ...conditionRich(ctx, action.when), text(", "));
    line.push(...ctx.t(actionWords(action, ctx)));
  }
  line.push({ kind: "break" }, strong("THEN"), text(" "), text(branchWords(ctx, stepId, branch)));
  return { text: line };
}

export function decisionCallout(ctx: BuildContext, step: Step): Block | undefined {
  if (!step.decision) return undefined;
  return {
    kind: "callout",
    tone: "decision",
    title: `Decision: ${ctx.fill.plain(step.decision.question)}`,
    blocks: [{ kind: "list", style: "bullet", items: step.decision.branches.map((b) => branchItem(ctx, step.id, b)) }],
  };
}

/** Whether the decision's flow comes back to what follows it once this on-demand step is done. */
function returnsAfterDecision(ctx: BuildContext, decision: string, stepId: string): boolean {
  const branches = ctx.model.steps.get(decision)?.step.decision?.branches ?? [];
  return branches.some((b) => b.next === stepId || b.detour?.includes(stepId) === true);
}

function onDemandBlocks(ctx: BuildContext, step: Step): Block[] {
  if (!step.on_demand) return [];
  const by = ctx.openedBy.get(step.id);
  const parts: Inline[] = [strong("Opened only when needed:")];
  if (by?.step && !by.rule) parts.push(text(` ${by.detour ? "as a detour " : ""}by the decision in ${ctx.stepRef(by.step)}.`));
  else if (by?.rule) {
    const rule = ctx.playbook.rules.find((r) => r.id === by.rule);
    parts.push(text(rule ? ` when ${triggerWords(rule.on, rule.step, ctx)} (rule “${ctx.fill.plain(rule.title)}”).` : "."));
  } else parts.push(text(" by an automation or a person."));
  if (step.per_occurrence)
    parts.push(
      text(" Each occurrence is handled on its own, with its own record; one that comes while another is open is added to the step."),
    );
  if (step.next) parts.push(text(` When done, return to ${ctx.stepRef(step.next)}.`));
  else if (by?.step && !by.rule && returnsAfterDecision(ctx, by.step, step.id)) {
    const after = successors(ctx, by.step).map((e) => e.step.id);
    parts.push(text(` When done, carry on after ${ctx.stepRef(by.step)}${after.length > 0 ? `: proceed to ${refs(ctx, after)}` : ""}.`));
  }
  return [{ kind: "paragraph", text: parts }];
}

export function stepBlocks(ctx: BuildContext, entry: StepEntry): Block[] {
  const { step } = entry;
  const blocks: Block[] = [
    { kind: "heading", level: 4, id: `step-${step.id}`, number: ctx.number(step.id), text: ctx.t(withoutLeadingNumber(step.title)) },
    { kind: "fields", items: stepFields(ctx, entry) },
  ];
  if (step.description) blocks.push(...ctx.prose(step.description));
  blocks.push(...onDemandBlocks(ctx, step));
  if (step.handoff) {
    const h = step.handoff;
    // Authors often list the handed-over information as the step's instructions too: say it once.
    const same = h.information.join("\n") === step.instructions.join("\n");
    blocks.push(
      labelled("Handoff", plain(`from ${ctx.roleTitle(h.from)} to ${ctx.roleTitle(h.to)}, with${same ? " the information below" : ""}:`)),
    );
    if (!same) blocks.push(listBlock(h.information.map((s) => ctx.proseInline(s))));
  }
  if (step.instructions.length > 0) blocks.push(listBlock(step.instructions.map((s) => ctx.proseInline(s))));
  blocks.push(...meetingBlocks(ctx, step), ...formBlocks(ctx, step), ...checklistBlocks(ctx, step), ...trainingBlocks(ctx, step));
  if (step.survey) {
    const survey = ctx.playbook.surveys[step.survey];
    if (survey) {
      blocks.push(
        labelled("Survey", [
          ...ctx.t(survey.title),
          text(` (${survey.kind.toUpperCase()}), to ${survey.to.map((r) => ctx.roleTitle(r)).join(", ")}, sent `),
          ...ctx.t(momentWords(survey.send, ctx)),
        ]),
      );
    }
  }
  if (step.expected_result) blocks.push(...labelledProse(ctx, "Expected Result", step.expected_result));
  blocks.push(...deliverableBlocks(ctx, step), ...complianceBlocks(ctx, step));
  const gate = gateCallout(ctx, entry);
  if (gate) blocks.push(gate);
  const decision = decisionCallout(ctx, step);
  if (decision) blocks.push(decision);
  if (step.go_live) blocks.push({ kind: "paragraph", text: [strong("Go-live:"), text(" completing this step is the client's go-live.")] });
  if (step.completes_project) {
    blocks.push({
      kind: "paragraph",
      text: [strong("Completion:"), text(` completing this step completes the ${kindWords(ctx.playbook).noun}.`)],
    });
  }
  return blocks;
}

export function cadenceBlocks(ctx: BuildContext, cadence: Cadence): Block[] {
  if (cadence.when !== undefined && ctx.edition.holds && !ctx.edition.holds(cadence.when)) return [];
  const fields: { label: string; value: Rich }[] = [{ label: "Owner", value: plain(ctx.roleTitle(cadence.owner)) }];
  const phaseIndex = ctx.playbook.phases.findIndex((p) => p.id === cadence.during);
  const phase = ctx.playbook.phases[phaseIndex];
  let recurs = cadenceScheduleWords(cadence, ctx);
  if (phase) recurs += ` during ${phaseTitle(ctx, phase, phaseIndex)}`;
  if (cadence.from) recurs += `, from ${momentWords(cadence.from, ctx)}`;
  if (cadence.until) recurs += `, until ${momentWords(cadence.until, ctx)}`;
  if (cadence.after_close === "continue") recurs += `, continuing after the ${kindWords(ctx.playbook).noun} closes`;
  fields.push({ label: "Recurs", value: ctx.t(recurs) });
  fields.push({ label: "Type", value: plain(capitalize(cadence.kind)) });
  if (cadence.due)
    fields.push({
      label: "Follow-up",
      value: ctx.t(`${deadlineWords(cadence.due, ctx)} of each occurrence`.replace(" of assignment of", " of")),
    });
  if (cadence.notice && cadence.kind === "meeting")
    fields.push({ label: "Invitation", value: plain(`sent at least ${cadence.notice.text} before the first meeting`) });
  if (cadence.when !== undefined && !ctx.edition.holds)
    fields.push({ label: "Applies only where", value: conditionRich(ctx, cadence.when) });
  if (cadence.visible_to_client) fields.push({ label: "Client portal", value: plain("visible to the client") });
  if (cadence.agreed_with_client) fields.push({ label: "Frequency", value: plain("agreed with the client") });
  const blocks: Block[] = [
    {
      kind: "heading",
      level: 4,
      id: `cadence-${cadence.id}`,
      number: ctx.number(`cadence:${cadence.id}`),
      text: plain(ctx.fill.plain(cadence.title)),
    },
    { kind: "fields", items: fields },
  ];
  if (cadence.instructions.length > 0) blocks.push(listBlock(cadence.instructions.map((s) => ctx.proseInline(s))));
  if (cadence.expected_result) blocks.push(...labelledProse(ctx, "Expected Result", cadence.expected_result));
  return blocks;
}

function startWords(ctx: BuildContext): Rich {
  const starts = ctx.playbook.rules.filter((r) => r.actions.some((a) => a.start_project));
  const { noun, subject } = kindWords(ctx.playbook);
  const trigger =
    ctx.playbook.trigger === undefined
      ? []
      : [strong("Trigger:"), text(" "), ...sentence(ctx.proseInline(ctx.playbook.trigger)), text(" ")];
  const stages = (ctx.playbook.starts_on?.crm_stages ?? []).map((s) => `“${s}”`);
  const stageWords =
    stages.length === 0
      ? undefined
      : `a deal reaches the stage ${stages.length === 1 ? stages[0] : `${stages.slice(0, -1).join(", ")} or ${stages.at(-1)}`} in the CRM, before it is won, or is won (one project per deal)`;
  if (starts.length === 0 && stageWords === undefined)
    return [...trigger, text(`The procedure starts when ${article(noun)} project is opened for ${subject}.`)];
  const out: Inline[] = [...trigger, text("The procedure starts when ")];
  if (stageWords !== undefined) out.push(text(stageWords));
  starts.forEach((rule, i) => {
    if (i > 0 || stageWords !== undefined) out.push(text(" or when "));
    out.push(text(triggerWords(rule.on, rule.step, ctx)));
    if (rule.when !== undefined) out.push(text(" and "), ...conditionRich(ctx, rule.when));
    out.push(text(` (automation “${ctx.fill.plain(rule.title)}”)`));
  });
  out.push(text("."));
  return out;
}

/** What follows a call once its procedure is done: the steps that wait for its last steps. */
function afterCall(ctx: BuildContext, call: CallSite): string[] {
  const members = new Set(call.steps);
  return ctx
    .entries()
    .filter((e) => !e.step.on_demand && !members.has(e.step.id) && e.after.some((a) => call.exits.includes(a)))
    .map((e) => e.step.id);
}

/** A call, written as one step: "Carry out Section 4.3 (Enhanced due diligence); then continue with 6.4 (...)". */
export function callBlocks(ctx: BuildContext, call: CallSite): Block[] {
  const next = afterCall(ctx, call);
  const then = next.length > 0 ? `continue with ${refs(ctx, next)}` : "continue with the procedure";
  const fields: { label: string; value: Rich }[] = [];
  if (call.when !== undefined && ctx.conditional(call)) fields.push({ label: "Applies only where", value: conditionRich(ctx, call.when) });
  // A call repeated per item: every step of its block repeats over the same items.
  const first = ctx.model.steps.get(call.steps[0] ?? "")?.step;
  const perItem =
    first?.repeat !== undefined && call.steps.every((id) => ctx.model.steps.get(id)?.step.repeat?.for_each === first.repeat?.for_each);
  if (perItem && first) {
    fields.push({ label: "Carried out for each", value: repeatRich(ctx, { ...first, form: undefined, checklist: [], gate: undefined }) });
  }
  const blocks: Block[] = [
    { kind: "heading", level: 4, id: `call-${call.id}`, number: ctx.number(`call:${call.id}`), text: ctx.t(call.title) },
  ];
  if (fields.length > 0) blocks.push({ kind: "fields", items: fields });
  if (call.description) blocks.push(...ctx.prose(call.description));
  blocks.push({
    kind: "paragraph",
    text: [
      strong("Procedure:"),
      text(` Carry out ${ctx.procedureRef(call.procedure)}${perItem ? " for each of them, each with its own record" : ""}; then ${then}.`),
    ],
  });
  const procedure = ctx.playbook.procedures.find((x) => x.id === call.procedure);
  const decider = call.outcome?.slice(call.id.length + 1);
  const question = procedure?.steps.find((s): s is Step => s.id === decider && !isCall(s))?.decision?.question;
  if (question !== undefined) {
    blocks.push({
      kind: "paragraph",
      text: [
        strong("Outcome:"),
        text(` the answer to “${ctx.fill.plain(question)}” in this call (in conditions: `),
        text(`calls.${call.key}.outcome`, "code"),
        text(")."),
      ],
    });
  }
  return blocks;
}

/**
 * A procedure's own section, written once however many steps carry it out: its steps numbered
 * under its label (4.3.1, 4.3.2 ...), a nested call as one step, its last steps returning to the caller.
 */
function procedureBlocks(ctx: BuildContext, procedure: Procedure): Block[] {
  const label = ctx.procedureLabels.get(procedure.id) ?? "";
  const calls = ctx.playbook.calls.filter((c) => c.procedure === procedure.id);
  const blocks: Block[] = [
    {
      kind: "heading",
      level: 3,
      id: `procedure-${procedure.id}`,
      text: plain(`Section ${label}: ${ctx.fill.plain(withoutLeadingNumber(procedure.title))}`),
    },
  ];
  if (procedure.description) blocks.push(...ctx.prose(procedure.description));
  const callers = calls.filter((c) => c.parent === undefined).map((c) => `${ctx.number(`call:${c.id}`)} (${ctx.fill.plain(c.title)})`);
  const nested = calls.filter((c) => c.parent !== undefined).map((c) => c.parent ?? "");
  const within = [...new Set(nested.map((id) => ctx.playbook.calls.find((c) => c.id === id)?.procedure ?? ""))].map((id) =>
    ctx.procedureRef(id),
  );
  const by = [...callers, ...within];
  blocks.push({
    kind: "paragraph",
    text: plain(
      `${by.length > 0 ? `Carried out by ${by.join(", ")}.` : "Not carried out by any step of this playbook."} When its last step is done, the procedure returns to the step that called it and continues with what follows that step.` +
        (procedure.included_from ? ` Shared procedure, from ${procedure.included_from}.` : ""),
    ),
  });
  const call = calls[0];
  if (!call) return blocks;
  // Its steps as one call runs them, numbered and titled as written in the procedure.
  const numbers = new Map<string, string>();
  const titles = new Map<string, string>();
  procedure.steps.forEach((item, k) => {
    numbers.set(`${call.id}.${item.id}`, `${label}.${k + 1}`);
    const nestedCall = isCall(item) ? ctx.playbook.calls.find((c) => c.id === `${call.id}.${item.id}`) : undefined;
    titles.set(`${call.id}.${item.id}`, isCall(item) ? (item.title ?? nestedCall?.title ?? item.id) : item.title);
    if (nestedCall)
      for (const id of nestedCall.steps) {
        numbers.set(id, `${label}.${k + 1}`);
        titles.set(id, item.title ?? nestedCall.title);
      }
  });
  const forms = new Map(Object.keys(procedure.forms).map((id) => [id, `${call.key}__${id}`]));
  const gateKeys = new Map(procedure.steps.filter((s) => !isCall(s)).map((s) => [s.id, `${call.key}__${s.id}`]));
  const nestedKeys = new Map(procedure.steps.filter(isCall).map((s) => [s.id, `${call.key}__${s.id}`]));
  const outer = ctx.local;
  ctx.local = { procedure, call, numbers, titles };
  try {
    for (const item of procedure.steps) {
      const id = `${call.id}.${item.id}`;
      if (isCall(item)) {
        const nestedCall = ctx.playbook.calls.find((c) => c.id === id);
        if (!nestedCall) continue;
        blocks.push(
          { kind: "heading", level: 4, id: `call-${id}`, number: numbers.get(id) ?? "", text: ctx.t(item.title ?? nestedCall.title) },
          {
            kind: "paragraph",
            text: [
              strong("Procedure:"),
              text(` Carry out ${ctx.procedureRef(item.call)}; then continue with the next step of this procedure.`),
            ],
          },
        );
        continue;
      }
      const entry = ctx.model.steps.get(id);
      if (!entry) continue;
      // Its own condition as written, reading this call's forms (the call's condition is the call's).
      const when = item.when === undefined ? undefined : rewriteCondition(item.when, forms, nestedKeys, gateKeys);
      const step: Step = { ...entry.step, title: item.title };
      if (when === undefined) delete step.when;
      else step.when = when;
      blocks.push(...stepBlocks(ctx, { ...entry, step }));
    }
  } finally {
    ctx.local = outer;
  }
  return blocks;
}

function stepRange(ctx: BuildContext, phase: Phase): string {
  const numbers = phase.steps.filter((s) => ctx.includes(s) && !s.on_demand).map((s) => ctx.number(s.id));
  const cadences = ctx.playbook.cadences.filter((c) => c.during === phase.id).map((c) => ctx.number(`cadence:${c.id}`));
  const all = [...numbers, ...cadences].filter(Boolean);
  if (all.length === 0) return "—";
  return all.length === 1 ? (all[0] ?? "") : `${all[0]}–${all.at(-1)}`;
}

export function procedureSection(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  const heading = ctx.section("Procedure");
  if (heading.kind === "heading" && heading.number !== `${PROCEDURE_SECTION}.`) throw new Error("the procedure must be section 6");
  const blocks: Block[] = [heading, { kind: "paragraph", text: startWords(ctx) }];
  blocks.push({
    kind: "paragraph",
    text: plain(
      `It runs in ${p.phases.length} phase${p.phases.length === 1 ? "" : "s"}. Days are counted from the start of the ${kindWords(p).noun}; business hours and days are counted on the business calendar (${calendarWords(ctx)}).`,
    ),
  });
  blocks.push({
    kind: "table",
    columns: [
      { title: "Phase", weight: 4 },
      { title: "Window", weight: 3 },
      { title: "Steps", weight: 1 },
      { title: "Checkpoints", weight: 4 },
    ],
    rows: p.phases.map((phase, i) => {
      const gates: Inline[] = [];
      for (const s of phase.steps.filter((x) => x.gate && ctx.includes(x))) {
        if (gates.length > 0) gates.push({ kind: "break" });
        gates.push(strong(ctx.number(s.id)), text(" "), ...ctx.t(s.gate?.sign_off ?? ""));
      }
      return [
        plain(phaseTitle(ctx, phase, i)),
        plain(phaseWindow(ctx, phase) ?? "—"),
        plain(stepRange(ctx, phase)),
        gates.length > 0 ? gates : plain("—"),
      ];
    }),
  });
  p.phases.forEach((phase, i) => {
    blocks.push({
      kind: "heading",
      level: 3,
      id: `phase-${phase.id}`,
      text: plain(`${phaseTitle(ctx, phase, i)}${phase.window ? ` (${phaseWindow(ctx, phase)})` : ""}`),
    });
    if (phase.description) blocks.push(...ctx.prose(phase.description));
    const entries = ctx.entries().filter((e) => e.phase === phase);
    if (entries.length === 0) blocks.push({ kind: "paragraph", text: plain("No step of this phase applies to this client.") });
    for (const entry of entries) {
      const call = ctx.callOf.get(entry.step.id);
      if (call === undefined) blocks.push(...stepBlocks(ctx, entry));
      else if (ctx.callStartingAt(entry.step.id) === call) blocks.push(...callBlocks(ctx, call));
    }
    for (const cadence of p.cadences.filter((c) => c.during === phase.id)) blocks.push(...cadenceBlocks(ctx, cadence));
  });
  for (const procedure of p.procedures) blocks.push(...procedureBlocks(ctx, procedure));
  const loose = p.cadences.filter((c) => c.during === undefined);
  if (loose.length > 0) {
    blocks.push({ kind: "heading", level: 3, id: "recurring", text: plain("Recurring activities") });
    for (const cadence of loose) blocks.push(...cadenceBlocks(ctx, cadence));
  }
  return blocks;
}
