import { formatDiagnostic, hasErrors } from "../../playbook/diagnostics.ts";
import { loadPlaybookFile } from "../../playbook/load.ts";
import { diffPlaybooks, diffText, hasChanges, revisionEntryYaml } from "../../render/diff.ts";
import { type Command, UsageError } from "../args.ts";
import { formatOption } from "../format-option.ts";

const FORMATS = ["text", "markdown", "json"] as const;

const USAGE = `Usage: onboard diff [options] <old playbook> <new playbook>

Lists what changed between two versions of a playbook: steps added, removed and changed (title,
phase, owner, deadline, checkpoint, decision, condition, expected result, deliverable, RACI),
phases, roles, KPIs, compliance addenda and rules; then the revision-history entry to add to the
new version's document.revisions.

Options:
  --format FORMAT  text (default), markdown (for a pull request comment or a change record),
                   json (the differences and the revision-history entry)
  --markdown       the same as --format markdown
  --json           the same as --format json
  --author NAME    the author to put in the revision-history entry
  -h, --help     show this help

Exit codes (like diff): 0 no differences, 1 differences, 2 usage error or a playbook that does not load.`;

export const diffCommand: Command = {
  name: "diff",
  summary: "what changed between two playbook versions, and its revision-history entry",
  usage: USAGE,
  options: { format: { type: "string" }, markdown: { type: "boolean" }, json: { type: "boolean" }, author: { type: "string" } },
  async run(values, positionals, io) {
    const format = formatOption(values, FORMATS, { markdown: "markdown", json: "json" }, USAGE);
    if (positionals.length !== 2) throw new UsageError(`name the old and the new playbook\n\n${USAGE}`);
    const [before, after] = await Promise.all(positionals.map((file) => loadPlaybookFile(file)));
    for (const loaded of [before, after]) {
      if (!loaded?.model || hasErrors(loaded.diagnostics)) {
        for (const d of loaded?.diagnostics.filter((x) => x.severity === "error") ?? []) io.err(formatDiagnostic(d));
        return 2;
      }
    }
    if (!before?.model || !after?.model) return 2;
    const diff = diffPlaybooks(before.model, after.model);
    const author = typeof values.author === "string" ? values.author : undefined;
    if (format === "json") io.out(JSON.stringify({ ...diff, revision: revisionEntryYaml(diff, author) }, null, 2));
    else io.out(diffText(diff, format === "markdown", author));
    return hasChanges(diff) ? 1 : 0;
  },
};
