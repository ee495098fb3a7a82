// Markdown SOPs into the document model through marked's lexer (GitHub-flavoured: tables, task
// lists). Lines are counted from the tokens' raw text, which marked keeps verbatim.
import { marked, type Token, type Tokens } from "marked";
import type { Block, ListItem, SopDocument } from "./document.ts";

function lines(text: string): number {
  let n = 0;
  for (const c of text) if (c === "\n") n++;
  return n;
}

/** The plain text of inline tokens: emphasis and links dropped, breaks kept. */
export function plain(tokens: readonly Token[] | undefined, fallback = ""): string {
  if (!tokens) return fallback;
  let out = "";
  for (const token of tokens) {
    switch (token.type) {
      case "br":
        out += "\n";
        break;
      case "checkbox":
        break;
      case "codespan":
        out += (token as Tokens.Codespan).text;
        break;
      case "escape":
        out += (token as Tokens.Escape).text;
        break;
      case "html":
        break;
      default: {
        const withTokens = token as { tokens?: Token[]; text?: string };
        out += withTokens.tokens ? plain(withTokens.tokens) : (withTokens.text ?? "");
      }
    }
  }
  return out.replace(/[ \t]+\n/g, "\n");
}

function readItem(item: Tokens.ListItem, line: number): ListItem {
  const children: Block[] = [];
  let text = "";
  let offset = line;
  for (const token of item.tokens) {
    if (token.type === "text" || token.type === "paragraph") {
      if (children.length === 0) text += (text ? "\n" : "") + plain((token as Tokens.Text).tokens, (token as Tokens.Text).text);
      else children.push({ kind: "paragraph", text: plain((token as Tokens.Text).tokens), line: offset });
    } else if (token.type !== "checkbox") {
      children.push(...readBlocks([token], offset));
    }
    offset += lines(token.raw ?? "");
  }
  return { text: text.trim(), ...(item.task ? { checked: item.checked === true } : {}), line, children };
}

function readBlocks(tokens: readonly Token[], first: number): Block[] {
  const blocks: Block[] = [];
  let line = first;
  for (const token of tokens) {
    const start = line + lines((token.raw ?? "").match(/^\s*/)?.[0] ?? "");
    switch (token.type) {
      case "heading":
        blocks.push({ kind: "heading", level: token.depth as number, text: plain(token.tokens).trim(), line: start });
        break;
      case "paragraph":
      case "text":
        blocks.push({ kind: "paragraph", text: plain(token.tokens, token.text as string).trim(), line: start });
        break;
      case "list": {
        const list = token as Tokens.List;
        const items: ListItem[] = [];
        let at = start;
        for (const item of list.items) {
          items.push(readItem(item, at));
          at += lines(item.raw);
        }
        blocks.push({ kind: "list", ordered: list.ordered, items, line: start });
        break;
      }
      case "table": {
        const table = token as Tokens.Table;
        const rows = [table.header.map((c) => plain(c.tokens).trim()), ...table.rows.map((r) => r.map((c) => plain(c.tokens).trim()))];
        blocks.push({ kind: "table", rows, line: start });
        break;
      }
      case "blockquote":
        blocks.push({ kind: "quote", blocks: readBlocks((token as Tokens.Blockquote).tokens, start), line: start });
        break;
      case "code": {
        const code = token as Tokens.Code;
        blocks.push({ kind: "code", text: code.text, lang: (code.lang ?? "").trim(), line: start });
        break;
      }
      default:
        // html, rules and spaces say nothing the extractor reads
        break;
    }
    line += lines(token.raw ?? "");
  }
  return blocks;
}

export function readMarkdown(text: string): SopDocument {
  // YAML front matter (handbook pages) is not part of the procedure; its lines still count.
  const front = /^---\n[\s\S]*?\n---\n/.exec(text)?.[0] ?? "";
  const body = text.slice(front.length);
  const title = /^title:\s*["']?(.+?)["']?\s*$/m.exec(front)?.[1];
  return { unit: "line", blocks: readBlocks(marked.lexer(body, { gfm: true }), 1 + lines(front)), ...(title ? { title } : {}) };
}
