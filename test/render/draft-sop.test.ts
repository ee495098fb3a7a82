// A draft playbook's SOP: its quality findings are listed under the document control, a phase
// without a window is printed without one, and a diff names a window that was removed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { clientEdition, parseClientFile } from "../../src/render/client.ts";
import { diffPlaybooks } from "../../src/render/diff.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { modelOf } from "../support/engine.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";

const FAITHFUL = readFileSync(new URL("../fixtures/faithful.yaml", import.meta.url), "utf8");

describe("the SOP of a draft", () => {
  test("lists the quality findings after the document control, before the contents", () => {
    const md = writeMarkdown(buildSop(modelOf(FAITHFUL)));
    const control = md.indexOf("## Document Control");
    const findings = md.indexOf("**Quality findings**");
    const contents = md.indexOf("## Contents");
    assert.ok(control < findings && findings < contents, md.slice(0, 2000));
    assert.match(md, /does not yet meet the SOP quality checklist \(6 findings\)/);
    assert.match(md, /The playbook defines no KPIs\. Fix: add kpis:/);
  });

  test("a playbook that passes strict has no quality findings", () => {
    assert.doesNotMatch(writeMarkdown(buildSop(modelOf(MINIMAL))), /Quality findings/);
  });

  test("a phase without a window: no window in its heading or the table, no phase deadline for its steps", () => {
    const md = writeMarkdown(buildSop(modelOf(FAITHFUL)));
    assert.match(md, /^### Phase 1: Intake$/m);
    assert.match(md, /^\| Phase 1: Intake \| — \| 6\.1–6\.2 \| — \|$/m);
    assert.doesNotMatch(md, /by the end of the phase/);
  });

  test("a diff names a removed window", () => {
    const without = edited([[["phases", 1, "window"], undefined]]);
    const diff = diffPlaybooks(modelOf(MINIMAL), modelOf(without));
    assert.ok(diff.other.includes("Phase window of Implementation: Days 11-45 → no window"), JSON.stringify(diff.other));
  });

  test("a client's edition plans a playbook whose phases have no window", () => {
    const parsed = parseClientFile("client.yaml", "client: { name: Acme, time_zone: Europe/Berlin, country: DE, start: 2026-03-02 }\n");
    assert.ok(parsed.client, JSON.stringify(parsed.diagnostics));
    const result = clientEdition(modelOf(FAITHFUL), parsed.client, "2026-03-02", "client.yaml", parsed.source);
    assert.ok(result.edition, JSON.stringify(result.diagnostics));
    const md = writeMarkdown(buildSop(modelOf(FAITHFUL), result.edition));
    assert.match(md, /^### Phase 1: Intake$/m);
    assert.match(md, /\| Client edition \| Acme \|/);
  });
});
