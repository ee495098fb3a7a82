// The process map drawn without a browser (src/render/flowchart/): for every built-in playbook and
// for random charts, the layout keeps every box inside its phase, no two boxes overlap, every
// label fits its box, every arrow runs from the border of its source to the border of its target,
// and the SVG is well-formed XML holding every node and edge of the chart.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { clientEdition, parseClientFile } from "../../src/render/client.ts";
import { drawDiagram } from "../../src/render/diagram-cache.ts";
import { diagramsOf } from "../../src/render/document.ts";
import {
  allNodes,
  type FlowCluster,
  type Flowchart,
  type FlowEdge,
  type FlowNode,
  type NodeShape,
} from "../../src/render/flowchart/chart.ts";
import { type Box, layoutFlowchart, type MapLayout, PAD_X, type Point, TEXT } from "../../src/render/flowchart/layout.ts";
import { estimatedMeasure, systemMeasure, type TextMeasure, wrapText } from "../../src/render/flowchart/measure.ts";
import { writeSvg } from "../../src/render/flowchart/svg.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks, UNICODE_CLIENT } from "./support.ts";

const TOLERANCE = 0.5;

function overlap(a: Box, b: Box): boolean {
  return (
    a.x + a.width > b.x + TOLERANCE &&
    b.x + b.width > a.x + TOLERANCE &&
    a.y + a.height > b.y + TOLERANCE &&
    b.y + b.height > a.y + TOLERANCE
  );
}

function inside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x - TOLERANCE &&
    inner.y >= outer.y - TOLERANCE &&
    inner.x + inner.width <= outer.x + outer.width + TOLERANCE &&
    inner.y + inner.height <= outer.y + outer.height + TOLERANCE
  );
}

/** How far out along its own shape a point lies: 1 on the border. */
function borderDistance(box: Box, shape: NodeShape, p: Point): number {
  const dx = Math.abs(p.x - (box.x + box.width / 2)) / (box.width / 2);
  const dy = Math.abs(p.y - (box.y + box.height / 2)) / (box.height / 2);
  return shape === "diamond" ? dx + dy : Math.max(dx, dy);
}

/** Every invariant of a drawn map; the message names the chart's element that breaks it. */
function checkLayout(chart: Flowchart, layout: MapLayout, measure: TextMeasure): void {
  const placed = new Map(layout.nodes.map((n) => [n.id, n]));
  assert.deepEqual(
    [...placed.keys()].sort(),
    allNodes(chart)
      .map((n) => n.id)
      .sort(),
    "every node placed once",
  );
  const whole = { x: 0, y: 0, width: layout.width, height: layout.height };
  const topLevel: Box[] = [];
  for (const node of chart.nodes) topLevel.push(placed.get(node.id) as Box);
  for (const cluster of chart.clusters) {
    const box = layout.clusters.find((c) => c.id === cluster.id);
    assert.ok(box, `${cluster.id} placed`);
    topLevel.push(box);
    assert.ok(inside(box, whole), `${cluster.id} inside the drawing`);
    const members = cluster.nodes.map((n) => placed.get(n.id) as Box & { id: string });
    const titleBottom = box.y + 8 + box.title.length * TEXT.titleLine;
    for (const [i, a] of members.entries()) {
      assert.ok(inside(a, box), `${a.id} inside ${cluster.id}`);
      assert.ok(a.y >= titleBottom - TOLERANCE, `${a.id} below the title of ${cluster.id}`);
      for (const b of members.slice(i + 1)) assert.ok(!overlap(a, b), `${a.id} and ${b.id} overlap`);
    }
  }
  for (let i = 1; i < topLevel.length; i++) {
    const [a, b] = [topLevel[i - 1] as Box, topLevel[i] as Box];
    assert.ok(a.x + a.width <= b.x + TOLERANCE, "top-level items stand left to right");
  }
  for (const node of layout.nodes) {
    assert.ok(inside(node, whole), `${node.id} inside the drawing`);
    const textHeight = node.lines.length * TEXT.line;
    for (const line of node.lines) {
      const width = measure.width(line, TEXT.size);
      if (node.shape === "diamond")
        assert.ok(width / node.width + textHeight / node.height <= 1 + 1e-9, `${node.id}: "${line}" fits its diamond`);
      else assert.ok(width + 2 * PAD_X <= node.width + TOLERANCE || [...line].length === 1, `${node.id}: "${line}" fits its box`);
    }
    assert.ok(textHeight < node.height, `${node.id}: its lines fit its height`);
  }
  const boxes = new Map<string, Box & { shape: NodeShape }>([
    ...layout.nodes.map((n) => [n.id, n] as const),
    ...layout.clusters.map((c) => [c.id, { ...c, shape: "box" as const }] as const),
  ]);
  const edges: FlowEdge[] = [...chart.clusters.flatMap((c) => c.edges), ...chart.edges];
  assert.equal(layout.edges.length, edges.length, "every edge drawn");
  for (const edge of layout.edges) {
    const from = boxes.get(edge.from);
    const to = boxes.get(edge.to);
    assert.ok(from && to, `${edge.from} → ${edge.to} joins placed shapes`);
    const first = edge.points[0] as Point;
    const last = edge.points[edge.points.length - 1] as Point;
    assert.ok(Math.abs(borderDistance(from, from.shape, first) - 1) < 0.01, `${edge.from} → ${edge.to} starts on ${edge.from}'s border`);
    assert.ok(Math.abs(borderDistance(to, to.shape, last) - 1) < 0.01, `${edge.from} → ${edge.to} ends on ${edge.to}'s border`);
    for (const p of edge.points) assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y));
    if (edge.label) {
      for (const node of layout.nodes) assert.ok(!overlap(edge.label, node), `the label of ${edge.from} → ${edge.to} covers ${node.id}`);
    }
  }
}

