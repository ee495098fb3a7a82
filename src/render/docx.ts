// Word (.docx) through the `docx` library: real Heading 1-4 styles (navigation pane, table of
// contents), real tables with repeated header rows, real numbered and bulleted lists, bookmarks
// for the contents, a running header and "Page N of M" footer, landscape sections for the maps.
// Diagrams are PNG images when they were drawn beforehand (chromium.ts), else their Mermaid text.
import {
  AlignmentType,
  Bookmark,
  BorderStyle,
  Document,
  ExternalHyperlink,
  Footer,
  Header,
  HeadingLevel,
  ImageRun,
  InternalHyperlink,
  LevelFormat,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  type ParagraphChild,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { type Block, type ListItem, plainText, type Rich, runningHead, type SopDocument, sectionsOf } from "./document.ts";

export interface DocxImage {
  readonly png: Uint8Array;
  /** CSS pixels. */
  readonly width: number;
  readonly height: number;
}

export interface DocxOptions {
  /** PNG drawings per diagram id. */
  readonly images?: ReadonlyMap<string, DocxImage>;
}

const ACCENT = "1F3A5F";
const MUTED = "5B6577";
const RULE = "D5DBE5";
const HEAD = "E9EEF5";
const FONT = "Calibri";
/** Content width in twips: A4 less 2 cm margins each side. */
const PORTRAIT_WIDTH = 11906 - 2 * 1134;
const LANDSCAPE_WIDTH = 16838 - 2 * 1134;

const HEADINGS = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4] as const;

/** Word bookmark names: letters, digits and _, starting with a letter, at most 40 characters. */
function bookmark(id: string): string {
  return `b_${id.replace(/[^A-Za-z0-9_]/g, "_")}`.slice(0, 40);
}

interface RunStyle {
  readonly bold?: boolean;
  readonly size?: number;
  readonly color?: string;
}

function runs(rich: Rich, style: RunStyle = {}): ParagraphChild[] {
  const out: ParagraphChild[] = [];
  for (const run of rich) {
    switch (run.kind) {
      case "text":
        out.push(
          new TextRun({
            text: run.text,
            bold: style.bold || run.style === "strong",
            italics: run.style === "em",
            ...(run.style === "code" ? { font: "Consolas", shading: { type: ShadingType.CLEAR, fill: "F1F3F7", color: "auto" } } : {}),
            ...(style.size ? { size: style.size } : {}),
            ...(style.color ? { color: style.color } : {}),
          }),
        );
        break;
      case "link":
        out.push(
          /^(https?:|mailto:)/i.test(run.href)
            ? new ExternalHyperlink({ link: run.href, children: [new TextRun({ text: run.text, style: "Hyperlink" })] })
            : new TextRun(run.text),
        );
        break;
      case "missing":
        out.push(new TextRun({ text: `«${run.name}»`, bold: true, highlight: "yellow", ...(style.size ? { size: style.size } : {}) }));
        break;
      case "break":
        out.push(new TextRun({ break: 1 }));
        break;
    }
  }
  return out;
}

interface Ctx {
  readonly doc: SopDocument;
  readonly options: DocxOptions;
  width: number;
  lists: number;
}

type Body = Paragraph | Table;

function cellParagraphs(rich: Rich, style: RunStyle & { align?: "center" } = {}): Paragraph[] {
  return [
    new Paragraph({
      children: runs(rich, { size: 18, ...style }),
      ...(style.align === "center" ? { alignment: AlignmentType.CENTER } : {}),
      spacing: { before: 20, after: 20 },
    }),
  ];
}

const BORDER = { style: BorderStyle.SINGLE, size: 4, color: RULE };
const BORDERS = { top: BORDER, bottom: BORDER, left: BORDER, right: BORDER, insideHorizontal: BORDER, insideVertical: BORDER };

const RACI_FILL: Readonly<Record<string, { fill: string; color?: string }>> = {
  A: { fill: ACCENT, color: "FFFFFF" },
  "A/R": { fill: ACCENT, color: "FFFFFF" },
  R: { fill: "CFE0F1" },
  C: { fill: "FDF0D5" },
  I: { fill: "EEF1F5", color: MUTED },
};

