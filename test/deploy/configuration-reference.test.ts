// The README's configuration reference and `onboard serve --help` come from one list in config.ts
// (VARIABLES), and that list names exactly the variables parseConfig reads: a variable added to
// the configuration without a line there, or a line for a variable it no longer reads, fails here,
// and so does a README whose reference was not rewritten (npm run docs:config).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { KNOWN_VARIABLES, VARIABLES } from "../../src/api/config.ts";
import { REFERENCE_END, REFERENCE_START, withConfigurationReference } from "../../src/api/config-reference.ts";
import { ROOT } from "../cli/support/serve-process.ts";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

test("config.ts lists every variable it reads for --help, once, and none it does not read", () => {
  const listed = VARIABLES.map(([name]) => name);
  assert.deepEqual([...listed].sort(), [...KNOWN_VARIABLES].sort());
  assert.equal(new Set(listed).size, listed.length, "each variable once");
});

test("each variable's line says what it does and its default (or what unset means)", () => {
  for (const [name, text] of VARIABLES) assert.match(text, /default|unset/, `${name}: ${text}`);
});

test("the README's configuration reference is what config.ts's list writes", () => {
  assert.equal(README, withConfigurationReference(README), "README.md's reference is stale: run npm run docs:config");
  const section = README.slice(README.indexOf(REFERENCE_START), README.indexOf(REFERENCE_END));
  const documented = [...section.matchAll(/^- `([A-Z0-9_]+)`:/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...KNOWN_VARIABLES].sort());
  assert.ok(
    README.indexOf("### Configuration reference") < README.indexOf(REFERENCE_START) &&
      README.indexOf(REFERENCE_START) < README.indexOf("## Writing a playbook"),
    "in the Operations section",
  );
});
