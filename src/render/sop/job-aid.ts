// The checklist job aid: one printable page per phase, for daily use. Each step is a box to tick
// with its owner and deadline, its checklist items, its checkpoint, its decision rules and what
// "done" means; blanks for the client, the date and the initials.

import { deliverablesOf } from "../../playbook/schema.ts";
import type { Block, Inline, ListItem, Rich } from "../document.ts";
import { plain, strong, text } from "../document.ts";
import type { BuildContext } from "./context.ts";
import { formatDateTime, formatLocalDate } from "./dates.ts";
import { conditionRich, phaseTitle, successors } from "./procedure.ts";
import { cadenceScheduleWords, deadlineWords, momentWords, windowWords } from "./words.ts";

function deadline(ctx: BuildContext, stepId: string): string {
  const entry = ctx.model.steps.get(stepId);
  if (!entry) return "";
  const { step } = entry;
  const planned = ctx.edition.schedule?.get(stepId)?.dueAt;
  const zone = ctx.edition.client?.timeZone;
  if (planned && zone) return `due ${formatDateTime(planned, zone)}`;
  if (step.due) return ctx.fill.plain(deadlineWords(step.due, ctx));
  if (step.opens) return ctx.fill.plain(`opens ${momentWords(step.opens, ctx)}`);
  if (step.on_demand) return "when needed";
  return entry.phase.window ? "by the end of the phase" : "no set deadline";
}

function nextShort(ctx: BuildContext, stepId: string, next: string): string {
  if (next === "continue") {
    const after = successors(ctx, stepId).map((e) => ctx.number(e.step.id));
    return after.length > 0 ? `go on to ${after.join(", ")}` : "go on";
  }
  if (next === "hold") return "put on hold";
  if (next === "end") return "end";
  return `go to ${ctx.number(next) || ctx.stepTitle(next)}`;
}

function stepItem(ctx: BuildContext, stepId: string): ListItem {
  const { step } = ctx.model.steps.get(stepId) ?? { step: undefined };
  if (!step) return { text: plain(stepId), checked: false };
  const line: Inline[] = [
    strong(ctx.number(step.id)),
    text(` ${ctx.stepTitle(step.id)}`),
    text(` — ${ctx.roleTitle(step.owner)}, ${deadline(ctx, step.id)}`),
  ];
  if (step.when !== undefined && ctx.conditional(step)) line.push(text(" — only where "), ...conditionRich(ctx, step.when));
  const children: ListItem[] = [];
  for (const item of step.checklist) {
    if (typeof item === "string") children.push({ text: ctx.proseInline(item), checked: false });
    else if (item.when === undefined || !ctx.edition.holds || ctx.edition.holds(item.when))
      children.push({ text: ctx.proseInline(item.text), checked: false });
  }
  const notes: Rich[] = [];
  if (step.gate) {
    notes.push([
      strong("Checkpoint:"),
      text(" "),
      ...ctx.t(step.gate.sign_off),
      text(` (${step.gate.approvers.map((a) => ctx.roleTitle(a)).join(", ")})`),
    ]);
  }
  for (const branch of step.decision?.branches ?? []) {
    notes.push([
      strong(branch.otherwise ? "OTHERWISE" : "IF"),
      text(
        ` ${ctx.fill.plain(branch.label.replace(/^if\s+/i, ""))} → ${branch.detour ? `do ${branch.detour.map((id) => ctx.number(id) || ctx.stepTitle(id)).join(", ")}, then ` : ""}${nextShort(ctx, step.id, branch.next)}`,
      ),
    ]);
  }
  if (step.expected_result) notes.push([strong("Done when:"), text(" "), ...ctx.proseInline(step.expected_result)]);
  else if (deliverablesOf(step).length > 0) {
    const titles = deliverablesOf(step).map((d) => ctx.t(d.title));
    const joined = titles.flatMap((t, i) => (i === 0 ? t : [text(i === titles.length - 1 ? " and " : ", "), ...t]));
    notes.push([strong("Done when:"), text(" "), ...joined, text(titles.length > 1 ? " are delivered." : " is delivered.")]);
  }
  const blocks: Block[] = [];
  if (children.length > 0) blocks.push({ kind: "list", style: "check", items: children });
  if (notes.length > 0) blocks.push({ kind: "list", style: "bullet", items: notes.map((n) => ({ text: n })) });
  return blocks.length > 0 ? { text: line, checked: false, children: blocks } : { text: line, checked: false };
}

export function jobAidBlocks(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  const d = p.document;
  const client = ctx.edition.client;
  const blocks: Block[] = [
    ctx.appendix("Checklist Job Aid"),
    {
      kind: "paragraph",
      tone: "small",
      text: plain(
        "One page per phase, for daily use: tick each step when its expected result is true. The procedure (section 6) is the reference.",
      ),
    },
  ];
  p.phases.forEach((phase, i) => {
    const entries = ctx.entries().filter((e) => e.phase === phase);
    if (entries.length === 0) return;
    const dates = ctx.edition.phaseDates?.get(phase.id);
    const window = `${phase.window ? windowWords(phase.window, ctx) : "no set window"}${dates ? `: ${formatLocalDate(dates.from)}${dates.to ? ` – ${formatLocalDate(dates.to)}` : " onwards"}` : ""}`;
    const header: Inline[] = [text(`${ctx.fill.plain(d.id)} v${ctx.fill.plain(d.version)} · ${ctx.fill.plain(window)} · Client: `)];
    header.push(
      text(client ? client.name : "______________________"),
      text(" · Started: "),
      text(client ? formatLocalDate(client.start) : "____________"),
    );
    const pageBlocks: Block[] = [
      { kind: "heading", level: 3, id: `job-aid-${phase.id}`, text: plain(`Job Aid · ${phaseTitle(ctx, phase, i)}`) },
      { kind: "paragraph", tone: "small", text: header },
      { kind: "list", style: "check", items: entries.map((e) => stepItem(ctx, e.step.id)) },
    ];
    const cadences = p.cadences.filter((c) => c.during === phase.id);
    if (cadences.length > 0) {
      pageBlocks.push({
        kind: "list",
        style: "check",
        items: cadences.map((c) => ({
          text: [
            strong(ctx.number(`cadence:${c.id}`)),
            text(` ${ctx.fill.plain(c.title)} — ${ctx.roleTitle(c.owner)}, ${cadenceScheduleWords(c, ctx)}`),
          ],
          checked: false,
        })),
      });
    }
    pageBlocks.push({
      kind: "paragraph",
      tone: "small",
      text: plain("Completed by: ______________________   Date: ____________   Reviewed by: ______________________"),
    });
    blocks.push({ kind: "page", id: `job-aid-page-${phase.id}`, fit: true, blocks: pageBlocks });
  });
  return blocks;
}
