// Word SOPs into the document model: mammoth turns the .docx into semantic HTML (headings from
// Heading styles, lists, tables, bookmarks), which fast-xml-parser reads as a tree, since
// mammoth writes well-formed markup. Each paragraph (heading, paragraph, list item) is numbered in
// document order: that number is what findings point at.
import { XMLParser } from "fast-xml-parser";
import mammoth from "mammoth";
import type { Block, ListItem, SopDocument } from "./document.ts";

type Node = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

function tagOf(node: Node): string {
  return Object.keys(node).find((k) => k !== ":@") ?? "";
}

function childrenOf(node: Node): Node[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function attr(node: Node, name: string): string | undefined {
  const attrs = node[":@"] as Record<string, string> | undefined;
  return attrs?.[name];
}

function textOf(nodes: readonly Node[]): string {
  let out = "";
  for (const node of nodes) {
    const tag = tagOf(node);
    if (tag === "#text") out += String(node["#text"]);
    else if (tag === "br") out += "\n";
    else if (tag === "ul" || tag === "ol" || tag === "table") continue;
    else out += textOf(childrenOf(node));
  }
  return out;
}

/** Word's spacing around separators (non-breaking spaces, "   ·   ") made ordinary. */
function tidy(text: string): string {
  return text
    .replace(/\u00a0/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/ *\n */g, "\n")
    .trim();
}

function firstAnchor(nodes: readonly Node[]): string | undefined {
  for (const node of nodes) {
    if (tagOf(node) === "a" && attr(node, "id")) return attr(node, "id");
  }
  return undefined;
}

/**
 * Word has no task lists: a checklist is written with a box character ("☐", ticked "☑"/"☒") or a
 * typed "[ ]"/"[x]" at the start of the item. Read as Markdown's "- [ ]" is.
 */
export function checkbox(text: string): { text: string; checked?: boolean } {
  const box = /^(?:([☐☑☒])|\[([ xX])\])\s*/u.exec(text);
  if (!box) return { text };
  const ticked = box[1] ? box[1] !== "☐" : box[2] !== " ";
  return { text: text.slice(box[0].length), checked: ticked };
}

class Reader {
  paragraph = 0;
  title: string | undefined;

  next(): number {
    this.paragraph += 1;
    return this.paragraph;
  }

  blocks(nodes: readonly Node[]): Block[] {
    const blocks: Block[] = [];
    for (const node of nodes) {
      const tag = tagOf(node);
      const kids = childrenOf(node);
      const heading = /^h([1-6])$/.exec(tag);
      if (heading && attr(node, "class") === "title") {
        this.title ??= tidy(textOf(kids));
        this.next();
      } else if (heading) {
        const anchor = firstAnchor(kids);
        blocks.push({
          kind: "heading",
          level: Number(heading[1]),
          text: tidy(textOf(kids)),
          line: this.next(),
          ...(anchor ? { anchor } : {}),
        });
      } else if (tag === "p") {
        const text = tidy(textOf(kids));
        const line = this.next();
        if (text) blocks.push({ kind: "paragraph", text, line });
      } else if (tag === "ul" || tag === "ol") {
        blocks.push(this.list(node));
      } else if (tag === "table") {
        blocks.push(this.table(node));
      } else if (tag === "blockquote") {
        blocks.push({ kind: "quote", blocks: this.blocks(kids), line: this.paragraph + 1 });
      } else if (tag !== "#text") {
        blocks.push(...this.blocks(kids));
      }
    }
    return blocks;
  }

  list(node: Node): Block {
    const line = this.paragraph + 1;
    const items: ListItem[] = [];
    for (const li of childrenOf(node)) {
      if (tagOf(li) !== "li") continue;
      const kids = childrenOf(li);
      const itemLine = this.next();
      const { text, checked } = checkbox(tidy(textOf(kids)));
      const children = this.blocks(kids.filter((k) => ["ul", "ol", "table"].includes(tagOf(k))));
      items.push({ text, ...(checked === undefined ? {} : { checked }), line: itemLine, children });
    }
    return { kind: "list", ordered: tagOf(node) === "ol", items, line };
  }

  table(node: Node): Block {
    const line = this.paragraph + 1;
    const rows: Node[] = [];
    const collect = (nodes: readonly Node[]) => {
      for (const n of nodes) {
        const tag = tagOf(n);
        if (tag === "tr") rows.push(n);
        else if (tag === "thead" || tag === "tbody" || tag === "tfoot") collect(childrenOf(n));
      }
    };
    collect(childrenOf(node));
    const cells = rows.map((row) => childrenOf(row).filter((c) => ["td", "th"].includes(tagOf(c))));
    // The renderer's call-outs (checkpoints, decisions) are one-cell tables: read them as quotes.
    const only = cells.length === 1 && cells[0]?.length === 1 ? cells[0][0] : undefined;
    if (only) return { kind: "quote", blocks: this.blocks(childrenOf(only)), line };
    const texts = cells.map((row) =>
      row.map((cell) => {
        this.next();
        return tidy(textOf(childrenOf(cell)));
      }),
    );
    return { kind: "table", rows: texts, line };
  }
}

export interface DocxRead {
  readonly document: SopDocument;
  /** What mammoth could not map (unknown styles, images), for the findings. */
  readonly messages: readonly string[];
}

export async function readDocx(bytes: Uint8Array): Promise<DocxRead> {
  const result = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes) },
    // Word's Title style is the document's title, not a heading beside its Heading 1 sections.
    { styleMap: ["p[style-name='Title'] => h1.title:fresh", "p[style-name='Subtitle'] => p:fresh"] },
  );
  const tree = parser.parse(`<root>${result.value}</root>`) as Node[];
  const root = tree.find((n) => tagOf(n) === "root");
  const reader = new Reader();
  const blocks = root ? reader.blocks(childrenOf(root)) : [];
  return {
    document: { unit: "paragraph", blocks, ...(reader.title ? { title: reader.title } : {}) },
    messages: result.messages.map((m) => m.message),
  };
}
