// GET /health/live: the process answers (for a supervisor's liveness probe). No database involved.
import type { Api } from "../../http.ts";
import { Live } from "./health.types.ts";

export function live(app: Api): void {
  app.get(
    "/health/live",
    {
      config: { access: "public" },
      schema: { tags: ["health"], operationId: "live", summary: "Liveness: the process answers", response: { 200: Live } },
    },
    async () => ({ status: "ok" as const }),
  );
}
