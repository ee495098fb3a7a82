// Loading a built-in playbook for its coverage test, with the look-ups every such test needs.
import assert from "node:assert/strict";
import { loadPlaybookFile } from "../../src/playbook/load.ts";
import type { Playbook, Step } from "../../src/playbook/schema.ts";

export async function builtIn(name: string) {
  const file = new URL(`../../playbooks/${name}.yaml`, import.meta.url);
  const { playbook, diagnostics } = await loadPlaybookFile(file);
  const loaded = (): Playbook => {
    assert.ok(playbook, "the playbook loads");
    return playbook;
  };
  const allSteps = (): Step[] => loaded().phases.flatMap((p) => p.steps);
  const step = (id: string): Step => {
    const found = allSteps().find((s) => s.id === id);
    assert.ok(found, `step ${id} exists`);
    return found;
  };
  return { file, playbook, diagnostics, loaded, allSteps, step };
}
