// Prose a procedure author writes in a playbook (step descriptions, instructions, expected results,
// checklist items, purpose, responsibilities ...) carries a small Markdown subset: paragraphs,
// bullet and numbered lists, **strong**, *emphasis*, `code`, [links](https://...) and bare URLs or
// e-mail addresses. This module reads it, through marked's lexer with every other construct turned
// off, into a typed tree that each output walks (the SOP's document model, the web app's React
// elements): nothing is ever passed on as HTML.
//
// Sanitised by construction: raw HTML (`<script>`), headings, quotes, code blocks, tables, images
// and strikethrough are not recognised, so they stay the text the author typed; a link whose
// address is not http, https or mailto keeps its text and loses its address.
import { Lexer, type Token, Tokenizer, type Tokens } from "marked";

export type ProseInline =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "strong"; readonly children: readonly ProseInline[] }
  | { readonly kind: "em"; readonly children: readonly ProseInline[] }
  | { readonly kind: "code"; readonly text: string }
  /** `href` is always an absolute http, https or mailto address. */
  | { readonly kind: "link"; readonly href: string; readonly children: readonly ProseInline[] }
  | { readonly kind: "break" };

export type ProseBlock =
  | { readonly kind: "paragraph"; readonly content: readonly ProseInline[] }
  /** Each item is a list of blocks (its text, then any nested list). */
  | { readonly kind: "list"; readonly ordered: boolean; readonly start: number; readonly items: readonly (readonly ProseBlock[])[] };

const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The address when it is an absolute http, https or mailto URL; otherwise undefined. */
export function safeUrl(href: string): string | undefined {
  const value = href.trim();
  // Control characters and spaces are how scripts sneak past scheme checks ("java\tscript:").
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is refused here
  if (value === "" || /[\u0000-\u0020\u007f]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return undefined;
  if (url.protocol !== "mailto:" && url.hostname === "") return undefined;
  return value;
}

/** The lexer's constructs outside the subset, switched off: they read as plain text. */
class ProseTokenizer extends Tokenizer {
  override code(): undefined {
    return undefined;
  }
  override fences(): undefined {
    return undefined;
  }
  override heading(): undefined {
    return undefined;
  }
  override hr(): undefined {
    return undefined;
  }
  override blockquote(): undefined {
    return undefined;
  }
  override html(): undefined {
    return undefined;
  }
  override def(): undefined {
    return undefined;
  }
  override table(): undefined {
    return undefined;
  }
  override lheading(): undefined {
    return undefined;
  }
  override tag(): undefined {
    return undefined;
  }
  override reflink(): undefined {
    return undefined;
  }
  /** "~14 days" is an approximation, not strikethrough. */
  override del(): undefined {
    return undefined;
  }
}

export interface ProseOptions {
  /** Applied to a link's address before it is checked (the SOP fills `{{placeholders}}` there). */
  readonly resolveHref?: (href: string) => string;
  /** Told of each link whose address was refused (as written, before resolving): lint warns. */
  readonly onRefusedLink?: (href: string) => void;
}

function inlines(tokens: readonly Token[] | undefined, options: ProseOptions): ProseInline[] {
  const out: ProseInline[] = [];
  const push = (value: string) => {
    if (value === "") return;
    const last = out.at(-1);
    if (last?.kind === "text") out[out.length - 1] = { kind: "text", text: last.text + value };
    else out.push({ kind: "text", text: value });
  };
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "text": {
        const t = token as Tokens.Text;
        if (t.tokens && t.tokens.length > 0)
          for (const inner of inlines(t.tokens, options)) inner.kind === "text" ? push(inner.text) : out.push(inner);
        else push(t.text);
        break;
      }
      case "escape":
        push((token as Tokens.Escape).text);
        break;
      case "strong":
      case "em": {
        const children = inlines((token as Tokens.Strong | Tokens.Em).tokens, options);
        if (children.length > 0) out.push({ kind: token.type, children });
        break;
      }
      case "codespan":
        out.push({ kind: "code", text: (token as Tokens.Codespan).text });
        break;
      case "br":
        out.push({ kind: "break" });
        break;
      case "link": {
        const link = token as Tokens.Link;
        const children = inlines(link.tokens, options);
        const href = safeUrl(options.resolveHref ? options.resolveHref(link.href) : link.href);
        if (href && children.length > 0) {
          out.push({ kind: "link", href, children });
          break;
        }
        if (!href) options.onRefusedLink?.(link.href);
        // The link's words stay; a refused address (or an empty text) makes no link.
        for (const inner of children.length > 0 ? children : [{ kind: "text" as const, text: link.text }])
          inner.kind === "text" ? push(inner.text) : out.push(inner);
        break;
      }
      default:
        // Anything else the lexer still produces (an image, say) is shown as the author typed it.
        push(token.raw);
    }
  }
  return out;
}

