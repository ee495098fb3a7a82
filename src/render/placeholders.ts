// Filling `{{name}}` in user text. Substitution only: a placeholder is looked up by name in a
// table of values, nothing in the text is ever evaluated, so a playbook cannot run code through a
// document. A name without a value stays visible as «name» and, when it is a parameter the
// adopting company should have filled, is reported.
import type { Inline, Rich } from "./document.ts";

const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export type PlaceholderValue = string | number | boolean | readonly string[];

export class Placeholders {
  readonly #values: ReadonlyMap<string, string>;
  readonly #parameters: ReadonlySet<string>;
  readonly #missing = new Set<string>();

  /**
   * @param values every known value by placeholder name ("company_name", "client.name", "facts.user_count")
   * @param parameters the playbook's parameter names: only these are reported when unfilled, since
   *   runtime values ({{meeting.date}}, {{roles.csm.name}}) are filled when a project sends the text.
   */
  constructor(values: Readonly<Record<string, PlaceholderValue | undefined>>, parameters: Iterable<string>) {
    const table = new Map<string, string>();
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) continue;
      table.set(name, Array.isArray(value) ? value.join(", ") : String(value));
    }
    this.#values = table;
    this.#parameters = new Set(parameters);
  }

  /** The value of one placeholder, or undefined. */
  value(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** Text with every placeholder replaced; unfilled ones become `missing` runs. */
  rich(input: string, style?: "strong" | "em" | "code"): Rich {
    const out: Inline[] = [];
    let last = 0;
    const push = (value: string) => {
      if (value === "") return;
      const previous = out.at(-1);
      if (previous?.kind === "text" && previous.style === style) out[out.length - 1] = { ...previous, text: previous.text + value };
      else out.push(style ? { kind: "text", text: value, style } : { kind: "text", text: value });
    };
    for (const match of input.matchAll(PLACEHOLDER_RE)) {
      push(input.slice(last, match.index));
      const name = match[1] ?? "";
      const value = this.#values.get(name);
      if (value !== undefined) push(value);
      else {
        if (this.#parameters.has(name)) this.#missing.add(name);
        out.push({ kind: "missing", name });
      }
      last = match.index + match[0].length;
    }
    push(input.slice(last));
    return out;
  }

  /** Text with values filled and unfilled names as «name»: for ids, titles in metadata, diagram labels. */
  plain(input: string): string {
    return input.replace(PLACEHOLDER_RE, (_, name: string) => {
      const value = this.#values.get(name);
      if (value !== undefined) return value;
      if (this.#parameters.has(name)) this.#missing.add(name);
      return `«${name}»`;
    });
  }

  /** Parameters met without a value, sorted. */
  missing(): string[] {
    return [...this.#missing].sort();
  }
}
