// GET /audit/checkpoints/latest: the newest signed checkpoint of the global audit log, for auditors
// to keep (and later verify the database against with onboard audit verify --against).
import { latestCheckpoint } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { AuditCheckpoint, checkpointView } from "./checkpoint.types.ts";

export function getLatestCheckpoint(app: Api, deps: ApiDeps): void {
  app.get(
    "/audit/checkpoints/latest",
    {
      config: { access: "audit:read" },
      schema: {
        tags: ["audit"],
        operationId: "getLatestAuditCheckpoint",
        summary: "The latest signed checkpoint of the audit log",
        response: { 200: AuditCheckpoint, ...problemResponses(404) },
      },
    },
    async () => {
      const checkpoint = await latestCheckpoint(deps.database.db);
      if (!checkpoint) throw new HttpProblem("not_found", "no audit checkpoint has been written yet");
      return checkpointView(checkpoint, deps.auditKey?.vkey ?? "");
    },
  );
}
