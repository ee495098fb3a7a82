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
import { type Browser, chromium, type Page, type Route } from "playwright-core";
import { DiagramCache, type DiagramDrawer, type DiagramPainter, type Drawing, type DrawnDiagram } from "./diagram-cache.ts";
import { type DiagramStore, drawingKey } from "./diagram-store.ts";
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
  /** How many were taken from the diagram store instead (LaunchOptions.diagramStore). */
  readonly diagramsFromStore: { readonly svg: number; readonly png: number };
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Pages printing PDFs at the same time (default: the number of CPUs, 1 to 4). */
  readonly printPages?: number;
  /** Pages drawing process maps at the same time, each loading mermaid (default 1: drawing is CPU-bound, and PDFs print meanwhile). */
  readonly drawPages?: number;
  /** Where drawn maps are kept between sessions (default: nowhere, every session draws). */
  readonly diagramStore?: DiagramStore;
}

/**
 * Pixels per CSS pixel of the maps photographed for Word. Word shows a map at most a landscape
 * text width (about 1000 CSS pixels) wide, and the widest drawings are 1600: 1.25 keeps ≥ 190 dpi on
 * paper, at well under half the pixels (and PNG encoding time) of 2.
 */
const PNG_SCALE = 1.25;

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

/** The promise `make` gives, made once and shared; a failed one is forgotten, so the next call tries again. */
function memoRetrying<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    if (!made) {
      const attempt = make();
      made = attempt;
      attempt.catch(() => {
        if (made === attempt) made = undefined;
      });
    }
    return made;
  };
}

/**
 * Pages opened on demand up to `size` and lent to one job at a time; kept for the next job. A
 * page whose job failed is closed, and a fresh one opened when needed.
 */
export class PagePool<P extends { close(): Promise<void> } = Page> {
  readonly #open: () => Promise<P>;
  readonly #size: number;
  readonly #slots: Slots;
  /** Pages not in use (some may still be opening). */
  readonly #idle: Promise<P>[] = [];
  #made = 0;

  constructor(size: number, open: () => Promise<P>) {
    this.#size = size;
    this.#open = open;
    this.#slots = new Slots(size);
  }

