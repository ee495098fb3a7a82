// What needs a real browser and a real PDF reader: every generated Mermaid diagram parsed by
// mermaid's own parser (its browser bundle in headless Chromium), the HTML opened and
// photographed (test-artifacts/), the PDF printed and read back with pdftotext (page count,
// one job-aid page per phase, every step title, non-Latin names and status symbols).
// Without Chromium or pdftotext these tests skip with a message, except under CI=true.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { type BrowserSession, CHROMIUM_ARGS, DEFAULT_CHROMIUM, launchChromium } from "../../src/render/chromium.ts";
import { clientEdition, parseClientFile } from "../../src/render/client.ts";
import { diagramsOf, headingsOf, plainText, type SopDocument } from "../../src/render/document.ts";
import { allNodes } from "../../src/render/flowchart/chart.ts";
import { renderDocument } from "../../src/render/render.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks, HAVE_CHROMIUM, HAVE_PDFTOTEXT, skipWithout, UNICODE_CLIENT, UNICODE_NAMES } from "./support.ts";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const playbooks = await builtInPlaybooks();
let browser: BrowserSession | undefined;

before(async () => {
  if (HAVE_CHROMIUM) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

function clientDoc(): SopDocument {
  const sop = playbooks.find((p) => p.file === "sop-cs-001.yaml");
  const parsed = parseClientFile("client.yaml", UNICODE_CLIENT);
  if (!sop || !parsed.client) throw new Error("fixture");
  const result = clientEdition(sop.model, parsed.client, "2026-03-02");
  if (!result.edition) throw new Error(JSON.stringify(result.diagnostics));
  return buildSop(sop.model, result.edition);
}

const normalize = (s: string) => s.replace(/\s+/g, " ");

/** The part of mermaid's API (its browser bundle) that reads a flowchart back. */
interface MermaidApi {
  parse(text: string): Promise<unknown>;
  mermaidAPI: {
    getDiagramFromText(text: string): Promise<{
      db: {
        getVertices(): Map<string, { id: string; text: string; type: string; classes: string[] }>;
        getEdges(): { start: string; end: string; text: string; stroke: string }[];
        getSubGraphs(): { id: string; title: string; nodes: string[] }[];
      };
    }>;
  };
}

const mermaidBrowserBundle = () => readFileSync(createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js"), "utf8");

/** pdftotext's text per page (pages end with a form feed). */
function pdfPages(pdf: Uint8Array): string[] {
  const dir = mkdtempSync(join(tmpdir(), "onboard-pdf-"));
  const file = join(dir, "sop.pdf");
  writeFileSync(file, pdf);
  const result = spawnSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split("\f").slice(0, -1);
}

describe("Mermaid, parsed by mermaid itself", () => {
  test("every diagram of every playbook, generic and client edition", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
    const docs = [...playbooks.map((p) => ({ name: p.file, doc: buildSop(p.model) })), { name: "client edition", doc: clientDoc() }];
    for (const { name, doc } of docs) {
      const diagrams = diagramsOf(doc.blocks);
      assert.ok(diagrams.length > 0, name);
      const errors = await browser?.parseMermaid(diagrams.map((d) => d.source));
      assert.deepEqual(
        errors,
        diagrams.map(() => undefined),
        `${name}: mermaid rejected a diagram`,
      );
    }
  });

  test("the Mermaid text says what the drawn map shows: the same nodes, shapes, classes, phases and arrows", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
    const parser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await parser.newPage();
      await page.addScriptTag({ content: mermaidBrowserBundle() });
      const docs = [...playbooks.map((p) => ({ name: p.file, doc: buildSop(p.model) })), { name: "client edition", doc: clientDoc() }];
      for (const { name, doc } of docs) {
        for (const { chart, source } of diagramsOf(doc.blocks)) {
          const parsed = await page.evaluate(async (text) => {
            const { mermaid } = globalThis as unknown as { mermaid: MermaidApi };
            // parse() loads the flowchart's parser (diagrams load lazily) and checks the text.
            await mermaid.parse(text);
            const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
            return {
              nodes: [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text, type: v.type, classes: [...v.classes] })),
              edges: db.getEdges().map((e) => ({ from: e.start, to: e.end, text: e.text, dashed: e.stroke === "dotted" })),
              clusters: db.getSubGraphs().map((g) => ({ id: g.id, title: g.title, nodes: [...g.nodes] })),
            };
          }, source);
          const SHAPES: Record<string, string> = {
            box: "square",
            rounded: "round",
            stadium: "stadium",
            subroutine: "subroutine",
            diamond: "diamond",
          };
          const decode = (text: string) =>
            text
              .replace(/#quot;/g, '"')
              .replace(/#lt;/g, "<")
              .replace(/#gt;/g, ">")
              .replace(/#35;/g, "#")
              .replace(/<br\s*\/?>/g, "<br>");
          const drawnNodes = allNodes(chart).map((n) => ({
            id: n.id,
            text: n.lines.join("<br>"),
            type: SHAPES[n.shape],
            classes: n.className ? [n.className] : [],
          }));
          const parsedNodes = parsed.nodes
            .filter((n) => !chart.clusters.some((c) => c.id === n.id))
            .map((n) => ({ ...n, text: decode(n.text) }));
          const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
          assert.deepEqual(parsedNodes.sort(byId), drawnNodes.sort(byId), `${name}: nodes`);
          const drawnEdges = [...chart.clusters.flatMap((c) => c.edges), ...chart.edges].map((e) => ({
            from: e.from,
            to: e.to,
            text: e.label ?? "",
            dashed: e.dashed === true,
          }));
          assert.deepEqual(
            parsed.edges.map((e) => ({ ...e, text: decode(e.text) })),
            drawnEdges,
            `${name}: arrows, in the order they are written`,
          );
          assert.deepEqual(
            parsed.clusters.map((c) => ({ id: c.id, title: decode(c.title), nodes: [...c.nodes].sort() })).sort(byId),
            chart.clusters.map((c) => ({ id: c.id, title: c.label, nodes: c.nodes.map((n) => n.id).sort() })).sort(byId),
            `${name}: phases`,
          );
        }
      }
    } finally {
      await parser.close();
    }
  });

  test("a broken diagram is rejected (the parser really parses)", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
    const [error] = (await browser?.parseMermaid(["flowchart LR\n  a[unclosed --> b"])) ?? [];
    assert.ok(error, "mermaid accepted a broken diagram");
  });
});

describe("HTML in headless Chromium", () => {
  test("every playbook renders, the map is drawn as SVG, and a screenshot is taken", async (t) => {
    if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
    if (!browser) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const { file, model } of playbooks) {
      const { output } = await renderDocument(buildSop(model), "html", browser);
      assert.equal(typeof output, "string");
      const html = output as string;
      assert.match(html, /<figure class="diagram" id="process-map"[^>]*><svg/, `${file}: the process map is drawn`);
      assert.doesNotMatch(html, /<script/, `${file}: a pre-drawn document needs no script`);
      const name = file.replace(/\.yaml$/, "");
      writeFileSync(join(ARTIFACTS, `${name}.html`), html);
      const first = await browser.screenshot(html);
      const map = await browser.screenshot(html, { width: 1400, selector: "#process-map" });
      assert.ok(first.byteLength > 10_000 && map.byteLength > 10_000, `${file}: screenshots are not blank`);
      writeFileSync(join(ARTIFACTS, `${name}.png`), first);
      writeFileSync(join(ARTIFACTS, `${name}-process-map.png`), map);
    }
  });
});