function table(b: Extract<Block, { kind: "table" }>, ctx: Ctx): Table {
  const total = b.columns.reduce((n, c) => n + (c.weight ?? 1), 0);
  const widths = b.columns.map((c) => Math.floor(((c.weight ?? 1) / total) * ctx.width));
  const header =
    b.style === "key-value"
      ? []
      : [
          new TableRow({
            tableHeader: true,
            cantSplit: true,
            children: b.columns.map(
              (c, i) =>
                new TableCell({
                  width: { size: widths[i] ?? 1000, type: WidthType.DXA },
                  shading: { type: ShadingType.CLEAR, fill: HEAD, color: "auto" },
                  children: cellParagraphs([{ kind: "text", text: c.title }], {
                    bold: true,
                    color: ACCENT,
                    ...(c.align === "center" ? { align: "center" as const } : {}),
                  }),
                }),
            ),
          }),
        ];
  const rows = b.rows.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        ...(b.style === "sign" ? { height: { value: 600, rule: "atLeast" as const } } : {}),
        children: row.map((cell, i) => {
          const column = b.columns[i];
          const letter = b.style === "matrix" && i > 0 ? plainText(cell) : "";
          const raci = RACI_FILL[letter];
          const keyCell = b.style === "key-value" && i === 0;
          return new TableCell({
            width: { size: widths[i] ?? 1000, type: WidthType.DXA },
            ...(raci || keyCell ? { shading: { type: ShadingType.CLEAR, fill: raci?.fill ?? HEAD, color: "auto" } } : {}),
            children: cellParagraphs(cell, {
              ...(keyCell ? { bold: true, color: ACCENT } : {}),
              ...(raci ? { bold: true, ...(raci.color ? { color: raci.color } : {}) } : {}),
              ...(column?.align === "center" || letter ? { align: "center" as const } : {}),
            }),
          });
        }),
      }),
  );
  return new Table({ width: { size: ctx.width, type: WidthType.DXA }, columnWidths: widths, borders: BORDERS, rows: [...header, ...rows] });
}

function list(items: readonly ListItem[], style: "bullet" | "number" | "check", ctx: Ctx, level: number, instance: number): Body[] {
  const out: Body[] = [];
  for (const item of items) {
    const reference =
      style === "number" ? "numbers" : style === "check" || item.checked !== undefined ? (item.checked ? "checked" : "checks") : "bullets";
    out.push(
      new Paragraph({
        children: runs(item.text),
        numbering: { reference, level: Math.min(level, 2), ...(style === "number" ? { instance } : {}) },
        spacing: { before: 20, after: 20 },
      }),
    );
    for (const child of item.children ?? []) out.push(...block(child, ctx, level + 1));
  }
  return out;
}

function diagram(b: Extract<Block, { kind: "diagram" }>, ctx: Ctx): Body[] {
  const image = ctx.options.images?.get(b.id);
  if (image) {
    // Fit the drawing in the content width and a page height, keeping its proportions.
    const maxWidth = (ctx.width / 1440) * 96;
    const maxHeight = ctx.width === LANDSCAPE_WIDTH ? 560 : 900;
    const scale = Math.min(1, maxWidth / image.width, maxHeight / image.height);
    return [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [
          new ImageRun({
            type: "png",
            data: image.png,
            transformation: { width: Math.round(image.width * scale), height: Math.round(image.height * scale) },
            altText: { name: b.id, title: b.title, description: `${b.title} (flowchart; its Mermaid text is in the Markdown edition)` },
          }),
        ],
      }),
      new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: b.title, size: 18, color: MUTED })] }),
    ];
  }
  return [
    new Paragraph({
      children: [
        new TextRun({
          text: `${b.title} (Mermaid source; render it at mermaid.live or in the HTML edition):`,
          italics: true,
          size: 18,
          color: MUTED,
        }),
      ],
    }),
    ...codeParagraphs(b.source),
  ];
}

function codeParagraphs(text: string): Paragraph[] {
  return text.split("\n").map(
    (line) =>
      new Paragraph({
        spacing: { before: 0, after: 0 },
        shading: { type: ShadingType.CLEAR, fill: "F6F8FB", color: "auto" },
        children: [new TextRun({ text: line || " ", font: "Consolas", size: 16 })],
      }),
  );
}

const CALLOUT_COLOR: Readonly<Record<string, { border: string; fill: string }>> = {
  checkpoint: { border: "2F6F3E", fill: "F2F8F3" },
  decision: { border: "B7791F", fill: "FDF8EE" },
  note: { border: "2F6F9F", fill: "F8FAFC" },
  warning: { border: "B83232", fill: "FDF2F2" },
};

