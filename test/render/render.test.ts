// The SOP document from every built-in playbook, in the formats that need no browser: the
// document's parts, Word read back with a real reader (mammoth), the RACI check, placeholders,
// and a client edition (conditional parts resolved, dates on the client's business calendar).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import mammoth from "mammoth";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { clientEdition, parseClientFile } from "../../src/render/client.ts";
import { diagramsOf, headingsOf, plainText, type SopDocument } from "../../src/render/document.ts";
import { writeDocx } from "../../src/render/docx.ts";
import { layoutFlowchart } from "../../src/render/flowchart/layout.ts";
import { estimatedMeasure } from "../../src/render/flowchart/measure.ts";
import { writeHtml } from "../../src/render/html.ts";
import { escapeMarkdown, writeMarkdown } from "../../src/render/markdown.ts";
import { Placeholders } from "../../src/render/placeholders.ts";
import { renderDocument } from "../../src/render/render.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { BuildContext } from "../../src/render/sop/context.ts";
import { genericEdition } from "../../src/render/sop/edition.ts";
import { abbreviations, raciMatrix } from "../../src/render/sop/raci.ts";
import { edited, MINIMAL } from "../support/fixtures.ts";
import { builtInPlaybooks, UNICODE_CLIENT, UNICODE_NAMES } from "./support.ts";

const playbooks = await builtInPlaybooks();

function stepHeadings(doc: SopDocument): string[] {
  return headingsOf(doc.blocks)
    .filter((h) => h.level === 4 && h.id.startsWith("step-"))
    .map((h) => `${h.number} ${plainText(h.text)}`);
}

function model(text: string) {
  const loaded = loadPlaybook("playbook.yaml", text);
  if (!loaded.model) throw new Error(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join("\n"));
  return loaded.model;
}

