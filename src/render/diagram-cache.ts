// Diagrams for the formats that show pictures. Each process map is laid out and drawn as SVG in
// Node (flowchart/): no browser, a few milliseconds. Word needs a PNG, which a photographer
// (Chromium, chromium.ts) takes of that same SVG: once per drawing per session, and kept in an
// optional store between sessions. This module only decides what to photograph, so its
// bookkeeping is testable without a browser.
import { createHash } from "node:crypto";
import type { DiagramStore } from "./diagram-store.ts";
import type { DiagramBlock } from "./document.ts";
import { systemMeasure, type TextMeasure } from "./flowchart/measure.ts";
import { drawFlowchart } from "./flowchart/svg.ts";

/** One drawing: its SVG (root element id `id`) and its size in CSS pixels. */
export interface Drawing {
  readonly id: string;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

/** A drawing with Word's PNG of it (PNG_SCALE pixels per CSS pixel). */
export interface Picture extends Drawing {
  readonly png: Uint8Array;
}

/** The id of a diagram's drawing: the same for the same Mermaid text (the chart's one spelling). */
export function drawingId(source: string): string {
  return `map-${createHash("sha256").update(source).digest("hex").slice(0, 12)}`;
}

/** Drawings with this machine's measure, per chart: HTML, PDF and Word each ask for the same map. */
const drawn = new WeakMap<DiagramBlock, Drawing>();

/** A diagram drawn as SVG, measured with this machine's font unless a measure is given. */
export function drawDiagram(block: DiagramBlock, measure?: TextMeasure): Drawing {
  const kept = measure ? undefined : drawn.get(block);
  if (kept) return kept;
  const id = drawingId(block.source);
  const drawing = { id, ...drawFlowchart(block.chart, measure ?? systemMeasure(), { id, title: block.title }) };
  if (!measure) drawn.set(block, drawing);
  return drawing;
}

/** Every diagram of a document drawn, by block id. */
export function drawDiagrams(blocks: readonly DiagramBlock[]): Map<string, Drawing> {
  return new Map(blocks.map((block) => [block.id, drawDiagram(block)]));
}

export interface Photographer {
  /** A PNG of a drawing. */
  photograph(drawing: Drawing): Promise<Uint8Array>;
}

export interface DiagramPictures {
  /** Each diagram drawn, with its PNG, by block id. */
  pictures(blocks: readonly DiagramBlock[]): Promise<Map<string, Picture>>;
}

/** Pictures kept between sessions (diagram-store.ts), under a key that covers how they are taken. */
export interface KeptPictures {
  readonly store: DiagramStore;
  keyOf(svg: string): string;
}

export class PictureCache implements DiagramPictures {
  readonly #photographer: Photographer;
  readonly #kept: KeptPictures | undefined;
  readonly #pngs = new Map<string, Promise<Uint8Array>>();
  #photographed = 0;
  #fromStore = 0;

  constructor(photographer: Photographer, kept?: KeptPictures) {
    this.#photographer = photographer;
    this.#kept = kept;
  }

  /** How many PNGs the photographer was asked for. */
  get photographed(): number {
    return this.#photographed;
  }

  /** How many were found in the store instead. */
  get fromStore(): number {
    return this.#fromStore;
  }

  /** The PNG of a drawing: one per SVG, however many ask; a failed one is forgotten, so asking again tries again. */
  png(drawing: Drawing): Promise<Uint8Array> {
    let result = this.#pngs.get(drawing.svg);
    if (!result) {
      const made = this.#take(drawing);
      result = made;
      this.#pngs.set(drawing.svg, made);
      made.catch(() => {
        if (this.#pngs.get(drawing.svg) === made) this.#pngs.delete(drawing.svg);
      });
    }
    return result;
  }

  async #take(drawing: Drawing): Promise<Uint8Array> {
    const key = this.#kept?.keyOf(drawing.svg);
    const stored = key === undefined ? undefined : await this.#kept?.store.readPng(key);
    if (stored) {
      this.#fromStore++;
      return stored;
    }
    this.#photographed++;
    const png = await this.#photographer.photograph(drawing);
    if (key !== undefined) await this.#kept?.store.writePng(key, png);
    return png;
  }

  async pictures(blocks: readonly DiagramBlock[]): Promise<Map<string, Picture>> {
    const pictures = await Promise.all(
      blocks.map(async (block): Promise<[string, Picture]> => {
        const drawing = drawDiagram(block);
        return [block.id, { ...drawing, png: await this.png(drawing) }];
      }),
    );
    return new Map(pictures);
  }
}
