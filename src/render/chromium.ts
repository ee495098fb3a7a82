// The one part of rendering that talks to the world: Debian's headless Chromium, driven by
// playwright-core. It prints HTML to PDF, photographs the process maps (drawn as SVG in Node) as
// PNG for Word, takes screenshots, and parses Mermaid text with mermaid's own parser (tests). The
// writers never import it: they take a `DiagramPictures` or `PdfPrinter`, so everything else stays
// testable without a browser.
//
// One session serves any number of documents: each map is photographed once (diagram-cache.ts),
// and PDFs are printed by a small pool of pages that are kept and reused. All pages share one
// browser context (each context is a window, and each window costs Chromium a renderer for its own
// user interface); they still work in parallel, each page in its own renderer process.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { type Browser, chromium, type Page, type Route } from "playwright-core";
import { chromiumInstalled, DEFAULT_CHROMIUM } from "./chromium-path.ts";
import { type DiagramPictures, type Drawing, type Photographer, type Picture, PictureCache } from "./diagram-cache.ts";
import { type DiagramStore, pictureKey } from "./diagram-store.ts";
import type { DiagramBlock } from "./document.ts";
import type { PdfPrinter, PdfPrintOptions } from "./pdf.ts";

export { chromiumInstalled, DEFAULT_CHROMIUM } from "./chromium-path.ts";
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

export interface BrowserSession extends DiagramPictures, PdfPrinter {
  /** Parse Mermaid text with mermaid's own parser: undefined when valid, else the parser's message. */
  parseMermaid(sources: readonly string[]): Promise<(string | undefined)[]>;
  /** A PNG of an HTML document: the first screen, the full page, or one element (CSS selector). */
  screenshot(html: string, options?: { width?: number; height?: number; fullPage?: boolean; selector?: string }): Promise<Uint8Array>;
  /** Get ready ahead of the work: up to `print` printing pages and `pictures` photographing pages opened. */
  warmUp(what: { print?: number; pictures?: number }): Promise<void>;
  /** How many maps were photographed in this session, and how many pictures came from the diagram store instead. */
  readonly pictureCounts: { readonly photographed: number; readonly fromStore: number };
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Pages printing PDFs at the same time (default: the number of CPUs, 1 to 4). */
  readonly printPages?: number;
  /** Pages photographing maps for Word at the same time (default 1: PDFs print meanwhile). */
  readonly picturePages?: number;
  /** Where Word's pictures of the maps are kept between sessions (default: nowhere, every session photographs). */
  readonly diagramStore?: DiagramStore;
  /** Start Chromium at the first job that needs it, not now: a Word file whose pictures are all kept needs none. */
  readonly lazy?: boolean;
}

/**
 * Pixels per CSS pixel of the maps photographed for Word. Word shows a map at most a landscape
 * text width (about 1000 CSS pixels) wide, and the widest drawings are 1600: 1.25 keeps ≥ 190 dpi on
 * paper, at well under half the pixels (and PNG encoding time) of 2.
 */
const PNG_SCALE = 1.25;

const PRINT_WIDTH_PX = Math.round(((210 - 28) / 25.4) * 96);
const PRINT_HEIGHT_PX = Math.round(((297 - 16 - 18) / 25.4) * 96);