function callout(b: Extract<Block, { kind: "callout" }>, ctx: Ctx, level: number): Table {
  const color = CALLOUT_COLOR[b.tone] ?? { border: "2F6F9F", fill: "F8FAFC" };
  const inner = { ...ctx, width: ctx.width - 300 };
  const children: Body[] = [];
  if (b.title) children.push(new Paragraph({ children: [new TextRun({ text: b.title, bold: true, color: color.border })] }));
  for (const x of b.blocks) children.push(...block(x, inner, level));
  const none = { style: BorderStyle.NONE, size: 0, color: "auto" };
  return new Table({
    width: { size: ctx.width, type: WidthType.DXA },
    columnWidths: [ctx.width],
    borders: {
      top: none,
      bottom: none,
      right: none,
      insideHorizontal: none,
      insideVertical: none,
      left: { style: BorderStyle.SINGLE, size: 24, color: color.border },
    },
    rows: [
      new TableRow({
        cantSplit: true,
        children: [
          new TableCell({
            shading: { type: ShadingType.CLEAR, fill: color.fill, color: "auto" },
            children: children.length > 0 ? children : [new Paragraph("")],
          }),
        ],
      }),
    ],
  });
}

function block(b: Block, ctx: Ctx, level = 0): Body[] {
  switch (b.kind) {
    case "heading": {
      const text = [...(b.number ? [{ kind: "text" as const, text: `${b.number} ` }] : []), ...b.text];
      return [new Paragraph({ heading: HEADINGS[b.level - 1], children: [new Bookmark({ id: bookmark(b.id), children: runs(text) })] })];
    }
    case "paragraph":
      return [
        new Paragraph({
          children: runs(b.text, b.tone === "small" ? { size: 17, color: MUTED } : b.tone === "lead" ? { size: 24, color: MUTED } : {}),
        }),
      ];
    case "fields": {
      const children: ParagraphChild[] = [];
      b.items.forEach((f, i) => {
        if (i > 0) children.push(new TextRun({ text: "   ·   ", size: 18, color: RULE }));
        children.push(new TextRun({ text: `${f.label}: `, bold: true, size: 18 }), ...runs(f.value, { size: 18, color: MUTED }));
      });
      return [new Paragraph({ children, spacing: { before: 0, after: 80 } })];
    }
    case "list":
      return list(b.items, b.style, ctx, level, ++ctx.lists);
    case "table":
      return [table(b, ctx), new Paragraph({ children: [], spacing: { before: 0, after: 60 } })];
    case "callout":
      return [callout(b, ctx, level), new Paragraph({ children: [], spacing: { before: 0, after: 60 } })];
    case "diagram":
      return diagram(b, ctx);
    case "code":
      return codeParagraphs(b.text);
    case "toc":
      return sectionsOf(ctx.doc.blocks)
        .filter((h) => h.number)
        .map(
          (h) =>
            new Paragraph({
              spacing: { before: 0, after: 20 },
              children: [
                new InternalHyperlink({
                  anchor: bookmark(h.id),
                  children: [new TextRun({ text: `${h.number} ${plainText(h.text)}`, color: ACCENT })],
                }),
              ],
            }),
        );
    case "page": {
      const body = b.blocks.flatMap((x) => block(x, ctx, level));
      const [first, ...rest] = body;
      // A page of its own: the first paragraph starts on a new page (landscape pages are sections, see below).
      if (first instanceof Paragraph && !b.landscape) return [new Paragraph({ children: [], pageBreakBefore: true }), first, ...rest];
      return body;
    }
    case "page-break":
      return [new Paragraph({ children: [], pageBreakBefore: true })];
  }
}

function headerFooter(doc: SopDocument): { headers: { default: Header }; footers: { default: Footer } } {
  const small = { size: 15, color: MUTED };
  const head = runningHead(doc);
  return {
    headers: {
      default: new Header({
        children: [
          new Paragraph({
            border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: RULE, space: 4 } },
            children: [
              new TextRun({
                text: `${head.headerLeft} · ${head.headerRight}`,
                ...small,
              }),
            ],
          }),
        ],
      }),
    },
    footers: {
      default: new Footer({
        children: [
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            children: [
              new TextRun({
                text: `${head.footerLeft} · Page `,
                ...small,
              }),
              new TextRun({ children: [PageNumber.CURRENT], ...small }),
              new TextRun({ text: " of ", ...small }),
              new TextRun({ children: [PageNumber.TOTAL_PAGES], ...small }),
            ],
          }),
        ],
      }),
    },
  };
}

