// GET /health/ready (for a load balancer's readiness probe): 503 with the reason when the database
// does not answer, when its migrations are behind this Onboard or ahead of it (a migration this
// version does not know), or, on a node running the scheduler, when due projects have waited
// longer than READY_MAX_SCHEDULER_LAG. The migration check is cached while it passes.
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import { isAppError, loadMigrations, type Migration, pendingMigrations } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { schedulerLagSeconds } from "../../telemetry/metrics.ts";
import { Ready } from "./health.types.ts";

const TIMEOUT_MS = 2_000;
/** How long a passed migration check holds: a probe every second costs one query in ten seconds. */
const MIGRATIONS_PASS_MS = 10_000;

export type NotReadyReason = "database" | "migrations_pending" | "unknown_migration" | "scheduler_lag";

function notReady(reason: NotReadyReason, detail: string, cause?: unknown): HttpProblem {
  return new HttpProblem("unavailable", detail, { extensions: { reason }, cause });
}

/** Within TIMEOUT_MS, or a refusal naming `what`. */
async function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      work,
      delay(TIMEOUT_MS, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`${what}: no answer within ${TIMEOUT_MS} ms`);
      }),
    ]);
  } finally {
    timeout.abort();
  }
}

export function ready(app: Api, deps: ApiDeps): void {
  let migrations: Promise<Migration[]> | undefined;
  let migrationsPassedAt = Number.NEGATIVE_INFINITY;

  const checkMigrations = async () => {
    if (Date.now() - migrationsPassedAt < MIGRATIONS_PASS_MS) return;
    migrations ??= loadMigrations();
    let pending: Migration[];
    try {
      pending = await bounded(pendingMigrations(deps.database.db, await migrations), "the migration check");
    } catch (error) {
      if (isAppError(error, "illegal_state")) throw notReady("unknown_migration", error.message, error);
      throw notReady("database", `the database does not answer: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (pending.length > 0)
      throw notReady(
        "migrations_pending",
        `the database lacks ${pending.length} migration(s) of this Onboard (${pending.map((m) => m.version).join(", ")}): run "onboard db migrate", or start one process with MIGRATIONS=auto`,
      );
    migrationsPassedAt = Date.now();
  };

  app.get(
    "/health/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        operationId: "ready",
        summary: "Readiness: the database answers at this Onboard's migration, and the scheduler keeps up",
        response: { 200: Ready, ...problemResponses(503) },
      },
    },
    async () => {
      try {
        await bounded(sql`SELECT 1`.execute(deps.database.db), "the database");
      } catch (error) {
        throw notReady("database", `the database does not answer: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      await checkMigrations();
      if (deps.config.scheduler) {
        const lag = await bounded(schedulerLagSeconds(deps.database), "the scheduler lag");
        const limit = deps.config.observability.readyMaxSchedulerLagMs / 1000;
        if (lag > limit)
          throw notReady(
            "scheduler_lag",
            `the scheduler is ${Math.round(lag)} s behind (READY_MAX_SCHEDULER_LAG is ${limit} s): a due project waits for its tick`,
          );
      }
      return { status: "ready" as const, database: deps.database.capabilities.backend };
    },
  );
}
