// Everything the SOP sections share while one document is built: the playbook, the edition,
// the placeholder filler, step numbers, section numbers and the findings to report.

import { knownAtStart } from "../../engine/run-time.ts";
import type { PlaybookModel, StepEntry } from "../../playbook/model.ts";
import { inlinePlainText, type ProseBlock, type ProseInline, parseProse } from "../../playbook/prose.ts";
import type { CallSite, Playbook, Procedure, Step } from "../../playbook/schema.ts";
import { assertNever, type Block, type Inline, type ListItem, type RenderFinding, type Rich } from "../document.ts";
import { Placeholders } from "../placeholders.ts";
import type { Edition } from "./edition.ts";
import { capitalize, type Vocabulary, withoutLeadingNumber } from "./words.ts";

/** The procedure is section 6, as in seed 002; steps are 6.1, 6.2 ... */
export const PROCEDURE_SECTION = 6;

export class BuildContext implements Vocabulary {
  readonly playbook: Playbook;
  readonly model: PlaybookModel;
  readonly edition: Edition;
  readonly fill: Placeholders;
  readonly findings: RenderFinding[] = [];
  /** Step and cadence numbers ("6.3", "6.3.1"), in document order. */
  readonly numbers = new Map<string, string>();
  /** The step (or rule) that opens each on-demand step. */
  /** Who opens each on-demand step: a decision (by a branch, a detour or an action) or a rule. */
  readonly openedBy = new Map<string, { step?: string; rule?: string; detour?: boolean }>();
  /** Each step a call expanded into, with the top-level call it belongs to (written as one step). */
  readonly callOf = new Map<string, CallSite>();
  /** Each procedure's section label ("4.3", or the next number of the procedure section). */
  readonly procedureLabels = new Map<string, string>();
  /** While a procedure's own section is written: its steps' numbers and titles (by the expanded ids of one call). */
  local:
    | {
        readonly procedure: Procedure;
        readonly call: CallSite;
        readonly numbers: Map<string, string>;
        readonly titles: Map<string, string>;
      }
    | undefined;
  /** Conditions that need their expression beside their words, numbered C1, C2 ... in order of first use. */
  readonly conditions = new Map<string, { readonly label: string; readonly words: string | undefined }>();
  #section = 0;
  #appendix = 0;

  constructor(model: PlaybookModel, edition: Edition) {
    this.model = model;
    this.playbook = model.playbook;
    this.edition = edition;
    this.fill = new Placeholders(edition.values, Object.keys(model.playbook.parameters));
    for (const call of model.playbook.calls) {
      if (call.parent !== undefined) continue;
      for (const id of call.steps) this.callOf.set(id, call);
    }
    this.#number();
  }

  /** The call a step stands for, when it is the first step of a call written as one step. */
  callStartingAt(stepId: string): CallSite | undefined {
    const call = this.callOf.get(stepId);
    return call && this.entries().find((e) => this.callOf.get(e.step.id) === call)?.step.id === stepId ? call : undefined;
  }

  /** The procedure's section heading words: "Section 4.3 (Enhanced due diligence)". */
  procedureRef(procedureId: string): string {
    const procedure = this.playbook.procedures.find((p) => p.id === procedureId);
    return `Section ${this.procedureLabels.get(procedureId) ?? ""} (${this.fill.plain(procedure?.title ?? procedureId)})`;
  }

  /** Does this step appear in this edition? */
  includes(step: Step): boolean {
    return !this.edition.excludedSteps.has(step.id);
  }

  /**
   * Whether the step's `when:` is printed as a condition: always in the general SOP; in a client's
   * edition only where it reads what is filled during the run (a form answer), since the start
   * cannot decide it.
   */
  conditional(step: Pick<Step, "when">): boolean {
    return step.when !== undefined && (!this.edition.holds || !knownAtStart(step.when));
  }

  entries(): StepEntry[] {
    return this.model.order.filter((entry) => this.includes(entry.step));
  }

