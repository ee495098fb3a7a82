// Which commit and author `onboard publish` records: flags, then the CI's variables, then git.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ciCommitOrigin, commitOriginOf, gitCommitOrigin } from "../../src/cli/publish/commit-origin.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";

describe("publish: the commit and author of a file", () => {
  test("GitHub Actions, then GitLab CI; empty variables count as unset", () => {
    assert.deepEqual(ciCommitOrigin({ GITHUB_SHA: SHA, GITHUB_ACTOR: "octocat", CI_COMMIT_SHA: "1234567" }), {
      commit: SHA,
      author: "octocat",
    });
    assert.deepEqual(ciCommitOrigin({ CI_COMMIT_SHA: SHA, CI_COMMIT_AUTHOR: "Ada <ada@example.com>" }), {
      commit: SHA,
      author: "Ada <ada@example.com>",
    });
    assert.deepEqual(ciCommitOrigin({ CI_COMMIT_SHA: SHA, GITLAB_USER_LOGIN: "ada", CI_COMMIT_AUTHOR: "Ada" }).author, "ada");
    assert.deepEqual(ciCommitOrigin({ GITHUB_SHA: "", GITHUB_ACTOR: " " }), {});
  });

  test("flags win over the CI, the CI over git; git is asked only for what is missing", () => {
    let asked = 0;
    const git = () => {
      asked++;
      return { commit: "fedcba9", author: "From Git" };
    };
    assert.deepEqual(commitOriginOf("x.yaml", { commit: "abcdef1" }, { GITHUB_SHA: SHA, GITHUB_ACTOR: "octocat" }, git), {
      commit: "abcdef1",
      author: "octocat",
    });
    assert.equal(asked, 0);
    assert.deepEqual(commitOriginOf("x.yaml", {}, { GITHUB_SHA: SHA }, git), { commit: SHA, author: "From Git" });
    assert.deepEqual(commitOriginOf("x.yaml", {}, {}, git), { commit: "fedcba9", author: "From Git" });
  });

  test("from git: the last commit that changed the file; nothing outside a checkout", () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-origin-"));
    const file = join(dir, "p.yaml");
    assert.deepEqual(gitCommitOrigin(file), {});
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "Grace Hopper",
      GIT_AUTHOR_EMAIL: "g@example.com",
      GIT_COMMITTER_NAME: "CI",
      GIT_COMMITTER_EMAIL: "ci@example.com",
    };
    execFileSync("git", ["init", "-q"], { cwd: dir, env });
    writeFileSync(file, "a: 1\n");
    execFileSync("git", ["add", "."], { cwd: dir, env });
    execFileSync("git", ["commit", "-q", "-m", "one"], { cwd: dir, env });
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
    writeFileSync(join(dir, "other.yaml"), "b: 1\n");
    execFileSync("git", ["add", "."], { cwd: dir, env });
    execFileSync("git", ["commit", "-q", "-m", "two"], { cwd: dir, env: { ...env, GIT_AUTHOR_NAME: "Someone Else" } });
    assert.deepEqual(gitCommitOrigin(file), { commit: head, author: "Grace Hopper" });
  });
});
