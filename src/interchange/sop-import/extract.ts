// From the document model to a draft playbook: phases from headings, steps from numbered headings
// or numbered items, owners from "Owner:"/"Responsible:" lines and RACI tables, deadlines from
// "within N business days" and "Day N", decisions from IF/THEN, checklists, KPI tables and the
// document control table. Whatever is guessed or not understood becomes a finding.
import type { ImportFinding } from "../draft.ts";
import type { Block, List, SopDocument, Table } from "./document.ts";
import { findRoleRows, readDocumentControl, readPurpose, readRaci, readScope } from "./front-matter.ts";
import {
  type DeadlinePhrase,
  findDeadline,
  guessSide,
  labelled,
  readDeadline,
  readIfThen,
  type Side,
  slug,
  splitRoles,
  splitWindow,
} from "./phrases.ts";
import { bareTitle, descendants, type Section, sectionRole, sectionTree } from "./sections.ts";
import { stepTableRows, titleFromWhat } from "./step-table.ts";

export interface DraftRole {
  readonly id: string;
  readonly title: string;
  side: Side;
  sideGuessed: boolean;
  readonly line: number;
  readonly responsibilities: string[];
}

interface DraftBranch {
  readonly label: string;
  readonly condition: string;
  readonly target: string;
  readonly line: number;
}

export interface DraftStep {
  id: string;
  readonly title: string;
  /** The number the document gives it ("6.2"), for cross-references. */
  readonly number?: string;
  readonly line: number;
  owner?: string;
  readonly responsible: string[];
  raci?: { responsible: string[]; accountable: string; consulted: string[]; informed: string[] };
  deadline?: { readonly phrase: DeadlinePhrase; readonly line: number; readonly text: string };
  kind?: "meeting" | "review" | "milestone";
  readonly description: string[];
  readonly instructions: string[];
  expected?: string;
  readonly checklist: string[];
  decision?: { readonly question: string; readonly branches: DraftBranch[]; readonly line: number };
  returnsTo?: string;
  visibleToClient?: boolean;
  /** "every week during Phase 3": a recurring activity, a cadence rather than a step. */
  recurs?: string;
}

export interface DraftPhase {
  readonly id: string;
  readonly title: string;
  readonly window?: string;
  readonly line: number;
  readonly steps: DraftStep[];
}

export class Findings {
  readonly list: ImportFinding[] = [];
  private readonly unit: "line" | "paragraph";
  constructor(unit: "line" | "paragraph") {
    this.unit = unit;
  }

  add(line: number, severity: ImportFinding["severity"], message: string, element?: string): void {
    const where = this.unit === "paragraph" ? ` (Word paragraph ${line})` : "";
    this.list.push({ line, severity, message: `${message}${where}`, ...(element ? { element } : {}) });
  }
}

export class Roles {
  readonly byTitle = new Map<string, DraftRole>();

  /** The role with this title, created (its side guessed) when the document has not named it before. */
  ensure(title: string, line: number, side?: Side): string {
    const key = title.trim().toLowerCase();
    const known = this.byTitle.get(key);
    if (known) {
      if (side && known.sideGuessed) {
        known.side = side;
        known.sideGuessed = false;
      }
      return known.id;
    }
    let id = slug(title, "role");
    const taken = new Set([...this.byTitle.values()].map((r) => r.id));
    for (let n = 2; taken.has(id); n++) id = `${slug(title, "role")}_${n}`;
    this.byTitle.set(key, {
      id,
      title: title.trim(),
      side: side ?? guessSide(title),
      sideGuessed: side === undefined,
      line,
      responsibilities: [],
    });
    return id;
  }

  /** The known role a phrase means: its title as written, or without a parenthesis, "or" read as "/". */
  private known(text: string): string | undefined {
    const key = (t: string) =>
      t
        .toLowerCase()
        .replace(/\s*(?:\/|\bor\b)\s*/g, "/")
        .trim();
    const wanted = [text, text.replace(/\s*\([^)]*\)/g, "")].map(key);
    for (const role of this.byTitle.values()) if (wanted.includes(key(role.title))) return role.id;
    return undefined;
  }

  /** The roles a phrase names: one known title as a whole ("BSA/AML Officer"), else its parts. */
  named(text: string, line: number): string[] {
    const whole = text.trim().replace(/\.$/, "");
    if (whole === "" || whole === "—") return [];
    const known = this.known(whole);
    if (known) return [known];
    return splitRoles(whole).map((part) => this.known(part) ?? this.ensure(part, line));
  }
}

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

function itemTexts(list: List): string[] {
  return list.items.flatMap((item) => [
    item.text.replace(/\n/g, " "),
    ...item.children.flatMap((child) => (child.kind === "list" ? itemTexts(child) : [])),
  ]);
}

/** Reads one step's blocks: its meta lines, text, lists, decisions. */
class StepReader {
  private readonly step: DraftStep;
  private readonly roles: Roles;
  private readonly findings: Findings;
  constructor(step: DraftStep, roles: Roles, findings: Findings) {
    this.step = step;
    this.roles = roles;
    this.findings = findings;
  }

