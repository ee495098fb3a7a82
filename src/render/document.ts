// The format-neutral document every writer reads: headings, paragraphs, lists, tables, callouts,
// flowcharts and printed pages. The SOP builder (sop/) produces it from a playbook; the
// writers (markdown.ts, html.ts, docx.ts, pdf.ts) only lay it out, so all four formats say the same.
import type { Flowchart } from "./flowchart/chart.ts";
import { writeMermaid } from "./flowchart/mermaid.ts";

/** A run of text. User text never carries markup: styles come from the builder. */
export type Inline =
  | { readonly kind: "text"; readonly text: string; readonly style?: "strong" | "em" | "code" }
  | { readonly kind: "link"; readonly text: string; readonly href: string }
  /** A `{{placeholder}}` without a value: printed visibly as «name», never silently blank. */
  | { readonly kind: "missing"; readonly name: string }
  | { readonly kind: "break" };

export type Rich = readonly Inline[];

export interface ListItem {
  readonly text: Rich;
  /** For checklists: ticked or not. */
  readonly checked?: boolean;
  readonly children?: readonly Block[];
}

export interface Column {
  readonly title: string;
  /** Relative width; writers that size columns share the page width by these weights. */
  readonly weight?: number;
  readonly align?: "left" | "center";
}

export type CalloutTone = "checkpoint" | "decision" | "note" | "warning";

export type Block =
  | {
      readonly kind: "heading";
      readonly level: 1 | 2 | 3 | 4;
      readonly text: Rich;
      /** Anchor, unique in the document. */
      readonly id: string;
      /** Section or step number printed before the text ("6.3", "A"). */
      readonly number?: string;
    }
  | { readonly kind: "paragraph"; readonly text: Rich; readonly tone?: "lead" | "small" }
  /** Labelled facts printed on one line: "Owner: ... · Deadline: ...". */
  | { readonly kind: "fields"; readonly items: readonly { readonly label: string; readonly value: Rich }[] }
  | { readonly kind: "list"; readonly style: "bullet" | "number" | "check"; readonly items: readonly ListItem[] }
  | {
      readonly kind: "table";
      readonly columns: readonly Column[];
      readonly rows: readonly (readonly Rich[])[];
      /** key-value: a two-column table whose first column labels the second; matrix: short centred cells (RACI). */
      readonly style?: "grid" | "key-value" | "matrix" | "sign";
    }
  | { readonly kind: "callout"; readonly tone: CalloutTone; readonly title: string; readonly blocks: readonly Block[] }
  /** A flowchart: drawn as SVG (chart) where pictures go, given as Mermaid text (source) where text goes. */
  | { readonly kind: "diagram"; readonly id: string; readonly title: string; readonly chart: Flowchart; readonly source: string }
  | { readonly kind: "code"; readonly text: string }
  /** A table of contents of the level-2 headings; writers fill it in. */
  | { readonly kind: "toc" }
  /** Content that starts on a new printed page and is meant to fit on it (a job-aid page). */
  | {
      readonly kind: "page";
      readonly id: string;
      /** Shrink to fit on one page when printed. */
      readonly fit: boolean;
      readonly landscape?: boolean;
      /**
       * A closer view of something the document already shows whole (one phase of the process
       * map, at a size that can be read on paper): in the printed layouts (HTML and PDF) only.
       * Markdown's Mermaid can be zoomed, and Word shows the whole map.
       */
      readonly detail?: boolean;
      readonly blocks: readonly Block[];
    }
  | { readonly kind: "page-break" };

export interface Letterhead {
  readonly company: Rich;
  readonly lines: readonly Rich[];
}

/** Something the renderer noticed and the user should know: an unfilled parameter, a RACI gap. */
export interface RenderFinding {
  readonly severity: "warning" | "info";
  readonly code: string;
  readonly message: string;
}

export interface SopDocument {
  /** Plain text, for file metadata, window titles and running headers. */
  readonly title: string;
  readonly documentId: string;
  readonly version: string;
  readonly classification: string;
  readonly owner: string;
  /** "Client edition for ..." when rendered for one client. */
  readonly edition?: string;
  readonly letterhead?: Letterhead;
  readonly blocks: readonly Block[];
  readonly findings: readonly RenderFinding[];
}

const CLASSIFICATION: Readonly<Record<string, string>> = {
  public: "Public",
  internal: "Internal",
  confidential: "Confidential",
  restricted: "Restricted",
};

/** "Internal", "Confidential" ...: a classification as printed. */
export function classificationLabel(value: string): string {
  return CLASSIFICATION[value] ?? value;
}

/** What every printed page says at its top and bottom (the page number is each format's own). */
export interface RunningHead {
  readonly headerLeft: string;
  readonly headerRight: string;
  readonly footerLeft: string;
}

export function runningHead(doc: SopDocument): RunningHead {
  return {
    headerLeft: `${doc.documentId} · ${doc.title}`,
    headerRight: `Version ${doc.version}${doc.edition ? ` · ${doc.edition}` : ""}`,
    footerLeft: `${classificationLabel(doc.classification)} · Uncontrolled when printed`,
  };
}

// Small constructors keep the builder readable.
export const text = (value: string, style?: "strong" | "em" | "code"): Inline =>
  style ? { kind: "text", text: value, style } : { kind: "text", text: value };
export const strong = (value: string): Inline => text(value, "strong");
export const plain = (value: string): Rich => [text(value)];

function inlineText(inline: Inline): string {
  switch (inline.kind) {
    case "text":
    case "link":
      return inline.text;
    case "missing":
      return `«${inline.name}»`;
    case "break":
      return "\n";
  }
}

/** The plain text of a rich run; missing placeholders as «name». */
export function plainText(rich: Rich): string {
  return rich.map(inlineText).join("");
}

/** Join rich runs with a separator. */
export function joinRich(parts: readonly Rich[], separator: string): Rich {
  const out: Inline[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(text(separator));
    out.push(...part);
  });
  return out;
}

export type DiagramBlock = Extract<Block, { kind: "diagram" }>;

/** A diagram block: the chart, and its Mermaid text written once. */
export function diagramBlock(id: string, title: string, chart: Flowchart): DiagramBlock {
  return { kind: "diagram", id, title, chart, source: writeMermaid(chart) };
}

/** Every diagram in a block tree, in document order; without `detail` pages' when asked. */
export function diagramsOf(blocks: readonly Block[], options: { details?: boolean } = {}): DiagramBlock[] {
  const out: DiagramBlock[] = [];
  const visit = (list: readonly Block[]): void => {
    for (const block of list) {
      if (block.kind === "diagram") out.push(block);
      else if (block.kind === "page" && block.detail && options.details === false) continue;
      else if (block.kind === "callout" || block.kind === "page") visit(block.blocks);
      else if (block.kind === "list") for (const item of block.items) visit(item.children ?? []);
    }
  };
  visit(blocks);
  return out;
}

export type Heading = Extract<Block, { kind: "heading" }>;

/** Every heading, in document order (pages and callouts included). */
export function headingsOf(blocks: readonly Block[]): Heading[] {
  return blocks.flatMap((b): Heading[] =>
    b.kind === "heading" ? [b] : b.kind === "page" || b.kind === "callout" ? headingsOf(b.blocks) : [],
  );
}

/** Level-2 headings, for tables of contents. */
export function sectionsOf(blocks: readonly Block[]): Heading[] {
  return headingsOf(blocks).filter((h) => h.level === 2);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
