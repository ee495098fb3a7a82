// The `onboard` command line. Each command lives in commands/ with its own help text.
import { type Command, type Io, parse, UsageError } from "./args.ts";
import { auditCommand } from "./commands/audit.ts";
import { backupCommand } from "./commands/backup.ts";
import { dbCommand } from "./commands/db.ts";
import { demoCommand } from "./commands/demo.ts";
import { diffCommand } from "./commands/diff.ts";
import { evidenceCommand } from "./commands/evidence.ts";
import { exportCommand } from "./commands/export.ts";
import { importCommand } from "./commands/import.ts";
import { lintCommand } from "./commands/lint.ts";
import { publishCommand } from "./commands/publish.ts";
import { renderCommand } from "./commands/render.ts";
import { reportCommand } from "./commands/report.ts";
import { restoreCommand } from "./commands/restore.ts";
import { schemaCommand } from "./commands/schema.ts";
import { serveCommand } from "./commands/serve.ts";
import { sopNewCommand } from "./commands/sop-new.ts";
import { validateCommand } from "./commands/validate.ts";
import { workerCommand } from "./commands/worker.ts";

const COMMANDS: readonly Command[] = [
  lintCommand,
  validateCommand,
  schemaCommand,
  auditCommand,
  reportCommand,
  evidenceCommand,
  dbCommand,
  backupCommand,
  restoreCommand,
  renderCommand,
  exportCommand,
  serveCommand,
  workerCommand,
  sopNewCommand,
  importCommand,
  diffCommand,
  publishCommand,
  demoCommand,
];

const HELP = `onboard: client onboarding where the playbook is the SOP

Usage: onboard <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Run "onboard <command> --help" for a command's options.`;

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const { values, positionals } = parse(command, rest);
    if (values.help) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`onboard ${command.name}: ${error.message}`);
      return 2;
    }
    io.err(`onboard ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export async function runCli(): Promise<void> {
  const io: Io = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}

if (import.meta.main) await runCli();
