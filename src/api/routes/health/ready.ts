// GET /health/ready: the database answers (for a load balancer's readiness probe); 503 otherwise.
import { setTimeout as delay } from "node:timers/promises";
import { sql } from "kysely";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { Ready } from "./health.types.ts";

const TIMEOUT_MS = 2_000;

export function ready(app: Api, deps: ApiDeps): void {
  app.get(
    "/health/ready",
    {
      config: { access: "public" },
      schema: {
        tags: ["health"],
        operationId: "ready",
        summary: "Readiness: the database answers",
        response: { 200: Ready, ...problemResponses(503) },
      },
    },
    async () => {
      const timeout = new AbortController();
      try {
        await Promise.race([
          sql`SELECT 1`.execute(deps.database.db),
          delay(TIMEOUT_MS, undefined, { signal: timeout.signal }).then(() => {
            throw new Error(`no answer within ${TIMEOUT_MS} ms`);
          }),
        ]);
      } catch (error) {
        throw new HttpProblem("unavailable", `the database does not answer: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      } finally {
        timeout.abort();
      }
      return { status: "ready" as const, database: deps.database.capabilities.backend };
    },
  );
}
