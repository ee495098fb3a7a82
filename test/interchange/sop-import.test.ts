// `importSop`: real SOPs not written by us (Markdown from two public repositories, a Word
// document written here with Word's own styles, not by our renderer), and each extraction rule.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";
import { parse } from "yaml";
import type { DraftImport } from "../../src/interchange/draft.ts";
import { importSop } from "../../src/interchange/sop-import/index.ts";
import {
  deadlineText,
  guessSide,
  readDeadline,
  readIfThen,
  splitRoles,
  splitWindow,
  windowText,
} from "../../src/interchange/sop-import/phrases.ts";
import { lintLoaded } from "../../src/lint/lint.ts";
import { loadPlaybook } from "../../src/playbook/load.ts";

interface DraftStep {
  id: string;
  title: string;
  owner: string;
  due?: string;
  checklist?: string[];
  raci?: { responsible: string[]; accountable: string; consulted?: string[]; informed?: string[] };
  form?: string;
  decision?: { question: string; branches: { label: string; when?: string; otherwise?: true; next: string }[] };
}
interface Draft {
  document: { id: string; title: string; version: string; owner: string; effective: string; review: string; status: string };
  purpose: string;
  roles: Record<string, { title: string; side: string }>;
  facts?: Record<string, { type: string; label: string }>;
  forms?: Record<string, { fields: { outcome: { type: string; options: string[] } } }>;
  phases: { id: string; title: string; window?: string; steps: DraftStep[] }[];
  kpis?: { id: string; title: string; metric: string; target?: string; frequency: string }[];
}

const TODAY = "2026-12-07";

async function draftOf(name: string, bytes: Uint8Array): Promise<{ result: DraftImport; draft: Draft }> {
  const result = await importSop(name, bytes, { today: TODAY });
  const loaded = loadPlaybook("draft.yaml", result.yaml);
  assert.ok(loaded.playbook, loaded.diagnostics.map((d) => `${d.line}: ${d.message}`).join("\n"));
  const errors = lintLoaded(loaded, { profile: "draft" }).diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(
    errors.map((d) => `${d.rule}: ${d.message}`),
    [],
    "the draft lints without errors",
  );
  return { result, draft: parse(result.yaml) as Draft };
}

const markdown = (text: string) => draftOf("sop.md", new TextEncoder().encode(text));
const steps = (draft: Draft) => draft.phases.flatMap((p) => p.steps);
const ownerTitle = (draft: Draft, step: DraftStep) => draft.roles[step.owner]?.title;
const said = (result: DraftImport, pattern: RegExp) => result.findings.filter((f) => pattern.test(f.message));

