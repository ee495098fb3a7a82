// GET /retention: each project's records under the retention rules of the playbook version it ran
// ("keep all records for 7 years after the business relationship ends"), with the day they may be
// disposed of: what a data-protection officer works through. Only playbook versions that declare
// retention are read, and for their projects only the client's relationship end and the closing day.
import { sql } from "kysely";
import { disposalDate } from "../../../playbook/retention.ts";
import { modelOf } from "../../data/playbooks.ts";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { problemResponses } from "../../problems.ts";
import { RetentionList, RetentionQuery } from "./retention.types.ts";

export function listRetention(app: Api, deps: ApiDeps): void {
  app.get(
    "/retention",
    {
      config: { access: "audit:read" },
      schema: {
        tags: ["audit"],
        operationId: "listRetention",
        summary: "Records under the playbooks' retention rules, and when each may be disposed of",
        querystring: RetentionQuery,
        response: { 200: RetentionList, ...problemResponses(400) },
      },
    },
    async (request) => {
      const asOf = request.query.asOf ?? new Date(deps.clock()).toISOString().slice(0, 10);
      const versions = await deps.db.selectFrom("playbook_versions").select(["playbook_id", "version"]).execute();
      const ruled = [];
      for (const v of versions) {
        const rules = (await modelOf(deps, v.playbook_id, v.version)).playbook.retention;
        if (rules.length > 0) ruled.push({ id: v.playbook_id, version: v.version, rules });
      }
      const items = [];
      for (const { id, version, rules } of ruled) {
        const rows = await deps.db
          .selectFrom("projects as p")
          .innerJoin("clients as c", "c.id", "p.client_id")
          .select([
            "p.id as projectId",
            "c.id as clientId",
            "c.name as clientName",
            "c.relationship_ended_on as endedOn",
            sql<string | null>`p.state->>'closedAt'`.as("closedAt"),
          ])
          .where("p.playbook_id", "=", id)
          .where("p.playbook_version", "=", version)
          .orderBy("p.id")
          .execute();
        for (const row of rows) {
          for (const rule of rules) {
            const anchorDate = rule.after === "relationship_end" ? row.endedOn : (row.closedAt?.slice(0, 10) ?? null);
            const disposeOn = disposalDate(rule.keep, anchorDate ?? undefined) ?? null;
            const due = disposeOn !== null && disposeOn <= asOf;
            if (request.query.due !== undefined && String(due) !== request.query.due) continue;
            items.push({
              projectId: row.projectId,
              clientId: row.clientId,
              clientName: row.clientName,
              playbook: { id, version },
              records: rule.records,
              keep: rule.keep.text,
              after: rule.after,
              atEnd: rule.at_end,
              anchorDate,
              disposeOn,
              due,
            });
          }
        }
      }
      return { asOf, items };
    },
  );
}
