// The README's playbook example is real: it must load and lint clean, so the docs cannot drift.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { lintLoaded } from "../src/lint/lint.ts";
import { loadPlaybook } from "../src/playbook/load.ts";

test("the README's example playbook lints clean", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README has a yaml example");
  const diagnostics = lintLoaded(loadPlaybook("README.md", example)).diagnostics;
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.column} ${d.rule} ${d.message}`),
    [],
  );
});
