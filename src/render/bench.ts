// `renderAll`: every built-in playbook in every format, timed, for `npm run bench` and the render
// tests. One Chromium session serves all documents (launching it is timed separately).
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPlaybookFile } from "../playbook/load.ts";
import type { PlaybookModel } from "../playbook/model.ts";
import { type BrowserSession, chromiumInstalled, launchChromium } from "./chromium.ts";
import { FORMATS, type Format, renderDocument } from "./render.ts";
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

export interface RenderTimings {
  readonly playbooks: number;
  /** Milliseconds per format for all playbooks together, and the document builds. */
  readonly ms: Readonly<Record<Format | "build", number>>;
  readonly browserLaunchMs: number | null;
  readonly totalMs: number;
  /** Bytes of output per format, all playbooks together. */
  readonly bytes: Readonly<Record<Format, number>>;
}

/** Render every built-in playbook in every format (PDF only with Chromium installed). */
export async function renderAll(options: { browser?: BrowserSession } = {}): Promise<RenderTimings> {
  const playbooks = await builtInPlaybooks();
  const started = performance.now();
  let browser = options.browser;
  let launch: number | null = null;
  if (!browser && chromiumInstalled()) {
    const t = performance.now();
    browser = await launchChromium();
    launch = performance.now() - t;
  }
  const ms: Record<Format | "build", number> = { build: 0, md: 0, html: 0, docx: 0, pdf: 0 };
  const bytes: Record<Format, number> = { md: 0, html: 0, docx: 0, pdf: 0 };
  try {
    const docs = playbooks.map(({ model }) => {
      const t = performance.now();
      const doc = buildSop(model);
      ms.build += performance.now() - t;
      return doc;
    });
    for (const format of FORMATS) {
      if (format === "pdf" && !browser) continue;
      const t = performance.now();
      // The documents of one format are rendered together, as a server would under load.
      const outputs = await Promise.all(docs.map((doc) => renderDocument(doc, format, browser)));
      ms[format] += performance.now() - t;
      for (const { output } of outputs) bytes[format] += typeof output === "string" ? Buffer.byteLength(output) : output.byteLength;
    }
  } finally {
    if (browser && !options.browser) await browser.close();
  }
  return { playbooks: playbooks.length, ms, browserLaunchMs: launch, totalMs: performance.now() - started, bytes };
}