  private setDeadline(phrase: DeadlinePhrase, line: number, text: string): void {
    if (!this.step.deadline) this.step.deadline = { phrase, line, text };
  }

  private meta(pairs: readonly { label: string; value: string }[], line: number): boolean {
    const known = new Set([
      "owner",
      "responsible",
      "accountable",
      "also responsible",
      "consulted",
      "informed",
      "deadline",
      "due",
      "target time",
      "type",
      "client portal",
      "applies only where",
      "opened only when needed",
      "starts after",
      "expected result",
      "systems",
      "checklist",
      "completion",
      "go-live",
      "recurs",
      "repeated for each",
      "compliance",
      "target",
      "opens",
    ]);
    const first = pairs[0]?.label ?? "";
    if (!(known.has(first) && first !== "checklist" ? true : pairs.every((p) => known.has(p.label)))) return false;
    for (const { label, value } of pairs) {
      if (!known.has(label)) {
        // said in the document, not read into the language: kept as text
        this.step.description.push(`${label[0]?.toUpperCase()}${label.slice(1)}: ${value}`);
        continue;
      }
      switch (label) {
        case "owner":
        case "responsible": {
          const named = this.roles.named(value, line);
          if (named[0] && !this.step.owner) this.step.owner = named[0];
          this.step.responsible.push(...named.slice(this.step.owner === named[0] ? 1 : 0));
          break;
        }
        case "also responsible":
          this.step.responsible.push(...this.roles.named(value, line));
          break;
        case "accountable":
        case "consulted":
        case "informed":
          this.roles.named(value, line);
          break;
        case "deadline":
        case "due":
        case "target time": {
          if (/^by the end of the phase/i.test(value)) break;
          const phrase = readDeadline(value);
          if (phrase) this.setDeadline(phrase, line, value);
          else {
            const found = findDeadline(value);
            if (found) this.setDeadline(found.phrase, line, value);
            else this.findings.add(line, "warning", `the deadline "${value}" is not understood; kept out of the draft`, this.step.id);
          }
          break;
        }
        case "type": {
          const kind = value.toLowerCase();
          if (kind === "meeting" || kind === "review" || kind === "milestone") this.step.kind = kind;
          break;
        }
        case "client portal":
          this.step.visibleToClient = /visible/i.test(value) && !/not visible/i.test(value);
          break;
        case "opened only when needed": {
          const back = /return to\s+(\d+(?:\.\d+)+)/i.exec(value);
          if (back?.[1]) this.step.returnsTo = back[1];
          break;
        }
        case "recurs":
          this.step.recurs = value;
          break;
        case "expected result":
          this.step.expected = value;
          break;
        case "checklist":
          break;
        case "applies only where":
          this.findings.add(
            line,
            "warning",
            `the step applies only where ${value}: the condition is kept as text; write it as when:`,
            this.step.id,
          );
          this.step.description.push(`Applies only where ${value}.`);
          break;
        default:
          // said in the document, not yet read into the language: kept as text
          this.step.description.push(`${label[0]?.toUpperCase()}${label.slice(1)}: ${value}`);
      }
    }
    return true;
  }

  private decisionFrom(blocks: readonly Block[], line: number): boolean {
    const head = blocks[0];
    if (head?.kind !== "paragraph" || !/^decision:/i.test(head.text)) return false;
    const question = head.text.replace(/^decision:\s*/i, "").trim();
    const branches: DraftBranch[] = [];
    for (const block of blocks.slice(1)) {
      if (block.kind !== "list") continue;
      for (const item of block.items) {
        const rule = readIfThen(item.text);
        if (rule) branches.push({ label: rule.condition, condition: rule.condition, target: rule.consequence, line: item.line });
      }
    }
    if (branches.length > 0) this.step.decision = { question, branches, line };
    return true;
  }

  private sentence(text: string, line: number): void {
    const rule = readIfThen(text);
    if (rule && !this.step.decision) {
      this.step.decision = {
        question: `${rule.condition[0]?.toUpperCase()}${rule.condition.slice(1)}?`,
        branches: [{ label: rule.condition, condition: rule.condition, target: rule.consequence, line }],
        line,
      };
      return;
    }
    const found = findDeadline(text);
    if (found) this.setDeadline(found.phrase, line, found.match);
    else if (/\bwithin\b/i.test(text) && !this.step.deadline)
      this.findings.add(
        line,
        "info",
        `a time limit here is not understood ("${/\bwithin\b[^;]{0,50}/i.exec(text)?.[0].trim()}"); write due: yourself`,
        this.step.id,
      );
    this.step.description.push(text);
  }

