import { writeFile } from "node:fs/promises";
import { playbookJsonSchema } from "../../playbook/schema.ts";
import type { Command } from "../args.ts";

export const schemaCommand: Command = {
  name: "schema",
  summary: "print the playbook JSON Schema (for editor autocompletion)",
  usage: `Usage: onboard schema [-o file]

Prints the JSON Schema of the playbook language, generated from the same definition the loader
validates with. Point your editor's YAML support at it, e.g. a first line
  # yaml-language-server: $schema=../schema/playbook.schema.json

Options:
  -o, --output <file>   write to a file instead of standard output
  -h, --help            show this help`,
  options: { output: { type: "string", short: "o" } },
  async run(values, _positionals, io) {
    const text = `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`;
    if (typeof values.output === "string") {
      await writeFile(values.output, text);
      io.err(`wrote ${values.output}`);
    } else {
      io.out(text.trimEnd());
    }
    return 0;
  },
};