describe("a real Markdown SOP: GitLab's customer onboarding (handbook page)", async () => {
  const bytes = await readFile(new URL("../fixtures/sop/gitlab-csm-customer-onboarding.md", import.meta.url));
  const { result, draft } = await draftOf("gitlab-csm-customer-onboarding.md", bytes);

  test("its onboarding steps become the phase's steps, in order", () => {
    assert.equal(draft.document.title, "Customer Onboarding");
    assert.deepEqual(
      draft.phases.map((p) => p.title),
      ["Onboarding steps"],
    );
    assert.deepEqual(
      steps(draft).map((s) => s.title),
      [
        "Internal transition",
        "CSM intro email and onboarding",
        "Kickoff call",
        "Success plan development (document key attributes)",
        "1st Cadence Call: Future Growth Discussion & Checklist",
      ],
    );
  });

  test('its "Target time: within N days of customer start date" lines become deadlines', () => {
    const due = Object.fromEntries(steps(draft).map((s) => [s.title, s.due]));
    assert.equal(due["Kickoff call"], "14 days after start");
    assert.equal(due["1st Cadence Call: Future Growth Discussion & Checklist"], "30 days after start");
    assert.equal(due["Internal transition"], undefined);
  });

  test("its completion checklist, nested items included, is the last step's checklist", () => {
    const checklist = steps(draft).at(-1)?.checklist ?? [];
    assert.ok(checklist.includes("Validates the customer's reason for purchase"));
    assert.ok(checklist.includes("Complete filling out any relevant fields in the Gainsight Attributes tab of the customer 360"));
    assert.equal(checklist.length, 17);
  });

  test("its time-to-value goals become KPIs", () => {
    assert.deepEqual(
      draft.kpis?.map((k) => [k.title, k.metric, k.target]),
      [
        ["Time to Engage", "manual", "<= 14 days"],
        ["Time to First Value", "time_to_first_value", "<= 30 days"],
        ["Time to Onboard", "time_to_onboard", "<= 45 days"],
      ],
    );
  });

  test("the findings name what it does not say: owners, document control, purpose", () => {
    assert.equal(said(result, /^step ".*" names no owner/).length, 5);
    assert.ok(steps(draft).every((s) => ownerTitle(draft, s) === "Owner not stated"));
    assert.equal(said(result, /no document ID/).length, 1);
    assert.equal(said(result, /no effective date/).length, 1);
    assert.equal(draft.document.effective, TODAY);
    assert.equal(said(result, /purpose is taken from the section "Overview"/)[0]?.line, 18);
    assert.equal(said(result, /^step ".*" names no owner/)[0]?.line, 28, "the line of the step's heading in the file");
    assert.deepEqual(
      said(result, /is not read as part of the procedure/).map((f) => f.line),
      [173, 188, 206],
      "Command Plan, Onboarding delays and Gainsight for Onboarding are named as left out",
    );
  });
});