function checkSvg(chart: Flowchart, svg: string): void {
  assert.equal(XMLValidator.validate(svg), true, "well-formed XML");
  for (const node of allNodes(chart)) assert.ok(svg.includes(`<g class="node" data-id="${node.id}">`), `${node.id} drawn`);
  for (const cluster of chart.clusters) assert.ok(svg.includes(`<g class="cluster" data-id="${cluster.id}">`), `${cluster.id} drawn`);
  const edges = [...chart.clusters.flatMap((c) => c.edges), ...chart.edges];
  assert.equal(svg.match(/<path class="edge"/g)?.length ?? 0, edges.length, "every edge drawn");
  assert.doesNotMatch(svg, /<script|<foreignObject|on\w+=/i, "plain drawing, nothing that runs");
}

describe("the process map drawn in Node", () => {
  test("every built-in playbook, generic and client edition: boxes in their phases, no overlaps, labels fit, arrows on borders", async () => {
    const measure = systemMeasure();
    const parsed = parseClientFile("client.yaml", UNICODE_CLIENT);
    if (!parsed.client) throw new Error(JSON.stringify(parsed.diagnostics));
    const client = parsed.client;
    for (const { file, model } of await builtInPlaybooks()) {
      const { edition } = clientEdition(model, client, "2026-03-02", "client.yaml", parsed.source);
      const editions = [buildSop(model), buildSop(model, edition)];
      for (const doc of editions) {
        for (const block of diagramsOf(doc.blocks)) {
          const layout = layoutFlowchart(block.chart, measure);
          try {
            checkLayout(block.chart, layout, measure);
            checkSvg(block.chart, drawDiagram(block, measure).svg);
          } catch (error) {
            throw new Error(`${file}${doc.edition ? ` (${doc.edition})` : ""}: ${(error as Error).message}`);
          }
        }
      }
    }
  });

  test("text that must be escaped is escaped, and survives as text", () => {
    const chart: Flowchart = {
      spacing: { node: 22, rank: 30, padding: 6 },
      nodes: [{ id: "start", lines: ['<b>"R&D"</b> 株式会社 🟢'], shape: "stadium" }],
      clusters: [],
      edges: [],
      classes: {},
    };
    const { svg } = writeSvg(chart, layoutFlowchart(chart, estimatedMeasure()), { id: "m", title: "A & B <map>" });
    assert.equal(XMLValidator.validate(svg), true);
    for (const text of ["&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;", "株", "🟢"]) assert.ok(svg.includes(text), text);
    assert.ok(svg.includes('<title id="m-title">A &amp; B &lt;map&gt;</title>'));
  });

  test("random charts: the same invariants, with either measure", () => {
    const word = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9.→()]{1,14}$/),
      fc.constantFrom("株式会社テスト", "Παπαδοπούλου", "مريم", "🟢", "Supercalifragilisticexpialidocious-onboarding"),
    );
    const label = fc.array(word, { minLength: 1, maxLength: 12 }).map((words) => words.join(" "));
    const shape = fc.constantFrom<NodeShape>("box", "rounded", "stadium", "subroutine", "diamond");
    const cluster = (c: number) =>
      fc.array(fc.record({ lines: fc.array(label, { minLength: 1, maxLength: 2 }), shape }), { maxLength: 8 }).chain((nodes) => {
        const ids = nodes.map((_, i) => `c${c}n${i}`);
        const edge = () =>
          fc.record({
            from: fc.constantFrom(...ids),
            to: fc.constantFrom(...ids),
            label: fc.option(label, { nil: undefined }),
            dashed: fc.boolean(),
          });
        // An empty phase, loops back, self-loops and repeated edges included.
        return (ids.length > 0 ? fc.array(edge(), { maxLength: 12 }) : fc.constant([])).map(
          (edges): FlowCluster => ({
            id: `ph${c}`,
            label: `Phase ${c + 1}: ${nodes[0]?.lines[0] ?? "nothing yet"}`,
            nodes: nodes.map((n, i): FlowNode => ({ id: ids[i] as string, ...n })),
            edges: edges.map((e) => ({ from: e.from, to: e.to, dashed: e.dashed, ...(e.label ? { label: e.label } : {}) })),
          }),
        );
      });
    const chart = fc
      .integer({ min: 1, max: 4 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, c) => cluster(c))))
      .map(
        (clusters): Flowchart => ({
          spacing: { node: 22, rank: 30, padding: 6 },
          nodes: [{ id: "start", lines: ["Start"], shape: "stadium", className: "terminal" }],
          clusters,
          edges: clusters.map((c, i) => ({ from: i === 0 ? "start" : (clusters[i - 1] as FlowCluster).id, to: c.id })),
          classes: { terminal: { fill: "#1f3a5f", stroke: "#1f3a5f", color: "#ffffff" } },
        }),
      );
    for (const measure of [systemMeasure(), estimatedMeasure()]) {
      fc.assert(
        fc.property(chart, (c) => {
          checkLayout(c, layoutFlowchart(c, measure), measure);
          checkSvg(c, writeSvg(c, layoutFlowchart(c, measure), { id: "m", title: "Map" }).svg);
        }),
        { numRuns: 60 },
      );
    }
  });

  test("wrapping: no line wider than asked unless one character is, and no word lost or split needlessly", () => {
    const measure = estimatedMeasure();
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-zA-Z株式会社]{1,30}$/), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 20, max: 300 }),
        (words, max) => {
          const text = words.join(" ");
          const lines = wrapText(text, max, 16, measure);
          for (const line of lines) assert.ok(measure.width(line, 16) <= max || [...line].length === 1, `"${line}" wider than ${max}`);
          // Joined back, the text is the same but for where lines broke.
          assert.equal(lines.join("").replace(/\s+/g, ""), text.replace(/\s+/g, ""));
          // A word that fits a line is never split across lines.
          for (const word of words) {
            if (/^[a-zA-Z]+$/.test(word) && measure.width(word, 16) <= max)
              assert.ok(
                lines.some((l) => l.split(" ").includes(word)),
                `"${word}" split`,
              );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test("widths come from the font on this machine when it has one of the stack, else from an estimate", () => {
    const measure = systemMeasure();
    assert.ok(["Noto Sans", "DejaVu Sans", "Arial", "estimate"].includes(measure.font), measure.font);
    // Proportional: "W" is wider than "i"; East Asian characters take a full em.
    assert.ok(measure.width("W", 16) > measure.width("i", 16));
    assert.equal(estimatedMeasure().width("株式", 16), 32);
  });
});
