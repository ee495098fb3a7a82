// Rendering a playbook in one format: build the document once, then hand it to the format's
// writer. Process maps are drawn in Node for every format that shows pictures; Chromium, when a
// browser session is given, prints the PDF and photographs the maps for Word.
import type { PlaybookModel } from "../playbook/model.ts";
import type { BrowserSession } from "./chromium.ts";
import { drawDiagrams } from "./diagram-cache.ts";
import { diagramsOf, type RenderFinding, type SopDocument } from "./document.ts";
import { writeDocx } from "./docx.ts";
import { writeHtml } from "./html.ts";
import { writeMarkdown } from "./markdown.ts";
import { writePdf } from "./pdf.ts";
import { buildSop } from "./sop/build.ts";
import type { Edition } from "./sop/edition.ts";

export const FORMATS = ["md", "html", "docx", "pdf"] as const;
export type Format = (typeof FORMATS)[number];

export interface Rendered {
  readonly output: string | Uint8Array;
  readonly findings: readonly RenderFinding[];
}

function svgs(doc: SopDocument): Map<string, string> {
  return new Map([...drawDiagrams(diagramsOf(doc.blocks))].map(([id, d]) => [id, d.svg]));
}

/** One document in one format. Without a browser, Word gives the diagrams' Mermaid text
 *  instead of their pictures; PDF needs the browser. */
export async function renderDocument(doc: SopDocument, format: Format, browser?: BrowserSession): Promise<Rendered> {
  const findings: RenderFinding[] = [...doc.findings];
  switch (format) {
    case "md":
      return { output: writeMarkdown(doc), findings };
    case "html":
      return { output: writeHtml(doc, { svgs: svgs(doc) }), findings };
    case "docx": {
      if (browser) {
        return { output: await writeDocx(doc, { images: await browser.pictures(diagramsOf(doc.blocks, { details: false })) }), findings };
      }
      findings.push({
        severity: "info",
        code: "render/diagrams-text",
        message: "Chromium is not available: the Word document gives the process map as Mermaid text instead of a picture",
      });
      return { output: await writeDocx(doc), findings };
    }
    case "pdf": {
      if (!browser) throw new Error("PDF needs headless Chromium (Debian: apt-get install chromium)");
      return { output: await writePdf(doc, browser, { svgs: svgs(doc) }), findings };
    }
  }
}

export async function renderPlaybook(
  model: PlaybookModel,
  format: Format,
  options: { edition?: Edition; browser?: BrowserSession } = {},
): Promise<Rendered> {
  return renderDocument(buildSop(model, options.edition), format, options.browser);
}
