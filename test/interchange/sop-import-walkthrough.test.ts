// What a new user's walkthrough with two real written SOPs found the importer losing: each case
// is a small document of our own written the way those SOPs are (Word built with the docx package).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Document, HeadingLevel, Packer, Paragraph } from "docx";
import { parse } from "yaml";
import type { DraftImport } from "../../src/interchange/draft.ts";
import { importSop } from "../../src/interchange/sop-import/index.ts";

interface DraftStep {
  title: string;
  description?: string;
  instructions?: string[];
  checklist?: string[];
}
interface Draft {
  document: { id: string; version: string; owner: string; effective: string };
  phases: { steps: DraftStep[] }[];
  kpis?: { title: string; frequency: string }[];
}

async function draftOf(name: string, bytes: Uint8Array): Promise<{ result: DraftImport; draft: Draft }> {
  const result = await importSop(name, bytes, { today: "2026-12-07" });
  return { result, draft: parse(result.yaml) as Draft };
}
const markdown = (text: string) => draftOf("sop.md", new TextEncoder().encode(text));
const steps = (draft: Draft) => draft.phases.flatMap((p) => p.steps);

async function word(body: Paragraph[]): Promise<Uint8Array> {
  const doc = new Document({
    // Styles a converter (pandoc) leaves behind, which mammoth has no mapping for.
    styles: {
      paragraphStyles: [
        { id: "FirstParagraph", name: "First Paragraph" },
        { id: "BodyText", name: "Body Text" },
      ],
    },
    sections: [
      {
        children: [
          new Paragraph({ text: "Purpose", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: "To test one rule.", style: "FirstParagraph" }),
          new Paragraph({ text: "It reads Word lists.", style: "BodyText" }),
          new Paragraph({ text: "Procedure", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({ text: "Phase 1: Setup", heading: HeadingLevel.HEADING_2 }),
          ...body,
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
const h3 = (text: string) => new Paragraph({ text, heading: HeadingLevel.HEADING_3 });
const item = (text: string, level = 0) => new Paragraph({ text, bullet: { level } });

describe("Word lists", () => {
  test("nested items come through, as they do from Markdown", async () => {
    const { draft } = await draftOf(
      "sop.docx",
      await word([
        h3("Step 1.1: Send the welcome email"),
        item("Send the welcome email"),
        item("Include:"),
        item("The agenda", 1),
        item("The call link", 1),
        item("Dial-in for phones", 2),
      ]),
    );
    const [step] = steps(draft);
    assert.deepEqual(step?.instructions, ["Send the welcome email", "Include:", "The agenda", "The call link", "Dial-in for phones"]);
  });

  test('an item starting with a box ("☐", "☑", "☒", "[ ]") is a checklist item, its nested items too', async () => {
    const { draft } = await draftOf(
      "sop.docx",
      await word([
        h3("Step 1.1: Collect the client's details"),
        item("☐ Collect the contact details:"),
        item("☐ Primary contact name and title", 1),
        item("☑ Mailing address", 1),
        item("☒ Billing contact"),
        item("[ ] Purchase order number"),
      ]),
    );
    const [step] = steps(draft);
    assert.deepEqual(step?.checklist, [
      "Collect the contact details:",
      "Primary contact name and title",
      "Mailing address",
      "Billing contact",
      "Purchase order number",
    ]);
    assert.equal(step?.instructions, undefined);
  });
});

const said = (result: DraftImport, pattern: RegExp) => result.findings.filter((f) => pattern.test(f.message));

describe("Markdown code blocks and sections with no step", () => {
  const sop = [
    "# Client Onboarding SOP",
    "",
    "## Purpose",
    "",
    "To test one rule.",
    "",
    "## Process Overview",
    "",
    "```mermaid",
    "graph TD",
    "    A[Deal Closed] --> B[Kickoff]",
    "```",
    "",
    "## Detailed Procedures",
    "",
    "### 1. Pre-Kickoff Setup (Day 0-2)",
    "",
    "#### 1.1 Send the welcome email",
    "",
    "```",
    "Subject: Welcome to [Company]",
    "",
    "Dear [Client Name],",
    "- Introduce your team",
    "```",
    "",
    "## Automation Triggers",
    "",
    "| Trigger | Action |",
    "| --- | --- |",
    "| Deal closed | Create the account |",
    "",
  ].join("\n");

  test("a step's code block is kept word for word in its description, fenced", async () => {
    const { draft } = await markdown(sop);
    const [step] = steps(draft);
    assert.equal(step?.title, "Send the welcome email");
    assert.equal(step?.description, "Subject: Welcome to [Company]\n\nDear [Client Name],\n- Introduce your team");
  });

  test("a section with only a diagram or a table, which gives no step, is named in a finding", async () => {
    const { result } = await markdown(sop);
    assert.equal(said(result, /"Process Overview"/).length, 1);
    assert.equal(said(result, /"Automation Triggers"/).length, 1);
  });
});

test("Word styles the importer has no meaning for are said once, not one finding each", async () => {
  const { result } = await draftOf("sop.docx", await word([h3("Step 1.1: Send the welcome email"), item("Send it")]));
  assert.deepEqual(
    said(result, /style/i).map((f) => f.message),
    ["some Word styles (2) have no meaning here and were read as plain text"],
  );
});

describe("document control and KPI frequencies", () => {
  const body = [
    "## Purpose",
    "",
    "To test one rule.",
    "",
    "## Procedure",
    "",
    "### Phase 1: Setup",
    "",
    "#### Step 1.1: Send the welcome email",
    "",
    "- Send it",
    "",
    "## Metrics",
    "",
    "| Metric | Target | Measurement Frequency |",
    "| --- | --- | --- |",
    "| Time to Go-Live | <45 days | Per project |",
    "| Training Completion | >90% | Weekly |",
    "| 30-Day Adoption Rate | >70% | Monthly |",
    "| NPS Score | >50 | Quarterly |",
    "| Client Satisfaction (CSAT) | >4.5/5 | Per interaction |",
    "",
  ];

  test("bold label lines in a footer are the document control", async () => {
    const footer = [
      "## Related Documents",
      "",
      "- Welcome Email Template",
      "",
      "---",
      "",
      "**Version**: 1.0  ",
      "**Last Updated**: 2026-02-01  ",
      "**Owner**: Operations Manager",
      "",
    ];
    const { draft, result } = await markdown(["# Client Onboarding", "", ...body, ...footer].join("\n"));
    assert.deepEqual([draft.document.version, draft.document.owner, draft.document.effective], ["1.0", "Operations Manager", "2026-02-01"]);
    assert.deepEqual(said(result, /gives no version|document names no owner|gives no effective date/), []);
  });

  test('a "Document Information" list of bold labels is the document control', async () => {
    const info = [
      "## Document Information",
      "- **SOP ID**: ONB-001",
      "- **Version**: 1.0.0",
      "- **Effective Date**: 2024-01-01",
      "- **Owner**: Client Success Team Lead",
      "",
    ];
    const { draft } = await markdown(["# Client Onboarding", "", ...info, ...body].join("\n"));
    assert.deepEqual(
      { ...draft.document, title: "", status: "", review: "" },
      {
        id: "ONB-001",
        title: "",
        version: "1.0.0",
        status: "",
        owner: "Client Success Team Lead",
        effective: "2024-01-01",
        review: "",
      },
    );
  });

  test('a "Measurement Frequency" column gives each KPI its frequency', async () => {
    const { draft, result } = await markdown(["# Client Onboarding", "", ...body].join("\n"));
    assert.deepEqual(
      draft.kpis?.map((k) => k.frequency),
      ["per_project", "weekly", "monthly", "quarterly", "per_interaction"],
    );
    assert.deepEqual(said(result, /no frequency/), []);
  });
});
