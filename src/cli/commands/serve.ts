// `onboard serve`: the HTTP API (and, unless turned off, the scheduler and the outbox) on the
// embedded database or PostgreSQL, configured by environment variables. Stops gracefully on
// SIGINT/SIGTERM; a second signal, or a stop that outlasts SHUTDOWN_TIMEOUT_SECONDS, exits at once.
import { ConfigError, configFromEnvironment, VARIABLES } from "../../api/config.ts";
import { type RunningServer, startServer } from "../../api/server.ts";
import { type Command, UsageError } from "../args.ts";

function banner(url: string, server: RunningServer): string {
  const { admin, database, builtIn } = server;
  const failed = builtIn.failed.length > 0 ? `, ${builtIn.failed.length} failed (see the log)` : "";
  const lines = [
    `Onboard is listening on ${url}  (API reference: ${url}/docs)`,
    `Database: ${database.description} (${database.capabilities.backend})`,
    `Built-in playbooks: ${builtIn.published.length} published${failed}`,
  ];
  if (admin.created && admin.generatedPassword !== undefined) {
    lines.push(
      "",
      "First start: an admin account was created.",
      `  Sign in as ${admin.email} with the password ${admin.generatedPassword}`,
      "  This password is shown only now: sign in and change it (POST /auth/password).",
    );
  } else if (admin.created) {
    lines.push(`First start: sign in as ${admin.email} with the password in ONBOARD_ADMIN_PASSWORD.`);
  } else {
    lines.push("Sign in with your account (POST /auth/login), or use an API token.");
  }
  return lines.join("\n");
}

function signal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (name: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(name);
    };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

export const serveCommand: Command = {
  name: "serve",
  summary: "run the HTTP API server (configured by environment variables)",
  usage: `Usage: onboard serve

Runs the HTTP API with the scheduler and the outbox dispatcher, on the embedded database (a
folder) or on PostgreSQL. On start it migrates the database, publishes the built-in playbooks and,
on a database without accounts, creates the first admin. SIGINT or SIGTERM stops it gracefully.

Environment:
${VARIABLES.map(([name, text]) => `  ${name.padEnd(26)} ${text}`).join("\n")}

Exit codes: 0 stopped cleanly, 1 failed, 2 invalid configuration.`,
  options: {},
  async run(_values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`serve takes no arguments\n\n${this.usage}`);
    let config: ReturnType<typeof configFromEnvironment>;
    try {
      config = configFromEnvironment();
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`${error.message}\n\nRun "onboard serve --help" for every variable.`);
      throw error;
    }
    const server = await startServer(config);
    let url: string;
    try {
      url = await server.listen();
    } catch (error) {
      await server.close();
      throw error;
    }
    io.out(banner(url, server));

    const received = await signal();
    server.app.log.info({ signal: received }, "stopping: finishing requests in flight");
    // A second signal, or a stop that hangs, ends the process: an operator asked twice.
    const force = (why: string) => {
      io.err(`onboard serve: ${why}: exiting without a clean stop`);
      process.exit(1);
    };
    const again = () => force("second signal");
    process.once("SIGINT", again);
    process.once("SIGTERM", again);
    const deadline = setTimeout(() => force(`not stopped after ${config.shutdownTimeoutMs / 1000} s`), config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await server.close();
    } finally {
      clearTimeout(deadline);
      process.off("SIGINT", again);
      process.off("SIGTERM", again);
    }
    return 0;
  },
};
