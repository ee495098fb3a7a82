// `renderAll`: every built-in playbook in every format, timed, for `npm run bench` and the render
// tests. One Chromium session serves all documents: mermaid is loaded once, each process map is
// drawn once and shared by HTML, Word and PDF, and PDFs are printed by a small pool of pages.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPlaybookFile } from "../playbook/load.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { type BrowserSession, chromiumInstalled, type LaunchOptions, launchChromium } from "./chromium.ts";
import { diagramsOf, type SopDocument } from "./document.ts";
import { FORMATS, type Format, type Rendered, renderDocument } from "./render.ts";
import { buildSop } from "./sop/build.ts";

export const PLAYBOOKS_DIR = fileURLToPath(new URL("../../playbooks/", import.meta.url));

export async function builtInPlaybooks(): Promise<{ file: string; model: PlaybookModel }[]> {
  const files = (await readdir(PLAYBOOKS_DIR)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(
    files.map(async (file) => {
      const loaded = await loadPlaybookFile(join(PLAYBOOKS_DIR, file));
      if (!loaded.model) throw new Error(`${file} does not load: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
      return { file, model: loaded.model };
    }),
  );
}

/**
 * `pipelined` (the default) renders everything at once, as fast as it goes: each PDF is printed
 * as soon as its process map is drawn, Word's pictures are taken after every map is drawn, and
 * the CPUs are shared by all formats. `by-format` renders one format after another (the
 * documents of one format together), to see what each format costs on its own.
 */
export type RenderOrder = "pipelined" | "by-format";

export interface RenderTimings {
  readonly playbooks: number;
  readonly order: RenderOrder;
  /**
   * Milliseconds. `build`: building the documents. Per format, `by-format`: that format's own
   * time (HTML's includes drawing the maps, Word's photographing them); `pipelined`: the time from
   * the start until the last document of that format was done, and `diagrams` until every map was
   * drawn (the formats overlap, so these are points in time, not durations to add up).
   */
  readonly ms: Readonly<Record<Format | "build" | "diagrams", number>>;
  readonly browserLaunchMs: number | null;
  readonly totalMs: number;
  /** Bytes of output per format, all playbooks together. */
  readonly bytes: Readonly<Record<Format, number>>;
  /** Process maps drawn (SVG) and photographed (PNG) by the browser: once each per playbook. */
  readonly diagramDraws: { readonly svg: number; readonly png: number } | null;
  /** Process maps taken from the diagram store instead of drawn (a store given in `launch`). */
  readonly diagramsFromStore: { readonly svg: number; readonly png: number } | null;
}

/** Render every built-in playbook in every format (PDF only with Chromium installed). */
export async function renderAll(
  options: { browser?: BrowserSession; order?: RenderOrder; launch?: LaunchOptions } = {},
): Promise<RenderTimings> {
  const order = options.order ?? "pipelined";
  const playbooks = await builtInPlaybooks();
  const started = performance.now();
  const since = () => performance.now() - started;
  // Chromium starts while the documents are built.
  const launching = !options.browser && chromiumInstalled() ? launchChromium(undefined, options.launch) : undefined;
  const ms: Record<Format | "build" | "diagrams", number> = { build: 0, diagrams: 0, md: 0, html: 0, docx: 0, pdf: 0 };
  const bytes: Record<Format, number> = { md: 0, html: 0, docx: 0, pdf: 0 };
  let browser = options.browser;
  let launch: number | null = null;
  const before = browser?.diagramCounts;
  const keptBefore = browser?.diagramsFromStore;
  try {
    const t = performance.now();
    const docs = playbooks.map(({ model }) => buildSop(model));
    ms.build = performance.now() - t;
    if (launching) {
      browser = await launching;
      launch = since();
    }
    const count = (format: Format, { output }: Rendered) => {
      bytes[format] += typeof output === "string" ? Buffer.byteLength(output) : output.byteLength;
    };
    if (order === "by-format") {
      for (const format of FORMATS) {
        if (format === "pdf" && !browser) continue;
        const t = performance.now();
        const outputs = await Promise.all(docs.map((doc) => renderDocument(doc, format, browser)));
        ms[format] = performance.now() - t;
        for (const output of outputs) count(format, output);
      }
      if (browser) ms.diagrams = ms.html;
    } else {
      await pipelined(
        docs,
        browser,
        (format, rendered) => {
          count(format, rendered);
          ms[format] = since();
        },
        () => {
          ms.diagrams = since();
        },
      );
    }
  } finally {
    if (launching) await (browser ?? (await launching.catch(() => undefined)))?.close();
  }
  const after = browser?.diagramCounts;
  const diagramDraws = after ? { svg: after.svg - (before?.svg ?? 0), png: after.png - (before?.png ?? 0) } : null;
  const kept = browser?.diagramsFromStore;
  const diagramsFromStore = kept ? { svg: kept.svg - (keptBefore?.svg ?? 0), png: kept.png - (keptBefore?.png ?? 0) } : null;
  return { playbooks: playbooks.length, order, ms, browserLaunchMs: launch, totalMs: since(), bytes, diagramDraws, diagramsFromStore };
}

/** Every document in every format at once, the browser's work ordered so the PDFs start early. */
async function pipelined(
  docs: readonly SopDocument[],
  browser: BrowserSession | undefined,
  done: (format: Format, rendered: Rendered) => void,
  drawn: () => void,
): Promise<void> {
  const render = async (doc: SopDocument, format: Format) => done(format, await renderDocument(doc, format, browser));
  if (!browser) {
    await Promise.all(docs.flatMap((doc) => FORMATS.filter((f) => f !== "pdf").map((format) => render(doc, format))));
    return;
  }
  // The maps are drawn (or read from the diagram store) and the printing pages open while
  // Markdown is written; a drawing page with mermaid opens only when a map must be drawn.
  const printing = browser.warmUp({ print: docs.length });
  // Each map is drawn once (the browser session keeps it); a document's HTML, PDF and Word go as
  // soon as its map is there (Word's picture is photographed from that same drawing).
  const maps = docs.map((doc) => browser.drawDiagrams(diagramsOf(doc.blocks)));
  // A failed map fails its documents below; until then it must not count as unhandled.
  for (const map of maps) map.catch(() => undefined);
  for (const doc of docs) await render(doc, "md");
  await printing;
  const jobs = docs.flatMap((doc, i) => {
    const map = maps[i] as Promise<unknown>;
    return [map.then(() => render(doc, "html")), map.then(() => render(doc, "pdf")), map.then(() => render(doc, "docx"))];
  });
  const word = Promise.all(maps).then(() => drawn());
  await Promise.all([...jobs, word]);
}
