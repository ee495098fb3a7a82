// The one part of rendering that talks to the world: Debian's headless Chromium, driven by
// playwright-core. It draws Mermaid diagrams with mermaid's own browser build (SVG for HTML,
// PNG for Word), prints HTML to PDF, and takes screenshots. The writers never import it: they
// take a `DiagramDrawer` or `PdfPrinter`, so everything else stays testable without a browser.
//
// One session serves any number of documents: mermaid is loaded once into one page, each diagram
// is drawn once (diagram-cache.ts), and PDFs are printed by a small pool of pages that are kept
// and reused. Browser contexts are few (each is a window, and each window costs Chromium a
// renderer for its own user interface): one for mermaid, one for all the printing pages, whose
// pages still print in parallel, each in its own renderer process.
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page, type Route } from "playwright-core";
import { DiagramCache, type DiagramDrawer, type DiagramPainter, type Drawing, type DrawnDiagram } from "./diagram-cache.ts";
import type { PdfPrinter, PdfPrintOptions } from "./pdf.ts";

export type { DiagramDrawer, DrawnDiagram } from "./diagram-cache.ts";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";
/**
 * The features playwright-core (1.65) disables in Chromium. Chromium obeys only the last
 * `--disable-features` it is given and Playwright's comes first, so ours repeats them.
 * test/render/chromium.test.ts checks this list against the installed playwright-core.
 */
export const PLAYWRIGHT_DISABLED_FEATURES = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
];

/** Each browser context is a window, and Chromium gives each window an address-bar popup drawn by
 *  a renderer of its own, loaded in advance: a second or more of CPU per window, for nothing here. */
const WINDOW_UI_FEATURES = ["WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup", "PreloadTopChromeWebUI"];

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...WINDOW_UI_FEATURES].join(",")}`,
];

/** The diagram font stack: the same as the document's, so mermaid measures the text it will print. */
const DIAGRAM_FONT = '"Noto Sans", "DejaVu Sans", Arial, "Noto Sans CJK JP", sans-serif, "Noto Color Emoji"';

let bundle: string | undefined;

/** mermaid's browser bundle from node_modules (read once), for HTML that draws its own diagrams. */
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
  /** Get ready ahead of the work: mermaid loaded (`diagrams`), up to `print` printing pages opened. */
  warmUp(what: { diagrams?: boolean; print?: number }): Promise<void>;
  /** How many diagrams were drawn (SVG) and photographed (PNG) in this session. */
  readonly diagramCounts: { readonly svg: number; readonly png: number };
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Pages printing PDFs at the same time (default: the number of CPUs, 1 to 4). */
  readonly printPages?: number;
}

const PRINT_WIDTH_PX = Math.round(((210 - 28) / 25.4) * 96);
const PRINT_HEIGHT_PX = Math.round(((297 - 16 - 18) / 25.4) * 96);

/** A private origin for the mermaid page: its requests are answered from node_modules, never the network. */
const ORIGIN = "http://onboard.invalid";
const MERMAID_DIST = dirname(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.esm.min.mjs"));
const MERMAID_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;font-family:${DIAGRAM_FONT}}</style></head><body></body></html>`;
const moduleFiles = new Map<string, Promise<Buffer>>();

/** mermaid's ES module build: only the code of the diagram types drawn is loaded and compiled. */
async function serveMermaid(route: Route): Promise<void> {
  const path = decodeURIComponent(new URL(route.request().url()).pathname);
  if (path === "/") return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: MERMAID_PAGE });
  const file = join(MERMAID_DIST, path.replace(/^\/mermaid\//, ""));
  const inside = path.startsWith("/mermaid/") && !relative(MERMAID_DIST, file).startsWith(`..${sep}`) && file.endsWith(".mjs");
  if (!inside) return route.fulfill({ status: 404, body: "" });
  let body = moduleFiles.get(file);
  if (!body) {
    body = readFile(file);
    moduleFiles.set(file, body);
    body.catch(() => moduleFiles.delete(file));
  }
  try {
    return route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: await body });
  } catch {
    return route.fulfill({ status: 404, body: "" });
  }
}

