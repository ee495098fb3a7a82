// The parts of an SOP around its procedure: the document control table, purpose, scope, the
// roles table, the RACI matrix and the KPI table.
import type { Block, Table } from "./document.ts";
import type { DraftPhase, Findings, Roles } from "./draft-parts.ts";
import { readSide, type Side } from "./phrases.ts";
import { type Section, sectionRole } from "./sections.ts";

export interface DocumentControlValues {
  readonly values: ReadonlyMap<string, { readonly value: string; readonly line: number }>;
}

const CONTROL_KEYS: readonly [string, RegExp][] = [
  ["id", /^(document id|sop id|doc(ument)? (no|number|#)|sop (no|number|#)|id|procedure id|reference)\.?$/i],
  ["title", /^(title|document title)$/i],
  ["version", /^(version|revision|rev)$/i],
  ["status", /^status$/i],
  ["owner", /^(owner|document owner|process owner|sop owner)$/i],
  ["effective", /^(effective|effective date|issue date|date of issue)$/i],
  ["review", /^(review|review date|next review|next review date)$/i],
  // The date of the last change: the effective date when the document gives none.
  ["updated", /^(last updated|last modified|last revised|updated|date)$/i],
  ["classification", /^classification$/i],
];

function controlKey(label: string): string | undefined {
  return CONTROL_KEYS.find(([, pattern]) => pattern.test(label.trim()))?.[0];
}

/** Key-value pairs of the document control: a two-column table, or "Key: value" lines under its heading. */
export function readDocumentControl(sections: readonly Section[], _findings: Findings): DocumentControlValues {
  const values = new Map<string, { value: string; line: number }>();
  const put = (label: string, value: string, line: number) => {
    const key = controlKey(label);
    if (key && value && !values.has(key)) values.set(key, { value: value.trim(), line });
  };
  for (const section of sections) {
    const isControl = section.heading !== undefined && sectionRole(section) === "document";
    for (const block of section.blocks) {
      if (block.kind === "table" && block.rows.some((row) => row.length === 2 && controlKey(row[0] ?? "") === "id")) {
        for (const row of block.rows) put(row[0] ?? "", row[1] ?? "", block.line);
      }
      const lines =
        block.kind === "paragraph"
          ? block.text.split("\n").map((text) => ({ text, line: block.line }))
          : block.kind === "list"
            ? block.items.map((item) => ({ text: item.text, line: item.line }))
            : [];
      const pairs = lines.map(({ text, line }) => ({ match: /^([A-Za-z][A-Za-z #.]{1,30}?)\s*:\s*(.+)$/.exec(text.trim()), line }));
      // Outside the top and a control section, only a block of label lines naming at least two
      // control keys is one ("**Version**: 1.0" over "**Owner**: ..." in a footer).
      const controlBlock =
        pairs.length > 0 && pairs.every((p) => p.match) && pairs.filter((p) => p.match?.[1] && controlKey(p.match[1])).length >= 2;
      if (!isControl && section.heading !== undefined && section.heading.level > 1 && !controlBlock) continue;
      for (const { match, line } of pairs) if (match?.[1] && match[2]) put(match[1], match[2], line);
    }
  }
  return { values };
}

function paragraphs(blocks: readonly Block[]): string[] {
  return blocks.filter((b) => b.kind === "paragraph").map((b) => (b.kind === "paragraph" ? b.text : ""));
}

export function readPurpose(section: Section): string | undefined {
  const text = paragraphs(section.blocks).join("\n\n").trim();
  return text || undefined;
}

export function readScope(section: Section): string[] {
  const list = section.blocks.find((b) => b.kind === "list");
  if (list?.kind === "list") return list.items.map((item) => item.text.replace(/\n/g, " ")).filter(Boolean);
  return paragraphs(section.blocks).filter((p) => !/^(applies to|does not apply to):?$/i.test(p));
}

export interface RoleRow {
  readonly title: string;
  readonly side?: Side;
  readonly responsibility?: string;
  readonly line: number;
}

function headerIndex(header: readonly string[], pattern: RegExp): number {
  return header.findIndex((cell) => pattern.test(cell.trim()));
}

/** Roles listed in a responsibilities section: a Role | Side | Responsibilities table, or "Role: duties" items. */
export function findRoleRows(section: Section): RoleRow[] {
  const rows: RoleRow[] = [];
  for (const block of section.blocks) {
    if (block.kind === "table") {
      const header = block.rows[0] ?? [];
      const role = headerIndex(header, /^(role|who|function|position|team)s?$/i);
      if (role < 0) continue;
      const side = headerIndex(header, /^side$/i);
      const duties = headerIndex(header, /responsibilit|duties|description/i);
      for (const row of block.rows.slice(1)) {
        const title = (row[role] ?? "").trim();
        if (!title) continue;
        const read = side >= 0 ? readSide(row[side] ?? "") : undefined;
        const duty = duties >= 0 ? row[duties]?.trim() : undefined;
        rows.push({ title, line: block.line, ...(read ? { side: read } : {}), ...(duty ? { responsibility: duty } : {}) });
      }
    } else if (block.kind === "list") {
      for (const item of block.items) {
        const match = /^([^:–—]{2,60}?)\s*(?::|\s[–—-]\s)\s*(.+)$/s.exec(item.text);
        if (match?.[1] && match[2])
          rows.push({ title: match[1].trim(), responsibility: match[2].replace(/\n/g, " ").trim(), line: item.line });
      }
    }
  }
  return rows;
}

const RACI_CELL = /^[RACI](\s*[/,]\s*[RACI])*$/i;

/** A RACI matrix (Activity | role | role ...; cells R, A, C, I): each row's step gets its raci. */
export function readRaci(blocks: readonly Block[], phases: readonly DraftPhase[], roles: Roles, findings: Findings): void {
  const legend = new Map<string, string>();
  for (const block of blocks) {
    if (block.kind !== "paragraph") continue;
    for (const part of block.text.split(/\s+·\s+/)) {
      const match = /^([A-Za-z0-9&]{1,8})\s+=\s+(.+)$/.exec(part.trim());
      if (match?.[1] && match[2]) legend.set(match[1], match[2].trim());
    }
  }
  const steps = phases.flatMap((p) => p.steps);
  for (const block of blocks) {
    if (block.kind !== "table") continue;
    const header = block.rows[0] ?? [];
    if (!/^(activity|activities|task|tasks|step|steps|process step)$/i.test((header[0] ?? "").trim())) continue;
    const body = block.rows.slice(1);
    if (!body.some((row) => row.slice(1).some((cell) => RACI_CELL.test(cell.trim())))) continue;
    const columns = header.slice(1).map((name) => roles.ensure(legend.get(name.trim()) ?? name.trim(), block.line));
    for (const row of body) {
      const label = (row[0] ?? "").trim();
      const number = /^(\d+(?:\.\d+)+)\s+/.exec(label)?.[1];
      const title = label.replace(/^(\d+(?:\.\d+)+)\s+/, "").toLowerCase();
      const step = steps.find((s) => (number !== undefined && s.number === number) || s.title.toLowerCase() === title);
      if (!step) {
        findings.add(block.line, "info", `the RACI row "${label}" matches no step; it is not used`);
        continue;
      }
      const letters = (i: number) => (row[i + 1] ?? "").toUpperCase();
      const holding = (letter: string) => columns.filter((_, i) => letters(i).includes(letter));
      const accountable = holding("A");
      const responsible = holding("R");
      if (accountable.length !== 1) {
        findings.add(
          block.line,
          "warning",
          `the RACI row "${label}" has ${accountable.length} accountable roles; the step's owner is taken`,
          step.id,
        );
      }
      const owner = step.owner ?? responsible[0] ?? accountable[0];
      if (!owner) continue;
      step.owner ??= owner;
      step.raci = {
        responsible: responsible.length > 0 ? responsible : [owner],
        accountable: accountable.length === 1 && accountable[0] ? accountable[0] : owner,
        consulted: holding("C"),
        informed: holding("I"),
      };
    }
  }
}

export interface KpiRow {
  readonly title: string;
  readonly target?: string;
  readonly frequency?: string;
  readonly definition?: string;
  readonly line: number;
}

/** KPI tables: a KPI / Metric column, and Target, Frequency and Definition where given. */
export function readKpis(tables: readonly Table[]): KpiRow[] {
  const rows: KpiRow[] = [];
  for (const table of tables) {
    const header = table.rows[0] ?? [];
    const name = headerIndex(header, /^(kpi|metric|indicator|measure|kpi name)s?$/i);
    if (name < 0) continue;
    const target = headerIndex(header, /^(target|goal)s?$/i);
    const frequency = headerIndex(header, /^((measurement|reporting|review|tracking) )?(frequency|cadence)$|^measured$/i);
    const definition = headerIndex(header, /^(definition|description|calculation|how (it is )?calculated)$/i);
    for (const row of table.rows.slice(1)) {
      const title = (row[name] ?? "").trim();
      if (!title) continue;
      const cell = (i: number) => (i >= 0 && row[i]?.trim() ? row[i]?.trim() : undefined);
      const t = cell(target);
      const f = cell(frequency);
      const d = cell(definition);
      rows.push({ title, line: table.line, ...(t ? { target: t } : {}), ...(f ? { frequency: f } : {}), ...(d ? { definition: d } : {}) });
    }
  }
  return rows;
}

export interface Definition {
  readonly term: string;
  readonly meaning: string;
}

/** A definitions section: a Term | Definition table, or "Term: meaning" items. */
export function readDefinitions(section: Section): Definition[] {
  const definitions: Definition[] = [];
  for (const block of section.blocks) {
    if (block.kind === "table") {
      const header = block.rows[0] ?? [];
      const term = headerIndex(header, /^(term|abbreviation|acronym|word)s?$/i);
      const meaning = headerIndex(header, /^(definition|meaning|description)s?$/i);
      if (term < 0 || meaning < 0) continue;
      for (const row of block.rows.slice(1)) {
        const t = row[term]?.trim();
        const m = row[meaning]?.trim();
        if (t && m) definitions.push({ term: t, meaning: m });
      }
    } else if (block.kind === "list") {
      for (const item of block.items) {
        const match = /^([^:–—]{1,60}?)\s*(?::|\s[–—-]\s)\s*(.+)$/s.exec(item.text);
        if (match?.[1] && match[2]) definitions.push({ term: match[1].trim(), meaning: match[2].replace(/\n/g, " ").trim() });
      }
    }
  }
  return definitions;
}
