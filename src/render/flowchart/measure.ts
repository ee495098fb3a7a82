// How wide a line of text is, so boxes fit their labels without a browser to measure them. The
// widths come from the first font of the map's font stack found on this machine (opentype.js reads
// its advance widths), else from an estimate. Characters the font lacks are given the widths their
// fallback fonts have: East Asian wide characters a full em, emoji a little more.
import { existsSync, readFileSync } from "node:fs";
import opentype from "opentype.js";

/** The font stack the drawn map asks for, first choice first (the document's own). */
export const MAP_FONT_FAMILY = '"Noto Sans", "DejaVu Sans", Arial, "Noto Sans CJK JP", sans-serif, "Noto Color Emoji"';

export interface TextMeasure {
  /** Width in pixels of `text` set at `size` pixels. */
  width(text: string, size: number): number;
  /** Which font the widths come from ("estimate" without one). */
  readonly font: string;
}

/** Where Debian, Fedora, Arch and macOS keep the fonts of the stack, in stack order. */
const FONT_FILES: readonly { family: string; paths: readonly string[] }[] = [
  {
    family: "Noto Sans",
    paths: [
      "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
      "/usr/share/fonts/noto/NotoSans-Regular.ttf",
      "/usr/share/fonts/google-noto/NotoSans-Regular.ttf",
      "/usr/share/fonts/google-noto-vf/NotoSans[wght].ttf",
    ],
  },
  {
    family: "DejaVu Sans",
    paths: [
      "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
      "/usr/share/fonts/dejavu/DejaVuSans.ttf",
      "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ],
  },
  { family: "Arial", paths: ["/Library/Fonts/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial.ttf"] },
];

const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u;
const EMOJI = /\p{Extended_Pictographic}/u;
/** Marks that sit on the character before them, joiners and variation selectors take no width. */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;

/** The width, in ems, of a character no measured font has. */
function fallbackEm(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  if (WIDE.test(char)) return 1;
  if (EMOJI.test(char)) return 1.25;
  if (char === " ") return 0.26;
  // Latin text in a sans-serif averages a little over half an em; capitals and symbols more.
  return /[A-Z0-9@%&#→←↑↓]/.test(char) ? 0.66 : 0.55;
}

interface GlyphSource {
  readonly unitsPerEm: number;
  hasChar(char: string): boolean;
  charToGlyph(char: string): { readonly advanceWidth?: number };
}

class Measure implements TextMeasure {
  readonly #ems = new Map<string, number>();
  readonly #glyphs: GlyphSource | undefined;
  readonly font: string;

  constructor(glyphs: GlyphSource | undefined, font: string) {
    this.#glyphs = glyphs;
    this.font = font;
  }

  #em(char: string): number {
    let em = this.#ems.get(char);
    if (em === undefined) {
      const advance = this.#glyphs?.hasChar(char) ? this.#glyphs.charToGlyph(char).advanceWidth : undefined;
      em = advance !== undefined && this.#glyphs ? advance / this.#glyphs.unitsPerEm : fallbackEm(char);
      this.#ems.set(char, em);
    }
    return em;
  }

  width(text: string, size: number): number {
    let ems = 0;
    for (const char of text) ems += this.#em(char);
    return ems * size;
  }
}

/** Widths from a font file's advance widths (no kerning: boxes are padded more than kerning takes). */
function fontMeasure(file: Uint8Array, family: string): TextMeasure {
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  return new Measure(opentype.parse(buffer), family);
}

/** Widths estimated per character, for a machine without any font of the stack. */
export function estimatedMeasure(): TextMeasure {
  return new Measure(undefined, "estimate");
}

let system: TextMeasure | undefined;

/** The measure for this machine: the first font of the stack installed, read once. */
export function systemMeasure(): TextMeasure {
  if (system) return system;
  for (const { family, paths } of FONT_FILES) {
    for (const path of paths) {
      if (!existsSync(path)) continue;
      try {
        system = fontMeasure(readFileSync(path), family);
        return system;
      } catch {
        // An unreadable or unparsable file: try the next.
      }
    }
  }
  system = estimatedMeasure();
  return system;
}

/**
 * Lines of at most `maxWidth` pixels, broken between words (and between East Asian characters,
 * which need no spaces). A single word wider than the line is broken where it must be.
 */
export function wrapText(text: string, maxWidth: number, size: number, measure: TextMeasure): string[] {
  const tokens = text.split(/(\s+)/u).flatMap((part) => (WIDE.test(part) ? [...part] : [part]));
  const lines: string[] = [];
  let line = "";
  const fits = (value: string) => measure.width(value.trim(), size) <= maxWidth;
  for (const token of tokens) {
    if (!token) continue;
    if (/^\s+$/u.test(token)) {
      if (line) line += " ";
      continue;
    }
    if (!line.trim() || fits(line + token)) line += token;
    else {
      lines.push(line.trim());
      line = token;
    }
    if (!fits(line)) {
      // One word wider than a line: broken where it must be, the rest starts the next line.
      let part = "";
      for (const char of line.trim()) {
        if (part && !fits(part + char)) {
          lines.push(part);
          part = "";
        }
        part += char;
      }
      line = part;
    }
  }
  if (line.trim()) lines.push(line.trim());
  return lines.length > 0 ? lines : [""];
}
