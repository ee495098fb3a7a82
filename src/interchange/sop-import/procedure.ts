// Where the procedure is and how it is written: numbered step headings ("6.1 Title", "Step 2:"),
// numbered items under phase headings, step tables (Step | Who | What), or sub-sections as steps.
import type { Block, List } from "./document.ts";
import type { DraftPhase, DraftStep, Findings, Roles } from "./draft-parts.ts";
import { findDeadline, labelled, slug, splitWindow } from "./phrases.ts";
import { bareTitle, descendants, type Section, sectionRole } from "./sections.ts";
import { StepReader } from "./step-reader.ts";
import { stepTableRows, titleFromWhat } from "./step-table.ts";

const STEP_HEADING = /^(?:step\s+)?(\d+(?:\.\d+)+|\d+)(?:[.:)]|\s*[-–—])?\s+(.+)$/i;
const STEP_WORD = /^step\s+\d/i;

function stepHeading(text: string): { number: string; title: string } | undefined {
  const match = STEP_HEADING.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  // "1. Purpose" is a section; "6.1 Title" and "Step 3: Title" are steps.
  if (!match[1].includes(".") && !STEP_WORD.test(text)) return undefined;
  return { number: match[1], title: match[2].replace(/^[:–—-]\s*/, "").trim() };
}

function phaseTitle(text: string): { title: string; window?: string } {
  const split = splitWindow(bareTitle(text.replace(/^phase\s+\d+\s*[:.–—-]\s*/i, "")));
  return { title: split.title.replace(/^phase\s+\d+\s*[:.–—-]\s*/i, "") || text, ...(split.window ? { window: split.window } : {}) };
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim();
}

/** A section's blocks with its sub-sections' (their headings included), in order. */
export function blocksOf(section: Section): Block[] {
  return [...section.blocks, ...section.children.flatMap((c) => [...(c.heading ? [c.heading] : []), ...blocksOf(c)])];
}

function newStep(title: string, line: number, number?: string): DraftStep {
  return {
    id: slug(title, "step"),
    title,
    line,
    responsible: [],
    description: [],
    instructions: [],
    checklist: [],
    ...(number ? { number } : {}),
  };
}

/** The roles a phase's "Responsible: X" line names, for its steps that name none. */
function phaseOwner(blocks: readonly Block[], roles: Roles): string | undefined {
  for (const block of blocks) {
    if (block.kind !== "paragraph") continue;
    const pairs = labelled(block.text);
    const owner = pairs?.find((p) => p.label === "responsible" || p.label === "owner");
    if (owner) return roles.named(owner.value, block.line)[0];
  }
  return undefined;
}

function procedureRoots(top: readonly Section[]): Section[] {
  const candidates = top.filter((s) => sectionRole(s) === "procedure");
  // The first such section that holds steps: a "Process Overview" with only a diagram is not it.
  const named = candidates.find(
    (s) =>
      /procedure|steps|process|workflow|timeline/i.test(bareTitle(s.heading?.text ?? "")) &&
      (s.children.length > 0 || s.blocks.some((b) => b.kind === "list" && b.ordered)),
  );
  if (named) return [named];
  return candidates;
}

function stepsFromHeadings(root: Section, roles: Roles, findings: Findings): DraftPhase[] {
  const phases: DraftPhase[] = [];
  const visit = (section: Section, phase: DraftPhase | undefined, owner: string | undefined): void => {
    for (const child of section.children) {
      const heading = child.heading;
      if (!heading) continue;
      const numbered = stepHeading(heading.text);
      if (numbered && hasStepTable(child)) {
        stepsFromTables(child, newPhase(child, phases), roles, findings);
      } else if (numbered) {
        const target = phase ?? newPhase(section, phases);
        const step = newStep(numbered.title, heading.line, numbered.number);
        // The renderer's bookmark is the step's id, unless Word's 40-character limit cut it.
        if (heading.anchor?.startsWith("b_step_") && heading.anchor.length < 40) step.id = heading.anchor.slice("b_step_".length);
        new StepReader(step, roles, findings).read(blocksOf(child));
        if (!step.owner && owner) step.owner = owner;
        target.steps.push(step);
      } else if (sectionRole(child) === "procedure") {
        const sub = newPhase(child, phases);
        visit(child, sub, phaseOwner(child.blocks, roles) ?? owner);
      }
    }
  };
  visit(root, root.heading && stepHeadingCount(root) > 0 ? newPhase(root, phases) : undefined, phaseOwner(root.blocks, roles));
  return phases.filter((p) => p.steps.length > 0);
}

function stepHeadingCount(section: Section): number {
  return section.children.filter((c) => c.heading && stepHeading(c.heading.text)).length;
}

function newPhase(section: Section, phases: DraftPhase[]): DraftPhase {
  const heading = section.heading;
  const { title, window } = phaseTitle(heading?.text ?? "Procedure");
  const phase: DraftPhase = { id: slug(title, "phase"), title, line: heading?.line ?? 1, steps: [], ...(window ? { window } : {}) };
  phases.push(phase);
  return phase;
}

