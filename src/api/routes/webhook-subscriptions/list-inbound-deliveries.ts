// GET /webhooks/deliveries: what the CRMs sent and what became of it (accepted, duplicate,
// ignored, rejected with the reason, failed), newest first, for an admin to see why a deal did or
// did not start a project.
import { z } from "zod";
import type { ApiDeps } from "../../deps.ts";
import type { Api } from "../../http.ts";
import { table } from "../../webhooks/deliveries.ts";
import { Instant } from "../common.types.ts";
import { replayability } from "./replay-delivery.ts";

const InboundDelivery = z
  .object({
    id: z.string(),
    endpoint: z.string(),
    source: z.string().nullable(),
    receivedAt: Instant,
    outcome: z.enum(["accepted", "duplicate", "ignored", "rejected", "failed"]),
    reason: z.string().nullable(),
    dealId: z.string().nullable(),
    projectId: z.string().nullable(),
    body: z.string(),
    connectionId: z.string().nullable().describe("The CRM connection it came through."),
    replayOf: z.string().nullable().describe("The delivery this one replayed."),
    replayable: z.boolean().describe("Whether POST /webhooks/deliveries/{id}/replay can take it again."),
    resolved: z
      .boolean()
      .describe(
        "A delivery that did not start a project whose deal has one now (a replay, a later delivery, the reconciliation): projectId names it.",
      ),
  })
  .meta({ id: "InboundWebhookDelivery" });

export function listInboundDeliveries(app: Api, deps: ApiDeps): void {
  app.get(
    "/webhooks/deliveries",
    {
      config: { access: "integrations:read" },
      schema: {
        tags: ["webhooks"],
        operationId: "listInboundDeliveries",
        summary: "Deliveries received from the CRMs, with their outcome",
        querystring: z.object({
          outcome: z.enum(["accepted", "duplicate", "ignored", "rejected", "failed"]).optional(),
          endpoint: z.enum(["generic", "hubspot", "pipedrive", "salesforce", "reconcile"]).optional(),
          connection: z.string().min(1).max(128).optional().describe("Only the deliveries of this CRM connection."),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(InboundDelivery) }) },
      },
    },
    async (request) => {
      let query = table(deps.db).selectFrom("webhook_deliveries").selectAll();
      if (request.query.outcome) query = query.where("outcome", "=", request.query.outcome);
      if (request.query.endpoint) query = query.where("endpoint", "=", request.query.endpoint);
      if (request.query.connection) query = query.where("connection_id", "=", request.query.connection);
      const rows = await query.orderBy("received_at", "desc").orderBy("id").limit(request.query.limit).execute();
      // What did not start a project may have been fixed since: its deal's project, if there is one now.
      const open = rows.filter((r) => r.outcome !== "accepted" && r.outcome !== "duplicate" && r.deal_id !== null && r.source !== null);
      const started = new Map<string, string>();
      if (open.length > 0) {
        const projects = await deps.db
          .selectFrom("projects")
          .select(["id", "deal_source", "deal_id"])
          .where("deal_id", "in", [...new Set(open.map((r) => r.deal_id as string))])
          .execute();
        for (const p of projects) started.set(`${p.deal_source} ${p.deal_id}`, p.id);
      }
      const since = (r: (typeof rows)[number]) =>
        r.deal_id !== null && r.source !== null ? started.get(`${r.source} ${r.deal_id}`) : undefined;
      return {
        items: rows.map((r) => ({
          id: r.id,
          endpoint: r.endpoint,
          source: r.source,
          receivedAt: r.received_at.toISOString(),
          outcome: r.outcome,
          reason: r.reason,
          dealId: r.deal_id,
          projectId: r.project_id ?? since(r) ?? null,
          body: r.body,
          connectionId: r.connection_id,
          replayOf: r.replay_of,
          replayable: replayability(r) === null && since(r) === undefined,
          resolved: r.project_id === null && since(r) !== undefined,
        })),
      };
    },
  );
}
