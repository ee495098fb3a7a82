// The reconciliation pull: webhooks get lost (an endpoint down past the CRM's retries, a
// misconfigured subscription), so each connection that asks for it lists the deals won in its
// look-back window through the CRM's REST API and takes every one no project was started for,
// exactly as a webhook would (the same business key, so never twice). Deals already started are
// counted, not logged again; everything else is in the delivery log under endpoint "reconcile".
import { randomUUID } from "node:crypto";
import { DEFAULT_WON, fieldsNamed, tenantOf } from "../../crm/connection.ts";
import type { Instant } from "../../engine/types.ts";
import { listConnections, recordReconciliation, type StoredConnection } from "../data/crm-connections.ts";
import type { ApiDeps } from "../deps.ts";
import { projectOfDeal } from "./deliveries.ts";
import { apiOf, fetcherFor } from "./fetch-deal.ts";
import { dealSource, takeDeal } from "./intake.ts";

export interface ReconcileOutcome {
  readonly checked: number;
  readonly started: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly rejected: number;
  readonly through: Instant | null;
  readonly error: string | null;
}

const MAX_DEALS_PER_RUN = 500;

export async function reconcileConnection(deps: ApiDeps, connection: StoredConnection, now: Instant): Promise<ReconcileOutcome> {
  const counts = { checked: 0, started: 0, duplicates: 0, ignored: 0, rejected: 0 };
  const finish = async (error: string | null): Promise<ReconcileOutcome> => {
    const through = error === null ? now : null;
    if (connection.managedBy === "database") await recordReconciliation(deps.db, connection.id, { at: now, through, error });
    return { ...counts, through, error };
  };
  const api = apiOf(connection);
  if (!api)
    return finish(
      connection.secrets.apiToken === undefined
        ? "the connection has no API token: nothing to pull"
        : "the connection has no API address: set the Salesforce instance URL (https://<domain>.my.salesforce.com)",
    );
  const rules = connection.settings.won ?? DEFAULT_WON[connection.kind];
  const wonStages = rules.flatMap((r) => (r.kind === "stages" ? r.stages : []));
  const named = fieldsNamed(connection);
  const since = new Date(Date.parse(now) - connection.settings.reconcile.lookbackHours * 3_600_000).toISOString();
  let deals: Awaited<ReturnType<typeof api.listWon>>;
  try {
    deals = await api.listWon({ since, wonStages, fields: named.deal, accountFields: named.account, limit: MAX_DEALS_PER_RUN });
  } catch (error) {
    return finish(error instanceof Error ? error.message : String(error));
  }
  const requestId = `reconcile-${randomUUID()}`;
  const fetchDeal = fetcherFor(connection);
  for (const listed of deals) {
    counts.checked++;
    const deal = { ...listed, tenant: tenantOf(connection) ?? listed.tenant };
    if (await projectOfDeal(deps.db, dealSource(connection, deal), deal.dealId)) {
      counts.duplicates++;
      continue;
    }
    const result = await takeDeal(deps, { endpoint: "reconcile", requestId, body: JSON.stringify(deal), connection, deal, fetchDeal });
    if (result.outcome === "accepted") counts.started++;
    else if (result.outcome === "duplicate") counts.duplicates++;
    else if (result.outcome === "ignored") counts.ignored++;
    else counts.rejected++;
  }
  return finish(null);
}

/** One scheduler round: every enabled connection whose reconciliation is due. */
export async function reconcileDue(deps: ApiDeps, now: Instant): Promise<number> {
  let ran = 0;
  for (const connection of await listConnections(deps.db, deps.config.webhooks)) {
    const { enabled, reconcile } = connection.settings;
    if (!enabled || !reconcile.enabled || connection.managedBy !== "database") continue;
    const last = connection.reconciledAt === null ? Number.NEGATIVE_INFINITY : Date.parse(connection.reconciledAt);
    if (Date.parse(now) - last < reconcile.everyMinutes * 60_000) continue;
    await reconcileConnection(deps, connection, now);
    ran++;
  }
  return ran;
}
