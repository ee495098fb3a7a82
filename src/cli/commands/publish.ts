// `onboard publish`: playbooks as code. A repository's CI uploads its playbooks with an API token;
// every file must pass `onboard lint --strict` first (one error and nothing is uploaded), each
// upload prints what changed against the published version, and the server records the commit
// and its author in the revision history.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expandPaths, lintLoaded, missingFile } from "../../lint/lint.ts";
import { compareDiagnostics, type Diagnostic, formatDiagnostic } from "../../playbook/diagnostics.ts";
import { loadPlaybook, loadPlaybookFile } from "../../playbook/load.ts";
import type { PlaybookModel } from "../../playbook/model.ts";
import { diffPlaybooks, diffText } from "../../render/diff.ts";
import { type Command, type Io, UsageError } from "../args.ts";
import { formatOption } from "../format-option.ts";
import { type CommitOrigin, commitOriginOf, isCommit } from "../publish/commit-origin.ts";
import { ServerClient, ServerRefusal } from "../publish/server-client.ts";

const FORMATS = ["text", "markdown"] as const;

const USAGE = `Usage: onboard publish [options] <file or directory>...

Publishes playbooks to an Onboard server from a repository (CI on the main branch):
  1. every file is linted in the strict profile (onboard lint --strict); one error in any file
     and nothing is uploaded;
  2. for each playbook, what changed against the latest published version is printed;
  3. each file is uploaded with an Idempotency-Key made of its text and commit (a retried run
     publishes nothing twice), and the commit and its author go into the revision history.

Options:
  --server URL      the Onboard server (default: ONBOARD_URL)
  --token TOKEN     an API token with write scope of an account that may upload playbooks
                    (default: ONBOARD_TOKEN; prefer the variable, a flag shows in process lists)
  --commit SHA      the commit published (default: GITHUB_SHA, CI_COMMIT_SHA, else the last
                    commit that changed each file, from git)
  --author NAME     its author (default: GITHUB_ACTOR, GITLAB_USER_LOGIN, CI_COMMIT_AUTHOR, else git)
  --format FORMAT   text (default) or markdown (the diffs for a job summary or a comment)
  --dry-run         lint and diff against the server, upload nothing
  -h, --help        show this help

Each file ends as: created, unchanged (that text is already published, or this run's commit
already published it), pending approval (four-eyes is on: another person approves it in the app),
or refused with the server's reason (e.g. a changed text under a version already published:
raise document.version).

Exit codes: 0 every file created, unchanged or pending approval; 1 a file has lint errors (nothing
was uploaded); 2 usage error (no server or token); 3 the server refused a file or could not be reached.`;

interface Candidate {
  readonly file: string;
  readonly text: string;
  readonly model: PlaybookModel;
  readonly origin: CommitOrigin;
}

type Outcome = "created" | "unchanged" | "pending approval" | "would publish" | "refused";

