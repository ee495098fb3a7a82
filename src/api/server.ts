// The server's lifecycle: open the database (migrating it), publish the built-in playbooks, make
// sure there is an admin, build the app, run the scheduler and the outbox dispatcher in-process
// (unless turned off for API-only nodes), listen; and stop gracefully: requests in flight finish,
// the background loops end their round, the database closes (releasing PGlite's folder lock).
import type { FastifyBaseLogger } from "fastify";
import type { Effect } from "../engine/types.ts";
import {
  type Database,
  type Delivery,
  type EffectHandlers,
  migrate,
  OutboxDispatcher,
  openDatabase,
  ProjectService,
  Scheduler,
} from "../store/index.ts";
import { buildApp } from "./app.ts";
import type { RouteRule } from "./auth/authorization.ts";
import { type AdminBootstrap, bootstrapAdmin } from "./auth/users.ts";
import type { Config } from "./config.ts";
import { type BuiltInReport, publishBuiltIns } from "./data/playbooks.ts";
import { apiDb } from "./data/tables.ts";
import type { ApiDeps } from "./deps.ts";
import type { Api } from "./http.ts";

export interface StartOptions {
  /** An open database to use instead of the configured one (tests); the caller closes it. */
  readonly database?: Database;
  readonly clock?: () => string;
}

export interface RunningServer {
  readonly app: Api;
  readonly routes: readonly RouteRule[];
  readonly database: Database;
  readonly admin: AdminBootstrap;
  readonly builtIn: BuiltInReport;
  /** The loops running in this process (undefined when turned off in the configuration). */
  readonly background: { readonly scheduler: Scheduler | undefined; readonly outbox: OutboxDispatcher | undefined };
  /** Start listening on the configured host and port; returns the URL. */
  listen(): Promise<string>;
  /** Graceful stop; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Until a delivery channel exists (email, chat, webhooks: later parts of issue #4), effects are
 * delivered to the log, with the delivery key receivers will deduplicate on.
 */
function logDelivery(log: FastifyBaseLogger): EffectHandlers {
  const deliver = async (effect: Effect, delivery: Delivery) => {
    log.info({ effect, deliveryKey: delivery.key, projectId: delivery.projectId, attempt: delivery.attempt }, `effect ${effect.kind}`);
  };
  return {
    notify: deliver,
    email: deliver,
    escalate: deliver,
    remind: deliver,
    send_survey: deliver,
    send_invite: deliver,
    request_approval: deliver,
    assignment_needed: deliver,
    start_project: deliver,
  };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? (() => new Date().toISOString());
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await openDatabase(config.database));
  let started: RunningServer | undefined;
  try {
    if (!ownsDatabase) await migrate(database.db);
    const deps: ApiDeps = { config, database, db: apiDb(database), service: new ProjectService(database), clock };
    const builtIn = await publishBuiltIns(deps);
    const admin = await bootstrapAdmin(deps.db, config.admin, clock());
    const { app, routes } = await buildApp(deps);
    const log = app.log;
    for (const failure of builtIn.failed) log.warn({ file: failure.file }, `built-in playbook not published: ${failure.message}`);

    const scheduler = config.scheduler
      ? new Scheduler(database, {
          on: {
            round: (result) => {
              if (result.changed > 0 || result.failed.length > 0)
                log.info({ ...result, failed: result.failed.map((f) => f.projectId) }, "scheduler round");
            },
            error: (error) => log.error({ err: error }, "scheduler round failed"),
          },
        })
      : undefined;
    const outbox = config.outbox
      ? new OutboxDispatcher(database, {
          handlers: logDelivery(log),
          on: { error: (error) => log.error({ err: error }, "outbox round failed") },
        })
      : undefined;
    scheduler?.start();
    outbox?.start();

    let closing: Promise<void> | undefined;
    started = {
      app,
      routes,
      database,
      admin,
      builtIn,
      background: { scheduler, outbox },
      async listen() {
        return app.listen({ port: config.port, host: config.host });
      },
      close() {
        closing ??= (async () => {
          const stopped = await Promise.allSettled([app.close(), scheduler?.stop(), outbox?.stop()]);
          for (const result of stopped) if (result.status === "rejected") log.error({ err: result.reason }, "error while stopping");
          if (ownsDatabase) await database.close();
          log.info("stopped");
        })();
        return closing;
      },
    };
    return started;
  } finally {
    if (!started && ownsDatabase) await database.close();
  }
}
