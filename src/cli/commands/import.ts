import { readFile, writeFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { DraftImport, ImportFinding } from "../../interchange/draft.ts";
import { IMPORT_EXTENSIONS, ImportRefused, importDocument, importFormatOf } from "../../interchange/import.ts";
import { lintLoaded } from "../../lint/lint.ts";
import { type Diagnostic, formatDiagnostic } from "../../playbook/diagnostics.ts";
import { loadPlaybook } from "../../playbook/load.ts";
import { type Command, type Io, UsageError } from "../args.ts";

const USAGE = `Usage: onboard import [options] <file>

Turns a procedure written elsewhere into a draft playbook. Supported: ${IMPORT_EXTENSIONS.join(", ")}.

- A BPMN 2.0 model (.bpmn, .xml: Camunda 7, Camunda 8 or plain BPMN): tasks become steps, lanes
  and assignees roles, gateways decisions (simple FEEL and JUEL conditions are translated to CEL),
  timers deadlines, boundary timers escalation rules, subprocesses phases, call activities procedures.
- A written SOP (.md Markdown, .docx Word): headings become phases, numbered steps (or step
  headings, or a Step | Who | What table) steps, "Responsible:" lines and RACI tables owners,
  "within N business days" and "Day N" deadlines, IF/THEN sentences decisions, checklists
  checklist items, KPI tables KPIs, the document control table the document's identity.

Prints everything it guessed or could not translate as file:line: element: what and what to do
(a Word document's line is its paragraph number), then the draft's lint summary (the draft
profile: what the document did not say, such as expected results).

Options:
  -o, --output FILE   write the draft here (without it, the draft goes to standard output and
                      the report to standard error)
  --force             overwrite the output file if it exists
  -h, --help          show this help

Exit codes: 0 the draft loads, 1 it does not (or the file is not a model), 2 usage error.`;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function findingLine(file: string, f: ImportFinding): string {
  return `${file}:${f.line}: ${f.element ?? (importFormatOf(file) === "bpmn" ? "model" : "document")}: ${f.severity === "warning" ? "" : "note: "}${f.message}`;
}

function summary(diagnostics: readonly Diagnostic[]): string {
  const count = (s: Diagnostic["severity"]) => diagnostics.filter((d) => d.severity === s).length;
  const byRule = new Map<string, number>();
  for (const d of diagnostics) if (d.severity === "warning") byRule.set(d.rule, (byRule.get(d.rule) ?? 0) + 1);
  const rules = [...byRule].map(([rule, n]) => `${n} ${rule}`).join(", ");
  return `lint (draft profile): ${count("error")} errors, ${count("warning")} warnings${rules ? ` (${rules})` : ""}, ${count("info")} notes`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

export const importCommand: Command = {
  name: "import",
  summary: "turn a BPMN model or a written SOP (Markdown, Word) into a draft playbook",
  usage: USAGE,
  options: { output: { type: "string", short: "o" }, force: { type: "boolean" } },
  async run(values, positionals, io: Io) {
    if (positionals.length !== 1) throw new UsageError(`name one file to import\n\n${USAGE}`);
    const file = positionals[0] ?? "";
    if (importFormatOf(file) === undefined)
      throw new UsageError(
        `${file}: cannot import "${extname(file) || "a file without extension"}"; supported: ${IMPORT_EXTENSIONS.join(", ")} (for a .doc, PDF or Google Doc, save it as .docx first)`,
      );
    const output = typeof values.output === "string" ? values.output : undefined;
    if (output !== undefined && !values.force && (await exists(output)))
      throw new UsageError(`${output} exists; choose another -o or add --force to overwrite it`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      io.err(`${file}:1: ${code === "ENOENT" ? "no such file" : `cannot read the file (${code ?? String(error)})`}; check the path`);
      return 1;
    }
    let draft: DraftImport;
    try {
      draft = await importDocument(basename(file), bytes, today());
    } catch (error) {
      if (error instanceof ImportRefused) {
        io.err(`${file}:1: ${error.message.replace(`${basename(file)}: `, "")}`);
        return 1;
      }
      throw error;
    }
    // The report goes where the draft does not.
    const report = output === undefined ? io.err : io.out;
    for (const f of draft.findings) report(findingLine(file, f));
    const name = output ?? "draft.yaml";
    const loaded = loadPlaybook(name, draft.yaml);
    const lint = lintLoaded(loaded, { profile: "draft" });
    for (const d of lint.diagnostics.filter((d) => d.severity === "error")) report(formatDiagnostic(d));
    report(`${draft.findings.length} element${draft.findings.length === 1 ? "" : "s"} to check by hand; ${summary(lint.diagnostics)}`);
    if (output === undefined) io.out(draft.yaml.trimEnd());
    else {
      await writeFile(output, draft.yaml);
      report(`wrote ${output}; run onboard lint ${output} for each finding`);
    }
    return loaded.playbook ? 0 : 1;
  },
};
