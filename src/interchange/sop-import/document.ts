// The one shape every SOP source is read into (Markdown, Word), so the extractor has one input.
// Text is plain: emphasis and links are dropped, line breaks kept as "\n".
// `line` is the source line for Markdown and the paragraph number for Word.

export interface Heading {
  readonly kind: "heading";
  readonly level: number;
  readonly text: string;
  readonly line: number;
  /** A bookmark the source gave the heading (Word: the renderer's b_step_<id>). */
  readonly anchor?: string;
}

export interface Paragraph {
  readonly kind: "paragraph";
  readonly text: string;
  readonly line: number;
}

export interface ListItem {
  readonly text: string;
  /** A checklist item ("- [ ] ..."): whether it is ticked; undefined for an ordinary item. */
  readonly checked?: boolean;
  readonly line: number;
  readonly children: readonly Block[];
}

export interface List {
  readonly kind: "list";
  readonly ordered: boolean;
  readonly items: readonly ListItem[];
  readonly line: number;
}

/** Rows of cell texts; the first row is the header when the source has one. */
export interface Table {
  readonly kind: "table";
  readonly rows: readonly (readonly string[])[];
  readonly line: number;
}

/** A block quote, or Word's one-cell box the renderer draws call-outs in. */
export interface Quote {
  readonly kind: "quote";
  readonly blocks: readonly Block[];
  readonly line: number;
}

/** A code block (Markdown's fenced or indented code): templates, diagrams, configuration. */
export interface Code {
  readonly kind: "code";
  readonly text: string;
  /** The fence's info string ("yaml", "mermaid"); empty when none. */
  readonly lang: string;
  readonly line: number;
}

export type Block = Heading | Paragraph | List | Table | Quote | Code;

export interface SopDocument {
  /** "line" (Markdown) or "paragraph" (Word): what `line` counts. */
  readonly unit: "line" | "paragraph";
  readonly blocks: readonly Block[];
  /** A title the source gives outside its headings (Markdown front matter's title:). */
  readonly title?: string;
}