export const publishCommand: Command = {
  name: "publish",
  summary: "lint (strict), diff and upload playbooks to a server from CI, with commit and author",
  usage: USAGE,
  options: {
    server: { type: "string" },
    token: { type: "string" },
    commit: { type: "string" },
    author: { type: "string" },
    format: { type: "string" },
    "dry-run": { type: "boolean" },
  },
  async run(values, positionals, io) {
    const env = process.env;
    const format = formatOption(values, FORMATS, {}, USAGE);
    const server = stringValue(values.server) ?? nonEmpty(env.ONBOARD_URL);
    const token = stringValue(values.token) ?? nonEmpty(env.ONBOARD_TOKEN);
    if (positionals.length === 0) throw new UsageError(`name at least one playbook file or directory\n\n${USAGE}`);
    if (!server) throw new UsageError("name the server: --server https://onboard.example.com, or set ONBOARD_URL");
    if (!/^https?:\/\//.test(server))
      throw new UsageError(`--server must be an http(s) URL such as https://onboard.example.com, not "${server}"`);
    if (!token) throw new UsageError("give an API token: set ONBOARD_TOKEN (a CI secret), or --token");
    const flags: CommitOrigin = { ...optional("commit", stringValue(values.commit)), ...optional("author", stringValue(values.author)) };
    if (flags.commit !== undefined && !isCommit(flags.commit)) {
      throw new UsageError(`--commit must be a commit hash (7 to 40 hexadecimal digits), not "${flags.commit}"`);
    }

    const { files, missing } = await expandPaths(positionals);
    if (files.length === 0 && missing.length === 0) {
      io.err("no playbooks (.yaml, .yml) found");
      return 1;
    }
    const checked = await lintStrict(files, missing, (file) => commitOriginOf(file, flags, env));
    if (checked.errors.length > 0) {
      for (const d of checked.errors) io.out(formatDiagnostic(d));
      io.out(
        `${checked.errors.length} error${checked.errors.length === 1 ? "" : "s"} (strict profile): nothing was uploaded; fix them (onboard lint --strict) and publish again`,
      );
      return 1;
    }

    const client = new ServerClient(server, token);
    const outcomes: Outcome[] = [];
    const markdown = format === "markdown";
    for (const candidate of checked.candidates) {
      const { id, document } = candidate.model.playbook;
      const name = { file: candidate.file, label: `${id} ${document.version}` };
      try {
        await printDiff(io, client, candidate, markdown);
        if (values["dry-run"]) {
          io.out(line(markdown, name, "would publish", "dry run"));
          outcomes.push("would publish");
          continue;
        }
        const answer = await client.upload({
          source: candidate.text,
          file: candidate.file,
          ...optional("commit", candidate.origin.commit),
          ...optional("commitAuthor", candidate.origin.author?.slice(0, 200)),
          idempotencyKey: idempotencyKey(candidate),
        });
        const outcome: Outcome =
          answer.status === "pending" ? "pending approval" : answer.created && !answer.replayed ? "created" : "unchanged";
        const detail = [
          candidate.origin.commit ? `commit ${candidate.origin.commit.slice(0, 12)}` : "no commit",
          candidate.origin.author ? `by ${candidate.origin.author}` : undefined,
          answer.submissionId ? `submission ${answer.submissionId}: another person approves it in the app` : undefined,
        ]
          .filter(Boolean)
          .join(", ");
        io.out(line(markdown, name, outcome, detail));
        outcomes.push(outcome);
      } catch (error) {
        if (!(error instanceof ServerRefusal)) throw error;
        io.out(line(markdown, name, "refused", error.message));
        outcomes.push("refused");
        // Unreachable, or a token that does not work: every other file would say the same.
        if (error.status === 0 || error.status === 401) break;
      }
    }
    const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
    const summary = (["created", "unchanged", "pending approval", "would publish", "refused"] as const)
      .filter((o) => count(o) > 0)
      .map((o) => `${count(o)} ${o}`)
      .join(", ");
    io.out(`${markdown ? "\n" : ""}${checked.candidates.length} playbook${checked.candidates.length === 1 ? "" : "s"}: ${summary}`);
    return outcomes.length < checked.candidates.length || count("refused") > 0 ? 3 : 0;
  },
};

async function lintStrict(
  files: readonly string[],
  missing: readonly string[],
  originOf: (file: string) => CommitOrigin,
): Promise<{ errors: Diagnostic[]; candidates: Candidate[] }> {
  const errors: Diagnostic[] = missing.map(missingFile);
  const candidates: Candidate[] = [];
  for (const file of files) {
    const loaded = await loadPlaybookFile(file);
    const found = lintLoaded(loaded, { profile: "strict" }).diagnostics.filter((d) => d.severity === "error");
    errors.push(...found);
    if (found.length === 0 && loaded.model) {
      candidates.push({ file, text: await readFile(file, "utf8"), model: loaded.model, origin: originOf(file) });
    }
  }
  // Two files with one id and version would race each other on the server: refuse before uploading.
  const seen = new Map<string, string>();
  for (const c of candidates) {
    const key = `${c.model.playbook.id}@${c.model.playbook.document.version}`;
    const other = seen.get(key);
    if (other !== undefined) {
      errors.push({
        rule: "publish/duplicate",
        severity: "error",
        message: `playbook ${c.model.playbook.id} version ${c.model.playbook.document.version} is also in ${other}`,
        fix: "publish one file per playbook version: raise document.version in one of them, or remove it",
        file: c.file,
        line: 1,
        column: 1,
        path: [],
      });
    }
    seen.set(key, c.file);
  }
  return { errors: errors.sort(compareDiagnostics), candidates };
}

/** What changed against the latest published version (or: a new playbook). */
async function printDiff(io: Io, client: ServerClient, candidate: Candidate, markdown: boolean): Promise<void> {
  const { id, document } = candidate.model.playbook;
  const published = await client.playbook(id);
  if (!published) {
    io.out(markdown ? `## ${id} ${document.version} (new playbook)\n\n${document.title}\n` : `${id} ${document.version}: a new playbook`);
    return;
  }
  const hash = createHash("sha256").update(candidate.text).digest("hex");
  const same = published.versions.find((v) => v.contentHash === hash);
  if (same) {
    io.out(`${id} ${document.version}: this text is already published as version ${same.version}`);
    return;
  }
  const latest = published.latestVersion;
  const before = loadPlaybook(`${id}@${latest}.yaml`, await client.source(id, latest));
  if (!before.model) {
    io.out(`${id}: the published version ${latest} no longer loads here (an older language?); no diff`);
    return;
  }
  io.out(diffText(diffPlaybooks(before.model, candidate.model), markdown, candidate.origin.author));
  if (markdown) io.out("");
}

function line(markdown: boolean, name: { file: string; label: string }, outcome: Outcome, detail: string): string {
  return markdown
    ? `- \`${name.file}\` (${name.label}): **${outcome}** (${detail})`
    : `${name.file} (${name.label}): ${outcome} (${detail})`;
}

/** The same text from the same commit is the same request: a retried job replays instead of publishing twice. */
function idempotencyKey(candidate: Candidate): string {
  const hash = createHash("sha256")
    .update(candidate.text)
    .update("\0")
    .update(candidate.origin.commit ?? "")
    .update("\0");
  return `onboard-publish-${hash
    .update(candidate.origin.author ?? "")
    .digest("hex")
    .slice(0, 40)}`;
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
