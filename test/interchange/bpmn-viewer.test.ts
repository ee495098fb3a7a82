// "Opens laid out in bpmn.io": every built-in playbook's BPMN export is imported by bpmn.io's own
// viewer (bpmn-js, the library behind bpmn.io and Camunda Modeler) in headless Chromium, with no
// import warning, every task and lane drawn where the diagram interchange puts it, and a picture
// of each kept in test-artifacts/bpmn for a person to look at.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { exportBpmn } from "../../src/interchange/bpmn-export/index.ts";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import { HAVE_CHROMIUM, launchBrowser, skipWithoutChromium } from "../web/support/web.ts";

const require = createRequire(import.meta.url);
const VIEWER = require.resolve("bpmn-js/dist/bpmn-viewer.production.min.js");
const PLAYBOOKS = new URL("../../playbooks/", import.meta.url);
const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts/bpmn");

interface Imported {
  readonly warnings: readonly string[];
  readonly error?: string;
  readonly tasks: number;
  readonly lanes: number;
  readonly drawn: number;
}

let browser: Browser | undefined;
before(async () => {
  if (HAVE_CHROMIUM) browser = await launchBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(() => browser?.close());

describe("the BPMN export in bpmn.io's viewer", () => {
  for (const file of readdirSync(PLAYBOOKS).filter((f) => f.endsWith(".yaml"))) {
    test(`${file} opens without a warning, every task drawn`, async (t) => {
      if (skipWithoutChromium(t)) return;
      const loaded = await loadPlaybookFile(new URL(file, PLAYBOOKS));
      assert.ok(loaded.model, file);
      const { xml } = await exportBpmn(loaded.model);
      const expectedTasks = (xml.match(/<bpmn:userTask /g) ?? []).length;
      const page = await (browser as Browser).newPage({ viewport: { width: 1800, height: 1000 } });
      try {
        await page.setContent(
          '<!doctype html><html><body style="margin:0"><div id="canvas" style="width:1800px;height:1000px"></div></body></html>',
        );
        await page.addScriptTag({ path: VIEWER });
        const imported = await page.evaluate(async (source: string): Promise<Imported> => {
          // biome-ignore lint/suspicious/noExplicitAny: the viewer bundle's global has no types here
          const viewer = new (globalThis as any).BpmnJS({ container: "#canvas" });
          try {
            const result = await viewer.importXML(source);
            viewer.get("canvas").zoom("fit-viewport");
            // biome-ignore lint/suspicious/noExplicitAny: bpmn-js's element registry, untyped in the page
            const elements: any[] = viewer.get("elementRegistry").getAll();
            // Drawn: the viewer made graphics for it (a collapsed loop's tasks are on their sub-process's own plane).
            const registry = viewer.get("elementRegistry");
            const drawn = elements.filter((e) => e.type === "bpmn:UserTask" && e.width > 0 && e.height > 0 && registry.getGraphics(e));
            return {
              // biome-ignore lint/suspicious/noExplicitAny: warnings are plain objects with a message
              warnings: result.warnings.map((w: any) => String(w.message)),
              tasks: elements.filter((e) => e.type === "bpmn:UserTask").length,
              lanes: elements.filter((e) => e.type === "bpmn:Lane").length,
              drawn: drawn.length,
            };
          } catch (error) {
            return { warnings: [], error: String(error), tasks: 0, lanes: 0, drawn: 0 };
          }
        }, xml);
        await page.screenshot({ path: join(ARTIFACTS, file.replace(/\.yaml$/, ".png")) });
        assert.equal(imported.error, undefined);
        assert.deepEqual(imported.warnings, []);
        assert.equal(imported.tasks, expectedTasks, "every user task of the file is a shape in the viewer");
        assert.equal(imported.drawn, expectedTasks, "and drawn on the canvas");
        assert.ok(imported.lanes > 0, "the roles are lanes");
      } finally {
        await page.close();
      }
    });
  }
});
