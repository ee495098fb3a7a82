// Liquid tags that would read other templates (`include`, `render`, `layout`) have no place in a
// playbook's templates: there are no template files, and the sandbox (src/notify/templates.ts)
// never touches the disk. This finds them in a template's text, with the line they are on, so a
// playbook is refused when it loads and a user's template when it is saved, naming the tag.
export const FILE_TAGS = ["include", "render", "layout"] as const;
export type FileTag = (typeof FILE_TAGS)[number];

export interface FileTagUse {
  readonly tag: FileTag;
  /** Offset of the tag's `{%` (or of its line inside `{% liquid %}`) in the text. */
  readonly offset: number;
  /** 1-based line and column in the text. */
  readonly line: number;
  readonly column: number;
}

const TAG = /\{%-?\s*([\s\S]*?)-?%\}/g;
/** Blocks whose insides are not tags. */
const OPAQUE: Readonly<Record<string, string>> = { raw: "endraw", comment: "endcomment" };

function isFileTag(name: string | undefined): name is FileTag {
  return (FILE_TAGS as readonly string[]).includes(name ?? "");
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** Every include/render/layout in a Liquid text, also inside `{% liquid %}` tags; none inside raw or comment blocks. */
export function fileTagsIn(text: string): FileTagUse[] {
  const found: FileTagUse[] = [];
  const add = (tag: FileTag, offset: number) => found.push({ tag, offset, ...position(text, offset) });
  let closing: string | undefined;
  for (const match of text.matchAll(TAG)) {
    const inside = match[1] ?? "";
    const name = /^[A-Za-z_#]\w*/.exec(inside)?.[0];
    if (closing !== undefined) {
      if (name === closing) closing = undefined;
      continue;
    }
    if (name !== undefined && OPAQUE[name]) {
      closing = OPAQUE[name];
      continue;
    }
    if (isFileTag(name)) add(name, match.index);
    else if (name === "liquid") {
      // One tag per line: `{% liquid\n  assign x = 1\n  include 'y' %}`.
      const start = match.index + match[0].indexOf(inside) + "liquid".length;
      let at = start;
      for (const line of inside.slice("liquid".length).split("\n")) {
        const word = /^\s*(\w+)/.exec(line);
        if (isFileTag(word?.[1])) add(word[1], at + (word[0].length - word[1].length));
        at += line.length + 1;
      }
    }
  }
  return found;
}

/** A person's sentence about one use. */
export function fileTagMessage(use: FileTagUse, where: string): string {
  return `{% ${use.tag} %} on line ${use.line} of ${where}: templates cannot include, render or lay out other templates (there are no template files); write the text into this template`;
}