  read(blocks: readonly Block[]): void {
    let checklistNext = false;
    for (const block of blocks) {
      switch (block.kind) {
        case "paragraph": {
          const pairs = labelled(block.text);
          if (pairs && this.meta(pairs, block.line)) {
            checklistNext = pairs.some((p) => p.label === "checklist");
            continue;
          }
          this.sentence(block.text, block.line);
          break;
        }
        case "list": {
          if (checklistNext) this.step.checklist.push(...itemTexts(block));
          else {
            for (const item of block.items) {
              if (item.checked !== undefined) {
                this.step.checklist.push(...itemTexts({ ...block, items: [item] }));
                continue;
              }
              const rule = readIfThen(item.text);
              if (rule && !this.step.decision) this.sentence(item.text, item.line);
              else this.step.instructions.push(item.text.replace(/\n/g, " "));
            }
          }
          break;
        }
        case "quote":
          if (!this.decisionFrom(block.blocks, block.line)) {
            const first = block.blocks[0];
            // The renderer's checkpoint boxes restate the gate; other call-outs are kept as text.
            if (!(first?.kind === "paragraph" && /^checkpoint\b/i.test(first.text))) this.read(block.blocks);
          }
          break;
        case "table":
          this.findings.add(block.line, "info", "a table inside the step is not read; copy what it says into the step", this.step.id);
          break;
        case "heading":
          break;
      }
      checklistNext = false;
    }
  }
}

export interface Extracted {
  readonly title: string;
  readonly control: ReturnType<typeof readDocumentControl>;
  readonly purpose?: string;
  readonly scope: string[];
  readonly phases: DraftPhase[];
  readonly roles: Roles;
  readonly kpiTables: Table[];
  readonly findings: Findings;
}

function blocksOf(section: Section): Block[] {
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
  const named = candidates.find((s) => /procedure|steps|process|workflow|timeline/i.test(bareTitle(s.heading?.text ?? "")));
  if (named && (named.children.length > 0 || named.blocks.some((b) => b.kind === "list" && b.ordered))) return [named];
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

export function extract(document: SopDocument): Extracted {
  const findings = new Findings(document.unit);
  const roles = new Roles();
  const tree = sectionTree(document.blocks);
  // One H1 at the top is the document's title; its sub-sections are the document's sections.
  const h1s = tree.children.filter((s) => s.heading?.level === 1);
  const titled = h1s.length === 1 && h1s[0] ? h1s[0] : undefined;
  const top = titled ? [...titled.children, ...tree.children.filter((s) => s !== titled)] : tree.children;
  const title = titled?.heading?.text ?? document.title ?? "";
  const all = [tree, ...descendants(tree)];

  const control = readDocumentControl(all, findings);
  for (const section of all) {
    if (section.heading && sectionRole(section) === "roles") {
      for (const row of findRoleRows(section)) {
        const id = roles.ensure(row.title, row.line, row.side);
        const role = [...roles.byTitle.values()].find((r) => r.id === id);
        if (role && row.responsibility) role.responsibilities.push(row.responsibility);
      }
    }
  }

  const roots = procedureRoots(top);
  const phases: DraftPhase[] = [];
  const withHeadings = roots.some((root) => [...descendants(root)].some((s) => s.heading && stepHeading(s.heading.text)));
  if (withHeadings) {
    for (const root of roots) phases.push(...stepsFromHeadings(root, roles, findings));
  } else {
    for (const root of roots) {
      const phasesHere = numberedListsAreSteps(root)
        ? stepsFromLists([root, ...descendants(root)], roles, findings)
        : stepsFromSubsections(root, roles, findings);
      phases.push(...phasesHere);
    }
  }

  const overview = all.find((s) => /^(overview|introduction|summary)$/i.test(bareTitle(s.heading?.text ?? "")));
  const purposeSection = all.find((s) => s.heading && sectionRole(s) === "purpose") ?? overview;
  if (purposeSection && purposeSection === overview && overview.heading)
    findings.add(
      overview.heading.line,
      "info",
      `the purpose is taken from the section "${overview.heading.text}"; check it says why the procedure exists`,
      "purpose",
    );
  const scopeSection = all.find((s) => s.heading && sectionRole(s) === "scope");
  const raciTables = all.filter((s) => s.heading && (sectionRole(s) === "raci" || sectionRole(s) === "roles")).flatMap((s) => blocksOf(s));
  readRaci(raciTables, phases, roles, findings);
  const kpiSections = all.filter((s) => s.heading && sectionRole(s) === "kpis");
  const kpiTables = kpiSections.flatMap((s) => s.blocks).filter((b): b is Table => b.kind === "table");
  // KPIs written as sub-headings with a "Goal: 14 days" line read as a table of their own.
  const goals = kpiSections
    .flatMap((s) => s.children)
    .flatMap((child): string[][] => {
      for (const block of child.blocks) {
        if (block.kind !== "paragraph") continue;
        const goal = labelled(block.text)?.find((p) => p.label === "goal" || p.label === "target");
        if (goal && child.heading) return [[child.heading.text, goal.value]];
      }
      return [];
    });
  if (goals.length > 0) kpiTables.push({ kind: "table", rows: [["KPI", "Target"], ...goals], line: kpiSections[0]?.heading?.line ?? 1 });
  return {
    title,
    control,
    ...(purposeSection ? { purpose: readPurpose(purposeSection) } : {}),
    scope: scopeSection ? readScope(scopeSection) : [],
    phases,
    roles,
    kpiTables,
    findings,
  };
}
