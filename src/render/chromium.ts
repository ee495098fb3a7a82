// The one part of rendering that talks to the world: Debian's headless Chromium, driven by
// playwright-core. It draws Mermaid diagrams with mermaid's own browser bundle (SVG for HTML,
// PNG for Word), prints HTML to PDF, and takes screenshots. The writers never import it: they
// take a `DiagramDrawer` or `PdfPrinter`, so everything else stays testable without a browser.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";
import type { PdfPrinter, PdfPrintOptions } from "./pdf.ts";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The diagram font stack: the same as the document's, so mermaid measures the text it will print. */
const DIAGRAM_FONT = '"Noto Sans", "DejaVu Sans", Arial, "Noto Sans CJK JP", sans-serif, "Noto Color Emoji"';

export interface DrawnDiagram {
  readonly svg: string;
  /** PNG at 2x, for Word. */
  readonly png?: Uint8Array;
  /** CSS pixels of the drawing. */
  readonly width: number;
  readonly height: number;
}

export interface DiagramDrawer {
  drawDiagrams(diagrams: readonly { id: string; source: string }[], options?: { png?: boolean }): Promise<Map<string, DrawnDiagram>>;
}

let bundle: string | undefined;

/** mermaid's browser bundle from node_modules (read once). */
export function mermaidBundle(): string {
  bundle ??= readFileSync(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js"), "utf8");
  return bundle;
}

export function chromiumInstalled(executablePath = DEFAULT_CHROMIUM): boolean {
  return existsSync(executablePath);
}

export interface BrowserSession extends DiagramDrawer, PdfPrinter {
  /** Parse Mermaid text with mermaid's own parser: undefined when valid, else the parser's message. */
  parseMermaid(sources: readonly string[]): Promise<(string | undefined)[]>;
  /** A PNG of an HTML document: the first screen, the full page, or one element (CSS selector). */
  screenshot(html: string, options?: { width?: number; height?: number; fullPage?: boolean; selector?: string }): Promise<Uint8Array>;
  close(): Promise<void>;
}

const PRINT_WIDTH_PX = Math.round(((210 - 28) / 25.4) * 96);
const PRINT_HEIGHT_PX = Math.round(((297 - 16 - 18) / 25.4) * 96);

class ChromiumSession implements BrowserSession {
  readonly #browser: Browser;
  #mermaidPage: Promise<Page> | undefined;
  readonly #drawn = new Map<string, Promise<DrawnDiagram>>();
  #count = 0;

  constructor(browser: Browser) {
    this.#browser = browser;
  }

  #mermaid(): Promise<Page> {
    this.#mermaidPage ??= (async () => {
      const page = await this.#browser.newPage({ deviceScaleFactor: 2, viewport: { width: 1700, height: 1200 } });
      await page.setContent(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;font-family:${DIAGRAM_FONT}}</style></head><body></body></html>`,
      );
      await page.addScriptTag({ content: mermaidBundle() });
      await page.evaluate((font) => {
        const m = (globalThis as unknown as { mermaid: { initialize(c: unknown): void } }).mermaid;
        m.initialize({ startOnLoad: false, theme: "neutral", securityLevel: "strict", fontFamily: font, flowchart: { useMaxWidth: true } });
      }, DIAGRAM_FONT);
      return page;
    })();
    return this.#mermaidPage;
  }

  async parseMermaid(sources: readonly string[]): Promise<(string | undefined)[]> {
    const page = await this.#mermaid();
    return page.evaluate(
      async (list) => {
        const m = (globalThis as unknown as { mermaid: { parse(text: string): Promise<unknown> } }).mermaid;
        const out: (string | undefined)[] = [];
        for (const text of list) {
          try {
            await m.parse(text);
            out.push(undefined);
          } catch (error) {
            out.push(error instanceof Error ? error.message : String(error));
          }
        }
        return out;
      },
      [...sources],
    );
  }

  async drawDiagrams(
    diagrams: readonly { id: string; source: string }[],
    options: { png?: boolean } = {},
  ): Promise<Map<string, DrawnDiagram>> {
    const result = new Map<string, DrawnDiagram>();
    for (const d of diagrams) {
      // The same diagram is often asked for by several formats: draw it once per session.
      const key = `${options.png === true}|${d.source}`;
      let drawing = this.#drawn.get(key);
      if (!drawing) {
        drawing = this.#draw(d.source, options.png === true);
        this.#drawn.set(key, drawing);
      }
      result.set(d.id, await drawing);
    }
    return result;
  }

  async #draw(source: string, png: boolean): Promise<DrawnDiagram> {
    const page = await this.#mermaid();
    const id = `mermaid-${++this.#count}`;
    const drawn = (await page.evaluate(
      `(async ({ id, source, keep }) => {
        const { svg } = await mermaid.render(id, source);
        const holder = document.createElement("div");
        holder.id = "holder-" + id;
        holder.style.display = "inline-block";
        holder.innerHTML = svg;
        const element = holder.querySelector("svg");
        const box = element?.viewBox?.baseVal;
        const width = Math.min(1600, Math.ceil(box?.width || 800));
        if (keep && element) {
          element.style.width = width + "px";
          element.style.maxWidth = "none";
          element.style.height = "auto";
          document.body.appendChild(holder);
        }
        return { svg, width: box?.width || 800, height: box?.height || 600 };
      })(${JSON.stringify({ id, source, keep: png })})`,
    )) as { svg: string; width: number; height: number };
    if (!png) return drawn;
    const holder = page.locator(`#holder-${id}`);
    try {
      const image = await holder.screenshot({ type: "png" });
      return { ...drawn, png: new Uint8Array(image) };
    } finally {
      await holder.evaluate("(element) => element.remove()");
    }
  }

  async printPdf(html: string, options: PdfPrintOptions): Promise<Uint8Array> {
    const page = await this.#browser.newPage({ viewport: { width: PRINT_WIDTH_PX, height: PRINT_HEIGHT_PX } });
    try {
      await page.setContent(html, { waitUntil: "load" });
      await page.evaluate(() => (globalThis as unknown as { __diagramsDrawn?: Promise<boolean> }).__diagramsDrawn ?? true);
      await page.emulateMedia({ media: "print" });
      // A job-aid page taller than a printed page is scaled down to fit on it.
      await page.evaluate(
        `(() => {
          for (const element of document.querySelectorAll(${JSON.stringify(options.fitSelector)})) {
            for (let pass = 0; pass < 3; pass++) {
              const zoom = Number(element.style.zoom || 1);
              const actual = element.getBoundingClientRect().height;
              if (actual <= ${PRINT_HEIGHT_PX}) break;
              element.style.zoom = String(Math.max(0.5, (zoom * ${PRINT_HEIGHT_PX} * 0.97) / actual));
            }
          }
        })()`,
      );
      const pdf = await page.pdf({
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: options.headerTemplate,
        footerTemplate: options.footerTemplate,
      });
      return new Uint8Array(pdf);
    } finally {
      await page.close();
    }
  }

  async screenshot(
    html: string,
    options: { width?: number; height?: number; fullPage?: boolean; selector?: string } = {},
  ): Promise<Uint8Array> {
    const page = await this.#browser.newPage({ viewport: { width: options.width ?? 1000, height: options.height ?? 1400 } });
    try {
      await page.setContent(html, { waitUntil: "load" });
      await page.evaluate(() => (globalThis as unknown as { __diagramsDrawn?: Promise<boolean> }).__diagramsDrawn ?? true);
      if (options.selector) return new Uint8Array(await page.locator(options.selector).first().screenshot({ type: "png" }));
      return new Uint8Array(await page.screenshot({ fullPage: options.fullPage ?? false, type: "png" }));
    } finally {
      await page.close();
    }
  }

  async close(): Promise<void> {
    await this.#browser.close();
  }
}

/** Start headless Chromium. Throws when it is not installed (check with `chromiumInstalled`). */
export async function launchChromium(executablePath = DEFAULT_CHROMIUM): Promise<BrowserSession> {
  if (!chromiumInstalled(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath} (Debian: apt-get install chromium)`);
  }
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  return new ChromiumSession(browser);
}
