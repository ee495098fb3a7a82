// `importSop`: a written SOP (Markdown or Word) in, a draft playbook out, with findings that say
// what was guessed or not understood. The draft is loaded before it is returned: a draft that
// does not load is a bug of the importer, reported as findings rather than thrown.
import { extname } from "node:path";
import { stringify } from "yaml";
import { loadPlaybook } from "../../playbook/load.ts";
import type { DraftImport, ImportFinding } from "../draft.ts";
import { buildPlaybook } from "./build.ts";
import type { SopDocument } from "./document.ts";
import { extract } from "./extract.ts";
import { readDocx } from "./read-docx.ts";
import { readMarkdown } from "./read-markdown.ts";

export interface ImportOptions {
  /** The date a document without an effective date is given (default: today, UTC). */
  readonly today?: string;
}

function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b;
}

export async function importSop(fileName: string, bytes: Uint8Array, options: ImportOptions = {}): Promise<DraftImport> {
  const findings: ImportFinding[] = [];
  let document: SopDocument;
  const word = extname(fileName).toLowerCase() === ".docx" || isZip(bytes);
  if (word) {
    try {
      const read = await readDocx(bytes);
      document = read.document;
      // Word styles mammoth has no mapping for (a converter's "FunctionTok", "First Paragraph") are
      // read as plain text: nothing a process owner can act on, so they are said once, not one by one.
      const styles = read.messages.filter((m) => /^Unrecognised (run|paragraph|table) style/i.test(m));
      if (styles.length > 0)
        findings.push({
          line: 1,
          severity: "info",
          message: `some Word styles (${styles.length}) have no meaning here and were read as plain text`,
        });
      for (const message of read.messages.filter((m) => !styles.includes(m)))
        findings.push({ line: 1, severity: "info", message: `Word: ${message}` });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        yaml: "",
        findings: [{ line: 1, severity: "warning", message: `not a readable Word document (${reason}); save it as .docx from Word` }],
      };
    }
  } else {
    document = readMarkdown(new TextDecoder("utf-8").decode(bytes));
  }
  const extracted = extract(document);
  const playbook = buildPlaybook(extracted, fileName, options.today ?? new Date().toISOString().slice(0, 10));
  const header = `# Draft playbook imported from ${fileName} by onboard import. Check every line the findings name;\n# run \`onboard lint\` on it for what the document did not say.\n`;
  const yaml = header + stringify(playbook, { lineWidth: 0 });
  findings.push(...extracted.findings.list);
  const loaded = loadPlaybook(`${fileName}.yaml`, yaml);
  for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) {
    findings.push({
      line: 1,
      severity: "warning",
      message: `the draft does not load: ${d.message} (draft line ${d.line}); please report this with the document`,
    });
  }
  return { yaml, findings: findings.sort((a, b) => a.line - b.line) };
}