describe("PDF printed by Chromium, read by pdftotext", () => {
  const cases = [
    ...playbooks.map((p) => ({ name: p.file.replace(/\.yaml$/, ""), doc: () => buildSop(p.model) })),
    { name: "client-edition", doc: clientDoc },
  ];
  for (const { name, doc: make } of cases) {
    test(name, async (t) => {
      if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
      if (skipWithout(t, HAVE_PDFTOTEXT, "pdftotext not installed: Debian package poppler-utils")) return;
      const doc = make();
      const { output } = await renderDocument(doc, "pdf", browser);
      assert.ok(output instanceof Uint8Array);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `${name}.pdf`), output);
      const pages = pdfPages(output);
      // The page count the footer prints ("Page N of M") is the number of pages the file has.
      const total = /Page 1 of (\d+)/.exec(pages[0] ?? "")?.[1];
      assert.equal(Number(total), pages.length, "footer page count");
      // One job-aid page per phase, each fitting its page (its sign-off line is on the same page).
      const phases = headingsOf(doc.blocks).filter((h) => h.id.startsWith("job-aid-") && !h.id.startsWith("job-aid-page"));
      for (const heading of phases) {
        const title = plainText(heading.text);
        const on = pages.filter((p) => normalize(p).includes(title));
        assert.equal(on.length, 1, `"${title}" is on exactly one page`);
        assert.match(on[0] ?? "", /Completed by:/, `"${title}" fits on its page`);
      }
      const minimum = 3 + phases.length + 2; // front matter and procedure, job aid, process map and swimlane
      assert.ok(pages.length >= minimum, `${pages.length} pages, expected at least ${minimum}`);
      const text = normalize(pages.join(" "));
      const steps = headingsOf(doc.blocks).filter((h) => h.level === 4 && h.id.startsWith("step-"));
      assert.ok(steps.length > 0);
      for (const step of steps)
        assert.ok(text.includes(normalize(`${step.number} ${plainText(step.text)}`)), `step "${plainText(step.text)}" is in the PDF text`);
      if (name === "client-edition") for (const symbol of UNICODE_NAMES) assert.ok(text.includes(symbol), `the PDF lost ${symbol}`);
    });
  }
});