  #number(): void {
    const p = this.playbook;
    for (const entry of this.model.order) {
      for (const branch of entry.step.decision?.branches ?? []) {
        if (this.model.steps.get(branch.next)?.step.on_demand && !this.openedBy.has(branch.next)) {
          this.openedBy.set(branch.next, { step: entry.step.id });
        }
        for (const id of branch.detour ?? []) if (!this.openedBy.has(id)) this.openedBy.set(id, { step: entry.step.id, detour: true });
        for (const action of branch.actions) {
          const target = action.activate?.step;
          if (target && !this.openedBy.has(target)) this.openedBy.set(target, { step: entry.step.id });
        }
      }
    }
    for (const rule of p.rules) {
      for (const action of rule.actions) {
        const target = action.activate?.step;
        if (target && !this.openedBy.has(target))
          this.openedBy.set(target, rule.step ? { step: rule.step, rule: rule.id } : { rule: rule.id });
      }
    }
    let n = 0;
    const sub = new Map<string, number>();
    const pending: StepEntry[] = [];
    p.phases.forEach((phase) => {
      for (const step of phase.steps) {
        if (!this.includes(step)) continue;
        // A call is one step of the procedure; its steps are written once, in the procedure's section.
        const call = this.callOf.get(step.id);
        if (call) {
          const number = this.numbers.get(`call:${call.id}`) ?? `${PROCEDURE_SECTION}.${++n}`;
          this.numbers.set(`call:${call.id}`, number);
          this.numbers.set(step.id, number);
          continue;
        }
        const entry = this.model.steps.get(step.id);
        if (step.on_demand && this.openedBy.get(step.id)?.step !== undefined && entry) pending.push(entry);
        else this.numbers.set(step.id, `${PROCEDURE_SECTION}.${++n}`);
      }
      for (const cadence of p.cadences.filter((c) => c.during === phase.id))
        this.numbers.set(`cadence:${cadence.id}`, `${PROCEDURE_SECTION}.${++n}`);
    });
    for (const cadence of p.cadences.filter((c) => c.during === undefined))
      this.numbers.set(`cadence:${cadence.id}`, `${PROCEDURE_SECTION}.${++n}`);
    for (const procedure of p.procedures) this.procedureLabels.set(procedure.id, procedure.section ?? `${PROCEDURE_SECTION}.${++n}`);
    // Side branches (fix, clarify, revise) are numbered under the step whose decision opens them, so
    // the main line keeps the numbering a reader expects (seed 002: 6.3, then 6.4).
    for (let guard = 0; pending.length > 0 && guard < 100; guard++) {
      for (const entry of [...pending]) {
        const parent = this.openedBy.get(entry.step.id)?.step ?? "";
        const base = this.numbers.get(parent);
        if (base === undefined && this.model.steps.has(parent) && pending.some((e) => e.step.id === parent)) continue;
        pending.splice(pending.indexOf(entry), 1);
        if (base === undefined) {
          this.numbers.set(entry.step.id, `${PROCEDURE_SECTION}.${++n}`);
        } else {
          const k = (sub.get(parent) ?? 0) + 1;
          sub.set(parent, k);
          this.numbers.set(entry.step.id, `${base}.${k}`);
        }
      }
    }
  }

  /** "6.2", or "" for a step this edition leaves out. */
  number(stepId: string): string {
    return this.local?.numbers.get(stepId) ?? this.numbers.get(stepId) ?? "";
  }

  /** The title as printed: placeholders filled, the author's own leading number dropped. */
  stepTitle(stepId: string): string {
    const local = this.local?.titles.get(stepId);
    if (local !== undefined) return this.fill.plain(withoutLeadingNumber(local));
    const step = this.model.steps.get(stepId)?.step;
    return step ? this.fill.plain(withoutLeadingNumber(step.title)) : stepId;
  }

  stepRef(id: string): string {
    const number = this.number(id);
    // A step of a call is referred to as the call (the procedure's section says the rest).
    const call = this.local?.titles.has(id) ? undefined : this.callOf.get(id);
    const title = call ? this.fill.plain(call.title) : this.stepTitle(id);
    if (!this.model.steps.has(id)) return id;
    return number ? `${number} (${title})` : `“${title}” (not applicable)`;
  }

  roleTitle(id: string): string {
    const role = this.playbook.roles[id];
    return role ? this.fill.plain(role.title) : id;
  }

  /** User text with placeholders filled. */
  t(value: string): Rich {
    return this.fill.rich(value);
  }

  /**
   * Prose the author wrote (Markdown: paragraphs, lists, emphasis, code, links) as document
   * blocks; placeholders are filled in the text and in link addresses, and an address that is not
   * http, https or mailto once filled is dropped (its text stays).
   */
  prose(value: string): Block[] {
    return this.#parse(value).map((block) => this.#block(block));
  }

  /**
   * Prose in a place that holds one run of text (a list item, a table cell, a labelled line):
   * paragraphs become line breaks and list items lines of their own ("• ...", "1. ...").
   */
  proseInline(value: string): Rich {
    const out: Inline[] = [];
    const line = (rich: Rich) => {
      if (out.length > 0) out.push({ kind: "break" });
      out.push(...rich);
    };
    const visit = (blocks: readonly ProseBlock[]): void => {
      for (const block of blocks) {
        if (block.kind === "paragraph") line(this.#inlines(block.content));
        else
          block.items.forEach((item, i) => {
            const [first, ...rest] = item;
            const marker = { kind: "text", text: block.ordered ? `${block.start + i}. ` : "• " } as const;
            line(first?.kind === "paragraph" ? [marker, ...this.#inlines(first.content)] : [marker]);
            visit(first?.kind === "paragraph" ? rest : item);
          });
      }
    };
    visit(this.#parse(value));
    return out;
  }

  #parse(value: string): ProseBlock[] {
    return parseProse(value, { resolveHref: (href) => this.fill.plain(href) });
  }

  #inlines(content: readonly ProseInline[], style?: "strong" | "em"): Inline[] {
    return content.flatMap((node): Inline[] => {
      switch (node.kind) {
        case "text":
          return [...this.fill.rich(node.text, style)];
        case "strong":
        case "em":
          return this.#inlines(node.children, style ?? node.kind);
        case "code":
          return [{ kind: "text", text: this.fill.plain(node.text), style: "code" }];
        case "link":
          return [{ kind: "link", text: this.fill.plain(inlinePlainText(node.children)), href: node.href }];
        case "break":
          return [{ kind: "break" }];
        default:
          return assertNever(node);
      }
    });
  }

  #block(block: ProseBlock): Block {
    if (block.kind === "paragraph") return { kind: "paragraph", text: this.#inlines(block.content) };
    return {
      kind: "list",
      style: block.ordered ? "number" : "bullet",
      items: block.items.map((item): ListItem => {
        const [first, ...rest] = item;
        const text = first?.kind === "paragraph" ? this.#inlines(first.content) : [];
        const children = (first?.kind === "paragraph" ? rest : item).map((b) => this.#block(b));
        return children.length > 0 ? { text, children } : { text };
      }),
    };
  }

  /** A numbered level-2 section heading. */
  section(title: string): Block {
    const number = String(++this.#section);
    return { kind: "heading", level: 2, id: `section-${number}`, number: `${number}.`, text: [{ kind: "text", text: title }] };
  }

  /** The label of a condition listed in the Conditions appendix ("C3"), numbering it on first use. */
  conditionLabel(condition: string, words: string | undefined): string {
    const known = this.conditions.get(condition);
    if (known) return known.label;
    const label = `C${this.conditions.size + 1}`;
    this.conditions.set(condition, { label, words });
    return label;
  }

  /** A lettered heading of the supporting materials (A, B, ...). */
  appendix(title: string): Block {
    const letter = String.fromCharCode(65 + this.#appendix++);
    return {
      kind: "heading",
      level: 2,
      id: `appendix-${letter.toLowerCase()}`,
      number: `${letter}.`,
      text: [{ kind: "text", text: title }],
    };
  }

  /** Says "only where <condition>" in words, or with the CEL when it has no words. */
  note(severity: RenderFinding["severity"], code: string, message: string): void {
    this.findings.push({ severity, code, message: capitalize(message) });
  }
}
