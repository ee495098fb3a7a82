// The document's headings as a tree of sections, and which job each section does in an SOP
// (its purpose, its roles, its procedure ...), told from the heading's words.
import type { Block, Heading } from "./document.ts";

export interface Section {
  readonly heading?: Heading;
  /** The blocks between the heading and its first sub-heading. */
  readonly blocks: Block[];
  readonly children: Section[];
}

export function sectionTree(blocks: readonly Block[]): Section {
  const root: Section = { blocks: [], children: [] };
  const stack: { level: number; section: Section }[] = [{ level: 0, section: root }];
  for (const block of blocks) {
    if (block.kind !== "heading") {
      stack[stack.length - 1]?.section.blocks.push(block);
      continue;
    }
    while (stack.length > 1 && (stack[stack.length - 1]?.level ?? 0) >= block.level) stack.pop();
    const section: Section = { heading: block, blocks: [], children: [] };
    stack[stack.length - 1]?.section.children.push(section);
    stack.push({ level: block.level, section });
  }
  return root;
}

/** A heading's words without its number: "6. Procedure" → "Procedure", "A. RACI Matrix" → "RACI Matrix". */
export function bareTitle(text: string): string {
  return text
    .replace(/^(?:section\s+)?(?:[A-Z]|\d+(?:\.\d+)*)[.)]?\s+(?=\S)/, "")
    .replace(/^[^\p{L}\p{N}]+/u, "")
    .trim();
}

export type SectionRole = "contents" | "document" | "purpose" | "scope" | "roles" | "raci" | "kpis" | "definitions" | "other" | "procedure";

const ROLES: readonly [SectionRole, RegExp][] = [
  ["contents", /^(table of )?contents$|^on this page$/i],
  ["document", /^document (control|information|details)|^document$|^sop (information|details)/i],
  ["purpose", /^(purpose|objective|objectives)\b/i],
  ["scope", /^scope\b/i],
  ["raci", /\braci\b/i],
  ["roles", /^(roles and )?responsibilit|^roles\b/i],
  ["kpis", /key performance|\bkpis?\b|^metrics\b|success metrics|time to value metrics/i],
  ["definitions", /^(definitions?|glossary|terms( and definitions)?|abbreviations)$/i],
  [
    "other",
    /^(references?|related documents|revision|change history|version history|approvals?|sign-?off|process map|swimlane|checklist job aid|job aid|quality controls?|training$|deliverables|personal data|exception|escalation|systems|supporting materials|compliance|standards|artifacts?|overview|introduction|background|appendix|attachments?|templates?|notes?|faq|communication templates?|tools|resources)/i,
  ],
];

export function sectionRole(section: Section): SectionRole {
  const title = bareTitle(section.heading?.text ?? "");
  for (const [role, pattern] of ROLES) if (pattern.test(title)) return role;
  return "procedure";
}

/** Every section below this one, depth first, in document order. */
export function* descendants(section: Section): Generator<Section> {
  for (const child of section.children) {
    yield child;
    yield* descendants(child);
  }
}
