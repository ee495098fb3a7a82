// PDF: the HTML edition printed by headless Chromium. One layout for both (the print stylesheet),
// real text (searchable, extractable), every script and emoji the system fonts cover, and the
// HTML's own page-margin boxes for the running head and "Page N of M". The printer is
// injected (chromium.ts in production), so this module itself never starts a browser.
import type { SopDocument } from "./document.ts";
import { type HtmlOptions, writeHtml } from "./html.ts";

export interface PdfPrintOptions {
  /** Elements to shrink until each fits on one printed page (the job-aid pages). */
  readonly fitSelector?: string;
}

export interface PdfPrinter {
  printPdf(html: string, options?: PdfPrintOptions): Promise<Uint8Array>;
}

export async function writePdf(doc: SopDocument, printer: PdfPrinter, html: HtmlOptions = {}): Promise<Uint8Array> {
  return printer.printPdf(writeHtml(doc, html), { fitSelector: "section.page.fit" });
}
