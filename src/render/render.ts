// Rendering a playbook in one format: build the document once, then hand it to the format's
// writer, with diagrams drawn in Chromium when a browser session is given.
import type { PlaybookModel } from "../playbook/model.ts";
import { type BrowserSession, mermaidBundle } from "./chromium.ts";
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

async function svgs(doc: SopDocument, browser: BrowserSession): Promise<Map<string, string>> {
  const drawn = await browser.drawDiagrams(diagramsOf(doc.blocks));
  return new Map([...drawn].map(([id, d]) => [id, d.svg]));
}

/** One document in one format. Without a browser, HTML carries mermaid's script and Word the
 *  diagrams' Mermaid text; PDF needs the browser. */
export async function renderDocument(doc: SopDocument, format: Format, browser?: BrowserSession): Promise<Rendered> {
  const findings: RenderFinding[] = [...doc.findings];
  switch (format) {
    case "md":
      return { output: writeMarkdown(doc), findings };
    case "html": {
      if (browser) return { output: writeHtml(doc, { svgs: await svgs(doc, browser) }), findings };
      findings.push({
        severity: "info",
        code: "render/diagrams-script",
        message: "Chromium is not available: the HTML carries mermaid's script, which draws the process map when the file is opened",
      });
      return { output: writeHtml(doc, { mermaidScript: mermaidBundle() }), findings };
    }
    case "docx": {
      if (browser) {
        const drawn = await browser.drawDiagrams(diagramsOf(doc.blocks), { png: true });
        const images = new Map(
          [...drawn].flatMap(([id, d]) => (d.png ? [[id, { png: d.png, width: d.width, height: d.height }] as const] : [])),
        );
        return { output: await writeDocx(doc, { images }), findings };
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
      // The printing page opens while the diagrams are drawn.
      const [drawn] = await Promise.all([svgs(doc, browser), browser.warmUp({ print: 1 })]);
      return { output: await writePdf(doc, browser, { svgs: drawn }), findings };
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
