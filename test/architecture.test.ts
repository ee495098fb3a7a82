// The layers in ARCHITECTURE.md, enforced: a module may import only from the layers below it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

/** Each layer and the layers it may import. Keep in step with ARCHITECTURE.md. */
const ALLOWED: Record<string, readonly string[]> = {
  playbook: [],
  lint: ["playbook"],
  engine: ["playbook"],
  render: ["playbook", "lint", "engine"],
  interchange: ["playbook", "lint", "engine"],
  store: ["playbook", "engine"],
  notify: ["playbook", "engine", "store"],
  metrics: ["playbook", "engine", "store", "render"],
  crm: ["playbook", "engine"],
  compliance: ["playbook", "lint", "engine", "store", "render"],
  mining: ["playbook", "engine", "store", "metrics", "render"],
  demo: ["playbook", "engine", "store", "metrics"],
  api: ["playbook", "lint", "engine", "store", "render", "notify", "metrics", "mining", "demo", "crm", "compliance", "interchange"],
  // The browser checks what it sends with the same pure code the server runs (values, form checks, prose).
  web: ["api", "playbook", "engine"],
  cli: ["playbook", "lint", "engine", "store", "render", "notify", "metrics", "mining", "demo", "api", "crm", "compliance", "interchange"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(path) ? [path] : [];
  });
}

test("every source folder is a known layer", () => {
  for (const name of readdirSync(SRC)) assert.ok(name in ALLOWED, `src/${name} is not a layer in ARCHITECTURE.md`);
});

test("layers import only what ARCHITECTURE.md allows", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = relative(SRC, file).split(sep)[0] ?? "";
    for (const match of readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)[^'"]*from\s+["'](\.[^"']+)["']/gm)) {
      const target = relative(SRC, join(file, "..", match[1] ?? "")).split(sep)[0] ?? "";
      if (target !== layer && !ALLOWED[layer]?.includes(target)) violations.push(`${relative(SRC, file)} imports ${target}`);
    }
  }
  assert.deepEqual(violations, []);
});

test("the pure layers read no clock, environment, network or database", () => {
  const impure = /\bDate\.now\(|new Date\(\)|process\.env|node:(net|http|https|child_process)|pglite|from "pg"/;
  for (const layer of ["playbook", "lint", "engine"]) {
    let dir: string;
    try {
      dir = join(SRC, layer);
      statSync(dir);
    } catch {
      continue;
    }
    for (const file of files(dir)) assert.doesNotMatch(readFileSync(file, "utf8"), impure, relative(SRC, file));
  }
});
