// Temporary helper while the loader is built: parses a playbook and prints zod issues with paths.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { PlaybookSchema } from "../src/playbook/schema.ts";

for (const file of process.argv.slice(2)) {
  const result = PlaybookSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (result.success) console.log(`${file}: schema OK`);
  else for (const issue of result.error.issues) console.log(`${file}: ${issue.path.join(".")}: ${issue.message}`);
}
