// The `onboard` command line. Each command lives in commands/ with its own help text.
import { type Command, type Io, parse, UsageError } from "./args.ts";

/**
 * The commands by name and summary, each loaded only when it runs: `onboard --help` and
 * `onboard lint` do not pay for the server, the renderer or the database (test/cli/cli.test.ts
 * checks that each summary here is its command's own).
 */
export interface ListedCommand {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly ListedCommand[] = [
  {
    name: "lint",
    summary: "check playbooks against the language and the SOP quality rules",
    load: async () => (await import("./commands/lint.ts")).lintCommand,
  },
  {
    name: "validate",
    summary: "check that playbooks load (syntax, schema, references, conditions) without the quality rules",
    load: async () => (await import("./commands/validate.ts")).validateCommand,
  },
  {
    name: "schema",
    summary: "print the playbook JSON Schema (for editor autocompletion)",
    load: async () => (await import("./commands/schema.ts")).schemaCommand,
  },
  {
    name: "audit",
    summary: "verify the audit trail (against signed checkpoints), sign a checkpoint",
    load: async () => (await import("./commands/audit.ts")).auditCommand,
  },
  {
    name: "report",
    summary: "the access and change control report of a period, as a signed package",
    load: async () => (await import("./commands/report.ts")).reportCommand,
  },
  {
    name: "evidence",
    summary: "an onboarding's evidence package for an auditor (signed ZIP); verify one offline",
    load: async () => (await import("./commands/evidence.ts")).evidenceCommand,
  },
  {
    name: "db",
    summary: "database administration: migrations, their status, copy to PostgreSQL, a least-privileged role",
    load: async () => (await import("./commands/db.ts")).dbCommand,
  },
  {
    name: "backup",
    summary: "a consistent backup of the database and its files, taken while Onboard runs",
    load: async () => (await import("./commands/backup.ts")).backupCommand,
  },
  {
    name: "restore",
    summary: "restore a backup into an empty database, or check a database restored by other means",
    load: async () => (await import("./commands/restore.ts")).restoreCommand,
  },
  {
    name: "render",
    summary: "render a playbook as its SOP document (md, html, docx, pdf)",
    load: async () => (await import("./commands/render.ts")).renderCommand,
  },
  {
    name: "export",
    summary: "export a playbook to another tool's format (bpmn)",
    load: async () => (await import("./commands/export.ts")).exportCommand,
  },
  {
    name: "serve",
    summary: "run the HTTP API server (configured by environment variables)",
    load: async () => (await import("./commands/serve.ts")).serveCommand,
  },
  {
    name: "worker",
    summary: "run the scheduler and the outbox without HTTP (beside API-only servers on PostgreSQL)",
    load: async () => (await import("./commands/worker.ts")).workerCommand,
  },
  {
    name: "sop",
    summary: "draft a new playbook (sop new) from a built-in one",
    load: async () => (await import("./commands/sop-new.ts")).sopNewCommand,
  },
  {
    name: "import",
    summary: "turn a BPMN model or a written SOP (Markdown, Word) into a draft playbook",
    load: async () => (await import("./commands/import.ts")).importCommand,
  },
  {
    name: "diff",
    summary: "what changed between two playbook versions, and its revision-history entry",
    load: async () => (await import("./commands/diff.ts")).diffCommand,
  },
  {
    name: "publish",
    summary: "lint (strict), diff and upload playbooks to a server from CI, with commit and author",
    load: async () => (await import("./commands/publish.ts")).publishCommand,
  },
  {
    name: "demo",
    summary: "create a demo portfolio of clients in every phase",
    load: async () => (await import("./commands/demo.ts")).demoCommand,
  },
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
  const listed = COMMANDS.find((c) => c.name === name);
  if (!listed) {
    io.err(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  const command = await listed.load();
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
