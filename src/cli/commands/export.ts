import { writeFile } from "node:fs/promises";
import { formatDiagnostic, hasErrors } from "../../playbook/diagnostics.ts";
import { loadPlaybookFile } from "../../playbook/load.ts";
import { type Command, UsageError } from "../args.ts";

const FORMATS = ["bpmn"] as const;

const USAGE = `Usage: onboard export --format bpmn [-o file] <playbook>

Exports the playbook to another tool's format.

  bpmn   BPMN 2.0 XML with its diagram, for Camunda Modeler, bpmn.io and BPMN engines: a pool per
         process (the playbook, each call of a procedure, each automation that opens steps), a lane
         per role, a user task per step with the step's text as documentation, exclusive gateways
         for decisions and conditional steps (the criteria as written, and as JavaScript conditions
         an engine such as bpmn-engine evaluates on the variables facts, forms, step, training,
         gates and calls), parallel gateways for steps that run side by side, non-interrupting timers
         for deadlines (business time as calendar time: BPMN has no business calendar), call
         activities for procedures.

Options:
  -f, --format FORMAT   bpmn (the only format so far)
  -o, --output FILE     where to write; default: standard output
  -h, --help            show this help

Exit codes: 0 written, 1 the playbook has errors, 2 usage error.`;

export const exportCommand: Command = {
  name: "export",
  summary: "export a playbook to another tool's format (bpmn)",
  usage: USAGE,
  options: {
    format: { type: "string", short: "f" },
    output: { type: "string", short: "o" },
  },
  async run(values, positionals, io) {
    if (typeof values.format !== "string") throw new UsageError(`say which format: --format bpmn\n\n${USAGE}`);
    if (!(FORMATS as readonly string[]).includes(values.format))
      throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, not "${values.format}"\n\n${USAGE}`);
    if (positionals.length !== 1) throw new UsageError(`name one playbook file\n\n${USAGE}`);
    const file = positionals[0] ?? "";
    const loaded = await loadPlaybookFile(file);
    if (!loaded.model || hasErrors(loaded.diagnostics)) {
      for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) io.err(formatDiagnostic(d));
      return 1;
    }
    // Loaded only for this command: bpmn-moddle is not needed by any other.
    const { exportBpmn } = await import("../../interchange/bpmn-export/index.ts");
    const { xml, untranslated } = await exportBpmn(loaded.model);
    for (const cel of untranslated)
      io.err(`${file}: warning [export/condition] "${cel}" is kept as CEL text: a BPMN engine cannot evaluate it as exported`);
    if (typeof values.output === "string") {
      await writeFile(values.output, xml);
      io.err(`wrote ${values.output}`);
    } else io.out(xml);
    return 0;
  },
};
