// The diagram cache without a browser: a painter that counts what it is asked to draw. Every
// format of every document asks for the process map; each map must be drawn once, photographed
// once (from that same drawing), and named the same way whatever the order of the requests.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DiagramCache, type DiagramPainter, type Drawing, drawingId } from "../../src/render/diagram-cache.ts";
import { drawingKey, FileDiagramStore } from "../../src/render/diagram-store.ts";
import { diagramsOf } from "../../src/render/document.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks } from "./support.ts";

class CountingPainter implements DiagramPainter {
  readonly svgs: string[] = [];
  readonly pngs: Drawing[] = [];
  failNext = false;

  async drawSvg(id: string, source: string): Promise<Drawing> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.failNext) {
      this.failNext = false;
      throw new Error("mermaid failed");
    }
    this.svgs.push(source);
    return { id, svg: `<svg id="${id}">${source.length}</svg>`, width: 100 + source.length, height: 50 };
  }

  async drawPng(drawing: Drawing): Promise<Uint8Array> {
    this.pngs.push(drawing);
    return new Uint8Array([drawing.width % 256]);
  }
}

/** A painter whose pictures start like PNG files (the store checks the signature). */
class PngPainter extends CountingPainter {
  override async drawPng(drawing: Drawing): Promise<Uint8Array> {
    await super.drawPng(drawing);
    return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, drawing.width % 256]);
  }
}

describe("diagram cache", () => {
  test("each playbook's map is drawn once and photographed once, for every format of every playbook", async () => {
    const docs = (await builtInPlaybooks()).map(({ model }) => buildSop(model));
    const painter = new CountingPainter();
    const cache = new DiagramCache(painter);
    // As renderDocument asks, all at once: HTML and PDF want SVGs, Word PNGs, twice over.
    const requests = [1, 2].flatMap(() =>
      docs.flatMap((doc) => {
        const diagrams = diagramsOf(doc.blocks);
        return [cache.drawDiagrams(diagrams), cache.drawDiagrams(diagrams, { png: true }), cache.drawDiagrams(diagrams)];
      }),
    );
    const results = await Promise.all(requests);
    const maps = new Set(docs.flatMap((doc) => diagramsOf(doc.blocks).map((d) => d.source)));
    assert.equal(maps.size, docs.length, "one distinct process map per playbook");
    assert.equal(painter.svgs.length, maps.size, "drawn once per map");
    assert.equal(painter.pngs.length, maps.size, "photographed once per map");
    assert.deepEqual(cache.counts, { svg: maps.size, png: maps.size });
    // The PNG is taken of the very drawing the SVG formats get.
    for (const result of results) {
      for (const drawn of result.values()) {
        const photographed = painter.pngs.find((d) => d.svg === drawn.svg);
        assert.ok(photographed, "the PNG comes from the SVG that HTML and PDF carry");
        if (drawn.png) assert.deepEqual(drawn.png, new Uint8Array([photographed.width % 256]));
      }
    }
    // Word's request has PNGs, the others do not.
    assert.ok([...(results[1]?.values() ?? [])].every((d) => d.png));
    assert.ok([...(results[0]?.values() ?? [])].every((d) => d.png === undefined));
  });

  test("results are keyed by the document's diagram ids; the same text shares one drawing", async () => {
    const painter = new CountingPainter();
    const cache = new DiagramCache(painter);
    const source = "flowchart LR\n  a --> b";
    const drawn = await cache.drawDiagrams([
      { id: "process-map", source },
      { id: "copy", source },
      { id: "other", source: "flowchart LR\n  c --> d" },
    ]);
    assert.deepEqual([...drawn.keys()], ["process-map", "copy", "other"]);
    assert.deepEqual(drawn.get("process-map"), drawn.get("copy"));
    assert.equal(painter.svgs.length, 2);
  });

  test("a drawing's id depends only on its Mermaid text", () => {
    const a = "flowchart LR\n  a --> b";
    assert.equal(drawingId(a), drawingId(`${a}`));
    assert.notEqual(drawingId(a), drawingId(`${a} `));
    assert.match(drawingId(a), /^mermaid-[0-9a-f]{12}$/);
  });

  test("a failed drawing is not kept: asking again draws again", async () => {
    const painter = new CountingPainter();
    const cache = new DiagramCache(painter);
    const diagrams = [{ id: "map", source: "flowchart LR\n  a --> b" }];
    painter.failNext = true;
    await assert.rejects(cache.drawDiagrams(diagrams, { png: true }), /mermaid failed/);
    const drawn = await cache.drawDiagrams(diagrams, { png: true });
    assert.ok(drawn.get("map")?.png);
    assert.deepEqual(cache.counts, { svg: 2, png: 1 });
    assert.equal(painter.svgs.length, 1);
  });

  test("a diagram store keeps drawings for the next session; a damaged file is drawn again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-diagrams-"));
    try {
      const store = new FileDiagramStore(dir);
      const kept = { store, keyOf: (source: string) => drawingKey(source, { font: "Noto Sans", pngScale: 1.25 }) };
      const diagrams = [
        { id: "map", source: "flowchart LR\n  a --> b" },
        { id: "other", source: "flowchart LR\n  c --> d" },
      ];
      const first = new PngPainter();
      const drawn = await new DiagramCache(first, kept).drawDiagrams(diagrams, { png: true });
      assert.equal(first.svgs.length, 2);
      // A new session with the same store: nothing is drawn, and what it gets is what was drawn.
      const second = new PngPainter();
      const session = new DiagramCache(second, kept);
      const again = await session.drawDiagrams(diagrams, { png: true });
      assert.deepEqual(second.svgs, []);
      assert.equal(second.pngs.length, 0);
      assert.deepEqual(session.fromStore, { svg: 2, png: 2 });
      assert.deepEqual(again, drawn);
      // Another font (or mermaid, or scale) is another key: drawn afresh.
      const otherFont = new PngPainter();
      await new DiagramCache(otherFont, {
        store,
        keyOf: (s: string) => drawingKey(s, { font: "DejaVu Sans", pngScale: 1.25 }),
      }).drawDiagrams(diagrams.slice(0, 1));
      assert.equal(otherFont.svgs.length, 1);
      // Damaged files are misses, not errors.
      const key = kept.keyOf(diagrams[0]?.source ?? "");
      writeFileSync(join(dir, "diagrams", `${key}.json`), "{ not json");
      writeFileSync(join(dir, "diagrams", `${key}.png`), "not a png");
      const third = new PngPainter();
      await new DiagramCache(third, kept).drawDiagrams(diagrams, { png: true });
      assert.deepEqual(third.svgs, [diagrams[0]?.source]);
      assert.equal(third.pngs.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a store that cannot be written to costs only time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-diagrams-"));
    try {
      // The store's folder is taken by a file: every write fails.
      writeFileSync(join(dir, "diagrams"), "");
      const store = new FileDiagramStore(dir);
      const kept = { store, keyOf: (source: string) => drawingKey(source, { font: "Noto Sans", pngScale: 1.25 }) };
      const painter = new PngPainter();
      const drawn = await new DiagramCache(painter, kept).drawDiagrams([{ id: "map", source: "flowchart LR\n  a --> b" }], { png: true });
      assert.ok(drawn.get("map")?.png);
      assert.equal(painter.svgs.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
