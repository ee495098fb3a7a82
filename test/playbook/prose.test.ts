// Markdown in the prose a playbook author writes: the subset read (paragraphs, lists, emphasis,
// code, links, bare URLs), everything else kept as the text typed, and the sanitising every output
// relies on: a link's address is http, https or mailto, or there is no link.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type ProseBlock, type ProseInline, parseProse, prosePlainText, safeUrl } from "../../src/playbook/prose.ts";

function links(blocks: readonly ProseBlock[]): string[] {
  const inline = (nodes: readonly ProseInline[]): string[] =>
    nodes.flatMap((n) =>
      n.kind === "link" ? [n.href, ...inline(n.children)] : n.kind === "strong" || n.kind === "em" ? inline(n.children) : [],
    );
  return blocks.flatMap((b) => (b.kind === "paragraph" ? inline(b.content) : b.items.flatMap((item) => links(item))));
}

const DESCRIPTION = [
  "Read the [onboarding guide](https://example.com/guide) and **confirm** the *scope*.",
  "",
  "- Book the call at <https://cal.example.com/csm>",
  "- Mail [the team](mailto:team@example.com) with `SSO` details",
  "",
  "1. First",
  "2. Second",
].join("\n");

describe("prose", () => {
  test("reads links, emphasis, code, bullet and numbered lists into a typed tree", () => {
    const blocks = parseProse(DESCRIPTION);
    assert.deepEqual(
      blocks.map((b) => b.kind),
      ["paragraph", "list", "list"],
    );
    assert.deepEqual(links(blocks), ["https://example.com/guide", "https://cal.example.com/csm", "mailto:team@example.com"]);
    const [paragraph, bullets, numbers] = blocks;
    assert.equal(paragraph?.kind, "paragraph");
    if (paragraph?.kind === "paragraph") {
      assert.deepEqual(
        paragraph.content.map((n) => n.kind),
        ["text", "link", "text", "strong", "text", "em", "text"],
      );
    }
    assert.ok(bullets?.kind === "list" && !bullets.ordered && bullets.items.length === 2);
    assert.ok(numbers?.kind === "list" && numbers.ordered && numbers.items.length === 2);
    assert.equal(
      prosePlainText(DESCRIPTION),
      "Read the onboarding guide and confirm the scope.\n• Book the call at https://cal.example.com/csm\n• Mail the team with SSO details\n1. First\n2. Second",
    );
  });

  test("bare web addresses and e-mail addresses become links", () => {
    assert.deepEqual(links(parseProse("See www.example.com or write to help@example.com.")), [
      "http://www.example.com",
      "mailto:help@example.com",
    ]);
  });

  test("script, raw HTML and javascript:/data: links are shown as text or dropped, never kept as markup or links", () => {
    const hostile = [
      "<script>alert(1)</script>",
      '<img src=x onerror="alert(1)">',
      "[click](javascript:alert(1))",
      "[pic](data:text/html;base64,PHNjcmlwdD4=)",
      "<javascript:alert(1)>",
      "[spaced](java\tscript:alert(1))",
      "[relative](/admin)",
    ].join("\n\n");
    const blocks = parseProse(hostile);
    assert.deepEqual(links(blocks), []);
    const text = prosePlainText(hostile);
    assert.match(text, /<script>alert\(1\)<\/script>/, "the script tag is shown as the text typed");
    assert.match(text, /<img src=x onerror="alert\(1\)">/);
    assert.match(text, /click/, "an unsafe link keeps its text");
    assert.doesNotMatch(text, /javascript:alert\(1\)\)/, "and loses its address");
  });

  test("headings, quotes, code blocks, images and ~approximations~ stay the text typed", () => {
    const source = "# Not a heading\n> not a quote\n![logo](https://example.com/logo.png)\n~14 days, ~20 days";
    assert.deepEqual(
      parseProse(source).map((b) => b.kind),
      ["paragraph"],
    );
    assert.equal(prosePlainText(source), source);
  });

  test("placeholders in a link's address are resolved before the address is checked", () => {
    const resolveHref = (href: string) => href.replace("{{portal_url}}", "https://portal.example.com");
    assert.deepEqual(links(parseProse("[the portal]({{portal_url}})", { resolveHref })), ["https://portal.example.com"]);
    assert.deepEqual(links(parseProse("[the portal]({{portal_url}})")), [], "unresolved, it is no address");
    const hostile = () => "javascript:alert(1)";
    assert.deepEqual(links(parseProse("[x](https://ok.example.com)", { resolveHref: hostile })), []);
  });

  test("safeUrl accepts only absolute http, https and mailto addresses", () => {
    for (const ok of ["https://example.com/a?b=c#d", "http://example.com", "mailto:a@example.com", "HTTPS://EXAMPLE.COM"])
      assert.equal(safeUrl(ok), ok);
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript:alert(1)",
      "java\nscript:alert(1)",
      "data:text/html,<script>",
      "vbscript:x",
      "file:///etc/passwd",
      "/relative",
      "//example.com",
      "https:",
      "",
    ])
      assert.equal(safeUrl(bad), undefined, bad);
  });

  test("property: any text parses without throwing, every link is safe, and no word is lost", () => {
    const fragment = fc.oneof(
      fc.string(),
      fc.constantFrom(
        "[a](javascript:alert(1))",
        "[b](https://example.com/x)",
        "<script>",
        "</script>",
        "**",
        "*",
        "_",
        "`",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "  ",
        "<https://x.example>",
        "<data:text/html,x>",
        "www.example.com",
        "a@b.example",
        "](",
        ")",
        "[",
        "~",
        "#",
        ">",
        "&amp;",
        "\\",
      ),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
        const source = parts.join("");
        const blocks = parseProse(source);
        for (const href of links(blocks)) {
          assert.equal(safeUrl(href), href);
          assert.match(href, /^(https?|mailto):/i);
        }
        // Every letter or digit typed is still there, but for link addresses (markup may go, words may not).
        const words = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, "");
        const plain = words(prosePlainText(source));
        const typed = words(source.replace(/\]\([^)]*\)?/g, ""));
        for (const ch of new Set(typed)) assert.ok(plain.includes(ch), `lost ${JSON.stringify(ch)} from ${JSON.stringify(source)}`);
      }),
      { numRuns: Number(process.env.PROSE_RUNS ?? 400) },
    );
  });
});
