// Markdown in step text, in every SOP format: a step description with three links, a list and
// emphasis gives real links in the HTML (parsed by Chromium), in Word (w:hyperlink with external
// relationships), in the PDF (link annotations) and in the Markdown; a script tag, raw HTML and a
// javascript: link are shown as text or dropped in all of them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type Browser, chromium } from "playwright-core";
import { loadPlaybook } from "../../src/playbook/load.ts";
import { type BrowserSession, CHROMIUM_ARGS, DEFAULT_CHROMIUM, launchChromium } from "../../src/render/chromium.ts";
import { headingsOf, plainText } from "../../src/render/document.ts";
import { writeDocx } from "../../src/render/docx.ts";
import { writeHtml } from "../../src/render/html.ts";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { renderDocument } from "../../src/render/render.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { BuildContext } from "../../src/render/sop/context.ts";
import { genericEdition } from "../../src/render/sop/edition.ts";
import { edited } from "../support/fixtures.ts";
import { unzipText } from "../support/zip.ts";
import { HAVE_CHROMIUM, skipWithout } from "./support.ts";

const LINKS = ["https://example.com/guide", "https://cal.example.com/csm", "mailto:team@example.com"];

const DESCRIPTION = [
  "Read the [onboarding guide](https://example.com/guide) and **confirm** the *scope* with {{company_name}}.",
  "",
  "- Book the call at <https://cal.example.com/csm>",
  "- Mail [the team](mailto:team@example.com) the `SSO` details",
  "",
  "<script>alert('x')</script> <img src=x onerror=alert(1)> [do not click](javascript:alert(1))",
].join("\n");

const text = edited([
  [["phases", 0, "steps", 0, "description"], DESCRIPTION],
  [["phases", 0, "steps", 0, "expected_result"], "The CSM has the [handoff notes](https://example.com/notes)."],
  [["phases", 0, "steps", 0, "checklist"], ["Check the [contract](https://example.com/contract)"]],
  [["purpose"], "Bring a new client live, as the [policy](https://example.com/policy) says."],
]);
const loaded = loadPlaybook("prose.yaml", text);
if (!loaded.model) throw new Error(loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join("\n"));
const doc = buildSop(loaded.model);

