// The RACI matrix: every activity (step and recurring activity) by role. A step's `raci:` is used
// as written; a step without one has its owner Responsible and Accountable. The check that each
// activity has exactly one Accountable role is done on the matrix itself, cell by cell.
import type { Block, Rich } from "../document.ts";
import { plain, strong, text } from "../document.ts";
import type { BuildContext } from "./context.ts";

export type RaciCell = "R" | "A" | "A/R" | "C" | "I";

export interface RaciRow {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  readonly cells: ReadonlyMap<string, RaciCell>;
}

export interface RaciMatrix {
  /** Role ids in declaration order, only those with a letter somewhere. */
  readonly roles: readonly string[];
  readonly rows: readonly RaciRow[];
  /** Activities without exactly one A, in words. */
  readonly problems: readonly string[];
}

function put(cells: Map<string, RaciCell>, role: string, letter: RaciCell): void {
  const current = cells.get(role);
  if (current === undefined) cells.set(role, letter);
  else if ((current === "R" && letter === "A") || (current === "A" && letter === "R")) cells.set(role, "A/R");
  else if (letter === "A" || letter === "A/R") cells.set(role, letter === "A" && current === "R" ? "A/R" : letter);
}

export function raciMatrix(ctx: BuildContext): RaciMatrix {
  const rows: RaciRow[] = [];
  for (const { step } of ctx.entries()) {
    const cells = new Map<string, RaciCell>();
    if (step.raci) {
      for (const role of step.raci.responsible) put(cells, role, "R");
      put(cells, step.raci.accountable, "A");
      for (const role of step.raci.consulted) if (!cells.has(role)) cells.set(role, "C");
      for (const role of step.raci.informed) if (!cells.has(role)) cells.set(role, "I");
    } else {
      cells.set(step.owner, "A/R");
    }
    rows.push({ id: step.id, number: ctx.number(step.id), title: ctx.stepTitle(step.id), cells });
  }
  for (const cadence of ctx.playbook.cadences) {
    if (cadence.when !== undefined && ctx.edition.holds && !ctx.edition.holds(cadence.when)) continue;
    rows.push({
      id: `cadence:${cadence.id}`,
      number: ctx.number(`cadence:${cadence.id}`),
      title: ctx.fill.plain(cadence.title),
      cells: new Map([[cadence.owner, "A/R"]]),
    });
  }
  rows.sort((a, b) => compareNumbers(a.number, b.number));
  const used = new Set(rows.flatMap((r) => [...r.cells.keys()]));
  const roles = Object.keys(ctx.playbook.roles).filter((r) => used.has(r));
  const problems: string[] = [];
  for (const row of rows) {
    const accountable = [...row.cells.values()].filter((c) => c === "A" || c === "A/R").length;
    if (accountable !== 1) problems.push(`${row.number} ${row.title} has ${accountable === 0 ? "no" : accountable} Accountable roles`);
  }
  return { roles, rows, problems };
}

/** "6.10" after "6.9", "6.3.1" after "6.3". */
export function compareNumbers(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

const SMALL_WORDS = new Set(["of", "the", "and", "for", "to", "a", "an", "&", "/", "-", "or", "in"]);

/** Short column headings for roles: "Customer Success Manager" → "CSM", unique within the matrix. */
export function abbreviations(titles: readonly string[]): string[] {
  const base = titles.map((title) => {
    const words = title
      .replace(/\([^)]*\)/g, " ")
      .split(/[\s/]+/)
      .filter((w) => w.length > 0 && !SMALL_WORDS.has(w.toLowerCase()));
    const initials = words.map((w) => (/^[\p{Lu}\d]{2,}$/u.test(w) ? w : ([...w][0]?.toUpperCase() ?? ""))).join("");
    return { initials: initials || title.slice(0, 3), words };
  });
  const out = base.map((b) => b.initials);
  for (let round = 0; round < 4; round++) {
    const counts = new Map<string, number>();
    for (const a of out) counts.set(a, (counts.get(a) ?? 0) + 1);
    let changed = false;
    out.forEach((a, i) => {
      if ((counts.get(a) ?? 0) < 2) return;
      const words = base[i]?.words ?? [];
      const last = words.at(-1) ?? "";
      const extra = [...last]
        .slice(1, 2 + round)
        .join("")
        .toLowerCase();
      out[i] = `${(base[i]?.initials ?? a).slice(0, -1)}${[...last][0]?.toUpperCase() ?? ""}${extra}`;
      changed = true;
    });
    if (!changed) break;
  }
  // Whatever still collides gets a number.
  const seen = new Map<string, number>();
  return out.map((a) => {
    const n = (seen.get(a) ?? 0) + 1;
    seen.set(a, n);
    return n === 1 ? a : `${a}${n}`;
  });
}

export function raciBlocks(ctx: BuildContext): Block[] {
  const matrix = raciMatrix(ctx);
  const titles = matrix.roles.map((r) => ctx.roleTitle(r));
  const short = abbreviations(titles);
  const blocks: Block[] = [
    ctx.appendix("RACI Matrix"),
    {
      kind: "table",
      style: "matrix",
      columns: [{ title: "Activity", weight: 8 }, ...short.map((s) => ({ title: s, weight: 1, align: "center" as const }))],
      rows: matrix.rows.map((row): Rich[] => [
        [strong(row.number), text(` ${row.title}`)],
        ...matrix.roles.map((role) => plain(row.cells.get(role) ?? "")),
      ]),
    },
    { kind: "paragraph", tone: "small", text: plain("R = Responsible, A = Accountable, C = Consulted, I = Informed.") },
    {
      kind: "paragraph",
      tone: "small",
      text: plain(short.map((s, i) => `${s} = ${titles[i]}`).join(" · ")),
    },
  ];
  if (matrix.problems.length === 0) {
    blocks.push({
      kind: "callout",
      tone: "note",
      title: "Check",
      blocks: [{ kind: "paragraph", text: plain(`✓ Every one of the ${matrix.rows.length} activities has exactly one Accountable role.`) }],
    });
  } else {
    for (const problem of matrix.problems) ctx.note("warning", "raci/accountable", `RACI: ${problem}`);
    blocks.push({
      kind: "callout",
      tone: "warning",
      title: "Check",
      blocks: [{ kind: "list", style: "bullet", items: matrix.problems.map((p) => ({ text: plain(`✗ ${p}`) })) }],
    });
  }
  return blocks;
}
