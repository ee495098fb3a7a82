// The part of opentype.js (which ships no types) that measure.ts uses.
declare module "opentype.js" {
  interface Glyph {
    readonly advanceWidth?: number;
  }
  interface Font {
    readonly unitsPerEm: number;
    hasChar(char: string): boolean;
    charToGlyph(char: string): Glyph;
  }
  const opentype: { parse(buffer: ArrayBuffer): Font };
  export default opentype;
}
