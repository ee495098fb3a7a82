// GitHub-flavoured Markdown: headings, pipe tables, task lists, Mermaid in fenced blocks. Text is
// escaped so that nothing a playbook says is read as Markdown or HTML.
import { type Block, headingsOf, type ListItem, plainText, type Rich, type SopDocument, sectionsOf } from "./document.ts";

/**
 * A link's destination as CommonMark reads it back whole: parentheses, brackets, angle brackets and
 * white space percent-encoded (encodeURIComponent leaves parentheses alone, and an unbalanced one
 * would end the link early and let the rest of the URL be read as a link of its own).
 */
function markdownDestination(href: string): string {
  return href.replace(/[()[\]<>\s]/g, (c) => (c === "(" ? "%28" : c === ")" ? "%29" : encodeURIComponent(c)));
}

const ESCAPE_RE = /[\\`*_[\]<>|]/g;

/** Escape what GFM would read as markup; `|` too, since text lands in table cells. */
export function escapeMarkdown(value: string): string {
  return value.replace(ESCAPE_RE, (c) => `\\${c}`);
}

/** Escape a line start that would make a heading, list, quote or rule. */
function escapeLineStart(value: string): string {
  return value.replace(/^(\s*)(#{1,6}\s|[-+]\s|\d+[.)]\s|=+\s*$|-{3,}\s*$)/, (_, space: string, mark: string) => `${space}\\${mark}`);
}

function code(value: string): string {
  const ticks = value.includes("`") ? "``" : "`";
  return ticks === "``" ? `${ticks} ${value} ${ticks}` : `${ticks}${value}${ticks}`;
}

/** Inline text; `breakWith` is how a line break is written in this context; inside `**` (bold)
 *  nothing is bolded again. */
export function inline(rich: Rich, breakWith = "<br>", bold = false): string {
  let out = "";
  for (const run of rich) {
    switch (run.kind) {
      case "text": {
        if (run.style === "code") out += code(run.text);
        else if (bold && run.style === "strong") out += escapeMarkdown(run.text);
        else if (run.text.trim() === "") out += run.text;
        else {
          const lead = run.text.match(/^\s*/)?.[0] ?? "";
          const trail = run.text.match(/\s*$/)?.[0] ?? "";
          const core = escapeMarkdown(run.text.trim());
          out +=
            run.style === "strong"
              ? `${lead}**${core}**${trail}`
              : run.style === "em"
                ? `${lead}*${core}*${trail}`
                : escapeMarkdown(run.text);
        }
        break;
      }
      case "link":
        out += `[${escapeMarkdown(run.text)}](${markdownDestination(run.href)})`;
        break;
      case "missing":
        out += bold ? `«${escapeMarkdown(run.name)}»` : `**«${escapeMarkdown(run.name)}»**`;
        break;
      case "break":
        out += breakWith;
        break;
    }
  }
  return out;
}

function cellText(rich: Rich): string {
  return inline(rich, "<br>").replace(/\n/g, " ") || " ";
}

function table(block: Extract<Block, { kind: "table" }>): string {
  const header = `| ${block.columns.map((c) => escapeMarkdown(c.title)).join(" | ")} |`;
  const rule = `| ${block.columns.map((c) => (c.align === "center" ? ":---:" : "---")).join(" | ")} |`;
  const rows = block.rows.map((row) => `| ${row.map(cellText).join(" | ")} |`);
  return [header, rule, ...rows].join("\n");
}

function listItems(items: readonly ListItem[], style: "bullet" | "number" | "check", indent: string, toc: string): string {
  return items
    .map((item, i) => {
      const marker = style === "number" ? `${i + 1}.` : "-";
      const box = style === "check" || item.checked !== undefined ? `[${item.checked ? "x" : " "}] ` : "";
      const pad = `${indent}${" ".repeat(marker.length + 1)}`;
      const body = escapeLineStart(inline(item.text, `\\\n${pad}`));
      const children = (item.children ?? []).map((b) => blockText(b, pad, toc)).join("\n");
      return `${indent}${marker} ${box}${body}${children ? `\n${children}` : ""}`;
    })
    .join("\n");
}

function blockText(block: Block, indent: string, toc: string): string {
  switch (block.kind) {
    case "heading": {
      const number = block.number ? `${block.number} ` : "";
      return `${"#".repeat(block.level)} ${escapeMarkdown(number)}${inline(block.text, " ")}`;
    }
    case "paragraph":
      return indent + escapeLineStart(inline(block.text, `\\\n${indent}`));
    case "fields":
      return indent + block.items.map((f) => `**${escapeMarkdown(f.label)}:** ${inline(f.value, " ")}`).join(" · ");
    case "list":
      return listItems(block.items, block.style, indent, toc);
    case "table":
      return table(block);
    case "callout": {
      const inner = block.blocks.map((b) => blockText(b, "", toc)).join("\n\n");
      const title = block.title ? `**${escapeMarkdown(block.title)}**\n\n` : "";
      return `${title}${inner}`
        .split("\n")
        .map((line) => `${indent}>${line ? ` ${line}` : ""}`)
        .join("\n");
    }
    case "diagram":
      return `\`\`\`mermaid\n${block.source}\n\`\`\``;
    case "code":
      return `\`\`\`text\n${block.text}\n\`\`\``;
    case "toc":
      return toc;
    case "page":
      return ["---", ...block.blocks.map((b) => blockText(b, indent, toc))].join("\n\n");
    case "page-break":
      return "---";
  }
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function githubSlugs(blocks: readonly Block[]): Map<string, string> {
  const seen = new Map<string, number>();
  const slugs = new Map<string, string>();
  for (const block of headingsOf(blocks)) {
    const words = `${block.number ? `${block.number} ` : ""}${plainText(block.text)}`;
    const base = words
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.set(block.id, n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

export function writeMarkdown(doc: SopDocument): string {
  const slugs = githubSlugs(doc.blocks);
  const toc = sectionsOf(doc.blocks)
    .filter((h) => h.number)
    .map((h) => `- [${escapeMarkdown(`${h.number} ${plainText(h.text)}`)}](#${slugs.get(h.id) ?? h.id})`)
    .join("\n");
  const parts: string[] = [];
  if (doc.letterhead) {
    parts.push(`**${inline(doc.letterhead.company, " ", true)}**${doc.letterhead.lines.map((l) => `\\\n${inline(l)}`).join("")}`);
  }
  if (doc.edition) parts.push(`> **${escapeMarkdown(doc.edition)}**`);
  // Detail pages are closer views for print; a reader of Markdown zooms the map itself.
  for (const block of doc.blocks) if (!(block.kind === "page" && block.detail)) parts.push(blockText(block, "", toc));
  return `${parts.join("\n\n")}\n`;
}
