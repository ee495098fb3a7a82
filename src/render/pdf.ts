// PDF: the HTML edition printed by headless Chromium. One layout for both (the print stylesheet),
// real text (searchable, extractable), every script and emoji the system fonts cover, and
// Chromium's header and footer templates for the running head and "Page N of M". The printer is
// injected (chromium.ts in production), so this module itself never starts a browser.
import type { SopDocument } from "./document.ts";
import { escapeHtml, type HtmlOptions, writeHtml } from "./html.ts";

export interface PdfPrintOptions {
  readonly headerTemplate: string;
  readonly footerTemplate: string;
  /** Elements to shrink until each fits on one printed page (the job-aid pages). */
  readonly fitSelector: string;
}

export interface PdfPrinter {
  printPdf(html: string, options: PdfPrintOptions): Promise<Uint8Array>;
}

const CLASSIFICATION: Readonly<Record<string, string>> = {
  public: "Public",
  internal: "Internal",
  confidential: "Confidential",
  restricted: "Restricted",
};

const BAND =
  "style=\"font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 7.5pt; color: #5b6577; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;\"";

/** Running header and footer: document id, title, version, classification, page N of M. */
export function pdfPrintOptions(doc: SopDocument): PdfPrintOptions {
  const left = escapeHtml(`${doc.documentId} · ${doc.title}`);
  const right = escapeHtml(`Version ${doc.version}${doc.edition ? ` · ${doc.edition}` : ""}`);
  const classification = escapeHtml(CLASSIFICATION[doc.classification] ?? doc.classification);
  return {
    headerTemplate: `<div ${BAND}><span>${left}</span><span>${right}</span></div>`,
    footerTemplate: `<div ${BAND}><span>${classification} · Uncontrolled when printed</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    fitSelector: "section.page.fit",
  };
}

export async function writePdf(doc: SopDocument, printer: PdfPrinter, html: HtmlOptions = {}): Promise<Uint8Array> {
  return printer.printPdf(writeHtml(doc, html), pdfPrintOptions(doc));
}