function blocks(tokens: readonly Token[], options: ProseOptions): ProseBlock[] {
  const out: ProseBlock[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "space":
        break;
      case "paragraph":
      case "text": {
        const t = token as Tokens.Paragraph | Tokens.Text;
        const content = inlines(t.tokens ?? [{ type: "text", raw: t.text, text: t.text } as Tokens.Text], options);
        const previous = out.at(-1);
        // A list item's lines arrive as consecutive text tokens: one paragraph.
        if (token.type === "text" && previous?.kind === "paragraph")
          out[out.length - 1] = { kind: "paragraph", content: [...previous.content, { kind: "break" }, ...content] };
        else if (content.length > 0) out.push({ kind: "paragraph", content });
        break;
      }
      case "list": {
        const list = token as Tokens.List;
        out.push({
          kind: "list",
          ordered: list.ordered,
          start: typeof list.start === "number" ? list.start : 1,
          items: list.items.map((item) => {
            const body = blocks(
              item.tokens.filter((t) => t.type !== "checkbox"),
              options,
            );
            // "- [ ] task" keeps its box as text: checklists are the playbook's own construct.
            if (item.task) {
              const box: ProseInline = { kind: "text", text: item.checked ? "[x] " : "[ ] " };
              const first = body[0];
              if (first?.kind === "paragraph") body[0] = { kind: "paragraph", content: [box, ...first.content] };
            }
            return body;
          }),
        });
        break;
      }
      default:
        out.push({ kind: "paragraph", content: [{ kind: "text", text: token.raw.trim() }] });
    }
  }
  return out;
}

/** Prose as blocks: paragraphs and lists. Never throws; text it cannot read stays text. */
export function parseProse(source: string, options: ProseOptions = {}): ProseBlock[] {
  try {
    return blocks(new Lexer({ gfm: true, breaks: true, tokenizer: new ProseTokenizer() }).lex(source), options);
  } catch {
    return source.trim() === "" ? [] : [{ kind: "paragraph", content: [{ kind: "text", text: source }] }];
  }
}

/** The words of an inline run, without markup. */
export function inlinePlainText(content: readonly ProseInline[]): string {
  return content
    .map((node) => {
      switch (node.kind) {
        case "text":
        case "code":
          return node.text;
        case "break":
          return "\n";
        default:
          return inlinePlainText(node.children);
      }
    })
    .join("");
}

/** The words of some prose without its markup: for titles, notifications and search. */
export function prosePlainText(source: string): string {
  const lines: string[] = [];
  const visit = (list: readonly ProseBlock[], indent: string): void => {
    for (const block of list) {
      if (block.kind === "paragraph") lines.push(indent + inlinePlainText(block.content));
      else
        block.items.forEach((item, i) => {
          const marker = block.ordered ? `${block.start + i}. ` : "• ";
          const before = lines.length;
          visit(item, `${indent}   `);
          if (lines.length > before) lines[before] = `${indent}${marker}${(lines[before] ?? "").trimStart()}`;
          else lines.push(`${indent}${marker.trimEnd()}`);
        });
    }
  };
  visit(parseProse(source), "");
  return lines.join("\n");
}
