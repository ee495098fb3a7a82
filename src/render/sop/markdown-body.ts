// Text a playbook author wrote as Markdown (template bodies, appendices) into document blocks,
// through marked's lexer: headings, paragraphs with line breaks kept, lists and task lists,
// tables, code. Raw HTML is shown as text, never passed through.
import { Lexer, type Token, type Tokens } from "marked";
import { safeUrl } from "../../playbook/prose.ts";
import type { Block, Inline, ListItem, Rich } from "../document.ts";
import type { BuildContext } from "./context.ts";

function inlines(ctx: BuildContext, tokens: readonly Token[] | undefined, style?: "strong" | "em"): Inline[] {
  const out: Inline[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "text": {
        const t = token as Tokens.Text;
        if (t.tokens && t.tokens.length > 0) out.push(...inlines(ctx, t.tokens, style));
        else
          out.push(
            ...ctx.fill.rich(
              t.text
                .replace(/&amp;/g, "&")
                .replace(/&lt;/g, "<")
                .replace(/&gt;/g, ">")
                .replace(/&quot;/g, '"')
                .replace(/&#39;/g, "'"),
              style,
            ),
          );
        break;
      }
      case "escape":
        out.push(...ctx.fill.rich((token as Tokens.Escape).text, style));
        break;
      case "strong":
        out.push(...inlines(ctx, (token as Tokens.Strong).tokens, "strong"));
        break;
      case "em":
        out.push(...inlines(ctx, (token as Tokens.Em).tokens, "em"));
        break;
      case "del":
        out.push(...inlines(ctx, (token as Tokens.Del).tokens, style));
        break;
      case "codespan":
        out.push({ kind: "text", text: (token as Tokens.Codespan).text, style: "code" });
        break;
      case "br":
        out.push({ kind: "break" });
        break;
      case "link": {
        const link = token as Tokens.Link;
        // Only http, https and mailto addresses stay links, in every format (Markdown included).
        const href = safeUrl(ctx.fill.plain(link.href));
        out.push(href ? { kind: "link", text: ctx.fill.plain(link.text), href } : { kind: "text", text: ctx.fill.plain(link.text) });
        break;
      }
      default:
        out.push(...ctx.fill.rich(token.raw, style));
    }
  }
  return out;
}

function listItem(ctx: BuildContext, item: Tokens.ListItem, prefix: string): ListItem {
  const text: Inline[] = [];
  const children: Block[] = [];
  for (const token of item.tokens) {
    if (token.type === "list") children.push(...blocks(ctx, [token], prefix));
    else if (token.type === "text" || token.type === "paragraph") {
      if (text.length > 0) text.push({ kind: "break" });
      text.push(...inlines(ctx, (token as Tokens.Text).tokens ?? [token]));
    } else if (token.type !== "checkbox" && token.type !== "space") children.push(...blocks(ctx, [token], prefix));
  }
  const base: ListItem = item.task ? { text, checked: item.checked === true } : { text };
  return children.length > 0 ? { ...base, children } : base;
}

function blocks(ctx: BuildContext, tokens: readonly Token[], prefix: string): Block[] {
  const out: Block[] = [];
  let headings = 0;
  for (const token of tokens) {
    switch (token.type) {
      case "heading":
        out.push({ kind: "heading", level: 4, id: `${prefix}-h${++headings}`, text: inlines(ctx, (token as Tokens.Heading).tokens) });
        break;
      case "paragraph":
        out.push({ kind: "paragraph", text: inlines(ctx, (token as Tokens.Paragraph).tokens) });
        break;
      case "text":
        out.push({ kind: "paragraph", text: inlines(ctx, [token]) });
        break;
      case "list": {
        const list = token as Tokens.List;
        const style = list.items.some((i) => i.task) ? "check" : list.ordered ? "number" : "bullet";
        out.push({ kind: "list", style, items: list.items.map((i) => listItem(ctx, i, prefix)) });
        break;
      }
      case "table": {
        const table = token as Tokens.Table;
        out.push({
          kind: "table",
          columns: table.header.map((h) => ({ title: h.text, weight: 1 })),
          rows: table.rows.map((row): Rich[] => row.map((c) => inlines(ctx, c.tokens))),
        });
        break;
      }
      case "code":
        out.push({ kind: "code", text: ctx.fill.plain((token as Tokens.Code).text) });
        break;
      case "blockquote":
        out.push({ kind: "callout", tone: "note", title: "", blocks: blocks(ctx, (token as Tokens.Blockquote).tokens, prefix) });
        break;
      case "space":
      case "hr":
        break;
      default:
        out.push({ kind: "paragraph", text: ctx.fill.rich(token.raw.trim()) });
    }
  }
  return out;
}

/** Markdown text as blocks; `prefix` keeps heading anchors unique in the document. */
export function markdownBlocks(ctx: BuildContext, markdown: string, prefix: string): Block[] {
  return blocks(ctx, new Lexer({ gfm: true, breaks: true }).lex(markdown), prefix);
}
