// Procedures written as a table, one row per step: "Step | Who | What" (the layout of many policy
// sets). A row with neither a step number nor a "who" continues the row above (its bullet points).
import type { Table } from "./document.ts";

export interface TableStep {
  readonly number?: string;
  readonly who: string;
  readonly what: string;
  readonly more: string[];
}

function column(header: readonly string[], pattern: RegExp): number {
  return header.findIndex((cell) => pattern.test(cell.trim()));
}

/** The steps of a step table, or undefined when the table is not one. */
export function stepTableRows(table: Table): TableStep[] | undefined {
  const header = table.rows[0] ?? [];
  const who = column(header, /^(who|responsible|owner|role|performed by|actor)$/i);
  const what = column(header, /^(what|action|activity|task|description|procedure)$/i);
  if (who < 0 || what < 0) return undefined;
  const number = column(header, /^(step|#|no\.?|number)$/i);
  const steps: { number?: string; who: string; what: string; more: string[] }[] = [];
  for (const row of table.rows.slice(1)) {
    const n = number >= 0 ? (row[number] ?? "").trim() : "";
    const w = (row[who] ?? "").trim();
    const text = (row[what] ?? "").trim();
    const last = steps[steps.length - 1];
    if (!n && !w && last) {
      if (text) last.more.push(text.replace(/^[-*•]\s*/, ""));
      continue;
    }
    if (!text) continue;
    steps.push({ ...(n ? { number: n } : {}), who: w, what: text, more: [] });
  }
  return steps.length > 0 ? steps : undefined;
}

/** A step's title from its "what": the first sentence, without a trailing colon, kept short. */
export function titleFromWhat(written: string): string {
  // "For CDE access: Provides approval ..." names the step by what follows the qualifier.
  const what = /^(?:for|if|when|where)\s[^:]{1,40}:\s*(\S.*)$/is.exec(written)?.[1] ?? written;
  const sentence = (/^(.+?[.:])(\s|$)/.exec(what)?.[1] ?? what).replace(/[.:]$/, "").trim();
  if (sentence.length <= 90) return sentence;
  const cut = sentence.slice(0, 90);
  return `${cut.slice(0, cut.lastIndexOf(" "))}…`;
}