  /** Open up to `count` pages ahead of use. */
  async warm(count = this.#size): Promise<void> {
    while (this.#made < Math.min(count, this.#size)) {
      this.#made++;
      const page = this.#open();
      // A page that failed to open while still waiting here is forgotten; one already lent out
      // fails its job instead, and `use` forgets it.
      page.catch(() => {
        const at = this.#idle.indexOf(page);
        if (at < 0) return;
        this.#idle.splice(at, 1);
        this.#made--;
      });
      this.#idle.push(page);
    }
    await Promise.all(this.#idle);
  }

  /** Pages open or opening. */
  get size(): number {
    return this.#made;
  }

  async use<T>(job: (page: P) => Promise<T>): Promise<T> {
    await this.#slots.acquire();
    let page: P | undefined;
    try {
      const idle = this.#idle.shift();
      if (idle) page = await idle;
      else {
        this.#made++;
        page = await this.#open();
      }
      const result = await job(page);
      this.#idle.push(Promise.resolve(page));
      return result;
    } catch (error) {
      this.#made--;
      await page?.close().catch(() => undefined);
      throw error;
    } finally {
      this.#slots.release();
    }
  }
}

class ChromiumSession implements BrowserSession, DiagramPainter {
  readonly #browser: Browser;
  readonly #diagrams: DiagramCache;
  /** Pages with mermaid loaded, where maps are drawn and photographed (LaunchOptions.drawPages). */
  readonly #mermaidPages: PagePool;
  /** Pages printing PDFs. They share one browser context (one window): each has its own renderer process. */
  readonly #printPages: PagePool;
  // One context (window) per kind of page, opened at the first page.
  readonly #mermaidContext = memoRetrying(async () => {
    const context = await this.#browser.newContext({ deviceScaleFactor: PNG_SCALE, viewport: { width: 1700, height: 1200 } });
    await context.route(`${ORIGIN}/**`, serveMermaid);
    return context;
  });
  readonly #printContext = memoRetrying(() => this.#browser.newContext({ viewport: { width: PRINT_WIDTH_PX, height: PRINT_HEIGHT_PX } }));

  constructor(browser: Browser, options: { printPages: number; drawPages: number; diagramStore: DiagramStore | undefined }) {
    this.#browser = browser;
    const store = options.diagramStore;
    this.#diagrams = new DiagramCache(
      this,
      store ? { store, keyOf: (source) => drawingKey(source, { font: DIAGRAM_FONT, pngScale: PNG_SCALE }) } : undefined,
    );
    this.#mermaidPages = new PagePool(options.drawPages, () => this.#openMermaidPage());
    this.#printPages = new PagePool(options.printPages, async () => (await this.#printContext()).newPage());
  }

  get diagramCounts(): { readonly svg: number; readonly png: number } {
    return this.#diagrams.counts;
  }

  get diagramsFromStore(): { readonly svg: number; readonly png: number } {
    return this.#diagrams.fromStore;
  }

  async #openMermaidPage(): Promise<Page> {
    const page = await (await this.#mermaidContext()).newPage();
    await page.goto(`${ORIGIN}/`);
    await page.evaluate(
      `(async ({ url, font }) => {
        const mermaid = (await import(url)).default;
        globalThis.mermaid = mermaid;
        // A fixed seed: the same map is drawn to the same SVG in every run (shapes have random jitter).
        // The classic look: flat boxes. The default look puts a CSS drop shadow on every box, which
        // Chromium prints to PDF as pictures (a quarter of all printing time, and bigger files).
        mermaid.initialize({ startOnLoad: false, theme: "neutral", securityLevel: "strict", fontFamily: font, handDrawnSeed: 1, look: "classic", flowchart: { useMaxWidth: true } });
        // Load the flowchart parser, layout and renderer now, not at the first drawing.
        await mermaid.render("warm-up", "flowchart LR\\n  subgraph p [Phase]\\n  a --> b{Decision}\\n  end\\n  b -->|yes| c").catch(() => undefined);
      })(${JSON.stringify({ url: `${ORIGIN}/mermaid/mermaid.esm.min.mjs`, font: DIAGRAM_FONT })})`,
    );
    return page;
  }

  async warmUp(what: { diagrams?: boolean; print?: number }): Promise<void> {
    await Promise.all([what.diagrams ? this.#mermaidPages.warm() : undefined, what.print ? this.#printPages.warm(what.print) : undefined]);
  }

  parseMermaid(sources: readonly string[]): Promise<(string | undefined)[]> {
    return this.#mermaidPages.use((page) =>
      page.evaluate(
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
      ),
    );
  }

  drawDiagrams(diagrams: readonly { id: string; source: string }[], options: { png?: boolean } = {}): Promise<Map<string, DrawnDiagram>> {
    return this.#diagrams.drawDiagrams(diagrams, options);
  }

  async drawSvg(id: string, source: string): Promise<Drawing> {
    const drawn = (await this.#mermaidPages.use((page) =>
      page.evaluate(
        `(async ({ id, source }) => {
        const { svg } = await mermaid.render(id, source);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        const box = holder.querySelector("svg")?.viewBox?.baseVal;
        return { svg, width: box?.width || 800, height: box?.height || 600 };
      })(${JSON.stringify({ id, source })})`,
      ),
    )) as { svg: string; width: number; height: number };
    return { id, ...drawn };
  }

  /** A PNG of a drawing, photographed on a drawing page (each holds one job at a time). */
  drawPng(drawing: Drawing): Promise<Uint8Array> {
    return this.#mermaidPages.use((page) => this.#photograph(page, drawing));
  }

  async #photograph(page: Page, drawing: Drawing): Promise<Uint8Array> {
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
    try {
      // A clipped page screenshot: no actionability waits, the drawing is already laid out.
      const box = (await page.evaluate(
        `(() => { const r = document.getElementById(${JSON.stringify(holderId)}).getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; })()`,
      )) as { x: number; y: number; width: number; height: number };
      return new Uint8Array(await page.screenshot({ type: "png", clip: box, fullPage: true }));
    } finally {
      await page.evaluate(`document.getElementById(${JSON.stringify(holderId)})?.remove()`);
    }
  }

  printPdf(html: string, options: PdfPrintOptions): Promise<Uint8Array> {
    return this.#printPages.use((page) => this.#print(page, html, options));
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
  const drawPages = Math.max(1, Math.floor(options.drawPages ?? 1));
  return new ChromiumSession(browser, { printPages, drawPages, diagramStore: options.diagramStore });
}
