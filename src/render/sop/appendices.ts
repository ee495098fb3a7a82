// The last supporting materials: the rollout plan and change management of the procedure itself,
// the playbook's own appendices, and the text of its templates (emails, documents, reports).
import type { Block } from "../document.ts";
import { plain, strong, text } from "../document.ts";
import type { BuildContext } from "./context.ts";
import { markdownBlocks } from "./markdown-body.ts";
import { withoutLeadingNumber } from "./words.ts";

export function rolloutBlocks(ctx: BuildContext): Block[] {
  const p = ctx.playbook;
  if (p.rollout.length === 0 && p.change_management.length === 0) return [];
  const blocks: Block[] = [ctx.appendix("Rollout and Change Management")];
  if (p.rollout.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Rollout plan:")] });
    blocks.push({
      kind: "table",
      columns: [
        { title: "When", weight: 1 },
        { title: "Activity", weight: 4 },
      ],
      rows: p.rollout.map((r) => [ctx.t(r.when), ctx.proseInline(r.activity)]),
    });
  }
  if (p.change_management.length > 0) {
    blocks.push({ kind: "paragraph", text: [strong("Change management:")] });
    blocks.push({ kind: "list", style: "bullet", items: p.change_management.map((s) => ({ text: ctx.proseInline(s) })) });
  }
  return blocks;
}

export function appendixBlocks(ctx: BuildContext): Block[] {
  const blocks: Block[] = [];
  for (const appendix of ctx.playbook.appendices) {
    blocks.push(ctx.appendix(ctx.fill.plain(withoutLeadingNumber(appendix.title))));
    blocks.push(...markdownBlocks(ctx, appendix.body, `appendix-${appendix.id}`));
  }
  return blocks;
}

/** Every condition the document said with functions, macros or arithmetic: its words and its exact expression. */
export function conditionBlocks(ctx: BuildContext): Block[] {
  if (ctx.conditions.size === 0) return [];
  return [
    ctx.appendix("Conditions"),
    {
      kind: "paragraph",
      text: plain(
        "The conditions this document refers to by number, in words and as the exact expression the engine evaluates (CEL, the Common Expression Language). Where no words are given, the expression is the only faithful statement of the condition.",
      ),
    },
    {
      kind: "table",
      columns: [
        { title: "No.", weight: 1 },
        { title: "In words", weight: 4 },
        { title: "Expression", weight: 4 },
      ],
      rows: [...ctx.conditions].map(([expression, { label, words }]) => [
        plain(label),
        words === undefined ? plain("—") : ctx.t(words),
        [text(expression, "code")],
      ]),
    },
  ];
}

export function templateBlocks(ctx: BuildContext): Block[] {
  const templates = Object.entries(ctx.playbook.templates).filter(([, t]) => t.body !== undefined || t.subject !== undefined);
  if (templates.length === 0) return [];
  const blocks: Block[] = [
    ctx.appendix("Templates"),
    {
      kind: "paragraph",
      tone: "small",
      text: plain("«Marked» values are filled in when the template is used for a client (names, dates, links)."),
    },
  ];
  for (const [id, template] of templates) {
    blocks.push({
      kind: "heading",
      level: 3,
      id: `template-${id.toLowerCase()}`,
      text: [text(ctx.fill.plain(id), "code"), text(` ${ctx.fill.plain(template.title)}`)],
    });
    if (template.subject) blocks.push({ kind: "paragraph", text: [strong("Subject:"), text(" "), ...ctx.t(template.subject)] });
    if (template.body)
      blocks.push({ kind: "callout", tone: "note", title: "", blocks: markdownBlocks(ctx, template.body, `template-${id.toLowerCase()}`) });
  }
  return blocks;
}
