// The built-in playbooks shipped in playbooks/, loaded: for the render bench, the tests and the
// playbook generator's templates. Kept apart from the bench so that loading them starts no browser code.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPlaybookFile } from "../playbook/load.ts";
import type { PlaybookModel } from "../playbook/model.ts";

export const PLAYBOOKS_DIR = fileURLToPath(new URL("../../playbooks/", import.meta.url));

export async function builtInPlaybooks(): Promise<{ file: string; model: PlaybookModel }[]> {
  const files = (await readdir(PLAYBOOKS_DIR)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(
    files.map(async (file) => {
      const loaded = await loadPlaybookFile(join(PLAYBOOKS_DIR, file));
      if (!loaded.model) throw new Error(`${file} does not load: ${loaded.diagnostics.map((d) => d.message).join("; ")}`);
      return { file, model: loaded.model };
    }),
  );
}