describe("a real Markdown SOP with step tables: AC-PROC-004 User Access Lifecycle", async () => {
  const bytes = await readFile(new URL("../fixtures/sop/ac-proc-004-user-access-lifecycle.md", import.meta.url));
  const { result, draft } = await draftOf("AC-PROC-004.md", bytes);

  test("each numbered sub-section is a phase, each table row a step with its Who as owner", () => {
    assert.deepEqual(
      draft.phases.map((p) => [p.title, p.steps.length]),
      [
        ["Access Provisioning", 6],
        ["Access Modification", 4],
        ["Access Revocation (Termination)", 6],
        ["Inactive Account Management", 3],
      ],
    );
    assert.deepEqual(
      draft.phases[0]?.steps.map((s) => ownerTitle(draft, s)),
      ["Requestor", "Manager", "System / Information Owner", "PCI Program Manager", "IT Department", "IT Department"],
    );
    const review = draft.phases[1]?.steps[2];
    assert.ok(review);
    assert.deepEqual(
      review.raci?.responsible.map((r) => draft.roles[r]?.title),
      ["System Owner", "IT Security"],
    );
  });

  test("its deadline is read; the one with a fill-in number is named as not understood", () => {
    const inactive = draft.phases[3]?.steps[1];
    assert.equal(inactive?.due, "90 days after facts.last_activity");
    assert.equal(draft.facts?.last_activity?.type, "date");
    assert.equal(said(result, /not understood \("within \[Number, e\.g\., 24\] hours/).length, 1);
  });

  test("its Definitions table is definitions:; its Standards and Artifacts sections are named as not read", () => {
    const all = draft as Draft & { definitions?: { term: string; meaning: string }[] };
    assert.deepEqual(
      all.definitions?.map((d) => d.term),
      ["System Owner", "Information Owner", "CDE (Cardholder Data Environment)", "NPI (Nonpublic Personal Information)"],
    );
    assert.deepEqual(
      said(result, /is not read into the draft/).map((f) => f.message.split('"')[1]),
      ["5. Standards Compliance", "6. Artifact(s)"],
    );
  });

  test("the roles of its Responsibilities table keep their duties; every side is flagged as guessed", () => {
    assert.equal(draft.roles.requestor?.title, "Requestor");
    assert.equal(draft.roles.requestor?.side, "internal");
    const guessed = said(result, /side of role .* was guessed/).map((f) => f.element);
    assert.ok(guessed.includes("roles.requestor"));
    assert.equal(guessed.length, Object.keys(draft.roles).length);
  });
});

/** A small SOP written with Word's own styles: Title, Heading 1-3, a table, bullets. */
async function wordSop(): Promise<Uint8Array> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const table = (rows: string[][]) => new Table({ rows: rows.map((r) => new TableRow({ children: r.map(cell) })) });
  const h = (text: string, heading: (typeof HeadingLevel)[keyof typeof HeadingLevel]) => new Paragraph({ text, heading });
  const p = (text: string) => new Paragraph(text);
  const bullet = (text: string) => new Paragraph({ text, bullet: { level: 0 } });
  const labelled = (label: string, value: string) =>
    new Paragraph({ children: [new TextRun({ text: `${label}: `, bold: true }), new TextRun(value)] });
  const doc = new Document({
    sections: [
      {
        children: [
          h("Client Onboarding SOP", HeadingLevel.TITLE),
          table([
            ["Document ID", "CS-SOP-042"],
            ["Version", "2.1"],
            ["Owner", "Head of Customer Success"],
            ["Effective date", "2026-03-01"],
          ]),
          h("Purpose", HeadingLevel.HEADING_1),
          p("To bring every new client from signed contract to a configured workspace."),
          h("Procedure", HeadingLevel.HEADING_1),
          h("Phase 1: Kickoff (Days 1–5)", HeadingLevel.HEADING_2),
          h("1.1 Send the welcome email", HeadingLevel.HEADING_3),
          labelled("Responsible", "Customer Success Manager"),
          p("Send the welcome pack within 1 business day."),
          h("1.2 Hold the kickoff call", HeadingLevel.HEADING_3),
          labelled("Responsible", "Customer Success Manager"),
          p("The kickoff call takes place by Day 5 with the Client Sponsor."),
          h("Phase 2: Configuration (Days 6–20)", HeadingLevel.HEADING_2),
          h("2.1 Configure the workspace", HeadingLevel.HEADING_3),
          labelled("Responsible", "Implementation Engineer"),
          labelled("Checklist", ""),
          bullet("SSO configured"),
          bullet("Users imported"),
          h("2.2 Review the configuration with the client", HeadingLevel.HEADING_3),
          labelled("Responsible", "Client Sponsor"),
          p("If the client rejects the configuration, then return to step 2.1."),
          h("RACI", HeadingLevel.HEADING_1),
          table([
            ["Activity", "CSM", "IE", "CS"],
            ["1.1 Send the welcome email", "A/R", "", "I"],
            ["2.1 Configure the workspace", "A", "R", "C"],
          ]),
          p("CSM = Customer Success Manager · IE = Implementation Engineer · CS = Client Sponsor"),
          h("Key Performance Indicators", HeadingLevel.HEADING_1),
          table([
            ["KPI", "Target", "Frequency"],
            ["Time to go-live", "≤ 30 days", "Per onboarding"],
            ["Customer satisfaction", "≥ 4.5/5", "Quarterly"],
          ]),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

describe("a Word SOP written with Word's styles (not by our renderer)", async () => {
  const { result, draft } = await draftOf("client-onboarding.docx", await wordSop());

  test("the document control table, title and purpose", () => {
    assert.deepEqual(
      { ...draft.document },
      {
        id: "CS-SOP-042",
        title: "Client Onboarding SOP",
        version: "2.1",
        status: "draft",
        owner: "Head of Customer Success",
        effective: "2026-03-01",
        review: "2027-03-01",
      },
    );
    assert.equal(draft.purpose, "To bring every new client from signed contract to a configured workspace.");
  });

  test("phases with their windows, steps with owners, deadlines, checklist, decision and RACI", () => {
    assert.deepEqual(
      draft.phases.map((p) => [p.title, p.window]),
      [
        ["Kickoff", "Days 1-5"],
        ["Configuration", "Days 6-20"],
      ],
    );
    const [welcome, kickoff, configure, review] = steps(draft);
    assert.ok(welcome && kickoff && configure && review);
    assert.deepEqual(
      steps(draft).map((s) => [s.title, ownerTitle(draft, s), s.due]),
      [
        ["Send the welcome email", "Customer Success Manager", "1 business day"],
        ["Hold the kickoff call", "Customer Success Manager", "Day 5"],
        ["Configure the workspace", "Implementation Engineer", undefined],
        ["Review the configuration with the client", "Client Sponsor", undefined],
      ],
    );
    assert.deepEqual(configure.checklist, ["SSO configured", "Users imported"]);
    assert.deepEqual(configure.raci, {
      responsible: ["implementation_engineer"],
      accountable: "customer_success_manager",
      consulted: ["client_sponsor"],
    });
    assert.equal(review.decision?.branches[0]?.label, "the client rejects the configuration");
    assert.equal(review.decision?.branches[0]?.next, configure.id, '"return to step 2.1" goes back to it');
    assert.equal(review.decision?.branches[1]?.otherwise, true);
  });

  test("the KPI table", () => {
    assert.deepEqual(
      draft.kpis?.map((k) => [k.title, k.metric, k.target, k.frequency]),
      [
        ["Time to go-live", "time_to_go_live", "<= 30 days", "per_project"],
        ["Customer satisfaction", "csat", ">= 4.5/5", "quarterly"],
      ],
    );
  });

  test("findings point at Word paragraphs and say so", () => {
    const decision = said(result, /^decision /)[0];
    assert.ok(decision);
    assert.match(decision.message, /\(Word paragraph \d+\)$/);
    assert.ok(decision.line > 10);
  });
});

describe("each extraction rule", () => {
  const sop = (procedure: string, extra = "") =>
    `# Test SOP\n\n## Purpose\n\nTo test one rule.\n\n## Scope\n\n- Every client\n\n## Procedure\n\n${procedure}\n${extra}`;

  test('"Responsible:" names the owner; a second role named there is also responsible', async () => {
    const { draft } = await markdown(
      sop("### Phase 1: Setup\n\n#### 1.1 Create the account\n\n**Responsible:** Onboarding Specialist and Account Executive\n"),
    );
    const [step] = steps(draft);
    assert.ok(step);
    assert.equal(ownerTitle(draft, step), "Onboarding Specialist");
    assert.deepEqual(step.raci?.responsible, ["onboarding_specialist", "account_executive"]);
  });

  test("a line written under the owner's is not part of the owner's name: a deadline there is the step's", async () => {
    const { draft } = await markdown(
      sop("### Phase 1: Setup (Days 1-10)\n\n1. Send the welcome pack\n   Responsible: Customer Success Manager\n   by Day 5\n"),
    );
    const [step] = steps(draft);
    assert.ok(step);
    assert.equal(ownerTitle(draft, step), "Customer Success Manager");
    assert.equal(step.due, "Day 5");
    assert.equal(draft.roles.customer_success_manager?.side, "internal");
  });

  test("a RACI table gives each step it names its raci, the legend's abbreviations resolved", async () => {
    const { draft } = await markdown(
      sop(
        "### Phase 1: Setup\n\n#### 1.1 Create the account\n\n**Owner:** Onboarding Specialist\n\n#### 1.2 Approve the setup\n\n**Owner:** Head of CS\n",
        "\n## RACI Matrix\n\n| Activity | OS | HCS | CL |\n| --- | --- | --- | --- |\n| 1.1 Create the account | R | A | I |\n| Approve the setup |  | A/R | C |\n\nOS = Onboarding Specialist · HCS = Head of CS · CL = Client Lead\n",
      ),
    );
    const [create, approve] = steps(draft);
    assert.deepEqual(create?.raci, { responsible: ["onboarding_specialist"], accountable: "head_of_cs", informed: ["client_lead"] });
    assert.deepEqual(approve?.raci, { responsible: ["head_of_cs"], accountable: "head_of_cs", consulted: ["client_lead"] });
    assert.equal(draft.roles.client_lead?.side, "client", "a client role's side is guessed from its name");
  });

  test('"within 3 business days" is a due counted from when the step opens; "of go-live" keeps its anchor', async () => {
    const { draft } = await markdown(
      sop(
        "### Phase 1: Setup\n\n1. Create the account within 3 business days.\n2. Review adoption within 2 weeks after go-live.\n3. Send the survey within 24 hours of completing step 1.1.\n",
      ),
    );
    assert.deepEqual(
      steps(draft).map((s) => s.due),
      ["3 business days", "2 weeks after go_live", "24 hours"],
    );
  });

  test('"Day 5" and a phase heading\'s "(Days 1–7)" are a due and a window', async () => {
    const { draft } = await markdown(
      sop("### Phase 1: Kickoff (Days 1–7)\n\n1. Hold the kickoff call (Day 5)\n2. Share the plan by Day 7\n"),
    );
    assert.equal(draft.phases[0]?.title, "Kickoff");
    assert.equal(draft.phases[0]?.window, "Days 1-7");
    assert.deepEqual(
      steps(draft).map((s) => s.due),
      ["Day 5", "Day 7"],
    );
  });

  test("an IF/THEN sentence is a decision the owner answers in a form; its way back is a branch to that step", async () => {
    const { result, draft } = await markdown(
      sop(
        "### Phase 1: Review\n\n#### 1.1 Prepare the plan\n\n**Owner:** CSM\n\n#### 1.2 Review the plan\n\n**Owner:** CSM\n\nIf the client rejects the plan, then go back to step 1.1.\n\n#### 1.3 Start\n\n**Owner:** CSM\n",
      ),
    );
    const review = steps(draft)[1];
    assert.ok(review?.decision && review.form);
    assert.equal(review.decision.question, "The client rejects the plan?");
    assert.deepEqual(review.decision.branches, [
      {
        label: "the client rejects the plan",
        when: `forms.${review.form}.outcome == "the client rejects the plan"`,
        next: "prepare_the_plan",
      },
      { label: "Otherwise", otherwise: true, next: "continue" },
    ]);
    assert.deepEqual(draft.forms?.[review.form]?.fields.outcome.options, ["the client rejects the plan", "Otherwise"]);
    assert.equal(said(result, /^decision "The client rejects the plan\?"/)[0]?.line, 23, "the line of the IF sentence");
  });

  test("a checklist (- [ ]) is the step's checklist; other bullets are instructions", async () => {
    const { draft } = await markdown(
      sop(
        "### Phase 1: Setup\n\n#### 1.1 Prepare the workspace\n\n**Owner:** CSM\n\n- Read the contract first\n\n- [ ] Workspace created\n- [x] SSO configured\n",
      ),
    );
    const [step] = steps(draft) as (DraftStep & { instructions?: string[] })[];
    assert.deepEqual(step?.checklist, ["Workspace created", "SSO configured"]);
    assert.deepEqual(step?.instructions, ["Read the contract first"]);
  });

  test("a KPI table becomes kpis: built-in measures by name, targets as comparisons, frequencies", async () => {
    const { result, draft } = await markdown(
      sop(
        "### Phase 1: Setup\n\n1. Create the account\n",
        "\n## Key Performance Indicators\n\n| KPI | Target | Frequency |\n| --- | --- | --- |\n| Time to go-live | ≤ 45 days | Per project |\n| Net Promoter Score | at least 50 | Quarterly |\n| Happy clients | most of them | Monthly |\n",
      ),
    );
    assert.deepEqual(
      draft.kpis?.map((k) => [k.id, k.metric, k.target, k.frequency]),
      [
        ["time_to_go_live", "time_to_go_live", "<= 45 days", "per_project"],
        ["net_promoter_score", "nps", ">= 50", "quarterly"],
        ["happy_clients", "manual", undefined, "monthly"],
      ],
    );
    assert.equal(said(result, /target "most of them"/).length, 1);
  });

  test("a document control table fills document:; what it lacks is said", async () => {
    const { result, draft } = await markdown(
      `# Onboarding\n\n## Document Control\n\n| Field | Value |\n| --- | --- |\n| SOP ID | OPS-7 |\n| Version | 3 |\n| Owner | COO |\n| Effective date | 1 March 2026 |\n\n## Procedure\n\n1. Do it\n`,
    );
    assert.deepEqual([draft.document.id, draft.document.version, draft.document.owner], ["OPS-7", "3", "COO"]);
    assert.equal(draft.document.effective, TODAY);
    assert.equal(said(result, /effective date "1 March 2026" is not a YYYY-MM-DD date/).length, 1);
  });

  test("a document that is no SOP still gives a draft that loads, and says why it is empty", async () => {
    const { result, draft } = await markdown("Just a note, no headings and no steps.\n");
    assert.equal(steps(draft).length, 1);
    assert.equal(said(result, /no procedure was found/).length, 1);
  });

  test("bytes that claim to be Word but are not give a finding, not an exception", async () => {
    const result = await importSop("broken.docx", new TextEncoder().encode("PK not really a zip"));
    assert.equal(result.yaml, "");
    assert.match(result.findings[0]?.message ?? "", /not a readable Word document/);
  });
});

describe("the phrases", () => {
  test("a role's side from its title: the team's jobs named after whom they serve are the team's", () => {
    assert.equal(guessSide("Client Success Manager"), "internal");
    assert.equal(guessSide("Customer Support Lead"), "internal");
    assert.equal(guessSide("Client Services"), "internal");
    assert.equal(guessSide("Client IT Contact"), "client");
    assert.equal(guessSide("Customer"), "client");
    assert.equal(guessSide("CRM system"), "system");
  });
  test("windows as SOPs write them", () => {
    assert.equal(windowText("Days 1–7"), "Days 1-7");
    assert.equal(windowText("Week 6"), "Week 6");
    assert.equal(windowText("Weeks 5 to 13"), "Weeks 5-13");
    assert.equal(windowText("Day 70 onwards"), "Day 70+");
    assert.equal(windowText("Days 0–90 after go-live"), "Days 0-90 after go_live");
    assert.equal(windowText("Days -7 to 0"), undefined);
    assert.deepEqual(splitWindow("Value Realization (Weeks 5-12) (Weeks 5–13)"), {
      title: "Value Realization (Weeks 5-12)",
      window: "Weeks 5-13",
    });
    assert.deepEqual(splitWindow("Kickoff - Days 1-5"), { title: "Kickoff", window: "Days 1-5" });
  });

  test("deadlines the renderer writes read back into the language", () => {
    const written = (phrase: string, anchor?: string) => {
      const read = readDeadline(phrase);
      assert.ok(read, phrase);
      return deadlineText(read, anchor);
    };
    assert.equal(written("within 4 business hours of assignment"), "4 business hours");
    assert.equal(written("within 24 hours of the start", "start"), "24 hours after start");
    assert.equal(written("by Day 60 after go-live", "go_live"), "Day 60 after go_live");
    assert.equal(written("within ~14 days of the start", "start"), "~14 days after start");
    assert.deepEqual(readDeadline("within 5 business days of completing 6.2 (Handoff Meeting)")?.anchor, {
      kind: "step",
      ref: "6.2",
      point: "completed",
    });
    assert.deepEqual(readDeadline("2 days before the start of 6.4 (Kickoff)"), {
      amount: "2 days",
      kind: "offset",
      direction: "before",
      anchor: { kind: "step", ref: "6.4", point: "started" },
    });
    assert.equal(readDeadline("as soon as possible"), undefined);
  });

  test("roles named together split, but not inside a parenthesis", () => {
    assert.deepEqual(splitRoles("Security Officer, Manager, & HR"), ["Security Officer", "Manager", "HR"]);
    assert.deepEqual(splitRoles("Requestor (User or Manager)"), ["Requestor (User or Manager)"]);
    assert.deepEqual(splitRoles("Risk Engine / Analyst"), ["Risk Engine", "Analyst"]);
  });

  test("IF/THEN in the renderer's words and in prose", () => {
    assert.deepEqual(readIfThen("IF High-risk (criterion: Initial risk rating = “high”):\nTHEN go to 6.7 (EDD)"), {
      condition: "High-risk",
      consequence: "go to 6.7 (EDD)",
    });
    assert.deepEqual(readIfThen("If the customer is high-risk, escalate to the BSA Officer."), {
      condition: "the customer is high-risk",
      consequence: "escalate to the BSA Officer",
    });
    assert.equal(
      readIfThen("If the delay is the customer's (e.g. disinterest, no time), then flag a risk")?.condition,
      "the delay is the customer's (e.g. disinterest, no time)",
    );
    assert.equal(readIfThen("Check the contract."), undefined);
  });
});

describe("whatever the document", () => {
  test("a template's {{placeholders}} are declared parameters, or marked «» where no parameter can hold them", async () => {
    const { result, draft } = await markdown(
      "# Welcome\n\n## Procedure\n\n1. Send {{welcome_pack}} to {{client.name}}\n2. Call {{Client Contact}}\n",
    );
    const all = draft as Draft & { parameters?: Record<string, { type: string }> };
    assert.deepEqual(Object.keys(all.parameters ?? {}), ["welcome_pack"]);
    assert.deepEqual(
      steps(draft).map((s) => s.title),
      ["Send {{welcome_pack}} to {{client.name}}", "Call «Client Contact»"],
    );
    assert.equal(said(result, /kept as «Client Contact»/).length, 1);
  });

  test("SOP-like text of any shape gives a draft that loads and lints without errors", async () => {
    const fc = await import("fast-check");
    const line = fc.constantFrom(
      "# Title",
      "## Purpose",
      "## Procedure",
      "### Phase 1: Setup (Days 1-5)",
      "### Phase 2: Go-live",
      "#### 2.1 Configure",
      "#### Step 3: Train",
      "1. Create the account within 2 business days",
      "2. Hold the call (Day 3)",
      "- [ ] Checked item",
      "- plain bullet",
      "**Responsible:** CSM & Client Lead",
      "**Owner:** Customer",
      "**Deadline:** within 5 business days of completing 2.1 (Configure)",
      "If the client declines, then go to step 2.1.",
      "IF it fails:\\\nTHEN go to 9.9 (Nowhere)",
      "| KPI | Target | Frequency |",
      "| --- | --- | --- |",
      "| NPS | > 40 | Monthly |",
      "| Step | Who | What |",
      "| 1 | IT | Provisions access. |",
      "Some prose with {{a_param}} in it.",
      "",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), async (lines) => {
        const result = await importSop("any.md", new TextEncoder().encode(lines.join("\n")), { today: TODAY });
        const loaded = loadPlaybook("draft.yaml", result.yaml);
        assert.ok(loaded.playbook, `${lines.join("\n")}\n---\n${loaded.diagnostics.map((d) => d.message).join("\n")}`);
        const errors = lintLoaded(loaded, { profile: "draft" }).diagnostics.filter((d) => d.severity === "error");
        assert.deepEqual(
          errors.map((d) => d.message),
          [],
          lines.join("\n"),
        );
      }),
      { numRuns: 150 },
    );
  });
});
