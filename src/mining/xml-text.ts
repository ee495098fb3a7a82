// Text for an XML 1.0 attribute value: the five markup characters escaped, and the characters
// XML 1.0 cannot carry at all (C0 controls other than tab, newline and carriage return, lone
// surrogates, U+FFFE/U+FFFF) replaced by U+FFFD, so any value a person typed still parses.
const MARKUP: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlAttribute(value: string): string {
  // Tab, newline and carriage return survive attribute-value normalisation only as references.
  return value
    .replace(NOT_XML, "\uFFFD")
    .replace(/[&<>"']/g, (c) => MARKUP[c] ?? c)
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
