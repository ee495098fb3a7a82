// `npm run docs:config`: rewrite the README's configuration reference from src/api/config.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { withConfigurationReference } from "../src/api/config-reference.ts";

const README = new URL("../README.md", import.meta.url);
const before = readFileSync(README, "utf8");
const after = withConfigurationReference(before);
if (after === before) console.log("README.md's configuration reference is up to date");
else {
  writeFileSync(README, after);
  console.log("README.md's configuration reference rewritten from src/api/config.ts");
}
