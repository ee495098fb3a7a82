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
import { ADMIN_PASSWORD, Caller, cookieHeader } from "../api/support/http.ts";
import { ROOT, type ServeProcess, startOnboard } from "./support/serve-process.ts";

const WORKFLOW = join(ROOT, "examples", "ci", "github-actions.yml");
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

describe("the CI example (examples/ci/github-actions.yml)", () => {
  let server: ServeProcess;
  let api: Caller;
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
      EMBEDDED_DATABASE: "pglite",
      MAIL_DIR: join(data, "mail"),
      ONBOARD_ADMIN_EMAIL: "admin@example.com",
      ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    const login = await new Caller(server.url).post("/auth/login", { email: "admin@example.com", password: ADMIN_PASSWORD });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const session = new Caller(server.url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken });
    const created = await session.post("/tokens", { name: "CI", scope: "write" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.token;
    api = new Caller(server.url, { token });
  });

  after(async () => {
    // Its data folder is thrown away: no need to wait for a graceful stop.
    await server?.kill();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("a pull request is linted and diffed; main publishes with its commit and author, once; a failing playbook stops everything", async () => {
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

    // A playbook that fails --strict: annotated on the pull request, and main uploads nothing at all.
    writeFileSync(join(checkout, "playbooks", "faithful.yaml"), readFileSync(join(ROOT, "test", "fixtures", "faithful.yaml")));
    writeFileSync(join(checkout, "playbooks", "ci-example.yaml"), NEXT.replace('version: "1.2"', 'version: "1.3"'));
    const failing = await runJob("lint", checkout, github);
    assert.equal(failing.code, 1, failing.out);
    assert.match(failing.out, /^::error file=playbooks\/faithful\.yaml,line=\d+,col=\d+,title=\[coverage\/kpis\]::/m);
    const refused = await runJob("publish", checkout, github, secrets);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /nothing was uploaded/);
    const after = await api.get("/playbooks?limit=100");
    const ids = after.body.items.map((p: { id: string }) => p.id);
    assert.ok(!ids.includes("faithful") && ids.includes("ci_example"), ids.join(", "));
    assert.deepEqual(
      (await api.get("/playbooks/ci_example")).body.versions.map((v: { version: string }) => v.version),
      ["1.2"],
      "the valid file was not uploaded either",
    );
  });
});