function stepsFromLists(sections: readonly Section[], roles: Roles, findings: Findings): DraftPhase[] {
  const phases: DraftPhase[] = [];
  for (const section of sections) {
    const lists = section.blocks.filter((b): b is List => b.kind === "list" && b.ordered);
    if (lists.length === 0 && !hasStepTable(section)) continue;
    const phase = newPhase(section, phases);
    stepsFromTables(section, phase, roles, findings);
    const owner = phaseOwner(section.blocks, roles);
    for (const list of lists) {
      for (const item of list.items) {
        const title = firstLine(item.text).replace(/[.:]$/, "");
        const step = newStep(title, item.line);
        const rest = item.text.split("\n").slice(1).join("\n").trim();
        const reader = new StepReader(step, roles, findings);
        reader.read([...(rest ? [{ kind: "paragraph" as const, text: rest, line: item.line }] : []), ...item.children]);
        const inTitle = findDeadline(title);
        if (inTitle && !step.deadline) step.deadline = { phrase: inTitle.phrase, line: item.line, text: inTitle.match };
        if (!step.owner && owner) step.owner = owner;
        phase.steps.push(step);
      }
    }
  }
  return phases;
}

function hasStepTable(section: Section): boolean {
  return section.blocks.some((b) => b.kind === "table" && stepTableRows(b) !== undefined);
}

function hasNumberedList(section: Section): boolean {
  return section.blocks.some((b) => (b.kind === "list" && b.ordered) || (b.kind === "table" && stepTableRows(b) !== undefined));
}

/** The rows of a section's step tables as steps of the phase. */
function stepsFromTables(section: Section, phase: DraftPhase, roles: Roles, findings: Findings): void {
  for (const block of section.blocks) {
    if (block.kind !== "table") continue;
    for (const row of stepTableRows(block) ?? []) {
      const step = newStep(titleFromWhat(row.what), block.line);
      const reader = new StepReader(step, roles, findings);
      if (row.who) reader.read([{ kind: "paragraph", text: `Owner: ${row.who}`, line: block.line }]);
      reader.read([
        { kind: "paragraph", text: row.what, line: block.line },
        ...(row.more.length > 0
          ? [
              {
                kind: "list" as const,
                ordered: false,
                items: row.more.map((text) => ({ text, line: block.line, children: [] })),
                line: block.line,
              },
            ]
          : []),
      ]);
      phase.steps.push(step);
    }
  }
}

/**
 * Numbered items are the steps when the section numbers them itself, or when most of its
 * sub-sections do (phases of numbered steps); otherwise the sub-sections are the steps, and a
 * numbered list inside one is that step's instructions.
 */
function numberedListsAreSteps(root: Section): boolean {
  if (hasNumberedList(root) || root.children.length === 0) return true;
  const withLists = root.children.filter(hasNumberedList).length;
  return withLists * 2 >= root.children.length;
}

function stepsFromSubsections(root: Section, roles: Roles, findings: Findings): DraftPhase[] {
  const phases: DraftPhase[] = [];
  const phase = newPhase(root, phases);
  const owner = phaseOwner(root.blocks, roles);
  for (const child of root.children) {
    if (!child.heading || sectionRole(child) !== "procedure") continue;
    const { title, window } = phaseTitle(child.heading.text);
    const step = newStep(title, child.heading.line);
    new StepReader(step, roles, findings).read(blocksOf(child));
    if (window && !step.deadline) {
      const end = /(\d+)\+?$/.exec(window.split(" after ")[0] ?? "")?.[1];
      if (end && window.startsWith("Day"))
        step.deadline = { phrase: { amount: `Day ${end}`, kind: "day", direction: "after" }, line: child.heading.line, text: window };
    }
    if (!step.owner && owner) step.owner = owner;
    phase.steps.push(step);
  }
  return phases.filter((p) => p.steps.length > 0);
}

/** The procedure's phases and steps, however the document writes them. */
export function readProcedure(top: readonly Section[], roles: Roles, findings: Findings): DraftPhase[] {
  const roots = procedureRoots(top);
  for (const section of top) {
    if (section.heading && sectionRole(section) === "procedure" && !roots.includes(section))
      findings.add(
        section.heading.line,
        "info",
        `the section "${section.heading.text}" is not read as part of the procedure; its text is not in the draft`,
      );
  }
  const withHeadings = roots.some((root) => [...descendants(root)].some((s) => s.heading && stepHeading(s.heading.text)));
  return roots.flatMap((root) => {
    const phases = withHeadings
      ? stepsFromHeadings(root, roles, findings)
      : numberedListsAreSteps(root)
        ? stepsFromLists([root, ...descendants(root)], roles, findings)
        : stepsFromSubsections(root, roles, findings);
    // A section taken for the procedure that gave no step (a diagram, a table of triggers) is named.
    if (phases.length === 0 && root.heading)
      findings.add(
        root.heading.line,
        "info",
        `the section "${root.heading.text}" gives no step and is not read into the draft; copy what it says where it belongs`,
      );
    return phases;
  });
}
