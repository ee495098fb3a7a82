// One step's blocks read into its parts: the "Owner: X · Deadline: Y" meta lines, its text (with
// any deadline or IF/THEN in it), checklists, instructions and the renderer's decision boxes.
import type { Block, List } from "./document.ts";
import type { DraftBranch, DraftStep, Findings, Roles } from "./draft-parts.ts";
import { type DeadlinePhrase, findDeadline, labelled, readDeadline, readIfThen } from "./phrases.ts";

function itemTexts(list: List): string[] {
  return list.items.flatMap((item) => [
    item.text.replace(/\n/g, " "),
    ...item.children.flatMap((child) => (child.kind === "list" ? itemTexts(child) : [])),
  ]);
}

/** Reads one step's blocks: its meta lines, text, lists, decisions. */
/**
 * A paragraph's lines grouped into what each says: lines written one under the other
 * ("Owner: X", "IF a:", "THEN b") are one paragraph in Markdown but separate statements.
 */
function lineGroups(text: string): string[] {
  const groups: string[] = [];
  for (const line of text.split("\n")) {
    const starts = /^(IF|If|OTHERWISE)\b/.test(line) || /^[A-Z][A-Za-z /()-]{0,40}:\s/.test(line);
    const last = groups.length - 1;
    if (groups.length === 0 || (starts && !/^THEN\b/.test(line))) groups.push(line);
    else groups[last] = `${groups[last]}\n${line}`;
  }
  return groups;
}

export class StepReader {
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
          // Only the first line names someone: a line under it ("by Day 5") says something else.
          const [who = "", ...more] = value.split("\n");
          const rest = more.join(" ").trim();
          if (rest) {
            const found = findDeadline(rest);
            if (found) this.setDeadline(found.phrase, line, rest);
            else this.step.description.push(rest);
          }
          const named = this.roles.named(who, line);
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
    if (rule)
      this.findings.add(
        line,
        "warning",
        `a second IF/THEN in one step ("${rule.condition}") is kept as text; make it a step of its own`,
        this.step.id,
      );
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

  /**
   * A code block (an e-mail template, a handoff checklist, a diagram) is kept word for word in the
   * description, its lines as written. Not fenced: step text has no code blocks, so the SOP would
   * print the fences themselves.
   */
  private code(text: string, _lang: string): void {
    this.step.description.push(text);
  }

  read(blocks: readonly Block[]): void {
    let checklistNext = false;
    for (const block of blocks) {
      switch (block.kind) {
        case "paragraph": {
          let checklist = false;
          for (const part of lineGroups(block.text)) {
            const pairs = labelled(part);
            if (pairs && this.meta(pairs, block.line)) checklist = pairs.some((p) => p.label === "checklist");
            else this.sentence(part, block.line);
          }
          if (checklist) {
            checklistNext = true;
            continue;
          }
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
              else {
                this.step.instructions.push(item.text.replace(/\n/g, " "));
                // Sub-items ("Include: - the agenda - the link") are instructions too, in order.
                for (const child of item.children) if (child.kind === "list") this.step.instructions.push(...itemTexts(child));
              }
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
        case "code":
          this.code(block.text, block.lang);
          break;
        case "heading":
          break;
      }
      checklistNext = false;
    }
  }
}
