// Diagrams without a browser: maps are drawn in Node, and a photographer that counts what it is
// asked for stands in for Chromium. Every format of every document asks for the process map; each
// map must be photographed once (from the very SVG that HTML and PDF carry), and named the same
// way whatever the order of the requests.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Drawing, drawDiagram, drawDiagrams, drawingId, type Photographer, PictureCache } from "../../src/render/diagram-cache.ts";
import { FileDiagramStore, pictureKey } from "../../src/render/diagram-store.ts";
import { type DiagramBlock, diagramsOf } from "../../src/render/document.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks } from "./support.ts";

/** Pictures that start like PNG files (the store checks the signature), then the drawing's width. */
class CountingPhotographer implements Photographer {
  readonly taken: Drawing[] = [];
  failNext = false;

  async photograph(drawing: Drawing): Promise<Uint8Array> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failNext) {
      this.failNext = false;
      throw new Error("screenshot failed");
    }
    this.taken.push(drawing);
    return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, drawing.width % 256]);
  }
}

async function maps(): Promise<DiagramBlock[][]> {
  // What Word asks for: the whole map of each document.
  return (await builtInPlaybooks()).map(({ model }) => diagramsOf(buildSop(model).blocks, { details: false }));
}

describe("diagram pictures", () => {
  test("each playbook's map is photographed once however often it is asked for, from the SVG HTML carries", async () => {
    const documents = await maps();
    const photographer = new CountingPhotographer();
    const cache = new PictureCache(photographer);
    // Word asks for every document's pictures, several times over, all at once.
    const results = await Promise.all([1, 2, 3].flatMap(() => documents.map((blocks) => cache.pictures(blocks))));
    assert.equal(photographer.taken.length, documents.length, "one picture per map");
    assert.equal(cache.photographed, documents.length);
    for (const [i, result] of results.entries()) {
      const blocks = documents[i % documents.length] ?? [];
      const drawn = drawDiagrams(blocks);
      assert.deepEqual(
        [...result.keys()],
        blocks.map((b) => b.id),
        "keyed by the document's diagram ids",
      );
      for (const [id, picture] of result) {
        assert.equal(picture.svg, drawn.get(id)?.svg, "the picture is of the SVG that HTML and PDF carry");
        assert.ok(photographer.taken.some((d) => d.svg === picture.svg));
      }
    }
  });

  test("a drawing's id depends only on its Mermaid text, and the same chart draws the same SVG", async () => {
    const [blocks] = await maps();
    const block = blocks?.[0];
    if (!block) throw new Error("no process map");
    assert.match(drawingId(block.source), /^map-[0-9a-f]{12}$/);
    assert.notEqual(drawingId(block.source), drawingId(`${block.source} `));
    const a = drawDiagram(block);
    const b = drawDiagram({ ...block, id: "copy" });
    assert.equal(a.id, drawingId(block.source));
    assert.deepEqual(a, b);
  });

  test("a failed picture is not kept: asking again photographs again", async () => {
    const [blocks = []] = await maps();
    const photographer = new CountingPhotographer();
    const cache = new PictureCache(photographer);
    photographer.failNext = true;
    await assert.rejects(cache.pictures(blocks), /screenshot failed/);
    const pictures = await cache.pictures(blocks);
    assert.ok([...pictures.values()].every((p) => p.png.byteLength > 8));
    assert.equal(photographer.taken.length, blocks.length);
  });

  test("a diagram store keeps pictures for the next session; a damaged file is photographed again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-diagrams-"));
    try {
      const documents = (await maps()).slice(0, 2);
      const kept = { store: new FileDiagramStore(dir), keyOf: (svg: string) => pictureKey(svg, { pngScale: 1.25 }) };
      const first = new CountingPhotographer();
      const taken = await Promise.all(documents.map((blocks) => new PictureCache(first, kept).pictures(blocks)));
      assert.equal(first.taken.length, 2);
      // A new session with the same store: nothing is photographed, and what it gets is what was taken.
      const second = new CountingPhotographer();
      const session = new PictureCache(second, kept);
      const again = await Promise.all(documents.map((blocks) => session.pictures(blocks)));
      assert.equal(second.taken.length, 0);
      assert.equal(session.fromStore, 2);
      assert.deepEqual(again, taken);
      // Another scale is another key: photographed afresh.
      const otherScale = new CountingPhotographer();
      await new PictureCache(otherScale, { ...kept, keyOf: (svg: string) => pictureKey(svg, { pngScale: 2 }) }).pictures(
        documents[0] ?? [],
      );
      assert.equal(otherScale.taken.length, 1);
      // A damaged file is a miss, not an error.
      const damaged = documents[0]?.[0];
      if (!damaged) throw new Error("no map");
      writeFileSync(join(dir, "diagrams", `${kept.keyOf(drawDiagram(damaged).svg)}.png`), "not a png");
      const third = new CountingPhotographer();
      await Promise.all(documents.map((blocks) => new PictureCache(third, kept).pictures(blocks)));
      assert.deepEqual(
        third.taken.map((d) => d.svg),
        [drawDiagram(damaged).svg],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a store that cannot be written to costs only time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-diagrams-"));
    try {
      // The store's folder is taken by a file: every write fails.
      writeFileSync(join(dir, "diagrams"), "");
      const kept = { store: new FileDiagramStore(dir), keyOf: (svg: string) => pictureKey(svg, { pngScale: 1.25 }) };
      const photographer = new CountingPhotographer();
      const [blocks = []] = await maps();
      const pictures = await new PictureCache(photographer, kept).pictures(blocks);
      assert.equal(pictures.size, blocks.length);
      assert.equal(photographer.taken.length, blocks.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
