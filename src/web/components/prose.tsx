// A playbook author's prose (step descriptions, expected results, checklist items) as React
// elements: the same Markdown subset and the same sanitising as the SOP documents
// (src/playbook/prose.ts), walked element by element. Never HTML from a string: text is text, and
// a link's address has already been checked to be http, https or mailto.
import { Fragment, type ReactNode } from "react";
import { type ProseBlock, type ProseInline, parseProse } from "../../playbook/prose.ts";

export { prosePlainText } from "../../playbook/prose.ts";

/**
 * Keys in document order: the tree is fixed for a given text, so a node's place in the walk is a
 * stable identity (the nodes have no other).
 */
class Keys {
  #n = 0;
  next(): string {
    return `p${this.#n++}`;
  }
}

function inline(nodes: readonly ProseInline[], keys: Keys): ReactNode[] {
  return nodes.map((node) => {
    const key = keys.next();
    switch (node.kind) {
      case "text":
        return <Fragment key={key}>{node.text}</Fragment>;
      case "strong":
        return <strong key={key}>{inline(node.children, keys)}</strong>;
      case "em":
        return <em key={key}>{inline(node.children, keys)}</em>;
      case "code":
        return <code key={key}>{node.text}</code>;
      case "link":
        return (
          <a key={key} href={node.href} target="_blank" rel="noopener noreferrer">
            {inline(node.children, keys)}
          </a>
        );
      case "break":
        return <br key={key} />;
      default:
        return null;
    }
  });
}

function block(node: ProseBlock, keys: Keys): ReactNode {
  const key = keys.next();
  if (node.kind === "paragraph") return <p key={key}>{inline(node.content, keys)}</p>;
  const items = node.items.map((item) => {
    const [first, ...rest] = item;
    return (
      <li key={keys.next()}>
        {first?.kind === "paragraph" ? inline(first.content, keys) : null}
        {(first?.kind === "paragraph" ? rest : item).map((b) => block(b, keys))}
      </li>
    );
  });
  return node.ordered ? (
    <ol key={key} start={node.start === 1 ? undefined : node.start}>
      {items}
    </ol>
  ) : (
    <ul key={key}>{items}</ul>
  );
}

/** Prose as paragraphs and lists, in a <div> (where block content may go). */
export function Prose({ text, className }: { readonly text: string; readonly className?: string }) {
  const keys = new Keys();
  return <div className={className ? `prose ${className}` : "prose"}>{parseProse(text).map((b) => block(b, keys))}</div>;
}

/**
 * Prose where only a line of text may go (a checkbox's label, a list item, a table cell):
 * paragraphs and list items become lines of their own, links and emphasis stay.
 */
export function ProseLine({ text }: { readonly text: string }) {
  const keys = new Keys();
  const lines: { key: string; nodes: ReactNode[] }[] = [];
  const visit = (blocks: readonly ProseBlock[]): void => {
    for (const b of blocks) {
      if (b.kind === "paragraph") lines.push({ key: keys.next(), nodes: inline(b.content, keys) });
      else
        b.items.forEach((item, i) => {
          const [first, ...rest] = item;
          const marker = b.ordered ? `${b.start + i}. ` : "• ";
          const key = keys.next();
          lines.push({ key, nodes: [marker, ...(first?.kind === "paragraph" ? inline(first.content, keys) : [])] });
          visit(first?.kind === "paragraph" ? rest : item);
        });
    }
  };
  visit(parseProse(text));
  return (
    <>
      {lines.map((line, i) => (
        <Fragment key={line.key}>
          {i > 0 ? <br /> : null}
          {line.nodes}
        </Fragment>
      ))}
    </>
  );
}