describe("the SOP of every built-in playbook", () => {
  for (const { file, model: m } of playbooks) {
    describe(file, () => {
      const doc = buildSop(m);
      test("has the seed-002 sections in order, the procedure as section 6 with steps 6.1, 6.2 ...", () => {
        const sections = headingsOf(doc.blocks)
          .filter((h) => h.level === 2 && h.number)
          .map((h) => `${h.number} ${plainText(h.text)}`);
        assert.deepEqual(sections.slice(0, 6), [
          "1. Purpose",
          "2. Scope",
          "3. Responsibilities",
          "4. Definitions",
          "5. Prerequisites",
          "6. Procedure",
        ]);
        for (const required of [
          "Quality Controls",
          "Exception Handling",
          "Key Performance Indicators",
          "References",
          "Revision History",
          "Approval",
        ]) {
          assert.ok(
            sections.some((s) => s.endsWith(required)),
            `${required} missing from ${sections.join(", ")}`,
          );
        }
        for (const support of ["RACI Matrix", "Process Map", "Swimlane View by Role", "Checklist Job Aid"]) {
          assert.ok(
            sections.some((s) => s.endsWith(support)),
            `${support} missing`,
          );
        }
        const steps = stepHeadings(doc);
        // A called procedure is written once, in its own section ("4.3.1 ..."), however often it is called.
        const called = new Set(m.playbook.calls.flatMap((c) => c.steps));
        const firstCalls = [...new Map(m.playbook.calls.filter((c) => c.parent === undefined).map((c) => [c.procedure, c])).values()];
        const written = m.order.filter((e) => !called.has(e.step.id)).length + firstCalls.reduce((n, c) => n + c.steps.length, 0);
        assert.equal(steps.length, written, "every step is in the procedure");
        assert.match(steps[0] ?? "", /^6\.1 /);
        for (const s of steps.filter((s) => !/^\d+\.\d+\.\d+ /.test(s) || s.startsWith("6."))) assert.match(s, /^6\.\d+(\.\d+)* \S/);
      });

      test("has one job-aid page per phase", () => {
        const pages = doc.blocks.filter((b) => b.kind === "page" && b.id.startsWith("job-aid-page-"));
        assert.equal(pages.length, m.playbook.phases.length);
      });

      test("every RACI activity has exactly one Accountable role", () => {
        const matrix = raciMatrix(new BuildContext(m, genericEdition(m.playbook)));
        assert.deepEqual(matrix.problems, []);
        for (const row of matrix.rows) assert.equal([...row.cells.values()].filter((c) => c === "A" || c === "A/R").length, 1, row.title);
      });

      test("Markdown: GFM tables, Mermaid in fenced blocks, every step title", () => {
        const md = writeMarkdown(doc);
        assert.match(md, /^```mermaid\nflowchart LR$|^---\nconfig:/m);
        assert.ok(md.includes("```mermaid\n---\nconfig:"), "the process map is a fenced mermaid block");
        assert.match(md, /^\| Activity \|/m);
        for (const s of stepHeadings(doc)) assert.ok(md.includes(`#### ${escapeMarkdown(s)}`), s);
      });

      test("HTML: standalone, print stylesheet, the map drawn without a browser, no scripts", async () => {
        const { output, findings } = await renderDocument(doc, "html");
        const html = String(output);
        assert.match(html, /^<!DOCTYPE html>/);
        assert.match(html, /@page \{ size: A4/);
        assert.match(html, /<figure class="diagram" id="process-map"[^>]*><svg [^>]*class="flowchart"/);
        assert.doesNotMatch(html, /<script|<link /, "nothing is fetched or run");
        assert.deepEqual(findings, doc.findings, "drawing the map needs no browser, so nothing is reported");
      });

      test("Word: real headings, tables and lists, read back by mammoth", async () => {
        const bytes = await writeDocx(doc);
        const { value: html } = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
        assert.match(html, /<h1>.*Customer Onboarding|<h1>/);
        assert.match(html, /<h2>[^<]*6\. Procedure<\/h2>|<h2><a id="[^"]+"><\/a>6\. Procedure<\/h2>/);
        const h4 = [...html.matchAll(/<h4>(?:<a id="[^"]*"><\/a>)?(.*?)<\/h4>/g)].map((x) => (x[1] ?? "").replace(/<[^>]+>/g, ""));
        const decode = (s: string) =>
          s
            .replace(/&amp;/g, "&")
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"');
        for (const s of stepHeadings(doc)) assert.ok(h4.map(decode).includes(s), `no Heading 4 "${s}"`);
        assert.ok((html.match(/<table>/g) ?? []).length >= 8, "document control, roles, phases, RACI ... are tables");
        assert.match(html, /<th><p><strong>Activity<\/strong><\/p><\/th>/, "the RACI matrix is a table with a header row");
        assert.match(html, /<ol><li>|<ul><li>/, "lists are Word lists");
      });
    });
  }
});

describe("placeholders", () => {
  test("are filled from values, and a missing parameter stays visible and is reported", () => {
    const fill = new Placeholders({ company_name: "Acme", n: 5 }, ["company_name", "n", "approver"]);
    assert.deepEqual(fill.rich("{{company_name}} in {{ n }} days, signed {{approver}}"), [
      { kind: "text", text: "Acme in 5 days, signed " },
      { kind: "missing", name: "approver" },
    ]);
    assert.equal(fill.plain("by {{approver}} for {{client.name}}"), "by «approver» for «client.name»");
    assert.deepEqual(fill.missing(), ["approver"], "runtime values are not reported as missing parameters");
  });

  test("never run anything: a placeholder is a name looked up in a table", () => {
    const fill = new Placeholders({}, []);
    for (const evil of ["{{constructor}}", "{{__proto__}}", "{{toString}}", "{{process.exit(1)}}", "{{ 7*7 }}"]) {
      const out = fill.plain(evil);
      assert.match(out, /^«.*»$/, evil);
    }
  });

  test("the minimal playbook's {{company_name}} takes its default; without one it is «marked» in every format", async () => {
    const m = model(edited([[["parameters", "company_name", "default"], undefined]]));
    const doc = buildSop(m);
    assert.ok(doc.findings.some((f) => f.code === "placeholder/missing" && f.message.includes("company_name")));
    assert.match(writeMarkdown(doc), /«company\\_name»/);
    assert.match(writeHtml(doc), /<mark class="missing"[^>]*>«company_name»<\/mark>/);
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(await writeDocx(doc)) });
    assert.match(value, /«company_name»/);
    assert.match(writeMarkdown(buildSop(model(MINIMAL))), /Sales hands over to Acme customer success/);
  });
});

describe("RACI", () => {
  test("an activity without exactly one A is flagged", () => {
    const m = model(MINIMAL);
    const ctx = new BuildContext(m, genericEdition(m.playbook));
    const matrix = raciMatrix(ctx);
    assert.deepEqual(matrix.problems, []);
    assert.equal(matrix.rows.find((r) => r.id === "handoff")?.cells.get("ae"), "A/R");
  });
  test("role abbreviations are short and unique", () => {
    assert.deepEqual(
      abbreviations([
        "Customer Success Manager",
        "Account Executive",
        "Customer Security Officer",
        "Customer Success Operations",
        "CS Leadership (CS Director)",
      ]),
      ["CSM", "AE", "CSOf", "CSOp", "CSL"],
    );
  });
});

describe("a client edition", () => {
  const sop = playbooks.find((p) => p.file === "sop-cs-001.yaml");
  if (!sop) throw new Error("sop-cs-001.yaml missing");
  const edition = (yaml: string) => {
    const parsed = parseClientFile("client.yaml", yaml);
    assert.ok(parsed.client, JSON.stringify(parsed.diagnostics));
    const result = clientEdition(sop.model, parsed.client, "2026-03-02", "client.yaml", parsed.source);
    assert.ok(result.edition, JSON.stringify(result.diagnostics));
    return result.edition;
  };

  test("keeps the SOC 2 addendum only where it applies", () => {
    const soc2 = buildSop(sop.model, edition(UNICODE_CLIENT));
    const plain = buildSop(sop.model, edition(UNICODE_CLIENT.replace("soc2_required: true", "soc2_required: false")));
    const titles = (d: SopDocument) => headingsOf(d.blocks).map((h) => plainText(h.text));
    assert.ok(titles(soc2).includes("SOC 2 Compliance Addendum"));
    assert.ok(!titles(plain).includes("SOC 2 Compliance Addendum"));
    assert.ok(stepHeadings(soc2).some((s) => s.includes("Security team review")));
    assert.ok(!stepHeadings(plain).some((s) => s.includes("Security team review")));
    assert.ok(!stepHeadings(plain).some((s) => s.includes("Data Migration")), "data migration does not apply either");
    assert.doesNotMatch(writeMarkdown(plain), /Applies only where/, "no condition is left for the reader to resolve");
  });

  test("fills parameters and names, in every script", async () => {
    const doc = buildSop(sop.model, edition(UNICODE_CLIENT));
    assert.deepEqual(doc.findings, []);
    const md = writeMarkdown(doc);
    const html = writeHtml(doc);
    const { value: docx } = await mammoth.extractRawText({ buffer: Buffer.from(await writeDocx(doc)) });
    for (const name of UNICODE_NAMES) {
      assert.ok(md.includes(name), `markdown lost ${name}`);
      assert.ok(html.includes(name), `html lost ${name}`);
      assert.ok(docx.includes(name), `docx lost ${name}`);
    }
  });

  test("plans dates on the client's business calendar (public holidays move the deadlines)", () => {
    // Japan's Golden Week: 3 May 2026 is a Sunday, 4-5 May are holidays and 6 May a substitute
    // holiday, so Phase 1 ("Days 1-2" from Friday 1 May) ends on Thursday 7 May, and so does 6.3,
    // due with its phase; 6.1 ("24 hours", calendar time) is due on Saturday 2 May.
    const doc = buildSop(sop.model, edition(UNICODE_CLIENT.replace("start: 2026-04-01", "start: 2026-05-01")));
    const md = writeMarkdown(doc);
    assert.match(md, /\| Planned start \| Fri 1 May 2026 \|/);
    assert.match(md, /### Phase 1: Handoff and Assignment \(Days 1–2: Sat 2 May 2026 – Thu 7 May 2026\)/);
    const step = (n: string) => md.split(`#### ${n} `)[1]?.split("####")[0] ?? "";
    assert.match(step("6.1"), /\*\*Planned:\*\* due Sat 2 May 2026, 09:00/);
    assert.match(step("6.3"), /\*\*Planned:\*\* due Thu 7 May 2026, 17:00/);
    assert.match(md, /Asia\/Tokyo, public holidays of JP/);
  });

  test("errors in the client file are located like the loader's", () => {
    const parsed = parseClientFile("client.yaml", "client:\n  name: X\n  time_zon: Europe/Paris\n");
    assert.deepEqual(
      parsed.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`),
      ['2:3 "time_zone" is required', '3:3 unknown key "time_zon" (did you mean "time_zone"?)'],
    );
    const wrongFact = parseClientFile("client.yaml", "client:\n  name: X\n  time_zone: Europe/Paris\nfacts:\n  user_count: many\n");
    assert.ok(wrongFact.client);
    const result = clientEdition(sop.model, wrongFact.client, "2026-03-02", "client.yaml", wrongFact.source);
    assert.equal(result.edition, undefined);
    assert.deepEqual(
      result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
      ['client.yaml:5:15 fact "user_count" must be a whole number'],
    );
  });
});

describe("diagrams", () => {
  test("every playbook has its process map, with a subgraph per phase and diamonds with labelled branches", () => {
    for (const { file, model: m } of playbooks) {
      const [map] = diagramsOf(buildSop(m).blocks);
      assert.ok(map, file);
      const subgraphs = map.source.match(/^ {2}subgraph /gm) ?? [];
      assert.equal(subgraphs.length, m.playbook.phases.length, file);
      // A call is one box on the map: the decisions inside the procedure it carries out are not drawn there.
      const called = new Set(m.playbook.calls.flatMap((c) => c.steps));
      const decisions = m.order.filter((e) => e.step.decision && !called.has(e.step.id)).length;
      assert.equal((map.source.match(/^ {4}d_\w+\{"/gm) ?? []).length, decisions, file);
      if (decisions > 0) assert.match(map.source, /d_\w+ -->\|"[^"]+"\| /, file);
    }
  });

  test("a map too big to read on paper gets a page per phase in HTML and PDF; Markdown and Word keep the whole map", async () => {
    let withDetails = 0;
    for (const { file, model: m } of playbooks) {
      const doc = buildSop(m);
      const [whole, ...phases] = diagramsOf(doc.blocks);
      assert.ok(whole, file);
      const layout = layoutFlowchart(whole.chart, estimatedMeasure());
      const scale = Math.min(1, 1032 / layout.width, 642 / layout.height);
      if (scale >= 0.5) {
        assert.deepEqual(phases, [], `${file}: legible whole at ${scale.toFixed(2)}, no phase pages`);
        continue;
      }
      withDetails++;
      // One page per phase, each the phase's part of the whole map, nothing added or lost.
      assert.deepEqual(
        phases.map((p) => p.chart.clusters),
        whole.chart.clusters.map((c) => [c]),
        `${file}: a page per phase`,
      );
      for (const p of phases) assert.deepEqual([p.chart.nodes, p.chart.edges], [[], []], file);
      const html = String((await renderDocument(doc, "html")).output);
      for (const p of phases) assert.match(html, new RegExp(`<figure class="diagram" id="${p.id}"[^>]*><svg `), `${file}: ${p.id} drawn`);
      assert.equal(writeMarkdown(doc).match(/```mermaid/g)?.length, 1, `${file}: Markdown has the whole map only`);
      assert.deepEqual(
        diagramsOf(doc.blocks, { details: false }).map((d) => d.id),
        ["process-map"],
        `${file}: Word pictures the whole map only`,
      );
    }
    assert.ok(withDetails >= 2, "the big built-in maps get phase pages");
  });
});
