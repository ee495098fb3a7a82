// The loader must answer any input with diagnostics, never an exception: random bytes, random text,
// random YAML values, and real playbooks mutated line by line and character by character.
// LOADER_FUZZ_RUNS inputs of each kind (default 1,000, 4,000 in all; `npm run fuzz` runs 10,000 of
// each); a failure prints the shrunk input that broke it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parseDocument, stringify } from "yaml";
import { lintLoaded } from "../../src/lint/lint.ts";
import { hasErrors } from "../../src/playbook/diagnostics.ts";
import { type LoadResult, loadPlaybook } from "../../src/playbook/load.ts";
import { MINIMAL } from "../support/fixtures.ts";

const RUNS_PER_KIND = Number(process.env.LOADER_FUZZ_RUNS ?? 1_000);

const playbooksDir = new URL("../../playbooks/", import.meta.url);
const CORPUS = [
  MINIMAL,
  ...readdirSync(playbooksDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(new URL(f, playbooksDir), "utf8")),
];

function wellFormed(result: LoadResult): void {
  for (const d of result.diagnostics) {
    assert.notEqual(d.rule, "internal", `the loader crashed: ${d.message}`);
    assert.ok(Number.isInteger(d.line) && d.line >= 1, `line ${d.line}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `column ${d.column}`);
    assert.ok(d.message.length > 0);
  }
  assert.equal(result.playbook !== undefined, !hasErrors(result.diagnostics));
  // Linting whatever loaded must not crash either.
  if (result.playbook) for (const d of lintLoaded(result).diagnostics) assert.notEqual(d.rule, "internal");
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate-line" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap-lines" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(
      ":",
      "- ",
      "{",
      "}",
      "[",
      "&a ",
      "*a",
      "!!binary ",
      "'",
      '"',
      "#",
      "\t",
      "\u0000",
      "~",
      "{{",
      "}}",
      "<<: *a",
      "? ",
      "|",
      ">-",
      "\n",
      "facts.",
      "&&",
      "Day ",
      " after ",
      "99999999999999999999",
    ),
  }),
  fc.record({ kind: fc.constant("replace-char" as const), at: fc.nat(), text: fc.string({ maxLength: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split("\n");
  for (const m of mutations) {
    const i = m.at % Math.max(1, lines.length);
    switch (m.kind) {
      case "delete-line":
        lines.splice(i, 1);
        break;
      case "duplicate-line":
        lines.splice(i, 0, lines[i] ?? "");
        break;
      case "swap-lines": {
        const j = m.to % Math.max(1, lines.length);
        [lines[i], lines[j]] = [lines[j] ?? "", lines[i] ?? ""];
        break;
      }
      case "indent":
        lines[i] = m.by >= 0 ? " ".repeat(m.by) + (lines[i] ?? "") : (lines[i] ?? "").slice(-m.by);
        break;
      case "insert":
      case "replace-char": {
        const flat = lines.join("\n");
        const pos = m.at % Math.max(1, flat.length);
        const cut = m.kind === "replace-char" ? 1 : 0;
        lines = (flat.slice(0, pos) + m.text + flat.slice(pos + cut)).split("\n");
        break;
      }
    }
  }
  return lines.join("\n");
}

// Parsed once: each run clones the document and puts a random value at one of its paths.
const PARSED = CORPUS.map((text) => {
  const doc = parseDocument(text);
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(node)) for (const [i, v] of node.entries()) walk(v, [...path, i]);
    else if (node && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(doc.toJS(), []);
  return { doc, paths };
});

/** A real playbook with a random value at a random path: types and shapes the schema must refuse well. */
function withValueAt(which: number, pick: number, value: unknown): string {
  const parsed = PARSED[which % PARSED.length];
  if (!parsed) return stringify(value);
  const path = parsed.paths[pick % parsed.paths.length] ?? [];
  if (path.length === 0) return stringify(value);
  const doc = parsed.doc.clone();
  doc.setIn(path, doc.createNode(value));
  return doc.toString();
}

describe("the loader never throws", () => {
  test(`random bytes (${RUNS_PER_KIND})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => wellFormed(loadPlaybook("fuzz.yaml", bytes))),
      { numRuns: RUNS_PER_KIND },
    );
  });

  test(`random text (${RUNS_PER_KIND})`, () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(..."onboard: 1\nid-[]{}:,&*!|>'\"#%@` \t"), maxLength: 300 }),
    );
    fc.assert(
      fc.property(text, (t) => wellFormed(loadPlaybook("fuzz.yaml", t))),
      { numRuns: RUNS_PER_KIND },
    );
  });

  test(`random values in real playbooks (${RUNS_PER_KIND})`, () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom("", "Day 999", "2 business months", "facts.nope", "{{nope}}", "csm", -1, 1e308, null, [], {}),
    );
    fc.assert(
      fc.property(fc.nat({ max: CORPUS.length - 1 }), fc.nat(), value, (which, pick, v) =>
        wellFormed(loadPlaybook("fuzz.yaml", withValueAt(which, pick, v))),
      ),
      { numRuns: RUNS_PER_KIND },
    );
  });

  test(`mutated real playbooks (${RUNS_PER_KIND})`, () => {
    fc.assert(
      fc.property(fc.nat({ max: CORPUS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, mutations) =>
        wellFormed(loadPlaybook("fuzz.yaml", mutate(CORPUS[which] ?? MINIMAL, mutations))),
      ),
      { numRuns: RUNS_PER_KIND },
    );
  });
});
