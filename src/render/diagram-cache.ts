// Each Mermaid diagram is drawn once per browser session, whatever asks for it: HTML and PDF
// take its SVG, Word a PNG photographed from that same drawing. The painter (chromium.ts) does
// the drawing; this module only decides what to draw, so its bookkeeping is testable without a
// browser. A drawing's id comes from its source, so the same diagram gives the same SVG ids in
// every document and every run, whatever order the documents are rendered in.
import { createHash } from "node:crypto";
import type { DiagramStore } from "./diagram-store.ts";

export interface DrawnDiagram {
  readonly svg: string;
  /** PNG for Word (1.25 pixels per CSS pixel). */
  readonly png?: Uint8Array;
  /** CSS pixels of the drawing. */
  readonly width: number;
  readonly height: number;
}

export interface DiagramDrawer {
  drawDiagrams(diagrams: readonly { id: string; source: string }[], options?: { png?: boolean }): Promise<Map<string, DrawnDiagram>>;
}

/** One drawing: mermaid's SVG (its root element has id `id`) and its size in CSS pixels. */
export interface Drawing {
  readonly id: string;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

export interface DiagramPainter {
  /** Draw Mermaid text as SVG, `id` naming the drawing's root element. */
  drawSvg(id: string, source: string): Promise<Drawing>;
  /** A PNG of a drawing made by `drawSvg`. */
  drawPng(drawing: Drawing): Promise<Uint8Array>;
}

/** The id of a diagram's drawing: the same for the same Mermaid text. */
export function drawingId(source: string): string {
  return `mermaid-${createHash("sha256").update(source).digest("hex").slice(0, 12)}`;
}

/** Drawings kept between sessions (diagram-store.ts), under a key that covers how they are drawn. */
export interface KeptDrawings {
  readonly store: DiagramStore;
  keyOf(source: string): string;
}

export class DiagramCache implements DiagramDrawer {
  readonly #painter: DiagramPainter;
  readonly #kept: KeptDrawings | undefined;
  readonly #svgs = new Map<string, Promise<Drawing>>();
  readonly #pngs = new Map<string, Promise<Uint8Array>>();
  readonly #counts = { svg: 0, png: 0 };
  readonly #fromStore = { svg: 0, png: 0 };

  constructor(painter: DiagramPainter, kept?: KeptDrawings) {
    this.#painter = painter;
    this.#kept = kept;
  }

  /** How many SVG drawings and PNG photographs the painter was asked for. */
  get counts(): { readonly svg: number; readonly png: number } {
    return { ...this.#counts };
  }

  /** How many were found in the store instead. */
  get fromStore(): { readonly svg: number; readonly png: number } {
    return { ...this.#fromStore };
  }

  /** A failed drawing is forgotten, so that asking again tries again. */
  #once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
    let result = cache.get(key);
    if (!result) {
      result = make();
      cache.set(key, result);
      result.catch(() => {
        if (cache.get(key) === result) cache.delete(key);
      });
    }
    return result;
  }

  svg(source: string): Promise<Drawing> {
    return this.#once(this.#svgs, source, async () => {
      const key = this.#kept?.keyOf(source);
      const stored = key === undefined ? undefined : await this.#kept?.store.readSvg(key);
      if (stored) {
        this.#fromStore.svg++;
        return { id: drawingId(source), ...stored };
      }
      this.#counts.svg++;
      const drawing = await this.#painter.drawSvg(drawingId(source), source);
      if (key !== undefined) await this.#kept?.store.writeSvg(key, drawing);
      return drawing;
    });
  }

  png(source: string): Promise<Uint8Array> {
    return this.#once(this.#pngs, source, async () => {
      const key = this.#kept?.keyOf(source);
      const stored = key === undefined ? undefined : await this.#kept?.store.readPng(key);
      if (stored) {
        this.#fromStore.png++;
        return stored;
      }
      const drawing = await this.svg(source);
      this.#counts.png++;
      const png = await this.#painter.drawPng(drawing);
      if (key !== undefined) await this.#kept?.store.writePng(key, png);
      return png;
    });
  }

  async drawDiagrams(
    diagrams: readonly { id: string; source: string }[],
    options: { png?: boolean } = {},
  ): Promise<Map<string, DrawnDiagram>> {
    const drawn = await Promise.all(
      diagrams.map(async (d): Promise<[string, DrawnDiagram]> => {
        const { svg, width, height } = await this.svg(d.source);
        if (options.png !== true) return [d.id, { svg, width, height }];
        return [d.id, { svg, width, height, png: await this.png(d.source) }];
      }),
    );
    return new Map(drawn);
  }
}
