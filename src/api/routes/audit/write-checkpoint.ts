// POST /audit/checkpoints: append the events not yet in the global audit log and sign a checkpoint
// now (the server also writes one every AUDIT_CHECKPOINT_INTERVAL). Admins only: it signs with the
// operator's key.
import { writeCheckpoint } from "../../../store/index.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { HttpProblem, problemResponses } from "../../problems.ts";
import { checkpointView, WrittenCheckpoint } from "./checkpoint.types.ts";

export function writeCheckpointRoute(app: Api, deps: ApiDeps): void {
  app.post(
    "/audit/checkpoints",
    {
      config: { access: "audit:write" },
      schema: {
        tags: ["audit"],
        operationId: "writeAuditCheckpoint",
        summary: "Sign a checkpoint of the audit log now",
        response: { 200: WrittenCheckpoint, ...problemResponses(503) },
      },
    },
    async () => {
      const key = deps.auditKey;
      if (!key) throw new HttpProblem("unavailable", "audit checkpoints are off: the server has no AUDIT_SIGNING_KEY");
      const result = await writeCheckpoint(deps.database, key, deps.clock());
      return { ...checkpointView(result.checkpoint, key.vkey), appended: result.appended, written: result.written };
    },
  );
}
