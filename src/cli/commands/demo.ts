// `onboard demo`: fill a database with a demo portfolio (clients in every phase, played out by the
// engine with a moving clock, written with their hash-chained history and portfolio summaries).
import { fileURLToPath } from "node:url";
import { type Command, UsageError } from "../args.ts";

const BUILT_IN = fileURLToPath(new URL("../../../playbooks/", import.meta.url));

function count(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} takes a whole number, not "${String(value)}"`);
  return n;
}

export const demoCommand: Command = {
  name: "demo",
  summary: "create a demo portfolio of clients in every phase",
  usage: `Usage: onboard demo [options]

Publishes the built-in playbooks and creates a demo portfolio: clients across countries, time zones
and segments, spread over the playbooks, started over the past months and played out by the engine
up to now (some live, some late, some on hold, a few cancelled), with the people of the team. The
history is written with its hash chain (onboard audit verify passes) and the portfolio summaries.

Options:
  --database <url or dir>  postgres://..., a data folder, or pglite:<folder> (default: $ONBOARD_DATABASE)
  --projects <n>           how many clients (default 300)
  --seed <n>               the same seed gives the same portfolio (default 1)
  --months <n>             how far back the first client started (default 9)
  --distinct <n>           clients simulated one by one; beyond that, copies of simulated ones moved
                           by whole weeks (default 2000; set it to --projects to simulate all)
  --playbooks <dir>        folder of playbooks to publish first (default: the built-in ones)
  --json                   print the report as JSON
  -h, --help               show this help

Exit codes: 0 done, 1 failed, 2 usage error.`,
  options: {
    database: { type: "string" },
    projects: { type: "string" },
    seed: { type: "string" },
    months: { type: "string" },
    distinct: { type: "string" },
    playbooks: { type: "string" },
    json: { type: "boolean" },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`demo takes no arguments\n\n${this.usage}`);
    const location = typeof values.database === "string" ? values.database : process.env.ONBOARD_DATABASE;
    if (!location) throw new UsageError(`name the database with --database (or set ONBOARD_DATABASE)\n\n${this.usage}`);
    const projects = count(values.projects, "projects", 300);
    const seed = count(values.seed, "seed", 1);
    const months = count(values.months, "months", 9);
    const distinct = count(values.distinct, "distinct", 2000);
    // Loaded when run: the other commands do not pay for the store and the engine at startup.
    const { openDatabase, ProjectService, parseDatabaseTarget } = await import("../../store/index.ts");
    const { generateDemo, publishFolder } = await import("../../demo/generate.ts");
    const database = await openDatabase(parseDatabaseTarget(location), { log: (message) => io.err(`onboard: ${message}`) });
    try {
      const now = new Date().toISOString();
      await publishFolder(new ProjectService(database), typeof values.playbooks === "string" ? values.playbooks : BUILT_IN, now);
      let lastShown = 0;
      const report = await generateDemo(database, {
        projects,
        seed,
        months,
        distinct,
        now,
        onProgress: ({ done, total, events }) => {
          const t = performance.now();
          if (t - lastShown < 1000 && done < total) return;
          lastShown = t;
          io.err(`  ${done}/${total} projects, ${events} events`);
        },
      });
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else {
        io.out(
          `Demo portfolio in ${database.description}: ${report.projects} projects (${report.simulated} simulated), ${report.events} events, ${report.people} people`,
        );
        io.out(
          `  by status: ${Object.entries(report.byStatus)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
        );
        io.out(
          `  by playbook: ${Object.entries(report.byPlaybook)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
        );
        io.out(
          `  ${(report.ms / 1000).toFixed(1)} s: ${report.projectsPerSecond.toFixed(1)} projects/s, ${Math.round(report.eventsPerSecond)} events/s`,
        );
      }
      return 0;
    } finally {
      await database.close();
    }
  },
};
