// Which commit a published file comes from, and who wrote it: named on the command line, else the
// CI's own variables (GitHub Actions, GitLab CI), else the last commit that touched the file in
// this git checkout. Nothing found is not an error: the version is published without them.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";

export interface CommitOrigin {
  readonly commit?: string;
  readonly author?: string;
}

const COMMIT = /^[0-9a-f]{7,40}$/i;

export function isCommit(text: string): boolean {
  return COMMIT.test(text);
}

/** What the CI says about the run's commit (the same for every file). */
export function ciCommitOrigin(env: Readonly<Record<string, string | undefined>>): CommitOrigin {
  const first = (...names: string[]) => names.map((n) => env[n]?.trim()).find((v): v is string => v !== undefined && v !== "");
  const commit = first("GITHUB_SHA", "CI_COMMIT_SHA");
  const author = first("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "CI_COMMIT_AUTHOR");
  return { ...(commit ? { commit } : {}), ...(author ? { author } : {}) };
}

/** The last commit that changed `file`, from git; empty outside a checkout or for an uncommitted file. */
export function gitCommitOrigin(file: string): CommitOrigin {
  try {
    const path = resolve(file);
    const out = execFileSync("git", ["log", "-1", "--format=%H%x00%an", "--", path], {
      cwd: dirname(path),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
    const [commit, author] = out.split("\0");
    return { ...(commit && isCommit(commit) ? { commit } : {}), ...(author ? { author } : {}) };
  } catch {
    return {};
  }
}

/** Flags first, then the CI, then git; each of commit and author on its own. */
export function commitOriginOf(
  file: string,
  flags: CommitOrigin,
  env: Readonly<Record<string, string | undefined>>,
  git: (file: string) => CommitOrigin = gitCommitOrigin,
): CommitOrigin {
  const ci = ciCommitOrigin(env);
  let commit = flags.commit ?? ci.commit;
  let author = flags.author ?? ci.author;
  if (commit === undefined || author === undefined) {
    const fromGit = git(file);
    commit ??= fromGit.commit;
    author ??= fromGit.author;
  }
  return { ...(commit ? { commit } : {}), ...(author ? { author } : {}) };
}
