// What the extractor reads out of a document before it becomes YAML: roles, phases and steps with
// the document's own numbers and words still attached, and the findings collected on the way.
import type { ImportFinding } from "../draft.ts";
import type { DeadlinePhrase, Side } from "./phrases.ts";
import { guessSide, slug, splitRoles } from "./phrases.ts";

export interface DraftRole {
  readonly id: string;
  readonly title: string;
  side: Side;
  sideGuessed: boolean;
  readonly line: number;
  readonly responsibilities: string[];
}

export interface DraftBranch {
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