describe("Markdown in step text, in every SOP format", () => {
  test("the document model: the description as a paragraph, a list and a paragraph; links, emphasis and code as runs", () => {
    const heading = headingsOf(doc.blocks).find((h) => h.id === "step-handoff");
    assert.ok(heading);
    const at = doc.blocks.indexOf(heading);
    const after = doc.blocks.slice(at + 2, at + 5);
    assert.deepEqual(
      after.map((b) => b.kind),
      ["paragraph", "list", "paragraph"],
    );
    const [first, list, last] = after;
    assert.ok(first?.kind === "paragraph" && list?.kind === "list" && last?.kind === "paragraph");
    assert.deepEqual(
      first.text.filter((r) => r.kind === "text" && r.style).map((r) => (r.kind === "text" ? [r.style, r.text] : [])),
      [
        ["strong", "confirm"],
        ["em", "scope"],
      ],
    );
    assert.match(plainText(first.text), /with Acme\.$/, "placeholders are filled inside Markdown text");
    assert.equal(list.style, "bullet");
    assert.ok(list.items[1]?.text.some((r) => r.kind === "text" && r.style === "code" && r.text === "SSO"));
    assert.equal(plainText(last.text), "<script>alert('x')</script> <img src=x onerror=alert(1)> do not click");
    assert.ok(!last.text.some((r) => r.kind === "link"));
  });

  test("Markdown: links kept as Markdown links, HTML escaped, the javascript: address gone", () => {
    const md = writeMarkdown(doc);
    assert.match(md, /\[onboarding guide\]\(https:\/\/example\.com\/guide\)/);
    assert.match(md, /\*\*confirm\*\* the \*scope\*/);
    assert.match(md, /^- Book the call at \[https:\/\/cal\.example\.com\/csm\]\(https:\/\/cal\.example\.com\/csm\)$/m);
    assert.match(md, /\[the team\]\(mailto:team@example\.com\)/);
    assert.match(md, /\\<script\\>alert/, "the script tag is escaped text");
    assert.doesNotMatch(md, /javascript:/);
    assert.match(md, /\[handoff notes\]\(https:\/\/example\.com\/notes\)/, "expected results carry links");
    assert.match(md, /\[contract\]\(https:\/\/example\.com\/contract\)/, "checklist items carry links");
    assert.match(md, /\[policy\]\(https:\/\/example\.com\/policy\)/, "the purpose carries links");
  });

  test("Word: each link is a w:hyperlink whose relationship is the external address; no javascript: anywhere", async () => {
    const files = unzipText(await writeDocx(doc));
    const body = files.get("word/document.xml") ?? "";
    const rels = files.get("word/_rels/document.xml.rels") ?? "";
    const targets = new Map<string, string>();
    for (const m of rels.matchAll(/<Relationship ([^>]*)\/>/g)) {
      const attrs = m[1] ?? "";
      const id = attrs.match(/Id="([^"]+)"/)?.[1];
      const target = attrs.match(/Target="([^"]+)"/)?.[1];
      if (id && target && /TargetMode="External"/.test(attrs)) targets.set(id, target.replace(/&amp;/g, "&"));
    }
    const linked = [...body.matchAll(/<w:hyperlink [^>]*r:id="([^"]+)"[^>]*>(.*?)<\/w:hyperlink>/g)].map((m) => ({
      href: targets.get(m[1] ?? ""),
      text: [...(m[2] ?? "").matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(""),
    }));
    for (const href of LINKS)
      assert.ok(
        linked.some((l) => l.href === href),
        `no hyperlink to ${href} in ${JSON.stringify(linked)}`,
      );
    assert.ok(linked.some((l) => l.href === "https://example.com/guide" && l.text === "onboarding guide"));
    assert.doesNotMatch(body + rels, /javascript:/);
    assert.match(body, /&lt;script&gt;alert/, "the script tag is text in the document");
  });

  test("template bodies (full Markdown) keep only http, https and mailto links too, in Markdown output as well", () => {
    const withTemplate = edited([
      [
        ["templates"],
        {
          "EMAIL-CS-009": {
            title: "Welcome",
            kind: "email",
            body: "Hi! [Start here](https://example.com/start) or [not this](javascript:alert(1)).",
          },
        },
      ],
    ]);
    const m = loadPlaybook("template.yaml", withTemplate).model;
    assert.ok(m);
    const md = writeMarkdown(buildSop(m));
    assert.match(md, /\[Start here\]\(https:\/\/example\.com\/start\)/);
    assert.match(md, /or not this\./);
    assert.doesNotMatch(md, /javascript:/);
  });

  test("Markdown: a link whose address runs into a javascript: link stays one link (its parentheses encoded)", () => {
    const model = loaded.model;
    assert.ok(model);
    // Found by the property below (seed -339524947): the address's ")" ended the link early, and
    // the rest of it was read as a javascript: link of its own.
    const ctx = new BuildContext(model, genericEdition(model.playbook));
    const source = "\\[b](https://example.com/x)[a](javascript:alert(1))";
    const blocks = [...ctx.prose(source)];
    const md = writeMarkdown({ title: "t", documentId: "d", version: "1", classification: "internal", owner: "o", blocks, findings: [] });
    const links = [...md.matchAll(/(?<!\\)\]\(([^)]*)\)/g)].map((m) => m[1]);
    assert.ok(links.length > 0, md);
    for (const href of links) assert.match(href ?? "", /^https:\/\/example\.com\/x/, md);
    assert.doesNotMatch(md, /(?<!\\)\]\(javascript:/i);
  });

  test("property: no step text, however hostile, puts an element or a link other than http/https/mailto in the HTML or Markdown", () => {
    const model = loaded.model;
    assert.ok(model);
    const fragment = fc.oneof(
      fc.string(),
      fc.constantFrom(
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "[a](javascript:alert(1))",
        "[b](https://example.com/x)",
        "[c]({{company_name}})",
        "<javascript:alert(1)>",
        "<https://example.com>",
        "[d](data:text/html,<script>)",
        "**",
        "*",
        "`",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        '"',
        "'",
        "&",
        "](",
        ")",
        "[",
      ),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 10 }), (parts) => {
        const ctx = new BuildContext(model, genericEdition(model.playbook));
        const source = parts.join("");
        const blocks = [...ctx.prose(source), { kind: "paragraph" as const, text: ctx.proseInline(source) }];
        const html = writeHtml({ title: "t", documentId: "d", version: "1", classification: "internal", owner: "o", blocks, findings: [] });
        const body = html.slice(html.indexOf("<article"));
        for (const tag of body.matchAll(/<([a-z][a-z0-9]*)\b/gi))
          assert.ok(
            ["article", "p", "ul", "ol", "li", "strong", "em", "code", "a", "br", "mark", "div"].includes(tag[1] ?? ""),
            `<${tag[1]}> from ${JSON.stringify(source)}`,
          );
        for (const href of body.matchAll(/href="([^"]*)"/g)) assert.match(href[1] ?? "", /^(https?:\/\/|mailto:)/i);
        const md = writeMarkdown({
          title: "t",
          documentId: "d",
          version: "1",
          classification: "internal",
          owner: "o",
          blocks,
          findings: [],
        });
        // Code spans are code, never links: only what is outside them can link. An escaped backtick
        // (\`) opens no code span (CommonMark 6.1), so it must not pair with the next one here either.
        for (const link of md.replace(/(?<!\\)(`+)[\s\S]*?\1/g, "").matchAll(/(?<!\\)\]\(([^)]*)\)/g))
          assert.match(link[1] ?? "", /^(https?:\/\/|mailto:)/i, md);
      }),
      { numRuns: 300 },
    );
  });

  describe("in a browser", () => {
    let browser: Browser | undefined;
    let session: BrowserSession | undefined;
    before(async () => {
      if (!HAVE_CHROMIUM) return;
      browser = await chromium.launch({ executablePath: DEFAULT_CHROMIUM, args: CHROMIUM_ARGS });
      session = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await session?.close();
    });

    test("HTML, parsed by Chromium: real <a href> links in the step, no script element, the hostile text shown as text", async (t) => {
      if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
      const page = await (browser as Browser).newPage();
      await page.setContent(writeHtml(doc));
      // A string, run in the page: this file is type-checked without the DOM's types.
      const found = (await page.evaluate(`(() => {
        const heading = document.getElementById("step-handoff");
        const anchors = [];
        let text = "";
        // The step's content: everything after its heading, up to the next step heading.
        for (let node = heading?.nextElementSibling; node && !node.id.startsWith("step-"); node = node.nextElementSibling) {
          text += (node.textContent ?? "") + "\\n";
          for (const a of node.querySelectorAll("a")) anchors.push({ href: a.getAttribute("href") ?? "", text: a.textContent ?? "", target: a.target });
        }
        return {
          anchors,
          text,
          scripts: document.querySelectorAll("script").length,
          images: document.querySelectorAll("img[onerror]").length,
          javascript: [...document.querySelectorAll("a")].filter((a) => /^\\s*javascript:/i.test(a.getAttribute("href") ?? "")).length,
        };
      })()`)) as {
        anchors: { href: string; text: string; target: string }[];
        text: string;
        scripts: number;
        images: number;
        javascript: number;
      };
      await page.close();
      for (const href of LINKS)
        assert.ok(
          found.anchors.some((a) => a.href === href),
          `no <a href="${href}"> in ${JSON.stringify(found.anchors)}`,
        );
      assert.ok(
        found.anchors.some((a) => a.href === "https://example.com/guide" && a.text === "onboarding guide" && a.target === "_blank"),
      );
      assert.equal(found.scripts, 0);
      assert.equal(found.images, 0);
      assert.equal(found.javascript, 0);
      assert.match(found.text, /<script>alert\('x'\)<\/script> <img src=x onerror=alert\(1\)> do not click/);
    });

    test("PDF: the links are link annotations to the same addresses", async (t) => {
      if (skipWithout(t, HAVE_CHROMIUM, "chromium not installed: Debian package chromium (apt-get install chromium)")) return;
      const pdf = await renderDocument(doc, "pdf", session);
      const raw = Buffer.from(pdf.output).toString("latin1");
      for (const href of LINKS) assert.ok(raw.includes(`/URI (${href})`), `no link annotation to ${href}`);
      assert.doesNotMatch(raw, /javascript:/i);
    });
  });
});
