// The README's playbook example is real: it must load and lint clean, so the docs cannot drift.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { lintLoaded } from "../src/lint/lint.ts";
import { loadPlaybook } from "../src/playbook/load.ts";
import { modelOf, person, Run } from "./support/engine.ts";

test("the README's example playbook lints clean", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = /## Writing a playbook[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README has a yaml example");
  const diagnostics = lintLoaded(loadPlaybook("README.md", example)).diagnostics;
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    [],
  );
});

test("the README's example runs to completion, through its detour when contacts are missing", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = /## Writing a playbook[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const start = "2026-03-02T14:00:00.000Z";
  const run = new Run(modelOf(example), start, { facts: { user_count: 20 } });
  const csm = person("csm");
  const client = person("client_primary", "contact");
  const opened: string[] = [];
  let day = 0;
  const now = () => new Date(Date.parse(start) + ++day * 3_600_000).toISOString();
  for (let guard = 0; guard < 20 && run.state.status === "active"; guard++) {
    const open = Object.values(run.state.steps).find((s) => s.status === "open");
    assert.ok(open, `nothing open: ${JSON.stringify(run.state.steps)}`);
    opened.push(open.id);
    if (open.id === "success_plan") run.send({ type: "approve", step: open.id, role: "client_primary" }, client, now());
    if (open.id === "check_contacts") run.send({ type: "submit_form", step: open.id, values: { missing: 2 } }, csm, now());
    run.send({ type: "complete_step", step: open.id }, csm, now());
  }
  assert.deepEqual(opened, ["intro_email", "success_plan", "check_contacts", "chase_contacts"]);
  assert.equal(run.state.steps.check_contacts?.attempt, 1);
  assert.equal(run.state.steps.enterprise_setup?.status, "not_applicable");
  assert.equal(run.state.status, "closed");
});
