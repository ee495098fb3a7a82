// The printer for the readable summaries in signed packages (the evidence package, the controls
// report): headless Chromium when the server has it. Without it the summary stays HTML and the
// package says why. A caller that must have the PDF (the CLI under CI=true) says `required`: then a
// Chromium that does not start is an error, not a fallback.
import { chromiumInstalled } from "../../render/chromium-path.ts";
import type { PdfPrinter } from "../../render/pdf.ts";

/** A browser to print with; closed after the package is made. */
export type PrinterLauncher = () => Promise<PdfPrinter & { close(): Promise<void> }>;

export interface SummaryPrinting {
  /** Absent: print nothing, keep the HTML. */
  readonly printer?: PdfPrinter;
  /** Why there is no PDF, for the package's summary and the CLI's output. */
  readonly note?: string;
  close(): Promise<void>;
}

async function launchChromiumPrinter(): Promise<PdfPrinter & { close(): Promise<void> }> {
  const { launchChromium } = await import("../../render/chromium.ts");
  return launchChromium();
}

/** `launch` undefined: Chromium if installed; null: no printer (HTML only). */
export async function openSummaryPrinter(
  launch?: PrinterLauncher | null,
  options: { readonly required?: boolean } = {},
): Promise<SummaryPrinting> {
  const chosen = launch === undefined ? (chromiumInstalled() ? launchChromiumPrinter : null) : launch;
  if (chosen === null)
    return { note: "no Chromium on the server: the summary is HTML (summary.html) instead of PDF", close: async () => {} };
  try {
    const printer = await chosen();
    return { printer, close: () => printer.close() };
  } catch (error) {
    if (options.required) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return { note: `Chromium could not start (${why}): the summary is HTML (summary.html) instead of PDF`, close: async () => {} };
  }
}
