// The documented CI workflow (examples/ci/github-actions.yml) works as written: its `run:` commands
// run here, in a real git checkout, with `npx onboard` replaced by this repository's CLI, against
// a real `onboard serve` on the embedded database and a real API token. GitHub's expressions
// (${{ ... }}) and variables are given the values a pull request and a push to main would have.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { PLAYBOOK_SCHEMA_PATH, playbookJsonSchema } from "../../src/playbook/schema.ts";
import { ADMIN_PASSWORD, Caller, cookieHeader, PASSWORD } from "../api/support/http.ts";
import { MINIMAL } from "../support/fixtures.ts";
import { ROOT, type ServeProcess, startOnboard } from "./support/serve-process.ts";

const WORKFLOW = join(ROOT, "examples", "ci", "github-actions.yml");
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const ONBOARD = `"${process.execPath}" "${join(ROOT, "bin", "onboard.js")}"`;

interface Step {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Record<string, string>;
}

/** The steps of a job that run `npx onboard`; the others are checkout, Node and installing the CLI. */
function onboardSteps(job: string): Step[] {
  const workflow = parse(readFileSync(WORKFLOW, "utf8")) as { jobs: Record<string, { steps: Step[] }> };
  const steps = workflow.jobs[job]?.steps ?? [];
  for (const step of steps) {
    const known = step.uses !== undefined || step.run?.includes("npx onboard") || step.name === "Install the Onboard CLI";
    assert.ok(known, `${job}: a step this test does not know: ${JSON.stringify(step)}`);
  }
  return steps.filter((s) => s.run?.includes("npx onboard"));
}

/** ${{ secrets.X }} and ${{ github.x }}: what GitHub would put there; an unknown expression fails the test. */
function expand(value: string, expressions: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, name: string) => {
    const known = expressions[name];
    assert.ok(known !== undefined, `the workflow uses \${{ ${name} }}, which this test does not provide`);
    return known;
  });
}

interface Run {
  readonly code: number | null;
  readonly out: string;
}

/** A step's script as GitHub's default shell runs it (bash -eo pipefail), in the checkout. */
function runStep(step: Step, cwd: string, env: Record<string, string>, expressions: Record<string, string>): Promise<Run> {
  const script = (step.run ?? "").replaceAll("npx onboard", ONBOARD);
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), expressions)]));
  return new Promise((resolve) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env, ...stepEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

async function runJob(job: string, cwd: string, env: Record<string, string>, expressions: Record<string, string> = {}): Promise<Run> {
  let out = "";
  for (const step of onboardSteps(job)) {
    const result = await runStep(step, cwd, env, expressions);
    out += result.out;
    if (result.code !== 0) return { code: result.code, out };
  }
  return { code: 0, out };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Ada Lovelace",
      GIT_AUTHOR_EMAIL: "ada@example.com",
      GIT_COMMITTER_NAME: "CI",
      GIT_COMMITTER_EMAIL: "ci@example.com",
    },
  }).trim();

// A complete SOP (it passes --strict) under an id of its own, then its next version.
const SEED = readFileSync(join(ROOT, "playbooks", "ops-sop-020.yaml"), "utf8").replace(/^id: ops_sop_020$/m, "id: ci_example");
const NEXT = SEED.replace(/^ {2}version: "1\.1"$/m, '  version: "1.2"')
  .replace(
    /(\n {6}changes: Added a phased approach[^\n]*)/,
    '$1\n    - version: "1.2"\n      date: "2025-10-22"\n      changes: The CSM is assigned by territory.',
  )
  .replace("title: CSM assignment", "title: CSM assigned by territory");