/** A counting semaphore: at most `size` holders at once, the others wait in order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

class ChromiumSession implements BrowserSession, DiagramPainter {
  readonly #browser: Browser;
  #mermaidPage: Promise<Page> | undefined;
  readonly #diagrams = new DiagramCache(this);
  /** PNGs are photographed one at a time: each puts its drawing on the mermaid page. */
  #photographing: Promise<unknown> = Promise.resolve();
  readonly #printSlots: Slots;
  readonly #printPageLimit: number;
  /** The printing pages share one browser context (one window): each page has its own renderer process. */
  #printing: Promise<BrowserContext> | undefined;
  /** Printing pages not in use (some may still be opening). */
  readonly #idlePrintPages: Promise<Page>[] = [];
  #printPagesMade = 0;

  constructor(browser: Browser, printPages: number) {
    this.#browser = browser;
    this.#printPageLimit = printPages;
    this.#printSlots = new Slots(printPages);
  }

  get diagramCounts(): { readonly svg: number; readonly png: number } {
    return this.#diagrams.counts;
  }

  #mermaid(): Promise<Page> {
    if (!this.#mermaidPage) {
      this.#mermaidPage = (async () => {
        const context = await this.#browser.newContext({ deviceScaleFactor: 2, viewport: { width: 1700, height: 1200 } });
        await context.route(`${ORIGIN}/**`, serveMermaid);
        const page = await context.newPage();
        await page.goto(`${ORIGIN}/`);
        await page.evaluate(
          `(async ({ url, font }) => {
            const mermaid = (await import(url)).default;
            globalThis.mermaid = mermaid;
            mermaid.initialize({ startOnLoad: false, theme: "neutral", securityLevel: "strict", fontFamily: font, flowchart: { useMaxWidth: true } });
            // Load the flowchart code now, not at the first drawing.
            await mermaid.parse("flowchart LR\\n  a --> b").catch(() => undefined);
          })(${JSON.stringify({ url: `${ORIGIN}/mermaid/mermaid.esm.min.mjs`, font: DIAGRAM_FONT })})`,
        );
        return page;
      })();
      // A page that failed to open is opened afresh on the next request.
      this.#mermaidPage.catch(() => {
        this.#mermaidPage = undefined;
      });
    }
    return this.#mermaidPage;
  }

  async warmUp(what: { diagrams?: boolean; print?: number }): Promise<void> {
    const ready: Promise<unknown>[] = [];
    if (what.diagrams) ready.push(this.#mermaid());
    if (what.print) {
      while (this.#printPagesMade < Math.min(what.print, this.#printPageLimit)) {
        this.#printPagesMade++;
        const page = this.#openPrintPage();
        this.#idlePrintPages.push(page);
        ready.push(page);
      }
    }
    await Promise.all(ready);
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

  drawDiagrams(diagrams: readonly { id: string; source: string }[], options: { png?: boolean } = {}): Promise<Map<string, DrawnDiagram>> {
    return this.#diagrams.drawDiagrams(diagrams, options);
  }

  async drawSvg(id: string, source: string): Promise<Drawing> {
    const page = await this.#mermaid();
    const drawn = (await page.evaluate(
      `(async ({ id, source }) => {
        const { svg } = await mermaid.render(id, source);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        const box = holder.querySelector("svg")?.viewBox?.baseVal;
        return { svg, width: box?.width || 800, height: box?.height || 600 };
      })(${JSON.stringify({ id, source })})`,
    )) as { svg: string; width: number; height: number };
    return { id, ...drawn };
  }

  drawPng(drawing: Drawing): Promise<Uint8Array> {
    const photo = this.#photographing.then(() => this.#photograph(drawing));
    this.#photographing = photo.catch(() => undefined);
    return photo;
  }

  async #photograph(drawing: Drawing): Promise<Uint8Array> {
    const page = await this.#mermaid();
    const holderId = `holder-${drawing.id}`;
    await page.evaluate(
      `(({ holderId, svg, width }) => {
        const holder = document.createElement("div");
        holder.id = holderId;
        holder.style.display = "inline-block";
        holder.innerHTML = svg;
        const element = holder.querySelector("svg");
        if (element) {
          element.style.width = Math.min(1600, Math.ceil(width)) + "px";
          element.style.maxWidth = "none";
          element.style.height = "auto";
        }
        document.body.appendChild(holder);
      })(${JSON.stringify({ holderId, svg: drawing.svg, width: drawing.width })})`,
    );
    const holder = page.locator(`#${holderId}`);
    try {
      return new Uint8Array(await holder.screenshot({ type: "png" }));
    } finally {
      await holder.evaluate("(element) => element.remove()");
    }
  }

  #printContext(): Promise<BrowserContext> {
    if (!this.#printing) {
      this.#printing = this.#browser.newContext({ viewport: { width: PRINT_WIDTH_PX, height: PRINT_HEIGHT_PX } });
      this.#printing.catch(() => {
        this.#printing = undefined;
      });
    }
    return this.#printing;
  }

  async #openPrintPage(): Promise<Page> {
    return (await this.#printContext()).newPage();
  }

  async printPdf(html: string, options: PdfPrintOptions): Promise<Uint8Array> {
    await this.#printSlots.acquire();
    let page: Page | undefined;
    try {
      const idle = this.#idlePrintPages.pop();
      if (idle) page = await idle;
      else {
        this.#printPagesMade++;
        page = await this.#openPrintPage();
      }
      const pdf = await this.#print(page, html, options);
      this.#idlePrintPages.push(Promise.resolve(page));
      return pdf;
    } catch (error) {
      // A page that failed is not reused: the next print opens a fresh one.
      this.#printPagesMade--;
      await page?.close().catch(() => undefined);
      throw error;
    } finally {
      this.#printSlots.release();
    }
  }

  async #print(page: Page, html: string, options: PdfPrintOptions): Promise<Uint8Array> {
    // HTML that draws its own diagrams draws them on screen, as when the file is opened, then prints.
    const drawsItself = html.includes("__diagramsDrawn");
    if (drawsItself) await page.emulateMedia({ media: "screen" });
    await page.setContent(html, { waitUntil: "load" });
    if (drawsItself) await page.evaluate(() => (globalThis as unknown as { __diagramsDrawn?: Promise<boolean> }).__diagramsDrawn ?? true);
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
export async function launchChromium(executablePath = DEFAULT_CHROMIUM, options: LaunchOptions = {}): Promise<BrowserSession> {
  if (!chromiumInstalled(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath} (Debian: apt-get install chromium)`);
  }
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const printPages = Math.max(1, Math.floor(options.printPages ?? Math.min(4, availableParallelism())));
  return new ChromiumSession(browser, printPages);
}
