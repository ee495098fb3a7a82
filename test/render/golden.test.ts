// Golden files: the Markdown SOP of every built-in playbook, reviewed by eye once and committed,
// so that any change to what the documents say shows up as a diff in review. They are stored as
// .golden.txt: Biome formats .md files and would realign the tables, and these must stay byte for byte.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx node --test test/render/golden.test.ts
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { writeMarkdown } from "../../src/render/markdown.ts";
import { buildSop } from "../../src/render/sop/build.ts";
import { builtInPlaybooks } from "./support.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("golden Markdown of the built-in playbooks", async () => {
  for (const { file, model } of await builtInPlaybooks()) {
    test(file, () => {
      const golden = new URL(`./golden/${file.replace(/\.yaml$/, ".golden.txt")}`, import.meta.url);
      const markdown = writeMarkdown(buildSop(model));
      if (UPDATE || !existsSync(golden)) {
        if (!UPDATE) assert.fail(`no golden file ${golden.pathname}: run with UPDATE_GOLDEN=1 and review it`);
        writeFileSync(golden, markdown);
        return;
      }
      assert.equal(
        markdown,
        readFileSync(golden, "utf8"),
        `${file}: the SOP changed; review the diff and run with UPDATE_GOLDEN=1 if intended`,
      );
    });
  }
});