function level(reference: string, symbols: readonly string[]) {
  return {
    reference,
    levels: symbols.map((text, i) => ({
      level: i,
      format: reference === "numbers" ? (i === 1 ? LevelFormat.LOWER_LETTER : LevelFormat.DECIMAL) : LevelFormat.BULLET,
      text,
      alignment: AlignmentType.LEFT,
      style: { paragraph: { indent: { left: 360 * (i + 1), hanging: 260 } } },
    })),
  };
}

export async function writeDocx(doc: SopDocument, options: DocxOptions = {}): Promise<Uint8Array> {
  const ctx: Ctx = { doc, options, width: PORTRAIT_WIDTH, lists: 0 };
  // Sections: portrait runs of blocks, and one landscape section per landscape page.
  const sections: { landscape: boolean; children: Body[] }[] = [{ landscape: false, children: [] }];
  if (doc.letterhead) {
    const first = sections[0];
    first?.children.push(
      new Paragraph({ children: runs(doc.letterhead.company, { bold: true, size: 32, color: ACCENT }) }),
      ...doc.letterhead.lines.map((l) => new Paragraph({ children: runs(l, { size: 18, color: MUTED }) })),
      new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: ACCENT, space: 1 } }, children: [] }),
    );
  }
  if (doc.edition)
    sections[0]?.children.push(
      new Paragraph({
        shading: { type: ShadingType.CLEAR, fill: ACCENT, color: "auto" },
        children: [new TextRun({ text: doc.edition, bold: true, color: "FFFFFF" })],
      }),
    );
  for (const b of doc.blocks) {
    // Detail pages are closer views for print, each a picture more to take: Word shows the whole map.
    if (b.kind === "page" && b.detail) continue;
    if (b.kind === "page" && b.landscape) {
      ctx.width = LANDSCAPE_WIDTH;
      sections.push({ landscape: true, children: block(b, ctx) });
      ctx.width = PORTRAIT_WIDTH;
      sections.push({ landscape: false, children: [] });
    } else sections.at(-1)?.children.push(...block(b, ctx));
  }
  const chrome = headerFooter(doc);
  const document = new Document({
    creator: "Onboard",
    title: `${doc.documentId} ${doc.title}`,
    description: `Standard Operating Procedure ${doc.documentId}, version ${doc.version}`,
    styles: {
      default: { document: { run: { font: FONT, size: 21 } } },
      paragraphStyles: [
        {
          id: "Heading1",
          name: "Heading 1",
          basedOn: "Normal",
          next: "Normal",
          quickFormat: true,
          run: { size: 40, bold: true, color: ACCENT },
          paragraph: { spacing: { before: 240, after: 120 } },
        },
        {
          id: "Heading2",
          name: "Heading 2",
          basedOn: "Normal",
          next: "Normal",
          quickFormat: true,
          run: { size: 28, bold: true, color: ACCENT },
          paragraph: {
            spacing: { before: 360, after: 120 },
            keepNext: true,
            border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: RULE, space: 2 } },
          },
        },
        {
          id: "Heading3",
          name: "Heading 3",
          basedOn: "Normal",
          next: "Normal",
          quickFormat: true,
          run: { size: 24, bold: true, color: ACCENT },
          paragraph: { spacing: { before: 240, after: 80 }, keepNext: true },
        },
        {
          id: "Heading4",
          name: "Heading 4",
          basedOn: "Normal",
          next: "Normal",
          quickFormat: true,
          run: { size: 21, bold: true, color: "1D2433" },
          paragraph: {
            spacing: { before: 200, after: 40 },
            keepNext: true,
            shading: { type: ShadingType.CLEAR, fill: "F6F8FB", color: "auto" },
          },
        },
      ],
    },
    numbering: {
      config: [
        level("bullets", ["•", "◦", "▪"]),
        level("numbers", ["%1.", "%2.", "%3."]),
        level("checks", ["☐", "☐", "☐"]),
        level("checked", ["☑", "☑", "☑"]),
      ],
    },
    sections: sections
      .filter((s) => s.children.length > 0)
      .map((s) => ({
        properties: {
          page: {
            size: s.landscape ? { width: 11906, height: 16838, orientation: PageOrientation.LANDSCAPE } : { width: 11906, height: 16838 },
            margin: { top: 1134, bottom: 1134, left: 1134, right: 1134 },
          },
        },
        ...chrome,
        children: s.children,
      })),
  });
  return new Uint8Array(await Packer.toBuffer(document));
}