/** A private origin for the parser's page: its requests are answered from node_modules, never the network. */
const ORIGIN = "http://onboard.invalid";
const MERMAID_DIST = dirname(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.esm.min.mjs"));
const MERMAID_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>`;
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

class ChromiumSession implements BrowserSession, Photographer {
  /** The browser, started at the first call (LaunchOptions.lazy) or before the session is handed out. */
  readonly #browser: () => Promise<Browser>;
  /** The latest start, if any: what close() closes (it never starts a browser itself). */
  #launched: Promise<Browser> | undefined;
  readonly #pictures: PictureCache;
  /** Blank pages where maps are photographed (LaunchOptions.picturePages). */
  readonly #picturePages: PagePool;
  /** A page with mermaid loaded, for its parser; opened only when asked to parse. */
  readonly #parserPages: PagePool;
  /** Pages printing PDFs. They share one browser context (one window): each has its own renderer process. */
  readonly #printPages: PagePool;
  // One browser context (a window) for every page, opened at the first page: each page still has
  // its own renderer process. Pictures are enlarged by CSS rather than by a device scale factor,
  // so they need no context of their own.
  readonly #context = memoRetrying(async () => {
    const context = await (await this.#browser()).newContext({ viewport: { width: PRINT_WIDTH_PX, height: PRINT_HEIGHT_PX } });
    await context.route(`${ORIGIN}/**`, serveMermaid);
    return context;
  });

  constructor(
    launch: () => Promise<Browser>,
    options: { printPages: number; picturePages: number; diagramStore: DiagramStore | undefined },
  ) {
    this.#browser = memoRetrying(() => {
      this.#launched = launch();
      return this.#launched;
    });
    const store = options.diagramStore;
    this.#pictures = new PictureCache(this, store ? { store, keyOf: (svg) => pictureKey(svg, { pngScale: PNG_SCALE }) } : undefined);
    this.#picturePages = new PagePool(options.picturePages, async () => (await this.#context()).newPage());
    this.#parserPages = new PagePool(1, () => this.#openParserPage());
    this.#printPages = new PagePool(options.printPages, async () => (await this.#context()).newPage());
  }

  get pictureCounts(): { readonly photographed: number; readonly fromStore: number } {
    return { photographed: this.#pictures.photographed, fromStore: this.#pictures.fromStore };
  }

  async #openParserPage(): Promise<Page> {
    const page = await (await this.#context()).newPage();
    await page.goto(`${ORIGIN}/`);
    await page.evaluate(
      `(async ({ url }) => {
        const mermaid = (await import(url)).default;
        globalThis.mermaid = mermaid;
        mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
      })(${JSON.stringify({ url: `${ORIGIN}/mermaid/mermaid.esm.min.mjs` })})`,
    );
    return page;
  }

  async warmUp(what: { print?: number; pictures?: number }): Promise<void> {
    await Promise.all([
      what.print ? this.#printPages.warm(what.print) : undefined,
      what.pictures ? this.#picturePages.warm(what.pictures) : undefined,
    ]);
  }

  parseMermaid(sources: readonly string[]): Promise<(string | undefined)[]> {
    return this.#parserPages.use((page) =>
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

  pictures(blocks: readonly DiagramBlock[]): Promise<Map<string, Picture>> {
    return this.#pictures.pictures(blocks);
  }

  /** A PNG of a drawing: the SVG alone on a blank page, at most 1600 CSS pixels wide, enlarged PNG_SCALE times, photographed. */
  photograph(drawing: Drawing): Promise<Uint8Array> {
    return this.#picturePages.use(async (page) => {
      const width = Math.round(Math.min(1600, drawing.width) * PNG_SCALE);
      const height = Math.round((drawing.height * width) / drawing.width);
      await page.setContent(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}svg{display:block;width:${width}px;height:${height}px}</style></head><body>${drawing.svg}</body></html>`,
      );
      // A clipped page screenshot: no actionability waits, the drawing is laid out as it loads.
      return new Uint8Array(await page.screenshot({ type: "png", clip: { x: 0, y: 0, width, height }, fullPage: true }));
    });
  }

  printPdf(html: string, options: PdfPrintOptions = {}): Promise<Uint8Array> {
    return this.#printPages.use((page) => this.#print(page, html, options));
  }

  async #print(page: Page, html: string, options: PdfPrintOptions): Promise<Uint8Array> {
    // Print media before the content arrives: the document is laid out once, for print, not first for the screen.
    await page.emulateMedia({ media: "print" });
    await page.setContent(html, { waitUntil: "load" });
    // A job-aid page taller than a printed page is scaled down to fit on it.
    if (options.fitSelector)
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
    // The running head and "Page N of M" are the document's own page-margin boxes (cheaper than
    // Chromium's header and footer templates, and the same when the HTML is printed from a browser).
    const pdf = await page.pdf({ printBackground: true, preferCSSPageSize: true });
    return new Uint8Array(pdf);
  }

  async screenshot(
    html: string,
    options: { width?: number; height?: number; fullPage?: boolean; selector?: string } = {},
  ): Promise<Uint8Array> {
    const page = await (await this.#browser()).newPage({ viewport: { width: options.width ?? 1000, height: options.height ?? 1400 } });
    try {
      await page.setContent(html, { waitUntil: "load" });
      if (options.selector) return new Uint8Array(await page.locator(options.selector).first().screenshot({ type: "png" }));
      return new Uint8Array(await page.screenshot({ fullPage: options.fullPage ?? false, type: "png" }));
    } finally {
      await page.close();
    }
  }

  /** Start the browser now (a lazy session starts it at its first job). */
  async start(): Promise<void> {
    await this.#browser();
  }

  async close(): Promise<void> {
    const browser = await this.#launched?.catch(() => undefined);
    await browser?.close();
  }
}

/** A headless Chromium session. Throws when it is not installed (check with `chromiumInstalled`), or, unless lazy, cannot start. */
export async function launchChromium(executablePath = DEFAULT_CHROMIUM, options: LaunchOptions = {}): Promise<BrowserSession> {
  if (!chromiumInstalled(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath} (Debian: apt-get install chromium)`);
  }
  const printPages = Math.max(1, Math.floor(options.printPages ?? Math.min(4, availableParallelism())));
  const picturePages = Math.max(1, Math.floor(options.picturePages ?? 1));
  const launch = async () => {
    try {
      return await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    } catch (error) {
      // Playwright's message goes on with the whole command line and its call log: the first line says it.
      const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      throw new Error(`Chromium at ${executablePath} could not start (${reason}); is it Chromium? (Debian: apt-get install chromium)`, {
        cause: error,
      });
    }
  };
  const session = new ChromiumSession(launch, {
    printPages,
    picturePages,
    diagramStore: options.diagramStore,
  });
  // Started now unless lazy: a browser that cannot start fails here, where callers expect it.
  if (!options.lazy) await session.start();
  return session;
}
