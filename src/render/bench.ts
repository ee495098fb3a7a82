// `renderAll`: every built-in playbook in every format, timed, for `npm run bench` and the render
// tests. Process maps are drawn in Node; one Chromium session serves all documents: it prints the
// PDFs on a small pool of pages and photographs each map once for Word.
import { builtInPlaybooks } from "./built-in.ts";
import { type BrowserSession, chromiumInstalled, type LaunchOptions, launchChromium } from "./chromium.ts";
import { drawDiagrams } from "./diagram-cache.ts";
import { diagramsOf, type SopDocument } from "./document.ts";
import { FORMATS, type Format, type Rendered, renderDocument } from "./render.ts";
import { buildSop } from "./sop/build.ts";

export { builtInPlaybooks, PLAYBOOKS_DIR } from "./built-in.ts";

/**
 * `pipelined` (the default) renders everything at once, as fast as it goes: the PDFs print while
 * Word's pictures are taken and Markdown and HTML are written, and the CPUs are shared by all
 * formats. `by-format` renders one format after another (the documents of one format together),
 * to see what each format costs on its own.
 */
export type RenderOrder = "pipelined" | "by-format";

export interface RenderTimings {
  readonly playbooks: number;
  readonly order: RenderOrder;
  /**
   * Milliseconds. `build`: building the documents; `diagrams`: laying out and drawing every map
   * once (in Node). Per format, `by-format`: that format's own time (Word's includes photographing
   * the maps); `pipelined`: the time from the start until the last document of that format was
   * done (the formats overlap, so these are points in time, not durations to add up).
   */
  readonly ms: Readonly<Record<Format | "build" | "diagrams", number>>;
  readonly browserLaunchMs: number | null;
  readonly totalMs: number;
  /** Bytes of output per format, all playbooks together. */
  readonly bytes: Readonly<Record<Format, number>>;
  /** Maps photographed for Word by the browser (once per playbook), and pictures taken from the diagram store instead (a store given in `launch`). */
  readonly pictures: { readonly photographed: number; readonly fromStore: number } | null;
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
  const before = browser?.pictureCounts;
  try {
    let t = performance.now();
    const docs = playbooks.map(({ model }) => buildSop(model));
    ms.build = performance.now() - t;
    t = performance.now();
    for (const doc of docs) drawDiagrams(diagramsOf(doc.blocks));
    ms.diagrams = performance.now() - t;
    const ready = launching?.then((session) => {
      launch = since();
      browser = session;
      return session;
    });
    if (order === "by-format" && ready) await ready;
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
    } else {
      await pipelined(docs, ready ?? Promise.resolve(browser), (format, rendered) => {
        count(format, rendered);
        ms[format] = since();
      });
    }
  } finally {
    if (launching) await (browser ?? (await launching.catch(() => undefined)))?.close();
  }
  const after = browser?.pictureCounts;
  const pictures = after
    ? { photographed: after.photographed - (before?.photographed ?? 0), fromStore: after.fromStore - (before?.fromStore ?? 0) }
    : null;
  return { playbooks: playbooks.length, order, ms, browserLaunchMs: launch, totalMs: since(), bytes, pictures };
}

/**
 * Every document in every format at once: Markdown and HTML (maps drawn in Node) are written
 * while Chromium starts, then it prints the PDFs and photographs the maps for Word.
 */
async function pipelined(
  docs: readonly SopDocument[],
  ready: Promise<BrowserSession | undefined>,
  done: (format: Format, rendered: Rendered) => void,
): Promise<void> {
  const render = async (doc: SopDocument, format: Format, browser?: BrowserSession) =>
    done(format, await renderDocument(doc, format, browser));
  const browserWork = ready.then((browser) =>
    Promise.all([...(browser ? docs.map((doc) => render(doc, "pdf", browser)) : []), ...docs.map((doc) => render(doc, "docx", browser))]),
  );
  // A failed launch fails the run below; until then it must not count as unhandled.
  browserWork.catch(() => undefined);
  for (const doc of docs) {
    await render(doc, "md");
    await render(doc, "html");
    // Let the browser's messages in between documents, so its work starts as soon as it can.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await browserWork;
}
