import { expandPaths } from "../../lint/lint.ts";
import { compareDiagnostics, formatDiagnostic, hasErrors } from "../../playbook/diagnostics.ts";
import { loadPlaybookFile } from "../../playbook/load.ts";
import { type Command, UsageError } from "../args.ts";

export const validateCommand: Command = {
  name: "validate",
  summary: "check that playbooks load (syntax, schema, references, conditions) without the quality rules",
  usage: `Usage: onboard validate [options] <file or directory>...

Loads each playbook as Onboard would when a project starts and reports what stops it from loading.

Options:
  --json        print machine-readable results
  -h, --help    show this help

Exit codes: 0 every playbook loads, 1 at least one does not, 2 usage error.`,
  options: { json: { type: "boolean" } },
  async run(values, positionals, io) {
    if (positionals.length === 0) throw new UsageError(`name at least one playbook file or directory\n\n${this.usage}`);
    const { files, missing } = await expandPaths(positionals);
    const results = await Promise.all(files.map((f) => loadPlaybookFile(f)));
    let failed = missing.length > 0;
    const json: unknown[] = [];
    for (const file of missing) io.err(`${file}: no such file or directory`);
    for (const result of results) {
      const errors = result.diagnostics.filter((d) => d.severity === "error").sort(compareDiagnostics);
      failed ||= hasErrors(result.diagnostics);
      if (values.json)
        json.push({
          file: result.file,
          valid: errors.length === 0,
          id: result.playbook?.id,
          version: result.playbook?.document.version,
          errors,
        });
      else if (errors.length === 0) io.out(`${result.file}: valid (${result.playbook?.id} ${result.playbook?.document.version})`);
      else for (const d of errors) io.out(formatDiagnostic(d));
    }
    if (values.json) io.out(JSON.stringify(json, null, 2));
    return failed ? 1 : 0;
  },
};
