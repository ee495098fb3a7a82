import { githubAnnotation } from "../../lint/formats/github-annotations.ts";
import { sarifLog } from "../../lint/formats/sarif.ts";
import { expandPaths, lintFile, missingFile, RULES } from "../../lint/lint.ts";
import { compareDiagnostics, type Diagnostic, formatDiagnostic } from "../../playbook/diagnostics.ts";
import { type Command, type Io, UsageError } from "../args.ts";
import { formatOption } from "../format-option.ts";

const FORMATS = ["text", "json", "sarif", "github"] as const;

function paint(io: Io, severity: Diagnostic["severity"], text: string): string {
  if (!io.color) return text;
  const code = severity === "error" ? 31 : severity === "warning" ? 33 : 36;
  return `\u001b[${code}m${text}\u001b[0m`;
}

export const lintCommand: Command = {
  name: "lint",
  summary: "check playbooks against the language and the SOP quality rules",
  usage: `Usage: onboard lint [options] <file or directory>...

Checks each playbook (.yaml/.yml; directories are searched) and prints every finding as
file:line:column severity [rule] message, with how to fix it.

By default the draft profile applies, as on upload: the SOP quality rules (an expected result per
step, KPIs, exception rules, timelines...) are reported as warnings. --strict makes them errors
(the SOP QA checklist; CI runs it on the built-in playbooks).

Options:
  --strict          enforce the SOP quality rules (the strict profile)
  --format FORMAT   text (default), json (one JSON document), sarif (SARIF 2.1.0, for code
                    scanning: GitHub's upload-sarif, GitLab), github (GitHub Actions annotations:
                    each finding shows on the pull request's line)
  --json            the same as --format json
  --base DIR        the folder sarif and github paths are relative to (default: the current one,
                    which in CI is the checkout's root)
  --quiet           print errors only
  --rules           list the rules and exit
  -h, --help        show this help

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error.`,
  options: {
    format: { type: "string" },
    json: { type: "boolean" },
    base: { type: "string" },
    quiet: { type: "boolean" },
    rules: { type: "boolean" },
    strict: { type: "boolean" },
  },
  async run(values, positionals, io) {
    const format = formatOption(values, FORMATS, { json: "json" }, this.usage);
    const base = typeof values.base === "string" ? values.base : process.cwd();
    if (values.rules) {
      for (const rule of RULES) io.out(`${rule.id.padEnd(30)} ${rule.severity.padEnd(8)} ${rule.kind.padEnd(12)} ${rule.description}`);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError(`name at least one playbook file or directory\n\n${this.usage}`);
    const { files, missing } = await expandPaths(positionals);
    const profile = values.strict ? "strict" : "draft";
    const reports = await Promise.all(files.map((file) => lintFile(file, { profile })));
    const missingDiagnostics = missing.map(missingFile);
    const all = [...missingDiagnostics, ...reports.flatMap((r) => r.diagnostics)].sort(compareDiagnostics);
    const shown = values.quiet ? all.filter((d) => d.severity === "error") : all;
    const count = (s: Diagnostic["severity"]) => all.filter((d) => d.severity === s).length;
    const summary = { profile, files: files.length, errors: count("error"), warnings: count("warning"), infos: count("info") };
    const line = `${summary.files} playbook${summary.files === 1 ? "" : "s"}: ${summary.errors} error${summary.errors === 1 ? "" : "s"}, ${summary.warnings} warning${summary.warnings === 1 ? "" : "s"}, ${summary.infos} note${summary.infos === 1 ? "" : "s"} (${profile} profile)`;
    if (files.length === 0 && missing.length === 0) io.err("no playbooks (.yaml, .yml) found");
    switch (format) {
      case "json":
        io.out(JSON.stringify({ summary, diagnostics: shown.map(({ path, ...d }) => ({ ...d, path: path.join(".") })) }, null, 2));
        break;
      case "sarif":
        io.out(JSON.stringify(sarifLog(shown, { profile, base }), null, 2));
        break;
      case "github":
        for (const d of shown) io.out(githubAnnotation(d, base));
        // Not a workflow command: the job's log shows it as it is.
        io.out(line);
        break;
      case "text":
        for (const d of shown) io.out(paint(io, d.severity, formatDiagnostic(d)));
        io.out(line);
        break;
    }
    return summary.errors > 0 || (files.length === 0 && missing.length === 0) ? 1 : 0;
  },
};