describe("playbooks as code: the CI example (examples/ci/github-actions.yml) and the API it uses", () => {
  let server: ServeProcess;
  let api: Caller;
  let admin: Caller;
  let second: Caller;
  let token: string;
  const dirs: string[] = [];
  const temp = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };

  before(async () => {
    const data = temp("onboard-ci-data-");
    server = await startOnboard("serve", {
      DATA_DIR: data,
      // No built-in playbooks: a quicker start, and the server holds only what CI published.
      PLAYBOOKS_DIR: temp("onboard-ci-playbooks-"),
      // The default embedded database (a PostgreSQL server in DATA_DIR): it starts in a fraction of
      // PGlite's CPU time.
      EMBEDDED_DATABASE: "postgres",
      MAIL_DIR: join(data, "mail"),
      ONBOARD_ADMIN_EMAIL: "admin@example.com",
      ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    const signIn = async (email: string, password: string) => {
      const login = await new Caller(server.url).post("/auth/login", { email, password });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      return new Caller(server.url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken });
    };
    admin = await signIn("admin@example.com", ADMIN_PASSWORD);
    const made = await admin.post("/users", {
      id: "second",
      email: "second@example.com",
      name: "Second",
      roles: ["admin"],
      password: PASSWORD,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    second = await signIn("second@example.com", PASSWORD);
    const created = await admin.post("/tokens", { name: "CI", scope: "write" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.token;
    api = new Caller(server.url, { token });
  });

  after(async () => {
    // Gracefully: the embedded PostgreSQL server stops with it.
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("a pull request is linted and diffed; main publishes with its commit and author, once; a changed text under a published version is refused; a failing playbook stops everything", async () => {
    assert.notEqual(NEXT, SEED, "the fixture edit applies");
    const checkout = temp("onboard-ci-repo-");
    mkdirSync(join(checkout, "playbooks"));
    git(checkout, "init", "-q", "-b", "main");
    writeFileSync(join(checkout, "playbooks", "ci-example.yaml"), SEED);
    git(checkout, "add", ".");
    git(checkout, "commit", "-q", "-m", "Version 1.1");
    const base = git(checkout, "rev-parse", "HEAD");
    writeFileSync(join(checkout, "playbooks", "ci-example.yaml"), NEXT);
    git(checkout, "commit", "-q", "-am", "Version 1.2: the CSM is assigned by territory");
    const head = git(checkout, "rev-parse", "HEAD");
    const runner = temp("onboard-ci-runner-");
    const github = { GITHUB_ACTOR: "octocat", GITHUB_SHA: head, RUNNER_TEMP: runner, GITHUB_STEP_SUMMARY: join(runner, "summary.md") };

    // The pull request: annotations (none: it is clean), SARIF, and the diff comment.
    const lint = await runJob("lint", checkout, github);
    assert.equal(lint.code, 0, lint.out);
    assert.match(lint.out, /1 playbook: 0 errors/);
    const sarif = JSON.parse(readFileSync(join(checkout, "onboard.sarif"), "utf8"));
    assert.equal(sarif.version, "2.1.0");
    const diff = await runJob("diff", checkout, github, { "github.event.pull_request.base.sha": base });
    assert.equal(diff.code, 0, diff.out);
    const comment = readFileSync(join(checkout, "playbook-diff.md"), "utf8");
    assert.match(comment, /^## OPS-SOP-020 1\.1 → OPS-SOP-020 1\.2$/m);
    assert.match(comment, /^ {2}- title: CSM assignment → CSM assigned by territory$/m);

    // Main: published with the commit and the actor; the same run again changes nothing.
    const secrets = { "secrets.ONBOARD_URL": server.url, "secrets.ONBOARD_TOKEN": token };
    const first = await runJob("publish", checkout, github, secrets);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /^- `playbooks\/ci-example\.yaml` \(ci_example 1\.2\): \*\*created\*\* \(commit [0-9a-f]{12}, by octocat\)$/m);
    assert.match(readFileSync(github.GITHUB_STEP_SUMMARY, "utf8"), /created/);
    const published = await api.get("/playbooks/ci_example");
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.deepEqual(
      published.body.versions.map((v: { version: string; commit: string; commitAuthor: string; uploadedBy: string }) => [
        v.version,
        v.commit,
        v.commitAuthor,
        v.uploadedBy,
      ]),
      [["1.2", head, "octocat", "admin"]],
    );
    const again = await runJob("publish", checkout, github, secrets);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /1 playbook: 1 unchanged/);
    // The GitLab example's publish job says the same (its commit variable, its script).
    const gitlab = parse(readFileSync(join(ROOT, "examples", "ci", "gitlab-ci.yml"), "utf8")) as { publish: { script: string[] } };
    const script = gitlab.publish.script.join("\n");
    assert.match(script, /npx onboard publish/);
    const viaGitlab = await runStep(
      { run: script },
      checkout,
      { ONBOARD_URL: server.url, ONBOARD_TOKEN: token, CI_COMMIT_SHA: head, GITLAB_USER_LOGIN: "ada" },
      {},
    );
    assert.equal(viaGitlab.code, 0, viaGitlab.out);
    assert.match(viaGitlab.out, /ci_example 1\.2\): unchanged \(commit [0-9a-f]{12}, by ada\)/);

    // A changed text under the version already published: the server refuses it, and says why.
    writeFileSync(join(checkout, "playbooks", "ci-example.yaml"), NEXT.replace("title: CSM assigned by territory", "title: CSM assigned"));
    const conflict = await runJob("publish", checkout, github, secrets);
    assert.equal(conflict.code, 3, conflict.out);
    assert.match(conflict.out, /\(ci_example 1\.2\): \*\*refused\*\* \(409 Conflict: .*raise document\.version\)/);

    // A playbook that fails --strict (its annotations: output-formats.test.ts): main uploads nothing at all.
    writeFileSync(join(checkout, "playbooks", "faithful.yaml"), readFileSync(join(ROOT, "test", "fixtures", "faithful.yaml")));
    writeFileSync(join(checkout, "playbooks", "ci-example.yaml"), NEXT.replace('version: "1.2"', 'version: "1.3"'));
    const refused = await runJob("publish", checkout, github, secrets);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /nothing was uploaded/);
    assert.match(refused.out, /^playbooks\/faithful\.yaml:\d+:\d+ error \[coverage\/kpis\]/m);
    const after = await api.get("/playbooks?limit=100");
    const ids = after.body.items.map((p: { id: string }) => p.id);
    assert.ok(!ids.includes("faithful") && ids.includes("ci_example"), ids.join(", "));
    assert.deepEqual(
      (await api.get("/playbooks/ci_example")).body.versions.map((v: { version: string }) => v.version),
      ["1.2"],
      "the valid file was not uploaded either",
    );
  });

  test("an upload's commit and author show in GET /playbooks/:id and the list; a malformed commit is a 400", async () => {
    const bad = await admin.post("/playbooks", { source: MINIMAL, file: "minimal.yaml", commit: "not-a-sha" });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.match(JSON.stringify(bad.body), /commit/);

    const uploaded = await admin.post("/playbooks", {
      source: MINIMAL,
      file: "minimal.yaml",
      commit: COMMIT.toUpperCase(),
      commitAuthor: "Ada",
    });
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    const history = await admin.get("/playbooks/minimal");
    assert.equal(history.status, 200, JSON.stringify(history.body));
    assert.equal(history.body.latestVersion, "1.1");
    assert.deepEqual(
      history.body.versions.map((v: { commit: string | null; commitAuthor: string | null; uploadedBy: string }) => [
        v.commit,
        v.commitAuthor,
        v.uploadedBy,
      ]),
      [[COMMIT, "Ada", "admin"]],
    );
    // The same text from a later commit changes nothing: the revision keeps the commit that made it.
    const again = await admin.post("/playbooks", { source: MINIMAL, file: "minimal.yaml", commit: "abcdef1", commitAuthor: "Bob" });
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    const listed = await admin.get("/playbooks?limit=100");
    const minimal = listed.body.items.find((p: { id: string }) => p.id === "minimal");
    assert.equal(minimal.versions[0].commit, COMMIT);
    const version = await admin.get("/playbooks/minimal/versions/1.1");
    assert.equal(version.body.commitAuthor, "Ada");
    assert.equal((await admin.get("/playbooks/no-such-playbook")).status, 404);
  });

  test("with four-eyes on, the commit waits with the submission and is recorded when another person approves", async () => {
    assert.equal((await admin.request("PUT", "/settings/four-eyes", { body: { required: true } })).status, 200);
    try {
      const next = MINIMAL.replace(/^id: minimal$/m, "id: minimal_four_eyes");
      const pending = await admin.post("/playbooks", { source: next, file: "four-eyes.yaml", commit: "abcdef12", commitAuthor: "Grace" });
      assert.equal(pending.status, 202, JSON.stringify(pending.body));
      assert.equal((await admin.get("/playbooks/minimal_four_eyes")).status, 404, "not published yet");
      const approved = await second.post(`/playbooks/pending/${pending.body.submissionId}/approve`, {});
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const history = await admin.get("/playbooks/minimal_four_eyes");
      assert.deepEqual(
        history.body.versions.map((v: { commit: string; commitAuthor: string; uploadedBy: string }) => [
          v.commit,
          v.commitAuthor,
          v.uploadedBy,
        ]),
        [["abcdef12", "Grace", "admin"]],
      );
    } finally {
      await admin.request("PUT", "/settings/four-eyes", { body: { required: false } });
    }
  });

  test("GET /schema/playbook.schema.json: public, the CLI's schema with a stable $id, cacheable with an ETag", async () => {
    const served = await new Caller(server.url).get(PLAYBOOK_SCHEMA_PATH);
    assert.equal(served.status, 200);
    assert.match(served.headers.get("content-type") ?? "", /^application\/schema\+json/);
    assert.deepEqual(served.body, playbookJsonSchema());
    assert.equal(served.body.$id, "/schema/playbook.schema.json");
    assert.match(served.headers.get("cache-control") ?? "", /public/);
    const etag = served.headers.get("etag");
    assert.ok(etag);
    const revalidated = await new Caller(server.url).get(PLAYBOOK_SCHEMA_PATH, { "if-none-match": etag });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body, "");
    assert.equal((await new Caller(server.url).get(PLAYBOOK_SCHEMA_PATH, { "if-none-match": '"stale"' })).status, 200);
  });
});
