// `onboard worker`: the background half of `onboard serve` without HTTP: the scheduler (timers,
// health reviews, retention, audit checkpoints, CRM reconciliation) and the outbox (mail,
// invitations, chat, outbound webhooks), for deployments that run API-only nodes
// (SCHEDULER=off OUTBOX=off) and workers on one PostgreSQL database. Claims are SKIP LOCKED with
// leases, so any number of workers share the work; NOTIFY wakes them when a command queues some.
import { ConfigError, configFromEnvironment, VARIABLES } from "../../api/config.ts";
import type { listenForHealth } from "../../api/health-listener.ts";
import { type Command, UsageError } from "../args.ts";
import { stopWithin, untilStopSignal } from "./stopping.ts";

const WORKER_VARIABLES = new Set(["DATABASE_URL", "MIGRATIONS", "LOG_LEVEL", "SHUTDOWN_TIMEOUT_SECONDS"]);

export const workerCommand: Command = {
  name: "worker",
  summary: "run the scheduler and the outbox without HTTP (beside API-only servers on PostgreSQL)",
  usage: `Usage: onboard worker

Runs what \`onboard serve\` runs in the background, without the HTTP API: the scheduler (due
timers, escalations, reminders, health reviews, retention, signed audit checkpoints, CRM
reconciliation) and the outbox (mail, invitations, chat, outbound webhooks). Start any number of
workers and of API-only servers (SCHEDULER=off OUTBOX=off onboard serve) on one PostgreSQL
database: no timer fires twice and no delivery runs twice while its worker lives; a worker that
dies mid-delivery is taken over after its lease (a minute). A command on any server wakes the
workers at once (LISTEN/NOTIFY); they also poll, every few seconds, in case a wake-up is lost.

It reads the same environment as \`onboard serve\` (mail, chat, OIDC and audit settings apply to
what it sends; SCHEDULER and OUTBOX do not: a worker runs both), and needs DATABASE_URL: the
embedded database is one process's, and there \`onboard serve\` runs all of this itself. Among
the variables, these matter most here:
${VARIABLES.filter(([name]) => WORKER_VARIABLES.has(name))
  .map(([name, text]) => `  ${name.padEnd(26)} ${text}`)
  .join("\n")}

With --metrics-port it also answers GET /metrics (with METRICS_TOKEN as on the servers, or
loopback callers only), /health/live and /health/ready (which fails when its scheduler lags) on
HOST:<port>, and nothing else.

Options:
  --metrics-port <port>  serve the metrics and health probes on this port (0: a free one)
  -h, --help             show this help

SIGINT or SIGTERM stops it gracefully: deliveries in progress finish.

Exit codes: 0 stopped cleanly, 1 failed, 2 invalid configuration.`,
  options: { "metrics-port": { type: "string" } },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new UsageError(`worker takes no arguments\n\n${this.usage}`);
    let config: ReturnType<typeof configFromEnvironment>;
    try {
      config = { ...configFromEnvironment(), scheduler: true, outbox: true };
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`${error.message}\n\nRun "onboard serve --help" for every variable.`);
      throw error;
    }
    const metricsPort = values["metrics-port"] === undefined ? undefined : Number(values["metrics-port"]);
    if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65_535))
      throw new UsageError(`--metrics-port takes a port number (0-65535), not "${String(values["metrics-port"])}"`);
    if (config.database.kind !== "postgres") {
      throw new UsageError(
        "a worker shares its database with `onboard serve` processes, which needs PostgreSQL: set DATABASE_URL=postgres://... (on the embedded database, `onboard serve` runs the scheduler and the outbox itself)",
      );
    }
    const { startServer } = await import("../../api/server.ts");
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      // Never the demo portfolio: that is the first server's to create, on an empty database.
      server = await startServer(config, { demoProjects: 0 });
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`${error.message}\n\nRun "onboard serve --help" for every variable.`);
      throw error;
    }
    const running = [
      server.background.scheduler && "scheduler",
      server.background.outbox && "outbox",
      server.background.webhooks && "webhooks",
    ]
      .filter(Boolean)
      .join(", ");
    let health: Awaited<ReturnType<typeof listenForHealth>> | undefined;
    if (metricsPort !== undefined) {
      const { listenForHealth } = await import("../../api/health-listener.ts");
      try {
        health = await listenForHealth(server.app, config.host, metricsPort);
      } catch (error) {
        await server.close();
        throw error;
      }
    }
    io.out(
      `Onboard worker running (${running}) on ${server.database.description}; ${health ? `metrics and health at ${health.url}` : "no HTTP"}`,
    );
    if (server.admin.created && server.admin.generatedPassword !== undefined) {
      // A worker that met an empty database first created the admin: the password is shown only here.
      io.out(
        `First start: an admin account was created. Sign in as ${server.admin.email} with the password ${server.admin.generatedPassword}`,
      );
    }
    const received = await untilStopSignal();
    server.app.log.info({ signal: received }, "stopping: finishing deliveries in flight");
    await stopWithin(config.shutdownTimeoutMs, io, "onboard worker", async () => {
      await health?.close();
      await server.close();
    });
    return 0;
  },
};
