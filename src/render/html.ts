// Standalone HTML: one file, its stylesheet inline, ready to print (A4, repeated table headers,
// one job-aid page per phase, landscape maps). Diagrams are inline SVG drawn beforehand
// (diagram-cache.ts); without a drawing a diagram is given as its Mermaid text. No scripts.
import { type Block, type Inline, type ListItem, type Rich, runningHead, type SopDocument, sectionsOf } from "./document.ts";
import { SOP_CSS } from "./html-style.ts";

export interface HtmlOptions {
  /** SVG markup per diagram id, drawn beforehand. */
  readonly svgs?: ReadonlyMap<string, string>;
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function safeHref(href: string): string | undefined {
  return /^(https?:|mailto:|#)/i.test(href) ? href : undefined;
}

function runHtml(run: Inline): string {
  switch (run.kind) {
    case "text": {
      const t = escapeHtml(run.text);
      return run.style === "strong"
        ? `<strong>${t}</strong>`
        : run.style === "em"
          ? `<em>${t}</em>`
          : run.style === "code"
            ? `<code>${t}</code>`
            : t;
    }
    case "link": {
      const href = safeHref(run.href);
      if (!href) return escapeHtml(run.text);
      // Outside the document: a new tab, so the SOP (often shown in the app's frame) stays open.
      const away = href.startsWith("#") ? "" : ' target="_blank" rel="noopener noreferrer"';
      return `<a href="${escapeHtml(href)}"${away}>${escapeHtml(run.text)}</a>`;
    }
    case "missing":
      return `<mark class="missing" title="no value given">«${escapeHtml(run.name)}»</mark>`;
    case "break":
      return "<br>";
  }
}

export function inlineHtml(rich: Rich): string {
  return rich.map(runHtml).join("");
}

function list(items: readonly ListItem[], style: "bullet" | "number" | "check", ctx: WriteContext): string {
  const check = style === "check";
  const tag = style === "number" ? "ol" : "ul";
  const lis = items
    .map((item) => {
      const box = check || item.checked !== undefined ? `<span class="box">${item.checked ? "✓" : ""}</span>` : "";
      const children = (item.children ?? []).map((b) => block(b, ctx)).join("");
      return `<li>${box}${inlineHtml(item.text)}${children}</li>`;
    })
    .join("");
  return `<${tag}${check ? ' class="check"' : ""}>${lis}</${tag}>`;
}

function table(b: Extract<Block, { kind: "table" }>): string {
  const total = b.columns.reduce((n, c) => n + (c.weight ?? 1), 0);
  const cls = b.style === "key-value" ? "kv" : (b.style ?? "grid");
  const cols = b.columns.map((c) => `<col style="width:${(((c.weight ?? 1) / total) * 100).toFixed(1)}%">`).join("");
  const head =
    b.style === "key-value"
      ? ""
      : `<thead><tr>${b.columns.map((c) => `<th${c.align === "center" ? ' class="center"' : ""}>${escapeHtml(c.title)}</th>`).join("")}</tr></thead>`;
  const rows = b.rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        const column = b.columns[i];
        if (b.style === "matrix" && i > 0) {
          const letter = cell.map((r) => (r.kind === "text" ? r.text : "")).join("");
          const raci = letter ? ` raci-${letter.toLowerCase().replace("/", "")}` : "";
          return `<td class="raci${raci}">${escapeHtml(letter)}</td>`;
        }
        return `<td${column?.align === "center" ? ' class="center"' : ""}>${inlineHtml(cell)}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("");
  return `<table class="${cls}"><colgroup>${cols}</colgroup>${head}<tbody>${rows}</tbody></table>`;
}

interface WriteContext {
  readonly doc: SopDocument;
  readonly options: HtmlOptions;
}

function toc(ctx: WriteContext): string {
  const items = sectionsOf(ctx.doc.blocks)
    .filter((h) => h.number)
    .map((h) => `<li><a href="#${escapeHtml(h.id)}"><span class="num">${escapeHtml(h.number ?? "")}</span>${inlineHtml(h.text)}</a></li>`)
    .join("");
  return `<nav class="toc"><ol>${items}</ol></nav>`;
}

function block(b: Block, ctx: WriteContext): string {
  switch (b.kind) {
    case "heading": {
      const number = b.number ? `<span class="num">${escapeHtml(b.number)}</span>` : "";
      const cls = b.level === 1 && b.id !== "title" ? ' class="part"' : "";
      return `<h${b.level} id="${escapeHtml(b.id)}"${cls}>${number}${inlineHtml(b.text)}</h${b.level}>`;
    }
    case "paragraph":
      return `<p${b.tone ? ` class="${b.tone}"` : ""}>${inlineHtml(b.text)}</p>`;
    case "fields":
      return `<p class="fields">${b.items
        .map((f) => `<span class="field"><span class="label">${escapeHtml(f.label)}:</span> ${inlineHtml(f.value)}</span>`)
        .join(" ")}</p>`;
    case "list":
      return list(b.items, b.style, ctx);
    case "table":
      return table(b);
    case "callout": {
      const title = b.title ? `<p class="callout-title">${escapeHtml(b.title)}</p>` : "";
      return `<aside class="callout ${b.tone}">${title}${b.blocks.map((x) => block(x, ctx)).join("")}</aside>`;
    }
    case "diagram": {
      const body = ctx.options.svgs?.get(b.id) ?? `<pre class="code">${escapeHtml(b.source)}</pre>`;
      return `<figure class="diagram" id="${escapeHtml(b.id)}" data-diagram="${escapeHtml(b.id)}">${body}<figcaption>${escapeHtml(b.title)}</figcaption></figure>`;
    }
    case "code":
      return `<pre class="code">${escapeHtml(b.text)}</pre>`;
    case "toc":
      return toc(ctx);
    case "page": {
      const cls = ["page", b.fit ? "fit" : "", b.landscape ? "diagram-page" : ""].filter(Boolean).join(" ");
      return `<section class="${cls}" id="${escapeHtml(b.id)}">${b.blocks.map((x) => block(x, ctx)).join("")}</section>`;
    }
    case "page-break":
      return '<div class="page-break"></div>';
  }
}

/** A CSS string literal; `<` escaped too, so that no text can end the style element. */
function cssString(value: string): string {
  return `"${value.replace(/[\\"<\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

/**
 * The running head and foot of every printed page, as CSS page-margin boxes: the same whether
 * Chromium prints the PDF or a reader prints the HTML from a browser that supports them.
 */
function pageMarginCss(doc: SopDocument): string {
  const head = runningHead(doc);
  const band = `font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #5b6577;`;
  return `@page {
  @top-left { content: ${cssString(head.headerLeft)}; ${band} }
  @top-right { content: ${cssString(head.headerRight)}; ${band} }
  @bottom-left { content: ${cssString(head.footerLeft)}; ${band} }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); ${band} }
}`;
}

export function writeHtml(doc: SopDocument, options: HtmlOptions = {}): string {
  const ctx: WriteContext = { doc, options };
  const body: string[] = [];
  if (doc.letterhead) {
    const lines = doc.letterhead.lines.map((l) => `<div>${inlineHtml(l)}</div>`).join("");
    body.push(
      `<header class="letterhead"><div class="company">${inlineHtml(doc.letterhead.company)}</div><div class="lines">${lines}</div></header>`,
    );
  }
  if (doc.edition) body.push(`<div class="edition">${escapeHtml(doc.edition)}</div>`);
  for (const b of doc.blocks) body.push(block(b, ctx));
  const title = `${doc.documentId} ${doc.title} v${doc.version}${doc.edition ? ` (${doc.edition})` : ""}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Onboard">
<meta name="document-id" content="${escapeHtml(doc.documentId)}">
<title>${escapeHtml(title)}</title>
<style>${SOP_CSS}
${pageMarginCss(doc)}</style>
</head>
<body>
<article class="sop">
${body.join("\n")}
</article>
</body>
</html>
`;
}
